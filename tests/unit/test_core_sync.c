/* SPDX-License-Identifier: MIT */
/*
 * DMA coherence through the platform's dma_sync hook (for machines whose
 * devices do not see the CPU's caches): packet-based MapTransfer syncs the
 * piece, in place or in the map registers after the copy-in, before the
 * controller is programmed; FlushAdapterBuffers of a transfer from the
 * device syncs the bytes the device moved before anyone reads them (before
 * the copy-back of a bounced piece). Scatter/gather lists: each page part
 * where the device reaches it, before the routine sees the list and, for a
 * read, at put before the copy-back. Never under the core's lock; nothing
 * for a transfer refused.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "support/fake_platform.h"

#define PG SYSDMA_PAGE_SIZE

typedef struct sync_call {
    uint8_t *va;
    size_t bytes;
    sysdma_dma_sync op;
    int lock_depth;
    long programs; /* the channel's programmings when the call came */
    uint8_t first; /* the first byte it covers, as it was then */
} sync_call;

typedef struct fx {
    fake_platform f;
    fake_ctrl c;
    sysdma_system *sys;
    sync_call calls[16];
    unsigned n;
} fx;

static fx *g_fx;

static void rec_sync(void *ctx, void *va, size_t bytes, sysdma_dma_sync op)
{
    (void)ctx;
    fx *x = g_fx;
    assert_true(x->n < 16);
    x->calls[x->n++] = (sync_call){va, bytes, op, x->f.lock_depth, x->c.ch[2].programs,
                                    *(uint8_t *)va};
}

static int setup(void **state)
{
    fx *x = calloc(1, sizeof *x);
    if (!x)
        return -1;
    fake_platform_init(&x->f, true);
    x->f.ops.dma_sync = rec_sync;
    fake_ctrl_init(&x->c, &x->f);
    if (sysdma_system_create(&x->f.pf, &x->c.ctrl, NULL, &x->sys) != SYSDMA_OK)
        return -1;
    g_fx = x;
    *state = x;
    return 0;
}

static int teardown(void **state)
{
    fx *x = *state;
    int rc = sysdma_system_destroy(x->sys) == SYSDMA_OK && fake_platform_clean(&x->f) ? 0 : -1;
    fake_platform_destroy(&x->f);
    free(x);
    return rc;
}

static sysdma_allocation_action keep(void *dev, sysdma_map_registers *regs, void *ctx)
{
    (void)dev;
    *(sysdma_map_registers **)ctx = regs;
    return SYSDMA_KEEP_OBJECT;
}

static sysdma_adapter *get(fx *x, uint32_t *n)
{
    sysdma_device_description d = {0};
    d.version = 1;
    d.channel = 2;
    d.width = SYSDMA_WIDTH_8;
    d.maximum_length = 4 * PG;
    sysdma_adapter *a;
    assert_int_equal(sysdma_adapter_get(x->sys, &d, &a, n), SYSDMA_OK);
    return a;
}

static const uint64_t low[4] = {0xD00000, 0xD01000, 0xD02000, 0xD03000};
static const uint64_t high[4] = {0x1000000, 0x1001000, 0x1002000, 0x1003000};

