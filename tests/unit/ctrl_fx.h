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

/* A MapTransferEx of two pages on `ch`, its channel taken synchronously,
 * completing into `h`; ctrl_fx_map_end flushes and lets it all go. */
typedef struct ctrl_fx_mapped {
    sysdma_adapter *a;
    uint8_t *buf;
    sysdma_mdl *m;
    sysdma_map_registers *base;
    sysdma_transfer_context ctx;
    uint32_t len;
    heard h;
} ctrl_fx_mapped;

static inline void ctrl_fx_map_ex(ctrl_fx *x, ctrl_fx_mapped *t, unsigned ch)
{
    memset(t, 0, sizeof *t);
    uint32_t n;
    t->a = ctrl_fx_adapter(x, 3, ch, false, 0, &n);
    assert_non_null(t->a);
    uint64_t phys[2] = {0x80000000ull + ch * 0x100000ull, 0x80001000ull + ch * 0x100000ull};
    t->buf = fake_buffer(&x->f, 2, phys);
    assert_non_null(t->buf);
    assert_int_equal(sysdma_mdl_create(x->sys, t->buf, 2 * PG, &t->m), SYSDMA_OK);
    assert_int_equal(sysdma_transfer_context_init(t->a, &t->ctx), SYSDMA_OK);
    assert_int_equal(sysdma_channel_allocate_ex(t->a, NULL, &t->ctx, 0,
                                                SYSDMA_ALLOCATE_SYNCHRONOUS, NULL, NULL, &t->base),
                     SYSDMA_OK);
    t->h = (heard){0, SYSDMA_PENDING, 0, &x->f};
    t->len = 2 * PG;
    assert_int_equal(sysdma_map_transfer_ex(t->a, t->m, 0, &t->len, true, t->base,
                                            ctrl_fx_completed, &t->h, NULL),
                     SYSDMA_OK);
}

static inline void ctrl_fx_map_end(ctrl_fx *x, ctrl_fx_mapped *t)
{
    assert_int_equal(sysdma_flush_adapter_buffers_ex(t->a, t->m, t->base, 0, t->len, true),
                     SYSDMA_OK);
    assert_int_equal(sysdma_adapter_free_object(t->a, SYSDMA_DEALLOCATE_OBJECT), SYSDMA_OK);
    sysdma_mdl_free(x->sys, t->m);
    fake_buffer_free(&x->f, t->buf);
    assert_int_equal(sysdma_adapter_put(t->a), SYSDMA_OK);
}

#endif
