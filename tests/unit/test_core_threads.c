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

static void test_threads_share_adapters(void **state)
{
    (void)state;
    rig r;
    sysdma_config cfg = {.map_registers_initial = 32, .map_registers_cap = 64};
    assert_int_equal(rig_init(&r, 32u << 20, 4096, &cfg), SYSDMA_OK);
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
    rig_destroy(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_threads_share_adapters)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