/* One transfer each way, in place and bounced: what is synced, when. */
static void run(fx *x, bool bounced, bool to_device)
{
    uint32_t n;
    sysdma_adapter *a = get(x, &n);
    uint8_t *buf = fake_buffer(&x->f, 4, bounced ? high : low);
    for (uint32_t k = 0; k < 4 * PG; k++)
        buf[k] = (uint8_t)(k * 3 + 1);
    uint8_t dev[4 * PG];
    for (uint32_t k = 0; k < sizeof dev; k++)
        dev[k] = (uint8_t)(0xA0 ^ k);
    sysdma_mdl *m;
    assert_int_equal(sysdma_mdl_create(x->sys, buf, 4 * PG, &m), SYSDMA_OK);
    sysdma_map_registers *regs = NULL;
    assert_int_equal(sysdma_channel_allocate(a, NULL, n, keep, &regs), SYSDMA_OK);
    x->n = 0;
    long programs = x->c.ch[2].programs;
    uint32_t off = 100, len = 2 * PG;
    assert_int_equal(sysdma_map_transfer(a, m, regs, buf + off, &len, to_device, NULL), SYSDMA_OK);
    /* At map: one call, before the controller was programmed. */
    assert_int_equal(x->n, 1);
    sync_call *c = &x->calls[0];
    assert_int_equal(c->op, to_device ? SYSDMA_SYNC_PRE_WRITE : SYSDMA_SYNC_PRE_READ);
    assert_int_equal(c->bytes, len);
    assert_int_equal(c->lock_depth, 0);
    assert_int_equal(c->programs, programs);
    assert_int_equal(x->c.ch[2].programs, programs + 1);
    if (bounced) {
        assert_true(c->va < buf || c->va >= buf + 4 * PG); /* the map registers */
        if (to_device)
            assert_int_equal(c->first, buf[off]); /* synced after the copy-in */
    } else {
        assert_ptr_equal(c->va, buf + off);
    }
    uint8_t *piece = c->va;
    uint32_t moved = to_device ? len : 3000;
    assert_int_equal(fake_ctrl_run(&x->c, 2, dev, moved), moved);
    assert_int_equal(sysdma_flush_adapter_buffers(a, m, regs, buf + off, len, to_device), SYSDMA_OK);
    if (to_device) {
        assert_int_equal(x->n, 1); /* nothing to take back */
    } else {
        /* At flush: the bytes the device moved, where it put them, before
         * a bounced piece is copied back. */
        assert_int_equal(x->n, 2);
        c = &x->calls[1];
        assert_int_equal(c->op, SYSDMA_SYNC_POST_READ);
        assert_ptr_equal(c->va, piece);
        assert_int_equal(c->bytes, moved);
        assert_int_equal(c->lock_depth, 0);
        assert_int_equal(c->first, dev[0]);
        assert_memory_equal(buf + off, dev, moved);
    }
    assert_int_equal(sysdma_channel_free(a), SYSDMA_OK);
    sysdma_mdl_free(x->sys, m);
    fake_buffer_free(&x->f, buf);
    assert_int_equal(sysdma_adapter_put(a), SYSDMA_OK);
}

static void test_in_place_write(void **state) { run(*state, false, true); }
static void test_in_place_read(void **state) { run(*state, false, false); }
static void test_bounced_write(void **state) { run(*state, true, true); }
static void test_bounced_read(void **state) { run(*state, true, false); }

/* A refused map syncs nothing, in place or bounced; a read flushed before
 * the device moved anything syncs nothing at the flush. */
static void test_nothing_moved(void **state)
{
    fx *x = *state;
    uint32_t n;
    sysdma_adapter *a = get(x, &n);
    uint8_t *lbuf = fake_buffer(&x->f, 4, low);
    sysdma_mdl *lm;
    assert_int_equal(sysdma_mdl_create(x->sys, lbuf, 4 * PG, &lm), SYSDMA_OK);
    uint8_t *buf = fake_buffer(&x->f, 4, high);
    sysdma_mdl *m;
    assert_int_equal(sysdma_mdl_create(x->sys, buf, 4 * PG, &m), SYSDMA_OK);
    x->n = 0;
    uint32_t len = PG;
    assert_int_equal(sysdma_map_transfer(a, m, NULL, buf, &len, true, NULL), SYSDMA_E_NOT_OWNER);
    assert_int_equal(sysdma_map_transfer(a, lm, NULL, lbuf, &len, true, NULL), SYSDMA_E_NOT_OWNER);
    assert_int_equal(x->n, 0);
    sysdma_mdl_free(x->sys, lm);
    fake_buffer_free(&x->f, lbuf);
    sysdma_map_registers *regs = NULL;
    assert_int_equal(sysdma_channel_allocate(a, NULL, n, keep, &regs), SYSDMA_OK);
    assert_int_equal(sysdma_map_transfer(a, m, regs, buf, &len, false, NULL), SYSDMA_OK);
    assert_int_equal(x->n, 1);
    assert_int_equal(sysdma_flush_adapter_buffers(a, m, regs, buf, len, false), SYSDMA_OK);
    assert_int_equal(x->n, 1);
    assert_int_equal(sysdma_channel_free(a), SYSDMA_OK);
    sysdma_mdl_free(x->sys, m);
    fake_buffer_free(&x->f, buf);
    assert_int_equal(sysdma_adapter_put(a), SYSDMA_OK);
}

