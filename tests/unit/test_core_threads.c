/*
 * Concurrency: several threads allocate and free channels and map
 * registers on shared adapters, with a pool small enough that requests
 * wait. Every request's AdapterControl must run exactly once, never two
 * owners of one channel at a time, and everything must be free at the end.
 * Run under ThreadSanitizer in CI (label "tsan").
 */
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "support/rig.h"

#define THREADS 4
#define ITERS 1500

static sysdma_adapter *adapters[3];
static uint32_t max_regs[3];
static atomic_int owners[3];
static atomic_int violations;

typedef struct ticket {
    atomic_int runs;
    int which;
} ticket;

static sysdma_allocation_action granted(void *device, sysdma_map_registers *regs, void *ctx)
{
    (void)device;
    (void)regs;
    ticket *t = ctx;
    if (atomic_fetch_add(&owners[t->which], 1) != 0)
        atomic_fetch_add(&violations, 1);
    atomic_fetch_add(&t->runs, 1);
    return SYSDMA_KEEP_OBJECT;
}

static void *worker(void *arg)
{
    uint64_t rng = (uintptr_t)arg * 0x9E3779B97F4A7C15ull + 7;
    for (int k = 0; k < ITERS; k++) {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        ticket t = {0};
        t.which = (int)(rng % 3);
        uint32_t n = (uint32_t)((rng >> 8) % (max_regs[t.which] + 1));
        sysdma_status st = sysdma_channel_allocate(adapters[t.which], &t, n, granted, &t);
        if (st != SYSDMA_OK && st != SYSDMA_PENDING) {
            atomic_fetch_add(&violations, 1000);
            return NULL;
        }
        while (atomic_load(&t.runs) == 0)
            sched_yield();
        if ((rng >> 20) % 4 == 0)
            sched_yield(); /* hold it a little */
        atomic_fetch_sub(&owners[t.which], 1);
        if (sysdma_channel_free(adapters[t.which]) != SYSDMA_OK)
            atomic_fetch_add(&violations, 100);
        if (atomic_load(&t.runs) != 1)
            atomic_fetch_add(&violations, 10000);
    }
    return NULL;
}

static void share_adapters(bool verify)
{
    rig r;
    sysdma_config cfg = {.map_registers_initial = 32, .map_registers_cap = 64};
    assert_int_equal(rig_init(&r, 32u << 20, 4096, &cfg), SYSDMA_OK);
    if (verify)
        rig_verify(&r); /* correct use from many threads: no report, no race */
    atomic_store(&violations, 0);
    static const unsigned chans[3] = {1, 2, 6};
    for (int k = 0; k < 3; k++) {
        sysdma_device_description d = {0};
        d.version = 2;
        d.channel = chans[k];
        d.width = chans[k] >= 4 ? SYSDMA_WIDTH_16 : SYSDMA_WIDTH_8;
        d.maximum_length = 65536;
        assert_int_equal(sysdma_adapter_get(r.sys, &d, &adapters[k], &max_regs[k]), SYSDMA_OK);
    }
    pthread_t th[THREADS];
    for (uintptr_t k = 0; k < THREADS; k++)
        assert_int_equal(pthread_create(&th[k], NULL, worker, (void *)(k + 1)), 0);
    for (int k = 0; k < THREADS; k++)
        pthread_join(th[k], NULL);
    assert_int_equal(atomic_load(&violations), 0);
    sysdma_stats st;
    sysdma_stats_get(r.sys, NULL, &st);
    assert_int_equal(st.granted, THREADS * ITERS);
    assert_int_equal(st.pool_in_use, 0);
    assert_true(st.deferred > 0); /* the threads really did contend */
    for (int k = 0; k < 3; k++)
        assert_int_equal(sysdma_adapter_put(adapters[k]), SYSDMA_OK);
    assert_int_equal(r.reports, 0);
    rig_destroy(&r);
}

static void test_threads_share_adapters(void **state)
{
    (void)state;
    share_adapters(false);
}

static void test_threads_share_verified_adapters(void **state)
{
    (void)state;
    share_adapters(true);
}

/*
 * The three allocation actions from several threads: KEEP_OBJECT (the
 * thread maps and flushes a piece of its own buffer, then frees the
 * channel), DEALLOCATE_OBJECT (nothing left to free) and
 * DEALLOCATE_OBJECT_KEEP_REGISTERS (the thread frees the registers later).
 * Each routine runs exactly once; all registers come back.
 */
typedef struct ticket2 {
    atomic_int runs;
    int which;
    sysdma_allocation_action action;
    sysdma_map_registers *regs;
} ticket2;

static rig *g_rig;
static sysdma_mdl *mdls[THREADS];
static uint8_t *bufs[THREADS];

