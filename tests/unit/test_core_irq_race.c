/* SPDX-License-Identifier: MIT */
/*
 * Exactly-once under a race of the completion paths: one thread takes the
 * controller's interrupt (sysdma_controller_interrupt) without pause,
 * another polls (sysdma_channel_poll), while two threads run lists through
 * one adapter's chained runner and two map MapTransferEx transfers on their
 * own channels, cancelling some. The controller (the 8237 driver's table
 * with an ideal device behind it) finishes every program at once: its
 * handle_interrupt reports every channel it has not reported since the
 * channel was programmed, its terminal counts are all set, and its cancel
 * answers DONE and TOO_LATE in turn. Every list's done call and every
 * transfer's completion comes exactly once.
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

#define RUNNERS 2
#define MAPPERS 2
#define CITERS 1500

static sysdma_controller_ops ideal;
static const sysdma_controller_ops *real;
/* Written only from the controller's members, which the core calls with
 * its lock held. */
static uint32_t unreported;
static unsigned cancels;

static sysdma_status p_program(void *ctx, unsigned ch, const sysdma_program *p)
{
    sysdma_status st = real->program(ctx, ch, p);
    if (st == SYSDMA_OK)
        unreported |= 1u << ch; /* finishes at once; not yet reported */
    return st;
}

static bool p_interrupt(void *ctx, uint32_t *completed, uint32_t *failed)
{
    (void)ctx;
    *completed = unreported;
    *failed = 0;
    unreported = 0;
    return *completed != 0;
}

static uint32_t p_counter(void *ctx, unsigned ch)
{
    (void)ctx;
    (void)ch;
    return 0;
}

static uint32_t p_terminal_counts(void *ctx, uint32_t channels)
{
    (void)ctx;
    return channels;
}

static sysdma_status p_cancel(void *ctx, unsigned ch, sysdma_cancel_result *r)
{
    (void)real->flush(ctx, ch);
    *r = cancels++ % 2 ? SYSDMA_CANCEL_TOO_LATE : SYSDMA_CANCEL_DONE;
    if (*r == SYSDMA_CANCEL_DONE)
        unreported &= ~(1u << ch);
    return SYSDMA_OK;
}

typedef struct once {
    atomic_int calls;
    atomic_int status;
} once;

static once run_recs[RUNNERS][CITERS];
static once map_recs[MAPPERS][CITERS];
static atomic_int violations;
static atomic_bool stop;
static sysdma_system *c_sys;
static sysdma_adapter *c_runner;
static sysdma_adapter *c_mappers[MAPPERS];
static sysdma_mdl *c_mdls[RUNNERS + MAPPERS];
static uint8_t *c_bufs[RUNNERS + MAPPERS];

static void *irq_thread(void *arg)
{
    (void)arg;
    while (!atomic_load(&stop)) {
        (void)sysdma_controller_interrupt(c_sys, 0);
        sched_yield();
    }
    return NULL;
}

static void *poll_thread(void *arg)
{
    (void)arg;
    while (!atomic_load(&stop)) {
        (void)sysdma_channel_poll(c_sys);
        sched_yield();
    }
    return NULL;
}

static void list_got(void *device, sysdma_sg_list *list, void *ctx)
{
    (void)device;
    atomic_store((_Atomic(sysdma_sg_list *) *)ctx, list);
}

static void record(once *o, sysdma_status st)
{
    atomic_store(&o->status, st);
    atomic_fetch_add(&o->calls, 1);
}

static void list_done(sysdma_adapter *a, sysdma_sg_list *list, sysdma_status st, void *ctx)
{
    (void)a;
    (void)list;
    record(ctx, st);
}

static void map_done(sysdma_adapter *a, void *ctx, sysdma_status st)
{
    (void)a;
    record(ctx, st);
}

static uint64_t step(uint64_t *rng)
{
    *rng ^= *rng << 13;
    *rng ^= *rng >> 7;
    *rng ^= *rng << 17;
    return *rng;
}

static void *runner_thread(void *arg)
{
    uintptr_t id = (uintptr_t)arg;
    uint64_t rng = id * 0x9E3779B97F4A7C15ull + 11;
    for (int k = 0; k < CITERS; k++) {
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
        } else if ((step(&rng) >> 9) % 3 == 0) {
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
    uint64_t rng = id * 0x9E3779B97F4A7C15ull + 13;
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
        once *o = &map_recs[id][k];
        uint32_t len = 512;
        if (sysdma_map_transfer_ex(a, m, 0, &len, true, NULL, map_done, o, NULL) != SYSDMA_OK) {
            atomic_fetch_add(&violations, 100);
            break;
        }
        if ((step(&rng) >> 9) % 2 == 0) {
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

static void test_interrupt_poll_cancel_race(void **state)
{
    (void)state;
    rig r;
    sysdma_config cfg = {.map_registers_initial = 32, .map_registers_cap = 64};
    assert_int_equal(rig_init(&r, 32u << 20, 4096, &cfg), SYSDMA_OK);
    /* The rig's system again, over the ideal controller. */
    assert_int_equal(sysdma_system_destroy(r.sys), SYSDMA_OK);
    real = r.ctrl.ops;
    ideal = *r.ctrl.ops;
    ideal.program = p_program;
    ideal.handle_interrupt = p_interrupt;
    ideal.read_counter = p_counter;
    ideal.read_residue = NULL;
    ideal.terminal_counts = p_terminal_counts;
    ideal.cancel = p_cancel;
    sysdma_controller ctrl = {&ideal, r.ctrl.ctx};
    assert_int_equal(sysdma_system_create(&r.pf, &ctrl, &cfg, &r.sys), SYSDMA_OK);
    c_sys = r.sys;
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
    pthread_t irq, poll, th[RUNNERS + MAPPERS];
    assert_int_equal(pthread_create(&irq, NULL, irq_thread, NULL), 0);
    assert_int_equal(pthread_create(&poll, NULL, poll_thread, NULL), 0);
    for (uintptr_t k = 0; k < RUNNERS; k++)
        assert_int_equal(pthread_create(&th[k], NULL, runner_thread, (void *)k), 0);
    for (uintptr_t k = 0; k < MAPPERS; k++)
        assert_int_equal(pthread_create(&th[RUNNERS + k], NULL, mapper_thread, (void *)k), 0);
    for (int k = 0; k < RUNNERS + MAPPERS; k++)
        pthread_join(th[k], NULL);
    atomic_store(&stop, true);
    pthread_join(irq, NULL);
    pthread_join(poll, NULL);
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
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_interrupt_poll_cancel_race)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
