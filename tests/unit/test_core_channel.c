/* SPDX-License-Identifier: MIT */
/* Channel queues, allocation actions and the map-register pool. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/sg_internal.h"
#include "support/rig.h"

static rig *make(uint32_t initial, uint32_t cap)
{
    rig *r = malloc(sizeof *r);
    sysdma_config cfg = {.map_registers_initial = initial, .map_registers_cap = cap};
    assert_non_null(r);
    assert_int_equal(rig_init(r, 32u << 20, 4096, &cfg), SYSDMA_OK);
    return r;
}

static void unmake(rig *r)
{
    assert_int_equal(sysdma_system_destroy(r->sys), SYSDMA_OK);
    r->sys = NULL;
    rig_destroy(r);
    free(r);
}

static sysdma_adapter *adapter(rig *r, unsigned ch, uint32_t max_len, uint32_t *n)
{
    sysdma_device_description d = {0};
    d.version = 2;
    d.channel = ch;
    d.width = ch >= 4 ? SYSDMA_WIDTH_16 : SYSDMA_WIDTH_8;
    d.maximum_length = max_len;
    sysdma_adapter *a;
    assert_int_equal(sysdma_adapter_get(r->sys, &d, &a, n), SYSDMA_OK);
    return a;
}

/* A log of grants: which request ran, with what registers; the action each returns. */
typedef struct log {
    int order[256];
    sysdma_map_registers *regs[256];
    int n;
    sysdma_allocation_action action;
} log;

typedef struct req {
    log *l;
    int id;
} req;

static sysdma_allocation_action record(void *device, sysdma_map_registers *regs, void *ctx)
{
    req *q = ctx;
    (void)device;
    q->l->regs[q->l->n] = regs;
    q->l->order[q->l->n++] = q->id;
    return q->l->action;
}

static void test_fifo_100_on_one_channel(void **state)
{
    (void)state;
    rig *r = make(32, 256);
    uint32_t n;
    sysdma_adapter *a = adapter(r, 2, 4096, &n);
    log l = {.action = SYSDMA_KEEP_OBJECT};
    req q[100];
    for (int k = 0; k < 100; k++) {
        q[k] = (req){&l, k};
        sysdma_status st = sysdma_channel_allocate(a, &q[k], k % 3, record, &q[k]);
        assert_int_equal(st, k == 0 ? SYSDMA_OK : SYSDMA_PENDING);
    }
    assert_int_equal(l.n, 1);
    for (int k = 1; k < 100; k++) {
        assert_int_equal(sysdma_channel_free(a), SYSDMA_OK);
        assert_int_equal(l.n, k + 1);
        assert_int_equal(l.order[k], k);
        assert_true((l.regs[k] != NULL) == (k % 3 != 0));
    }
    assert_int_equal(sysdma_channel_free(a), SYSDMA_OK);
    assert_int_equal(sysdma_channel_free(a), SYSDMA_E_NOT_OWNER); /* not held: refused */
    sysdma_stats st;
    sysdma_stats_get(r->sys, a, &st);
    assert_int_equal(st.deferred, 99);
    assert_int_equal(st.granted, 100);
    assert_int_equal(sysdma_adapter_put(a), SYSDMA_OK);
    unmake(r);
}

