/* SPDX-License-Identifier: MIT */
/*
 * The fixture the verifier's unit tests share (test_core_verifier*.c): a rig
 * on the simulated PC with the verifier on and reports expected, two 8-page
 * buffers (below and above 16 MiB) with their MDLs, an adapter maker, and
 * EXPECT, which asserts exactly one new report of a check from a call.
 */
#ifndef SYSDMA_TEST_VERIFIER_FX_H
#define SYSDMA_TEST_VERIFIER_FX_H

#include <stdlib.h>

#include "support/rig.h"

#define PAGE SYSDMA_PAGE_SIZE

typedef struct fx {
    rig r;
    uint8_t *low, *high;
    sysdma_mdl *mlow, *mhigh;
} fx;

static inline int setup(void **state)
{
    fx *f = calloc(1, sizeof *f);
    sysdma_config cfg = {.map_registers_initial = 64, .map_registers_cap = 256};
    if (!f || rig_init(&f->r, 64u << 20, 1u << 17, &cfg) != SYSDMA_OK)
        return -1;
    rig_verify(&f->r);
    f->r.reports_expected = true;
    f->low = sysdma_sim_buffer_alloc(f->r.sim, 8 * PAGE, 0, SYSDMA_SIM_LOW);
    f->high = sysdma_sim_buffer_alloc(f->r.sim, 8 * PAGE, 0, SYSDMA_SIM_HIGH);
    if (sysdma_mdl_create(f->r.sys, f->low, 8 * PAGE, &f->mlow) != SYSDMA_OK ||
        sysdma_mdl_create(f->r.sys, f->high, 8 * PAGE, &f->mhigh) != SYSDMA_OK)
        return -1;
    *state = f;
    return 0;
}

static inline int teardown(void **state)
{
    fx *f = *state;
    sysdma_mdl_free(f->r.sys, f->mlow);
    sysdma_mdl_free(f->r.sys, f->mhigh);
    rig_destroy(&f->r);
    free(f);
    return 0;
}

static inline sysdma_adapter *adapter(fx *f, unsigned ch, uint32_t *n)
{
    sysdma_device_description d = {0};
    d.version = 2;
    d.channel = ch;
    d.width = ch >= 4 ? SYSDMA_WIDTH_16 : SYSDMA_WIDTH_8;
    d.maximum_length = 8 * PAGE;
    sysdma_adapter *a;
    assert_int_equal(sysdma_adapter_get(f->r.sys, &d, &a, n), SYSDMA_OK);
    return a;
}

/* Exactly one new report, of this check, from this call. */
#define EXPECT(f, before, chk, callname)                                        \
    do {                                                                        \
        assert_int_equal((f)->r.reports, (before) + 1);                         \
        assert_string_equal(sysdma_verifier_check_name((f)->r.last.check),     \
                            sysdma_verifier_check_name(SYSDMA_VCHECK_##chk));   \
        assert_string_equal((f)->r.last.call, callname);                       \
    } while (0)

/* A grant kept (KEEP_OBJECT), its registers stored at ctx. */
static inline sysdma_allocation_action keep_obj(void *device, sysdma_map_registers *regs, void *ctx)
{
    (void)device;
    *(sysdma_map_registers **)ctx = regs;
    return SYSDMA_KEEP_OBJECT;
}

#endif /* SYSDMA_TEST_VERIFIER_FX_H */
