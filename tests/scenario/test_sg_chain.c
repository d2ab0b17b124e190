/* SPDX-License-Identifier: MIT */
/*
 * The chained runner end to end: a driver of a subordinate device that
 * tolerates reprogramming (scatter_gather = true) gets a list for a
 * scattered 1 MiB buffer, starts the list and its device once, and gets
 * one completion; sysdma reprograms the emulated 8237 at each terminal
 * count, which it learns of through the polling fallback (the test device,
 * streaming, raises no interrupt per element; a PC's 8237 raises none). Channel 2 and channel 6, both
 * directions, byte-exact; lists queued on one channel run one after the
 * other; a cancelled run completes as cancelled.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "support/rig.h"

#define PAGE_BYTES SYSDMA_PAGE_SIZE

/* The driver's state for one list. */
typedef struct job {
    rig *r;
    sysdma_adapter *a;
    unsigned channel;
    bool to_device;
    uint32_t len;
    uint32_t fifo_offset;    /* device-side data starts here */
    sysdma_sg_list *list;
    sysdma_status start_status;
    int done_calls;
    sysdma_status done_status;
    uint64_t programmed_before;
} job;

static void on_done(sysdma_adapter *a, sysdma_sg_list *list, sysdma_status st, void *ctx)
{
    job *j = ctx;
    assert_ptr_equal(a, j->a);
    assert_ptr_equal(list, j->list);
    j->done_calls++;
    j->done_status = st;
}

static void start_device(rig *r, unsigned ch, uint32_t len, bool to_device, uint32_t fifo_offset)
{
    sysdma_emu_testdev *d = &r->dev[ch];
    d->data = r->fifo[ch] + fifo_offset;
    d->cap = r->fifo_cap - fifo_offset;
    for (unsigned b = 0; b < 4; b++)
        sysdma_sim_outb(r->sim, (uint16_t)(0x301 + 8 * ch + b), (uint8_t)(len >> (8 * b)));
    /* Streaming: a terminal count does not end it, only its length. */
    sysdma_sim_outb(r->sim, (uint16_t)(0x300 + 8 * ch), to_device ? 0x82 : 0x81);
}

/* List control: start the list on the channel, then the device, once. */
static void list_ready(void *device, sysdma_sg_list *list, void *ctx)
{
    (void)device;
    job *j = ctx;
    j->list = list;
    j->start_status = sysdma_sg_start(j->a, list, j->to_device, on_done, j);
    if (j->start_status == SYSDMA_OK)
        start_device(j->r, j->channel, j->len, j->to_device, j->fifo_offset);
}

static bool job_done(void *ctx)
{
    return ((job *)ctx)->done_calls > 0;
}

static sysdma_adapter *sg_adapter(rig *r, unsigned ch)
{
    sysdma_device_description d = {0};
    d.version = 2;
    d.scatter_gather = true;
    d.channel = ch;
    d.interface_type = SYSDMA_INTERFACE_ISA;
    d.width = ch >= 4 ? SYSDMA_WIDTH_16 : SYSDMA_WIDTH_8;
    d.maximum_length = 1u << 20;
    sysdma_adapter *a;
    assert_int_equal(sysdma_adapter_get(r->sys, &d, &a, NULL), SYSDMA_OK);
    return a;
}

static rig *make(void)
{
    rig *r = malloc(sizeof *r);
    sysdma_config cfg = {0};
    assert_int_equal(rig_init(r, 64u << 20, (2u << 20) + 8192, &cfg), SYSDMA_OK);
    rig_verify(r); /* correct use: no report */
    rig_poll_timer(r); /* the test device interrupts only at its end: poll */
    return r;
}

static void unmake(rig *r)
{
    rig_destroy(r);
    free(r);
}