static void test_allocation_actions(void **state)
{
    (void)state;
    rig *r = make(32, 32);
    uint32_t n;
    sysdma_adapter *a = adapter(r, 1, 65536, &n);
    sysdma_adapter *b = adapter(r, 3, 65536, &n);
    assert_int_equal(n, 16);
    log l = {.action = SYSDMA_DEALLOCATE_OBJECT};
    req q1 = {&l, 1}, q2 = {&l, 2}, q3 = {&l, 3};
    sysdma_stats st;
    /* DEALLOCATE_OBJECT: channel and registers are free again at once. */
    assert_int_equal(sysdma_channel_allocate(a, NULL, 16, record, &q1), SYSDMA_OK);
    sysdma_stats_get(r->sys, NULL, &st);
    assert_int_equal(st.pool_in_use, 0);
    assert_int_equal(sysdma_channel_free(a), SYSDMA_E_NOT_OWNER);
    /* KEEP_OBJECT holds both until FreeAdapterChannel. */
    l.action = SYSDMA_KEEP_OBJECT;
    assert_int_equal(sysdma_channel_allocate(a, NULL, 16, record, &q2), SYSDMA_OK);
    sysdma_stats_get(r->sys, NULL, &st);
    assert_int_equal(st.pool_in_use, 16);
    /* DEALLOCATE_OBJECT_KEEP_REGISTERS: channel free, registers kept. */
    l.action = SYSDMA_DEALLOCATE_OBJECT_KEEP_REGISTERS;
    assert_int_equal(sysdma_channel_allocate(b, NULL, 16, record, &q3), SYSDMA_OK);
    sysdma_map_registers *kept = l.regs[l.n - 1];
    assert_non_null(kept);
    sysdma_stats_get(r->sys, NULL, &st);
    assert_int_equal(st.pool_in_use, 32);
    assert_int_equal(sysdma_channel_free(b), SYSDMA_E_NOT_OWNER);
    /* The pool is full (cap 32): a third set must wait... */
    req q4 = {&l, 4};
    l.action = SYSDMA_KEEP_OBJECT;
    assert_int_equal(sysdma_channel_allocate(b, NULL, 1, record, &q4), SYSDMA_PENDING);
    /* ...until FreeMapRegisters returns the kept set, which grants it. */
    assert_int_equal(sysdma_map_registers_free(b, kept, 15), SYSDMA_E_NOT_OWNER); /* wrong count */
    assert_int_equal(sysdma_map_registers_free(a, kept, 16), SYSDMA_E_NOT_OWNER); /* wrong adapter */
    assert_int_equal(sysdma_map_registers_free(b, kept, 16), SYSDMA_OK);
    assert_int_equal(l.order[l.n - 1], 4);
    assert_int_equal(sysdma_map_registers_free(b, kept, 16), SYSDMA_E_NOT_OWNER); /* twice */
    assert_int_equal(sysdma_channel_free(b), SYSDMA_OK);
    assert_int_equal(sysdma_channel_free(a), SYSDMA_OK);
    sysdma_stats_get(r->sys, NULL, &st);
    assert_int_equal(st.pool_in_use, 0);
    assert_int_equal(sysdma_adapter_put(a), SYSDMA_OK);
    assert_int_equal(sysdma_adapter_put(b), SYSDMA_OK);
    unmake(r);
}

static void test_too_many_fails_at_once(void **state)
{
    (void)state;
    rig *r = make(32, 64);
    uint32_t n;
    sysdma_adapter *a = adapter(r, 2, 8192, &n);
    log l = {.action = SYSDMA_KEEP_OBJECT};
    req q = {&l, 1};
    assert_int_equal(n, 3);
    assert_int_equal(sysdma_channel_allocate(a, NULL, n + 1, record, &q),
                     SYSDMA_E_TOO_MANY_MAP_REGISTERS);
    assert_int_equal(sysdma_channel_allocate(a, NULL, 1, NULL, &q), SYSDMA_E_INVALID_ARGUMENT);
    assert_int_equal(l.n, 0);
    assert_int_equal(sysdma_channel_free(a), SYSDMA_E_NOT_OWNER);
    assert_int_equal(sysdma_adapter_put(a), SYSDMA_OK);
    unmake(r);
}

/* The pool grows a chunk at a time up to its cap; when exhausted requests
 * wait (FIFO across adapters) and are granted as registers come back. */