/* Scatter/gather lists of a bus master that reaches 24 bits: every page
 * part is synced where the device reaches it — in place below 16 MiB, in
 * the map registers above — before the routine sees the list (after the
 * copy-in of a write), and, for a read, again at put before the copy-back. */
typedef struct list_seen {
    sysdma_sg_list *list;
    unsigned syncs_then;
} list_seen;

static void got_list(void *dev, sysdma_sg_list *list, void *ctx)
{
    (void)dev;
    list_seen *ls = ctx;
    ls->list = list;
    ls->syncs_then = g_fx->n;
}

static void run_list(fx *x, bool to_device)
{
    sysdma_device_description d = {0};
    d.version = 2;
    d.master = true;
    d.scatter_gather = true;
    d.maximum_length = 4 * PG;
    sysdma_adapter *a;
    assert_int_equal(sysdma_adapter_get(x->sys, &d, &a, NULL), SYSDMA_OK);
    static const uint64_t mixed[4] = {0xD00000, 0x1000000, 0xD05000, 0x1003000};
    uint8_t *buf = fake_buffer(&x->f, 4, mixed);
    for (uint32_t k = 0; k < 4 * PG; k++)
        buf[k] = (uint8_t)(k * 5 + 3);
    sysdma_mdl *m;
    assert_int_equal(sysdma_mdl_create(x->sys, buf, 4 * PG, &m), SYSDMA_OK);
    x->n = 0;
    list_seen ls = {0};
    assert_int_equal(sysdma_sg_get(a, NULL, m, buf + 10, 4 * PG - 20, got_list, &ls, to_device),
                     SYSDMA_OK);
    assert_non_null(ls.list);
    /* One call per page part, all before the routine, none under the lock. */
    assert_int_equal(ls.syncs_then, 4);
    size_t total = 0;
    unsigned in_place = 0;
    for (unsigned k = 0; k < 4; k++) {
        sync_call *c = &x->calls[k];
        assert_int_equal(c->op, to_device ? SYSDMA_SYNC_PRE_WRITE : SYSDMA_SYNC_PRE_READ);
        assert_int_equal(c->lock_depth, 0);
        total += c->bytes;
        bool here = c->va >= buf && c->va < buf + 4 * PG;
        in_place += here;
        if (here)
            assert_true(k == 0 || k == 2); /* the pages below 16 MiB */
        else if (to_device)
            assert_int_equal(c->first, buf[k == 1 ? PG : 3 * PG]); /* after the copy-in */
    }
    assert_int_equal(total, 4 * PG - 20);
    assert_int_equal(in_place, 2);
    assert_int_equal(x->n, 4);
    assert_int_equal(sysdma_sg_put(a, ls.list, to_device), SYSDMA_OK);
    if (to_device) {
        assert_int_equal(x->n, 4);
    } else {
        assert_int_equal(x->n, 8);
        for (unsigned k = 4; k < 8; k++) {
            assert_int_equal(x->calls[k].op, SYSDMA_SYNC_POST_READ);
            assert_ptr_equal(x->calls[k].va, x->calls[k - 4].va);
            assert_int_equal(x->calls[k].bytes, x->calls[k - 4].bytes);
            assert_int_equal(x->calls[k].lock_depth, 0);
        }
    }
    sysdma_mdl_free(x->sys, m);
    fake_buffer_free(&x->f, buf);
    assert_int_equal(sysdma_adapter_put(a), SYSDMA_OK);
}

static void test_list_write(void **state) { run_list(*state, true); }
static void test_list_read(void **state) { run_list(*state, false); }

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_in_place_write, setup, teardown),
        cmocka_unit_test_setup_teardown(test_in_place_read, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bounced_write, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bounced_read, setup, teardown),
        cmocka_unit_test_setup_teardown(test_nothing_moved, setup, teardown),
        cmocka_unit_test_setup_teardown(test_list_write, setup, teardown),
        cmocka_unit_test_setup_teardown(test_list_read, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