/* One whole list through one channel; returns the list's element count. */
static uint32_t run_one(rig *r, unsigned ch, sysdma_sim_placement how, uint32_t len,
                        uint32_t offset, bool to_device, uint32_t seed)
{
    uint8_t *buf = sysdma_sim_buffer_alloc(r->sim, len + 64, offset, how);
    assert_non_null(buf);
    for (uint32_t k = 0; k < len + 64; k++)
        buf[k] = (uint8_t)(k * 131u + seed);
    for (uint32_t k = 0; k < len; k++)
        r->fifo[ch][k] = (uint8_t)(k * 29u + seed * 7u + 3u);
    uint8_t *want = malloc(len + 64);
    memcpy(want, buf, len + 64);
    sysdma_mdl *m;
    assert_int_equal(sysdma_mdl_create(r->sys, buf, len, &m), SYSDMA_OK);
    sysdma_adapter *a = sg_adapter(r, ch);
    sysdma_stats before, after;
    sysdma_stats_get(r->sys, a, &before);
    job j = {r, a, ch, to_device, len, 0, NULL, SYSDMA_E_INVALID_ARGUMENT, 0, SYSDMA_OK, 0};
    assert_int_equal(sysdma_sg_get(a, &r->dev[ch], m, buf, len, list_ready, &j, to_device),
                     SYSDMA_OK);
    assert_int_equal(j.start_status, SYSDMA_OK);
    uint32_t count = j.list->count;
    assert_true(sysdma_sim_run_until(r->sim, job_done, &j, 60ull * 1000 * 1000 * 1000));
    assert_int_equal(j.done_calls, 1);
    assert_int_equal(j.done_status, SYSDMA_OK);
    /* One programming per element, and the whole list moved. */
    sysdma_stats_get(r->sys, a, &after);
    assert_int_equal(after.transfers - before.transfers, count);
    assert_int_equal(sysdma_sg_progress(a, j.list), len);
    /* The device saw one transfer of the whole length. */
    assert_int_equal(r->dev[ch].moved, len);
    uint8_t st = sysdma_sim_inb(r->sim, (uint16_t)(0x300 + 8 * ch));
    assert_true(st & SYSDMA_EMU_TESTDEV_DONE);
    assert_false(st & SYSDMA_EMU_TESTDEV_SHORT);
    sysdma_sim_outb(r->sim, (uint16_t)(0x305 + 8 * ch), 0);
    assert_int_equal(sysdma_sg_put(a, j.list, to_device), SYSDMA_OK);
    if (to_device) {
        assert_memory_equal(r->fifo[ch], buf, len);
        assert_memory_equal(buf, want, len + 64);
    } else {
        assert_memory_equal(buf, r->fifo[ch], len);
        assert_memory_equal(buf + len, want + len, 64);
    }
    sysdma_stats_get(r->sys, NULL, &after);
    assert_int_equal(after.pool_in_use, 0);
    assert_int_equal(sysdma_adapter_put(a), SYSDMA_OK);
    sysdma_mdl_free(r->sys, m);
    sysdma_sim_buffer_free(r->sim, buf);
    free(want);
    return count;
}

static void test_scattered_1mib_channel_2_and_6(void **state)
{
    (void)state;
    rig *r = make();
    for (int dir = 0; dir < 2; dir++) {
        uint32_t n2 = run_one(r, 2, SYSDMA_SIM_SCATTERED_LOW, 1u << 20, 0, dir, 1 + dir);
        uint32_t n6 = run_one(r, 6, SYSDMA_SIM_SCATTERED_LOW, 1u << 20, 2, dir, 3 + dir);
        /* Scattered pages: about one element per page. */
        assert_true(n2 >= 200 && n6 >= 200);
    }
    /* Contiguous memory: one element per 64 KiB / 128 KiB window. */
    assert_int_equal(run_one(r, 2, SYSDMA_SIM_LOW, 1u << 20, 0, true, 5), 16 + 0);
    uint32_t n = run_one(r, 6, SYSDMA_SIM_STRADDLE_128K, 1u << 20, 0, false, 6);
    assert_true(n == 8 || n == 9);
    /* Pages above 16 MiB among them: bounced, still one transfer. */
    for (int dir = 0; dir < 2; dir++) {
        run_one(r, 2, SYSDMA_SIM_SCATTERED, 40000, 100, dir, 7);
        run_one(r, 6, SYSDMA_SIM_SCATTERED, 40000, 100, dir, 8);
    }
    unmake(r);
}

typedef struct hold {
    sysdma_map_registers *regs;
} hold;
static sysdma_allocation_action keep_channel(void *device, sysdma_map_registers *regs, void *ctx)
{
    (void)device;
    ((hold *)ctx)->regs = regs;
    return SYSDMA_KEEP_OBJECT;
}

typedef struct waiter {
    int runs;
    job *run;          /* the list run that must be done before this grant */
    int run_done_seen;
} waiter;

