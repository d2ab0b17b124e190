/* SPDX-License-Identifier: MIT */
/*
 * The adapter kinds the scatter/gather tests run on: system adapters on
 * 8- and 16-bit channels, with and without scatter/gather, and bus masters
 * of 24-, 32- and 64-bit reach. Header-only, for cmocka tests on the rig.
 */
#ifndef SYSDMA_TEST_SG_KINDS_H
#define SYSDMA_TEST_SG_KINDS_H

#include "support/rig.h"

typedef struct kind {
    const char *name;
    bool master, sg;
    unsigned channel; /* system adapters */
    unsigned bits;    /* address width */
} kind;

/* A version-3 adapter of this kind, `max_len` its maximum length. */
static inline sysdma_adapter *get_adapter(rig *r, const kind *k, uint32_t max_len,
                                          uint32_t *nregs)
{
    sysdma_device_description d = {0};
    d.version = 3;
    d.master = k->master;
    d.scatter_gather = k->sg;
    d.interface_type = SYSDMA_INTERFACE_ISA;
    d.maximum_length = max_len;
    if (k->master) {
        d.address_width = k->bits;
    } else {
        d.channel = k->channel;
        d.width = k->channel >= 4 ? SYSDMA_WIDTH_16 : SYSDMA_WIDTH_8;
    }
    sysdma_adapter *a = NULL;
    assert_int_equal(sysdma_adapter_get(r->sys, &d, &a, nregs), SYSDMA_OK);
    return a;
}

#endif