static void test_pool_growth_and_exhaustion(void **state)
{
    (void)state;
    rig *r = make(1, 96); /* starts with one 32-page chunk, may grow to three */
    sysdma_stats st;
    sysdma_stats_get(r->sys, NULL, &st);
    assert_int_equal(st.pool_pages, 32);
    uint32_t n;
    sysdma_adapter *ad[6];
    unsigned chans[6] = {0, 1, 2, 3, 5, 6};
    log l = {.action = SYSDMA_KEEP_OBJECT};
    req q[8];
    for (int k = 0; k < 6; k++) {
        ad[k] = adapter(r, chans[k], 65536, &n);
        q[k] = (req){&l, k};
        assert_int_equal(n, chans[k] >= 4 ? 17 : 16);
    }
    /* 16 + 16 + 16 + 16 + 17 = 81 pages: the pool grows to 96. */
    for (int k = 0; k < 5; k++)
        assert_int_equal(sysdma_channel_allocate(ad[k], NULL, chans[k] >= 4 ? 17 : 16, record, &q[k]),
                         SYSDMA_OK);
    sysdma_stats_get(r->sys, NULL, &st);
    assert_int_equal(st.pool_pages, 96);
    assert_int_equal(st.pool_in_use, 81);
    /* Channel 6 wants 17 contiguous pages in one 128 KiB window: none is
     * left and the pool is at its cap, so it waits. */
    assert_int_equal(sysdma_channel_allocate(ad[5], NULL, 17, record, &q[5]), SYSDMA_PENDING);
    assert_int_equal(l.n, 5);
    /* Its channel is reserved but not granted: not the caller's to use. */
    uint8_t *buf = sysdma_sim_buffer_alloc(r->sim, 4096, 0, SYSDMA_SIM_LOW);
    sysdma_mdl *m;
    assert_int_equal(sysdma_mdl_create(r->sys, buf, 4096, &m), SYSDMA_OK);
    uint32_t len = 4096;
    assert_int_equal(sysdma_map_transfer(ad[5], m, NULL, buf, &len, true, NULL), SYSDMA_E_NOT_OWNER);
    assert_int_equal(sysdma_channel_free(ad[5]), SYSDMA_E_NOT_OWNER);
    sysdma_mdl_free(r->sys, m);
    sysdma_sim_buffer_free(r->sim, buf);
    /* A second request on channel 0 queues behind its owner. */
    q[6] = (req){&l, 6};
    assert_int_equal(sysdma_channel_allocate(ad[0], NULL, 2, record, &q[6]), SYSDMA_PENDING);
    /* Freeing channel 5's 17 pages lets channel 6 in. */
    assert_int_equal(sysdma_channel_free(ad[4]), SYSDMA_OK);
    assert_int_equal(l.n, 6);
    assert_int_equal(l.order[5], 5);
    /* Freeing channel 0 grants its queued request. */
    assert_int_equal(sysdma_channel_free(ad[0]), SYSDMA_OK);
    assert_int_equal(l.order[6], 6);
    sysdma_stats_get(r->sys, NULL, &st);
    assert_int_equal(st.pool_high_water, 81);
    sysdma_stats_get(r->sys, ad[5], &st);
    assert_int_equal(st.pool_in_use, 17);
    assert_int_equal(st.pool_high_water, 17);
    assert_int_equal(st.deferred, 1);
    sysdma_stats_get(r->sys, ad[4], &st);
    assert_int_equal(st.pool_in_use, 0);
    assert_int_equal(st.pool_pages, 96);
    for (int k = 0; k < 6; k++) {
        if (k != 4)
            assert_int_equal(sysdma_channel_free(ad[k]), SYSDMA_OK);
        assert_int_equal(sysdma_adapter_put(ad[k]), SYSDMA_OK);
    }
    unmake(r);
}

/* A pool whose cap cannot hold one chunk can never serve: fail at once,
 * with a status distinct from "wait". */
static void test_request_beyond_cap_fails(void **state)
{
    (void)state;
    rig *r = malloc(sizeof *r);
    sysdma_config cfg = {.map_registers_initial = 0, .map_registers_cap = 16};
    assert_int_equal(rig_init(r, 32u << 20, 4096, &cfg), SYSDMA_OK);
    uint32_t n;
    sysdma_adapter *a = adapter(r, 2, 4096, &n);
    log l = {.action = SYSDMA_KEEP_OBJECT};
    req q = {&l, 1};
    assert_int_equal(sysdma_channel_allocate(a, NULL, 1, record, &q), SYSDMA_E_INSUFFICIENT_RESOURCES);
    /* Without map registers the channel is still granted. */
    assert_int_equal(sysdma_channel_allocate(a, NULL, 0, record, &q), SYSDMA_OK);
    assert_int_equal(sysdma_channel_free(a), SYSDMA_OK);
    assert_int_equal(sysdma_adapter_put(a), SYSDMA_OK);
    unmake(r);
}