static sysdma_allocation_action keep_after_run(void *device, sysdma_map_registers *regs, void *ctx)
{
    (void)device;
    (void)regs;
    waiter *w = ctx;
    w->runs++;
    w->run_done_seen = w->run->done_calls;
    return SYSDMA_KEEP_OBJECT;
}

/* Two lists on one channel: the second start waits for the first run;
 * a packet request after them waits for both. */
static void test_runs_queue_per_channel(void **state)
{
    (void)state;
    rig *r = make();
    uint32_t len = 64u << 10;
    uint8_t *b1 = sysdma_sim_buffer_alloc(r->sim, len, 0, SYSDMA_SIM_SCATTERED_LOW);
    uint8_t *b2 = sysdma_sim_buffer_alloc(r->sim, len, 0, SYSDMA_SIM_SCATTERED_LOW);
    for (uint32_t k = 0; k < 2 * len; k++)
        r->fifo[3][k] = (uint8_t)(k * 17u + 9u);
    sysdma_mdl *m1, *m2;
    assert_int_equal(sysdma_mdl_create(r->sys, b1, len, &m1), SYSDMA_OK);
    assert_int_equal(sysdma_mdl_create(r->sys, b2, len, &m2), SYSDMA_OK);
    sysdma_adapter *a = sg_adapter(r, 3);
    job j1 = {r, a, 3, false, len, 0, NULL, SYSDMA_E_INVALID_ARGUMENT, 0, SYSDMA_OK, 0};
    job j2 = {r, a, 3, false, len, len, NULL, SYSDMA_E_INVALID_ARGUMENT, 0, SYSDMA_OK, 0};
    assert_int_equal(sysdma_sg_get(a, NULL, m1, b1, len, list_ready, &j1, false), SYSDMA_OK);
    /* The first run holds the channel: the second list is built when it
     * is done (GetScatterGatherList waits for the channel like any
     * request), and its run starts from its list-control routine. */
    assert_int_equal(sysdma_sg_get(a, NULL, m2, b2, len, list_ready, &j2, false), SYSDMA_PENDING);
    assert_null(j2.list);
    /* A packet transfer's request waits behind both. */
    waiter w = {0, &j2, 0};
    assert_int_equal(sysdma_channel_allocate(a, NULL, 0, keep_after_run, &w), SYSDMA_PENDING);
    assert_true(sysdma_sim_run_until(r->sim, job_done, &j1, 10ull * 1000 * 1000 * 1000));
    assert_int_equal(j1.done_status, SYSDMA_OK);
    assert_int_equal(j2.start_status, SYSDMA_OK);
    assert_int_equal(j2.done_calls, 0);
    assert_int_equal(w.runs, 0);
    assert_true(sysdma_sim_run_until(r->sim, job_done, &j2, 10ull * 1000 * 1000 * 1000));
    assert_int_equal(j2.done_status, SYSDMA_OK);
    assert_int_equal(w.runs, 1);
    assert_int_equal(w.run_done_seen, 1); /* granted once the second run was done */
    assert_int_equal(sysdma_channel_free(a), SYSDMA_OK);
    assert_int_equal(sysdma_sg_put(a, j1.list, false), SYSDMA_OK);
    assert_int_equal(sysdma_sg_put(a, j2.list, false), SYSDMA_OK);
    assert_memory_equal(b1, r->fifo[3], len);
    assert_memory_equal(b2, r->fifo[3] + len, len);
    assert_int_equal(sysdma_adapter_put(a), SYSDMA_OK);
    sysdma_mdl_free(r->sys, m1);
    sysdma_mdl_free(r->sys, m2);
    unmake(r);
}

static void dev_clock(void *ctx, uint64_t ns)
{
    sysdma_emu_testdev_advance(ctx, ns);
}

/* Cancel mid-run: done runs once with E_CANCELLED, the channel is masked,
 * the list can be put; a put while running is refused. */
