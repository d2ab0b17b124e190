/* SPDX-License-Identifier: MIT */
/*
 * A fixture for the tests of the core over the ideal controller made to a
 * shape (tests/support/fake_platform.h): a system over the fake platform
 * and a shaped fake_ctrl, scattered buffers, a list got and a run's done
 * call recorded, a MapTransferEx completion recorded.
 */
#ifndef SYSDMA_TEST_CTRL_FX_H
#define SYSDMA_TEST_CTRL_FX_H

#include <stdlib.h>
#include <string.h>

#include "support/fake_platform.h"

#define PG SYSDMA_PAGE_SIZE

typedef struct ctrl_fx {
    fake_platform f;
    fake_ctrl c;
    sysdma_system *sys;
} ctrl_fx;

/* Everything a done call or a completion saw. */
typedef struct heard {
    int calls;
    sysdma_status status;
    int lock_depth;     /* the fake lock's, at the call: 0 */
    fake_platform *f;
} heard;

static inline ctrl_fx *ctrl_fx_new(const fake_shape *shape)
{
    ctrl_fx *x = calloc(1, sizeof *x);
    if (!x)
        return NULL;
    fake_platform_init(&x->f, true);
    if (shape)
        fake_ctrl_init_shape(&x->c, &x->f, shape);
    else
        fake_ctrl_init(&x->c, &x->f);
    if (sysdma_system_create(&x->f.pf, &x->c.ctrl, NULL, &x->sys) != SYSDMA_OK) {
        free(x);
        return NULL;
    }
    return x;
}

/* Destroy the system; true when nothing of the core's is left. */
static inline bool ctrl_fx_free(ctrl_fx *x)
{
    bool ok = sysdma_system_destroy(x->sys) == SYSDMA_OK && fake_platform_clean(&x->f);
    fake_platform_destroy(&x->f);
    free(x);
    return ok;
}

/* An SoC-style shape: 8 channels, 64-bit reach, no boundary, 1 MiB
 * fragments, `frags` fragments per program. */
static inline fake_shape soc_shape(uint32_t frags)
{
    fake_shape s = {0};
    s.channels = 8;
    s.address_bits = 64;
    s.max_bytes = 1u << 20;
    s.max_fragments = frags;
    return s;
}

static inline sysdma_adapter *ctrl_fx_adapter(ctrl_fx *x, uint32_t version, unsigned channel,
                                              bool sg, uint32_t line, uint32_t *n)
{
    sysdma_device_description d = {0};
    d.version = version;
    d.channel = channel;
    d.width = SYSDMA_WIDTH_8;
    d.scatter_gather = sg;
    d.maximum_length = 64 * PG;
    if (version == 3) {
        d.request_line = line;
        d.address_width = 64;
    }
    sysdma_adapter *a = NULL;
    if (sysdma_adapter_get(x->sys, &d, &a, n) != SYSDMA_OK)
        return NULL;
    return a;
}

/* `pages` pages at every other physical page from `base` (none contiguous). */
static inline uint8_t *ctrl_fx_scattered(ctrl_fx *x, size_t pages, uint64_t base)
{
    uint64_t phys[64];
    if (pages > 64)
        return NULL;
    for (size_t k = 0; k < pages; k++)
        phys[k] = base + 2 * k * PG;
    return fake_buffer(&x->f, pages, phys);
}

static inline void ctrl_fx_got_list(void *device, sysdma_sg_list *list, void *context)
{
    (void)device;
    *(sysdma_sg_list **)context = list;
}

static inline void ctrl_fx_list_done(sysdma_adapter *a, sysdma_sg_list *list, sysdma_status st, void *ctx)
{
    (void)a;
    (void)list;
    heard *h = ctx;
    h->calls++;
    h->status = st;
    h->lock_depth = h->f ? h->f->lock_depth : 0;
}

static inline void ctrl_fx_completed(sysdma_adapter *a, void *ctx, sysdma_status st)
{
    (void)a;
    heard *h = ctx;
    h->calls++;
    h->status = st;
    h->lock_depth = h->f ? h->f->lock_depth : 0;
}

static inline sysdma_allocation_action ctrl_fx_keep(void *dev, sysdma_map_registers *regs, void *ctx)
{
    (void)dev;
    *(sysdma_map_registers **)ctx = regs;
    return SYSDMA_KEEP_OBJECT;
}

#endif
