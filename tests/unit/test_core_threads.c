/* SPDX-License-Identifier: MIT */
/*
 * Concurrency: several threads allocate and free channels and map
 * registers on shared adapters, with a pool small enough that requests
 * wait. Every request's AdapterControl must run exactly once, never two
 * owners of one channel at a time, and everything must be free at the end.
 * Then terminal counts reported from one thread while others run lists and
 * MapTransferEx transfers and cancel them: every done call and completion
 * exactly once.
 * Run under ThreadSanitizer in CI (label "tsan").
 */
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
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


/*
 * Completions from other threads: a thread reports terminal counts on
 * every channel without pause while two threads run lists through one
 * adapter's chained runner (cancelling some) and two more map
 * MapTransferEx transfers with completions on their own channels
 * (cancelling some). The controller's counter reads 0, so each report ends
 * the element on the channel. Every list's done call and every
 * transfer's completion comes exactly once.
 */
#define RUNNERS 2
#define MAPPERS 2
#define CITERS 400

static struct {
    sysdma_controller_ops ops;
} ideal;

static uint32_t counter_done(void *ctx, unsigned ch)
{
    (void)ctx;
    (void)ch;
    return 0;
}

static uint32_t all_finished(void *ctx, uint32_t channels)
{
    (void)ctx;
    return channels;
}

typedef struct once {
    atomic_int calls;
    atomic_int status;
} once;

static once run_recs[RUNNERS][CITERS];
static once map_recs[MAPPERS][CITERS];
static atomic_bool stop_tc;
static sysdma_system *c_sys;
static sysdma_adapter *c_runner;
static sysdma_adapter *c_mappers[MAPPERS];
static sysdma_mdl *c_mdls[RUNNERS + MAPPERS];
static uint8_t *c_bufs[RUNNERS + MAPPERS];

static void *tc_thread(void *arg)
{
    (void)arg;
    while (!atomic_load(&stop_tc)) {
        sysdma_terminal_count(c_sys, 0xEF);
        sched_yield();
    }
    return NULL;
}

static void list_got(void *device, sysdma_sg_list *list, void *ctx)
{
    (void)device;
    atomic_store((_Atomic(sysdma_sg_list *) *)ctx, list);
}

static void list_done(sysdma_adapter *a, sysdma_sg_list *list, sysdma_status st, void *ctx)
{
    (void)a;
    (void)list;
    once *o = ctx;
    atomic_store(&o->status, st);
    atomic_fetch_add(&o->calls, 1);
}

static void map_done(sysdma_adapter *a, void *ctx, sysdma_status st)
{
    (void)a;
    once *o = ctx;
    atomic_store(&o->status, st);
    atomic_fetch_add(&o->calls, 1);
}

static void *runner_thread(void *arg)
{
    uintptr_t id = (uintptr_t)arg;
    uint64_t rng = id * 0x9E3779B97F4A7C15ull + 3;
    for (int k = 0; k < CITERS; k++) {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        _Atomic(sysdma_sg_list *) list = NULL;
        sysdma_status st = sysdma_sg_get(c_runner, NULL, c_mdls[id], c_bufs[id], 4 * 4096,
                                         list_got, (void *)&list, true);
        if (st != SYSDMA_OK && st != SYSDMA_PENDING) {
            atomic_fetch_add(&violations, 1000);
            return NULL;
        }
        sysdma_sg_list *l;
        while ((l = atomic_load(&list)) == NULL)
            sched_yield();
        once *o = &run_recs[id][k];
        st = sysdma_sg_start(c_runner, l, true, list_done, o);
        if (st != SYSDMA_OK && st != SYSDMA_PENDING) {
            atomic_fetch_add(&violations, 100);
            atomic_fetch_add(&o->calls, 1); /* refused: no done call due */
        } else if ((rng >> 9) % 3 == 0) {
            st = sysdma_sg_cancel(c_runner, l);
            if (st != SYSDMA_OK && st != SYSDMA_E_WRONG_STATE)
                atomic_fetch_add(&violations, 10);
        }
        while (atomic_load(&o->calls) == 0)
            sched_yield();
        while (sysdma_sg_put(c_runner, l, true) != SYSDMA_OK)
            sched_yield(); /* a cancelled run's grant may still be on its way */
    }
    return NULL;
}

static void *mapper_thread(void *arg)
{
    uintptr_t id = (uintptr_t)arg;
    uint64_t rng = id * 0x9E3779B97F4A7C15ull + 5;
    sysdma_adapter *a = c_mappers[id];
    sysdma_mdl *m = c_mdls[RUNNERS + id];
    sysdma_transfer_context c;
    sysdma_map_registers *base = NULL;
    if (sysdma_transfer_context_init(a, &c) != SYSDMA_OK ||
        sysdma_channel_allocate_ex(a, NULL, &c, 0, SYSDMA_ALLOCATE_SYNCHRONOUS, NULL, NULL,
                                   &base) != SYSDMA_OK) {
        atomic_fetch_add(&violations, 1000);
        return NULL;
    }
    for (int k = 0; k < CITERS; k++) {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        once *o = &map_recs[id][k];
        uint32_t len = 512;
        if (sysdma_map_transfer_ex(a, m, 0, &len, true, NULL, map_done, o, NULL) != SYSDMA_OK) {
            atomic_fetch_add(&violations, 100);
            break;
        }
        if ((rng >> 9) % 2 == 0) {
            sysdma_status st = sysdma_transfer_cancel_mapped(a);
            if (st != SYSDMA_OK && st != SYSDMA_E_WRONG_STATE)
                atomic_fetch_add(&violations, 10);
        }
        while (atomic_load(&o->calls) == 0)
            sched_yield();
        if (sysdma_flush_adapter_buffers_ex(a, m, NULL, 0, len, true) != SYSDMA_OK)
            atomic_fetch_add(&violations, 1);
    }
    if (sysdma_adapter_free_object(a, SYSDMA_DEALLOCATE_OBJECT) != SYSDMA_OK)
        atomic_fetch_add(&violations, 1000);
    return NULL;
}