static void test_cancel(void **state)
{
    (void)state;
    rig *r = make();
    uint32_t len = 256u << 10;
    uint8_t *b = sysdma_sim_buffer_alloc(r->sim, len, 0, SYSDMA_SIM_SCATTERED_LOW);
    sysdma_mdl *m;
    assert_int_equal(sysdma_mdl_create(r->sys, b, len, &m), SYSDMA_OK);
    sysdma_adapter *a = sg_adapter(r, 1);
    job j = {r, a, 1, true, len, 0, NULL, SYSDMA_E_INVALID_ARGUMENT, 0, SYSDMA_OK, 0};
    /* A paced device, so the run is still going after a little time. */
    r->dev[1].bytes_per_us = 1;
    assert_true(sysdma_sim_add_clock(r->sim, dev_clock, &r->dev[1]));
    assert_int_equal(sysdma_sg_get(a, NULL, m, b, len, list_ready, &j, true), SYSDMA_OK);
    sysdma_sim_run(r->sim, 20000ull * 1000);
    assert_int_equal(j.done_calls, 0);
    uint64_t part = sysdma_sg_progress(a, j.list);
    assert_true(part > 0 && part < len);
    r->reports_expected = true; /* misuse the verifier must catch */
    assert_int_equal(sysdma_sg_put(a, j.list, true), SYSDMA_E_VERIFIER);
    assert_int_equal(r->last.check, SYSDMA_VCHECK_LIST_PUT_RUNNING);
    assert_int_equal(sysdma_sg_start(a, j.list, true, on_done, &j), SYSDMA_E_VERIFIER);
    assert_int_equal(r->last.check, SYSDMA_VCHECK_LIST_PUT_RUNNING);
    assert_int_equal(r->reports, 2);
    r->reports = 0;
    r->reports_expected = false;
    assert_int_equal(sysdma_sg_cancel(a, j.list), SYSDMA_OK);
    assert_int_equal(j.done_calls, 1);
    assert_int_equal(j.done_status, SYSDMA_E_CANCELLED);
    assert_int_equal(sysdma_sg_cancel(a, j.list), SYSDMA_E_WRONG_STATE);
    /* The channel is masked: time passes, nothing more moves. */
    uint64_t moved = r->dev[1].moved;
    r->lint_expected = true; /* the device still requests: the lint must say so */
    sysdma_sim_run(r->sim, 5000ull * 1000);
    assert_int_equal(r->dev[1].moved, moved);
    assert_int_equal(r->lint_reports, 1);
    assert_int_equal(r->lint_last, SYSDMA_EMU_LINT_MASKED_REQUEST);
    r->lint_reports = 0;
    r->lint_expected = false;
    sysdma_sim_outb(r->sim, 0x300 + 8 * 1, 0); /* stop the device */
    assert_int_equal(sysdma_sg_put(a, j.list, true), SYSDMA_OK);
    assert_int_equal(sysdma_adapter_put(a), SYSDMA_OK);
    sysdma_mdl_free(r->sys, m);
    unmake(r);
}


/* ---- A system over a controller whose programming can be made to fail ---- */
static struct {
    sysdma_controller_ops ctrl;
    const sysdma_controller_ops *real;
    bool fail;
    unsigned programs;
} flaky;

static sysdma_status flaky_program(void *ctx, unsigned ch, const sysdma_program *p)
{
    flaky.programs++;
    if (flaky.fail)
        return SYSDMA_E_DEVICE;
    return flaky.real->program(ctx, ch, p);
}

static rig *make_flaky(void)
{
    rig *r = malloc(sizeof *r);
    sysdma_config cfg = {0};
    assert_int_equal(rig_init(r, 64u << 20, (2u << 20) + 8192, &cfg), SYSDMA_OK);
    assert_int_equal(sysdma_system_destroy(r->sys), SYSDMA_OK);
    memset(&flaky, 0, sizeof flaky);
    flaky.real = r->ctrl.ops;
    flaky.ctrl = *r->ctrl.ops;
    flaky.ctrl.program = flaky_program;
    sysdma_controller c = {&flaky.ctrl, r->ctrl.ctx};
    assert_int_equal(sysdma_system_create(&r->pf, &c, &cfg, &r->sys), SYSDMA_OK);
    rig_verify(r);
    rig_poll_timer(r); /* the test device interrupts only at its end: poll */
    return r;
}

static void stash_list(void *device, sysdma_sg_list *list, void *ctx)
{
    (void)device;
    ((job *)ctx)->list = list;
}

/* A terminal count the controller does not confirm (the element still has
 * bytes to move) does not advance the run. */