/* One free can satisfy several waiters: all of them are granted by it. */
static void test_one_free_grants_several(void **state)
{
    (void)state;
    rig *r = make(32, 32); /* exactly one chunk: two 16-page halves */
    uint32_t n;
    sysdma_adapter *a = adapter(r, 1, 65536, &n), *b = adapter(r, 3, 65536, &n);
    sysdma_adapter *c = adapter(r, 2, 65536, &n), *d = adapter(r, 0, 65536, &n);
    log l = {.action = SYSDMA_KEEP_OBJECT};
    req q[4] = {{&l, 0}, {&l, 1}, {&l, 2}, {&l, 3}};
    assert_int_equal(sysdma_channel_allocate(a, NULL, 16, record, &q[0]), SYSDMA_OK);
    assert_int_equal(sysdma_channel_allocate(b, NULL, 16, record, &q[1]), SYSDMA_OK);
    assert_int_equal(sysdma_channel_allocate(c, NULL, 8, record, &q[2]), SYSDMA_PENDING);
    assert_int_equal(sysdma_channel_allocate(d, NULL, 8, record, &q[3]), SYSDMA_PENDING);
    assert_int_equal(l.n, 2);
    assert_int_equal(sysdma_channel_free(a), SYSDMA_OK);
    assert_int_equal(l.n, 4);
    assert_int_equal(l.order[2], 2);
    assert_int_equal(l.order[3], 3);
    sysdma_adapter *all[4] = {a, b, c, d};
    for (int k = 0; k < 4; k++) {
        if (k)
            assert_int_equal(sysdma_channel_free(all[k]), SYSDMA_OK);
        assert_int_equal(sysdma_adapter_put(all[k]), SYSDMA_OK);
    }
    unmake(r);
}

/*
 * A routine that starts its device and whose completion (on another CPU)
 * frees the registers before the routine has returned: modelled by the
 * routine freeing them itself. Whatever it then returns, the registers go
 * back exactly once; the channel follows the action.
 */
typedef struct early {
    sysdma_adapter *a;
    uint32_t count;
    sysdma_allocation_action action;
    sysdma_status free_status, second_free;
} early;

static sysdma_allocation_action free_early(void *device, sysdma_map_registers *regs, void *ctx)
{
    early *e = ctx;
    (void)device;
    e->free_status = sysdma_map_registers_free(e->a, regs, e->count);
    e->second_free = sysdma_map_registers_free(e->a, regs, e->count);
    return e->action;
}

static void test_registers_freed_before_routine_returns(void **state)
{
    (void)state;
    rig *r = make(32, 32);
    uint32_t n;
    sysdma_adapter *a = adapter(r, 1, 65536, &n);
    static const sysdma_allocation_action acts[3] = {
        SYSDMA_DEALLOCATE_OBJECT_KEEP_REGISTERS, SYSDMA_DEALLOCATE_OBJECT, SYSDMA_KEEP_OBJECT};
    for (int k = 0; k < 3; k++) {
        early e = {a, 8, acts[k], SYSDMA_E_INVALID_ARGUMENT, SYSDMA_E_INVALID_ARGUMENT};
        assert_int_equal(sysdma_channel_allocate(a, NULL, 8, free_early, &e), SYSDMA_OK);
        assert_int_equal(e.free_status, SYSDMA_OK);
        assert_int_equal(e.second_free, SYSDMA_E_NOT_OWNER); /* not twice */
        sysdma_stats st;
        sysdma_stats_get(r->sys, NULL, &st);
        assert_int_equal(st.pool_in_use, 0);
        /* The registers are no longer the adapter's to free... */
        assert_int_equal(sysdma_map_registers_free(a, NULL, 8), SYSDMA_E_INVALID_ARGUMENT);
        /* ...and the channel is held only after KEEP_OBJECT. */
        assert_int_equal(sysdma_channel_free(a),
                         acts[k] == SYSDMA_KEEP_OBJECT ? SYSDMA_OK : SYSDMA_E_NOT_OWNER);
    }
    /* Another adapter's registers, or a wrong count, are still refused. */
    early e = {a, 7, SYSDMA_DEALLOCATE_OBJECT, SYSDMA_OK, SYSDMA_OK};
    assert_int_equal(sysdma_channel_allocate(a, NULL, 8, free_early, &e), SYSDMA_OK);
    assert_int_equal(e.free_status, SYSDMA_E_NOT_OWNER);
    sysdma_stats st;
    sysdma_stats_get(r->sys, NULL, &st);
    assert_int_equal(st.pool_in_use, 0);
    assert_int_equal(sysdma_adapter_put(a), SYSDMA_OK);
    unmake(r);
}