static sysdma_allocation_action granted2(void *device, sysdma_map_registers *regs, void *ctx)
{
    (void)device;
    ticket2 *t = ctx;
    if (t->action == SYSDMA_KEEP_OBJECT && atomic_fetch_add(&owners[t->which], 1) != 0)
        atomic_fetch_add(&violations, 1);
    t->regs = regs;
    sysdma_allocation_action act = t->action;
    atomic_fetch_add(&t->runs, 1); /* after this the ticket is the waiting thread's again */
    return act;
}

static void *worker2(void *arg)
{
    uintptr_t id = (uintptr_t)arg;
    uint64_t rng = id * 0x9E3779B97F4A7C15ull + 11;
    for (int k = 0; k < ITERS; k++) {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        ticket2 t = {0};
        t.which = (int)(rng % 3);
        static const sysdma_allocation_action acts[3] = {
            SYSDMA_KEEP_OBJECT, SYSDMA_DEALLOCATE_OBJECT, SYSDMA_DEALLOCATE_OBJECT_KEEP_REGISTERS};
        t.action = acts[(rng >> 4) % 3];
        uint32_t n = 1 + (uint32_t)((rng >> 8) % max_regs[t.which]);
        sysdma_adapter *a = adapters[t.which];
        sysdma_status st = sysdma_channel_allocate(a, &t, n, granted2, &t);
        if (st != SYSDMA_OK && st != SYSDMA_PENDING) {
            atomic_fetch_add(&violations, 1000);
            return NULL;
        }
        while (atomic_load(&t.runs) == 0)
            sched_yield();
        if (t.action == SYSDMA_KEEP_OBJECT) {
            /* A direct piece of this thread's buffer: 512 bytes (even). */
            uint32_t len = 512;
            uint8_t *va = bufs[id - 1];
            if (sysdma_map_transfer(a, mdls[id - 1], t.regs, va, &len, true, NULL) != SYSDMA_OK ||
                sysdma_flush_adapter_buffers(a, mdls[id - 1], t.regs, va, 512, true) != SYSDMA_OK)
                atomic_fetch_add(&violations, 10);
            atomic_fetch_sub(&owners[t.which], 1);
            if (sysdma_channel_free(a) != SYSDMA_OK)
                atomic_fetch_add(&violations, 100);
        } else if (t.action == SYSDMA_DEALLOCATE_OBJECT_KEEP_REGISTERS) {
            if (sched_yield(), sysdma_map_registers_free(a, t.regs, n) != SYSDMA_OK)
                atomic_fetch_add(&violations, 100);
        }
        if (atomic_load(&t.runs) != 1)
            atomic_fetch_add(&violations, 10000);
    }
    return NULL;
}

static void test_threads_all_actions(void **state)
{
    (void)state;
    rig r;
    g_rig = &r;
    sysdma_config cfg = {.map_registers_initial = 32, .map_registers_cap = 64};
    assert_int_equal(rig_init(&r, 32u << 20, 4096, &cfg), SYSDMA_OK);
    static const unsigned chans[3] = {0, 3, 7};
    for (int k = 0; k < 3; k++) {
        sysdma_device_description d = {0};
        d.version = 2;
        d.channel = chans[k];
        d.width = chans[k] >= 4 ? SYSDMA_WIDTH_16 : SYSDMA_WIDTH_8;
        d.maximum_length = 65536;
        assert_int_equal(sysdma_adapter_get(r.sys, &d, &adapters[k], &max_regs[k]), SYSDMA_OK);
    }
    for (int k = 0; k < THREADS; k++) {
        bufs[k] = sysdma_sim_buffer_alloc(r.sim, 4096, 0, SYSDMA_SIM_LOW);
        assert_non_null(bufs[k]);
        assert_int_equal(sysdma_mdl_create(r.sys, bufs[k], 4096, &mdls[k]), SYSDMA_OK);
    }
    atomic_store(&violations, 0);
    pthread_t th[THREADS];
    for (uintptr_t k = 0; k < THREADS; k++)
        assert_int_equal(pthread_create(&th[k], NULL, worker2, (void *)(k + 1)), 0);
    for (int k = 0; k < THREADS; k++)
        pthread_join(th[k], NULL);
    assert_int_equal(atomic_load(&violations), 0);
    sysdma_stats st;
    sysdma_stats_get(r.sys, NULL, &st);
    assert_int_equal(st.granted, THREADS * ITERS);
    assert_int_equal(st.pool_in_use, 0);
    for (int k = 0; k < THREADS; k++) {
        sysdma_mdl_free(r.sys, mdls[k]);
        sysdma_sim_buffer_free(r.sim, bufs[k]);
    }
    for (int k = 0; k < 3; k++)
        assert_int_equal(sysdma_adapter_put(adapters[k]), SYSDMA_OK);
    rig_destroy(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_threads_share_adapters),
                                       cmocka_unit_test(test_threads_share_verified_adapters),
                                       cmocka_unit_test(test_threads_all_actions)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