static void test_spurious_terminal_count(void **state)
{
    (void)state;
    rig *r = make();
    uint32_t len = 192u << 10;
    uint8_t *b = sysdma_sim_buffer_alloc(r->sim, len, 0, SYSDMA_SIM_LOW);
    for (uint32_t k = 0; k < len; k++)
        b[k] = (uint8_t)(k * 7u + 5u);
    sysdma_mdl *m;
    assert_int_equal(sysdma_mdl_create(r->sys, b, len, &m), SYSDMA_OK);
    sysdma_adapter *a = sg_adapter(r, 1);
    job j = {r, a, 1, true, len, 0, NULL, SYSDMA_E_INVALID_ARGUMENT, 0, SYSDMA_OK, 0};
    r->dev[1].bytes_per_us = 1;
    assert_true(sysdma_sim_add_clock(r->sim, dev_clock, &r->dev[1]));
    assert_int_equal(sysdma_sg_get(a, NULL, m, b, len, list_ready, &j, true), SYSDMA_OK);
    assert_int_equal(j.start_status, SYSDMA_OK);
    sysdma_sim_run(r->sim, 20000ull * 1000);
    sysdma_stats before, after;
    sysdma_stats_get(r->sys, a, &before);
    uint64_t part = sysdma_sg_progress(a, j.list);
    assert_true(part > 0 && part < j.list->elements[0].length);
    r->polling = false;
    /* The device's interrupt handler asking, and a poll: nobody reached
     * terminal count, nothing advances. */
    assert_int_equal(sysdma_channel_check(r->sys, 1u << 1), 0);
    assert_int_equal(sysdma_channel_poll(r->sys), 0);
    r->polling = true;
    sysdma_stats_get(r->sys, a, &after);
    assert_int_equal(after.transfers, before.transfers); /* not reprogrammed */
    assert_int_equal(sysdma_sg_progress(a, j.list), part);
    assert_int_equal(j.done_calls, 0);
    r->dev[1].bytes_per_us = 1000; /* faster now */
    assert_true(sysdma_sim_run_until(r->sim, job_done, &j, 60ull * 1000 * 1000 * 1000));
    assert_int_equal(j.done_calls, 1);
    assert_int_equal(j.done_status, SYSDMA_OK);
    sysdma_stats_get(r->sys, a, &after);
    assert_int_equal(after.transfers - before.transfers, j.list->count - 1);
    assert_memory_equal(r->fifo[1], b, len);
    sysdma_sim_outb(r->sim, 0x300 + 8 * 1, 0);
    assert_int_equal(sysdma_sg_put(a, j.list, true), SYSDMA_OK);
    assert_int_equal(sysdma_adapter_put(a), SYSDMA_OK);
    sysdma_mdl_free(r->sys, m);
    unmake(r);
}

/* Lists waiting behind a run whose starts all fail: every one ends with
 * exactly one done call, with the controller's status. */
#define FLAKY_LISTS 7
static void test_failed_starts_each_done(void **state)
{
    (void)state;
    rig *r = make_flaky();
    uint8_t *b = sysdma_sim_buffer_alloc(r->sim, FLAKY_LISTS * PAGE_BYTES, 0, SYSDMA_SIM_LOW);
    sysdma_mdl *m;
    assert_int_equal(sysdma_mdl_create(r->sys, b, FLAKY_LISTS * PAGE_BYTES, &m), SYSDMA_OK);
    sysdma_adapter *a = sg_adapter(r, 3);
    job j[FLAKY_LISTS];
    for (int k = 0; k < FLAKY_LISTS; k++) {
        j[k] = (job){r, a, 3, true, PAGE_BYTES, 0, NULL, SYSDMA_E_INVALID_ARGUMENT, 0, SYSDMA_OK, 0};
        assert_int_equal(sysdma_sg_get(a, NULL, m, b + k * PAGE_BYTES, PAGE_BYTES, stash_list,
                                       &j[k], true),
                         SYSDMA_OK);
        assert_non_null(j[k].list);
    }
    for (int k = 0; k < FLAKY_LISTS; k++)
        assert_int_equal(sysdma_sg_start(a, j[k].list, true, on_done, &j[k]),
                         k ? SYSDMA_PENDING : SYSDMA_OK);
    flaky.fail = true;
    assert_int_equal(sysdma_sg_cancel(a, j[0].list), SYSDMA_OK);
    assert_int_equal(j[0].done_status, SYSDMA_E_CANCELLED);
    for (int k = 0; k < FLAKY_LISTS; k++) {
        assert_int_equal(j[k].done_calls, 1);
        if (k)
            assert_int_equal(j[k].done_status, SYSDMA_E_DEVICE);
        assert_int_equal(sysdma_sg_cancel(a, j[k].list), SYSDMA_E_WRONG_STATE);
    }
    flaky.fail = false;
    sysdma_adapter_state as;
    sysdma_adapter_state_get(a, &as);
    assert_false(as.list_running);
    assert_int_equal(as.lists_waiting, 0);
    /* The channel is free again. */
    hold h = {0};
    assert_int_equal(sysdma_channel_allocate(a, NULL, 0, keep_channel, &h), SYSDMA_OK);
    assert_int_equal(sysdma_channel_free(a), SYSDMA_OK);
    for (int k = 0; k < FLAKY_LISTS; k++)
        assert_int_equal(sysdma_sg_put(a, j[k].list, true), SYSDMA_OK);
    assert_int_equal(sysdma_adapter_put(a), SYSDMA_OK);
    sysdma_mdl_free(r->sys, m);
    unmake(r);
}