/* A stale register handle (kept after its registers were freed) that
 * names a list's registers, once the core reuses the record, cannot free
 * them: only the list's put does, after copying the device's data back. */
static void keep_list(void *device, sysdma_sg_list *list, void *ctx)
{
    (void)device;
    *(sysdma_sg_list **)ctx = list;
}

static void test_stale_handle_cannot_free_a_lists_registers(void **state)
{
    (void)state;
    rig *r = make(32, 32);
    uint32_t n;
    sysdma_adapter *a = adapter(r, 1, 4 * SYSDMA_PAGE_SIZE, &n);
    log l = {.action = SYSDMA_KEEP_OBJECT};
    req q = {&l, 0};
    assert_int_equal(sysdma_channel_allocate(a, NULL, 2, record, &q), SYSDMA_OK);
    sysdma_map_registers *stale = l.regs[0];
    assert_int_equal(sysdma_channel_free(a), SYSDMA_OK); /* registers freed, handle stale */
    uint8_t *buf = sysdma_sim_buffer_alloc(r->sim, 2 * SYSDMA_PAGE_SIZE, 0, SYSDMA_SIM_HIGH);
    sysdma_mdl *m;
    assert_int_equal(sysdma_mdl_create(r->sys, buf, 2 * SYSDMA_PAGE_SIZE, &m), SYSDMA_OK);
    sysdma_sg_list *list = NULL;
    assert_int_equal(sysdma_sg_get(a, NULL, m, buf, 2 * SYSDMA_PAGE_SIZE, keep_list, &list, false),
                     SYSDMA_OK);
    assert_ptr_equal(valid(sysdma__resolve(a, NULL), list)->regs, stale); /* the record was reused */
    assert_int_equal(sysdma_map_registers_free(a, stale, 2), SYSDMA_E_NOT_OWNER);
    memset(sysdma_sim_phys_view(r->sim) + list->elements[0].address, 0x5A, 2 * SYSDMA_PAGE_SIZE);
    assert_int_equal(sysdma_sg_put(a, list, false), SYSDMA_OK);
    assert_int_equal(buf[0], 0x5A);
    assert_int_equal(buf[2 * SYSDMA_PAGE_SIZE - 1], 0x5A);
    sysdma_mdl_free(r->sys, m);
    sysdma_sim_buffer_free(r->sim, buf);
    assert_int_equal(sysdma_adapter_put(a), SYSDMA_OK);
    unmake(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fifo_100_on_one_channel),
        cmocka_unit_test(test_allocation_actions),
        cmocka_unit_test(test_too_many_fails_at_once),
        cmocka_unit_test(test_stale_handle_cannot_free_a_lists_registers),
        cmocka_unit_test(test_pool_growth_and_exhaustion),
        cmocka_unit_test(test_request_beyond_cap_fails),
        cmocka_unit_test(test_one_free_grants_several),
        cmocka_unit_test(test_registers_freed_before_routine_returns),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