static void test_threads_completions_once(void **state)
{
    (void)state;
    rig r;
    sysdma_config cfg = {.map_registers_initial = 32, .map_registers_cap = 64};
    assert_int_equal(rig_init(&r, 32u << 20, 4096, &cfg), SYSDMA_OK);
    /* The rig's system again, over a controller whose counter says every
     * element is done. */
    assert_int_equal(sysdma_system_destroy(r.sys), SYSDMA_OK);
    ideal.ops = *r.ctrl.ops;
    ideal.ops.read_counter = counter_done;
    ideal.ops.terminal_counts = all_finished;
    sysdma_controller ctrl = {&ideal.ops, r.ctrl.ctx};
    assert_int_equal(sysdma_system_create(&r.pf, &ctrl, &cfg, &r.sys), SYSDMA_OK);
    c_sys = r.sys;
    memset(run_recs, 0, sizeof run_recs);
    memset(map_recs, 0, sizeof map_recs);
    atomic_store(&violations, 0);
    atomic_store(&stop_tc, false);
    sysdma_device_description d = {0};
    d.version = 3;
    d.scatter_gather = true;
    d.channel = 1;
    d.maximum_length = 65536;
    assert_int_equal(sysdma_adapter_get(r.sys, &d, &c_runner, NULL), SYSDMA_OK);
    d.scatter_gather = false;
    for (int k = 0; k < MAPPERS; k++) {
        d.channel = 2 + (unsigned)k;
        assert_int_equal(sysdma_adapter_get(r.sys, &d, &c_mappers[k], NULL), SYSDMA_OK);
    }
    for (int k = 0; k < RUNNERS + MAPPERS; k++) {
        c_bufs[k] = sysdma_sim_buffer_alloc(r.sim, 4 * 4096, 0,
                                            k < RUNNERS ? SYSDMA_SIM_SCATTERED_LOW : SYSDMA_SIM_LOW);
        assert_non_null(c_bufs[k]);
        assert_int_equal(sysdma_mdl_create(r.sys, c_bufs[k], 4 * 4096, &c_mdls[k]), SYSDMA_OK);
    }
    pthread_t tc, th[RUNNERS + MAPPERS];
    assert_int_equal(pthread_create(&tc, NULL, tc_thread, NULL), 0);
    for (uintptr_t k = 0; k < RUNNERS; k++)
        assert_int_equal(pthread_create(&th[k], NULL, runner_thread, (void *)k), 0);
    for (uintptr_t k = 0; k < MAPPERS; k++)
        assert_int_equal(pthread_create(&th[RUNNERS + k], NULL, mapper_thread, (void *)k), 0);
    for (int k = 0; k < RUNNERS + MAPPERS; k++)
        pthread_join(th[k], NULL);
    atomic_store(&stop_tc, true);
    pthread_join(tc, NULL);
    assert_int_equal(atomic_load(&violations), 0);
    for (int t = 0; t < RUNNERS; t++)
        for (int k = 0; k < CITERS; k++) {
            assert_int_equal(atomic_load(&run_recs[t][k].calls), 1);
            int st = atomic_load(&run_recs[t][k].status);
            assert_true(st == SYSDMA_OK || st == SYSDMA_E_CANCELLED);
        }
    for (int t = 0; t < MAPPERS; t++)
        for (int k = 0; k < CITERS; k++) {
            assert_int_equal(atomic_load(&map_recs[t][k].calls), 1);
            int st = atomic_load(&map_recs[t][k].status);
            assert_true(st == SYSDMA_OK || st == SYSDMA_E_CANCELLED);
        }
    sysdma_stats st;
    sysdma_stats_get(r.sys, NULL, &st);
    assert_int_equal(st.pool_in_use, 0);
    for (int k = 0; k < RUNNERS + MAPPERS; k++) {
        sysdma_mdl_free(r.sys, c_mdls[k]);
        sysdma_sim_buffer_free(r.sim, c_bufs[k]);
    }
    assert_int_equal(sysdma_adapter_put(c_runner), SYSDMA_OK);
    for (int k = 0; k < MAPPERS; k++)
        assert_int_equal(sysdma_adapter_put(c_mappers[k]), SYSDMA_OK);
    rig_destroy(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_threads_share_adapters),
                                       cmocka_unit_test(test_threads_share_verified_adapters),
                                       cmocka_unit_test(test_threads_all_actions),
                                       cmocka_unit_test(test_threads_completions_once)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