/* A run holds the channel like a grant: it waits for a driver that holds
 * the channel (whose packet transfer it leaves alone), and a request that
 * comes while it runs is granted when it is done. */
static void test_run_holds_the_channel(void **state)
{
    (void)state;
    rig *r = make();
    uint32_t len = 64u << 10;
    uint8_t *b = sysdma_sim_buffer_alloc(r->sim, len, 0, SYSDMA_SIM_SCATTERED_LOW);
    uint8_t *p = sysdma_sim_buffer_alloc(r->sim, PAGE_BYTES, 0, SYSDMA_SIM_LOW);
    for (uint32_t k = 0; k < len; k++)
        r->fifo[3][k] = (uint8_t)(k * 13u + 1u);
    sysdma_mdl *m, *pm;
    assert_int_equal(sysdma_mdl_create(r->sys, b, len, &m), SYSDMA_OK);
    assert_int_equal(sysdma_mdl_create(r->sys, p, PAGE_BYTES, &pm), SYSDMA_OK);
    sysdma_adapter *a = sg_adapter(r, 3);
    job j = {r, a, 3, false, len, 0, NULL, SYSDMA_E_INVALID_ARGUMENT, 0, SYSDMA_OK, 0};
    assert_int_equal(sysdma_sg_get(a, NULL, m, b, len, stash_list, &j, false), SYSDMA_OK);
    /* Another driver holds the channel: the run waits for it. */
    hold h = {0};
    assert_int_equal(sysdma_channel_allocate(a, NULL, 0, keep_channel, &h), SYSDMA_OK);
    assert_int_equal(sysdma_sg_start(a, j.list, false, on_done, &j), SYSDMA_PENDING);
    sysdma_adapter_state as;
    sysdma_adapter_state_get(a, &as);
    assert_false(as.list_running);
    assert_int_equal(as.lists_waiting, 1);
    /* ...and the holder's packet transfer goes ahead. */
    uint32_t piece = 512;
    assert_int_equal(sysdma_map_transfer(a, pm, NULL, p, &piece, true, NULL), SYSDMA_OK);
    assert_int_equal(sysdma_flush_adapter_buffers(a, pm, NULL, p, 512, true), SYSDMA_OK);
    assert_int_equal(sysdma_channel_free(a), SYSDMA_OK);
    sysdma_adapter_state_get(a, &as);
    assert_true(as.list_running);
    assert_false(as.channel_held);
    /* While it runs, a request waits; the channel is not the driver's. */
    waiter w = {0, &j, 0};
    assert_int_equal(sysdma_channel_allocate(a, NULL, 0, keep_after_run, &w), SYSDMA_PENDING);
    assert_int_equal(w.runs, 0);
    r->reports_expected = true; /* the verifier catches it first */
    assert_int_equal(sysdma_channel_free(a), SYSDMA_E_VERIFIER);
    assert_int_equal(r->last.check, SYSDMA_VCHECK_FREE_CHANNEL_NOT_OWNER);
    r->reports = 0;
    r->reports_expected = false;
    start_device(r, 3, len, false, 0);
    assert_true(sysdma_sim_run_until(r->sim, job_done, &j, 10ull * 1000 * 1000 * 1000));
    assert_int_equal(j.done_calls, 1);
    assert_int_equal(j.done_status, SYSDMA_OK);
    assert_int_equal(w.runs, 1);
    assert_int_equal(w.run_done_seen, 1); /* granted after the run was done */
    assert_int_equal(sysdma_channel_free(a), SYSDMA_OK);
    sysdma_sim_outb(r->sim, 0x305 + 8 * 3, 0);
    assert_int_equal(sysdma_sg_put(a, j.list, false), SYSDMA_OK);
    assert_memory_equal(b, r->fifo[3], len);
    assert_int_equal(sysdma_adapter_put(a), SYSDMA_OK);
    sysdma_mdl_free(r->sys, m);
    sysdma_mdl_free(r->sys, pm);
    unmake(r);
}

/* The controller is programmed from the core's copy of the list: a driver
 * writing over its list's elements after the start changes nothing, and
 * elements that break the channel's limits before it are refused. */
static void test_list_scribbled(void **state)
{
    (void)state;
    rig *r = make();
    uint32_t len = 32u << 10;
    uint8_t *b = sysdma_sim_buffer_alloc(r->sim, len, 0, SYSDMA_SIM_SCATTERED_LOW);
    for (uint32_t k = 0; k < len; k++)
        b[k] = (uint8_t)(k * 3u + 11u);
    sysdma_mdl *m;
    assert_int_equal(sysdma_mdl_create(r->sys, b, len, &m), SYSDMA_OK);
    sysdma_adapter *a = sg_adapter(r, 2);
    job j = {r, a, 2, true, len, 0, NULL, SYSDMA_E_INVALID_ARGUMENT, 0, SYSDMA_OK, 0};
    assert_int_equal(sysdma_sg_get(a, NULL, m, b, len, stash_list, &j, true), SYSDMA_OK);
    sysdma_sg_list *l = j.list;
    assert_true(l->count >= 2);
    sysdma_sg_element saved = l->elements[1];
    /* Beyond the channel's reach, across its window, empty, a count the
     * list does not have: refused, nothing started. */
    const sysdma_sg_element bad[3] = {
        {32u << 20, saved.length, 0}, {0x10000 - 16, 32, 0}, {saved.address, 0, 0}};
    for (int k = 0; k < 3; k++) {
        l->elements[1] = bad[k];
        assert_int_equal(sysdma_sg_start(a, l, true, on_done, &j), SYSDMA_E_INVALID_ARGUMENT);
    }
    l->elements[1] = saved;
    l->count++;
    assert_int_equal(sysdma_sg_start(a, l, true, on_done, &j), SYSDMA_E_INVALID_ARGUMENT);
    l->count--;
    assert_int_equal(j.done_calls, 0);
    /* Started, then written over: the run moves the list as it was. */
    r->dev[2].bytes_per_us = 1;
    assert_true(sysdma_sim_add_clock(r->sim, dev_clock, &r->dev[2]));
    assert_int_equal(sysdma_sg_start(a, l, true, on_done, &j), SYSDMA_OK);
    start_device(r, 2, len, true, 0);
    sysdma_sim_run(r->sim, 100ull * 1000);
    for (uint32_t k = 0; k < l->count; k++)
        l->elements[k].address = 0x1000; /* the driver scribbles */
    r->dev[2].bytes_per_us = 1000; /* faster now */
    assert_true(sysdma_sim_run_until(r->sim, job_done, &j, 10ull * 1000 * 1000 * 1000));
    assert_int_equal(j.done_status, SYSDMA_OK);
    assert_int_equal(sysdma_sg_progress(a, l), len);
    assert_memory_equal(r->fifo[2], b, len);
    sysdma_sim_outb(r->sim, 0x300 + 8 * 2, 0);
    assert_int_equal(sysdma_sg_put(a, l, true), SYSDMA_OK);
    assert_int_equal(sysdma_adapter_put(a), SYSDMA_OK);
    sysdma_mdl_free(r->sys, m);
    unmake(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_scattered_1mib_channel_2_and_6),
        cmocka_unit_test(test_runs_queue_per_channel),
        cmocka_unit_test(test_cancel),
        cmocka_unit_test(test_spurious_terminal_count),
        cmocka_unit_test(test_failed_starts_each_done),
        cmocka_unit_test(test_run_holds_the_channel),
        cmocka_unit_test(test_list_scribbled),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
