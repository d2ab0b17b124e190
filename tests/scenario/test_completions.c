/* SPDX-License-Identifier: MIT */
/*
 * Completions the way a PC delivers them: no interrupt from the 8237, the
 * device's own interrupt (or a timer) and a check of the 8237's status
 * register, whose terminal-count bits clear for all four channels of a
 * controller on every read. Two channels finishing close together lose
 * neither completion whatever order the checks come in; a device interrupt
 * without a terminal count (spurious, shared, or for a short transfer)
 * advances nothing; the polling fallback reads each status register at
 * most once per poll, and none when nothing is due.
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

#define PAGE SYSDMA_PAGE_SIZE
#define DEV_IRQ 10

typedef struct done {
    int calls;
    sysdma_status status;
} done;

static void completed(sysdma_adapter *a, void *ctx, sysdma_status st)
{
    (void)a;
    done *d = ctx;
    d->calls++;
    d->status = st;
}

static bool called(void *ctx)
{
    return ((done *)ctx)->calls > 0;
}

static int setup(void **state)
{
    rig *r = malloc(sizeof *r);
    sysdma_config cfg = {.map_registers_initial = 32, .map_registers_cap = 64};
    if (!r || rig_init(r, 64u << 20, 1u << 18, &cfg) != SYSDMA_OK)
        return -1;
    rig_verify(r); /* correct use: no report */
    *state = r;
    return 0;
}

static int teardown(void **state)
{
    rig_destroy(*state);
    free(*state);
    return 0;
}

/* One channel with a MapTransferEx of `len` bytes to the device, mapped
 * and started (its device not yet). */
typedef struct xfer {
    sysdma_adapter *a;
    sysdma_mdl *m;
    sysdma_map_registers *base;
    uint8_t *buf;
    uint32_t len;
    unsigned ch;
    done d;
} xfer;

static void map_one(rig *r, xfer *x, unsigned ch, uint32_t len)
{
    sysdma_device_description desc = {0};
    desc.version = 3;
    desc.channel = ch;
    desc.width = ch >= 4 ? SYSDMA_WIDTH_16 : SYSDMA_WIDTH_8;
    desc.maximum_length = 16384; /* a few map registers each: four channels at once fit the pool */
    uint32_t n;
    assert_int_equal(sysdma_adapter_get(r->sys, &desc, &x->a, &n), SYSDMA_OK);
    x->buf = sysdma_sim_buffer_alloc(r->sim, len, 0, SYSDMA_SIM_LOW);
    assert_non_null(x->buf);
    for (uint32_t k = 0; k < len; k++)
        x->buf[k] = (uint8_t)(k * 3u + ch);
    assert_int_equal(sysdma_mdl_create(r->sys, x->buf, len, &x->m), SYSDMA_OK);
    sysdma_transfer_context c;
    assert_int_equal(sysdma_transfer_context_init(x->a, &c), SYSDMA_OK);
    assert_int_equal(sysdma_channel_allocate_ex(x->a, NULL, &c, n, SYSDMA_ALLOCATE_SYNCHRONOUS,
                                                NULL, NULL, &x->base),
                     SYSDMA_OK);
    x->len = len;
    x->ch = ch;
    x->d = (done){0, SYSDMA_PENDING};
    uint32_t l = len;
    assert_int_equal(sysdma_map_transfer_ex(x->a, x->m, 0, &l, true, x->base, completed, &x->d,
                                            NULL),
                     SYSDMA_OK);
    assert_int_equal(l, len);
}

static void start_device(rig *r, unsigned ch, uint32_t len)
{
    r->dev[ch].data = r->fifo[ch];
    for (unsigned b = 0; b < 4; b++)
        sysdma_sim_outb(r->sim, (uint16_t)(0x301 + 8 * ch + b), (uint8_t)(len >> (8 * b)));
    sysdma_sim_outb(r->sim, (uint16_t)(0x300 + 8 * ch), 2); /* memory → device */
}

static void finish_one(rig *r, xfer *x)
{
    assert_int_equal(x->d.calls, 1);
    assert_int_equal(x->d.status, SYSDMA_OK);
    assert_int_equal(sysdma_flush_adapter_buffers_ex(x->a, x->m, x->base, 0, x->len, true),
                     SYSDMA_OK);
    assert_memory_equal(r->fifo[x->ch], x->buf, x->len);
    assert_int_equal(sysdma_adapter_free_object(x->a, SYSDMA_DEALLOCATE_OBJECT), SYSDMA_OK);
    sysdma_mdl_free(r->sys, x->m);
    sysdma_sim_buffer_free(r->sim, x->buf);
    assert_int_equal(sysdma_adapter_put(x->a), SYSDMA_OK);
}

/* Both channels of DMA1 reach terminal count before anyone looks. The
 * check for channel 1 reads the status register, which clears channel
 * 2's bit in the chip as well; channel 2's check still completes it. */
static void test_two_tcs_one_status_read(void **state)
{
    rig *r = *state;
    xfer x1, x2;
    map_one(r, &x1, 1, 300);
    map_one(r, &x2, 2, 5000);
    start_device(r, 1, 300);
    start_device(r, 2, 5000);
    sysdma_sim_run(r->sim, 1000000);
    assert_int_equal(x1.d.calls + x2.d.calls, 0); /* nobody asked yet */
    assert_int_equal(sysdma_channel_check(r->sys, 1u << 1), 1u << 1);
    assert_int_equal(x1.d.calls, 1);
    assert_int_equal(x2.d.calls, 0);
    /* The chip no longer shows channel 2's terminal count: the read above
     * cleared it (bits 0-3; bits 4-7 are requests). */
    assert_int_equal(sysdma_sim_inb(r->sim, 0x08) & 0x0F, 0);
    assert_int_equal(sysdma_channel_check(r->sys, 1u << 2), 1u << 2);
    assert_int_equal(x2.d.calls, 1);
    /* Each completion ran once: checks again change nothing. */
    assert_int_equal(sysdma_channel_check(r->sys, 0xFF), 0);
    finish_one(r, &x1);
    finish_one(r, &x2);
}

/* The status register read between the two terminal counts: channel 2's
 * interrupt handler checks while channel 1 has finished but channel 2 has
 * not; then channel 2 finishes; both complete, each from its own check. */
static void test_status_read_between_two_tcs(void **state)
{
    rig *r = *state;
    xfer x1, x2;
    map_one(r, &x1, 1, 700);
    map_one(r, &x2, 2, 900);
    start_device(r, 1, 700);
    sysdma_sim_run(r->sim, 1000000);
    /* Channel 2's check (a spurious or early interrupt of its device) reads
     * the status register: channel 1's bit is in it and is cleared. */
    assert_int_equal(sysdma_channel_check(r->sys, 1u << 2), 0);
    assert_int_equal(x1.d.calls + x2.d.calls, 0);
    assert_int_equal(sysdma_sim_inb(r->sim, 0x08) & 0x0F, 0);
    start_device(r, 2, 900);
    sysdma_sim_run(r->sim, 1000000);
    assert_int_equal(sysdma_channel_check(r->sys, 1u << 2), 1u << 2);
    assert_int_equal(x2.d.calls, 1);
    assert_int_equal(x1.d.calls, 0);
    assert_int_equal(sysdma_channel_check(r->sys, 1u << 1), 1u << 1);
    assert_int_equal(x1.d.calls, 1);
    finish_one(r, &x1);
    finish_one(r, &x2);
}

/* The same through the devices' own interrupts on one shared line, with
 * one channel on each controller and two on DMA1 finishing in the same
 * step: every completion arrives, exactly once. */
static void test_device_interrupts_shared_line(void **state)
{
    rig *r = *state;
    rig_device_interrupts(r, DEV_IRQ);
    xfer x[3];
    unsigned chans[3] = {1, 3, 6};
    uint32_t lens[3] = {4096, 4096, 8192};
    for (int k = 0; k < 3; k++)
        map_one(r, &x[k], chans[k], lens[k]);
    for (int k = 0; k < 3; k++)
        start_device(r, chans[k], lens[k]);
    assert_true(sysdma_sim_run_until(r->sim, called, &x[0].d, 1000000000ull));
    sysdma_sim_run(r->sim, 1000000);
    for (int k = 0; k < 3; k++)
        finish_one(r, &x[k]);
    assert_int_equal(r->isr_advanced, (1u << 1) | (1u << 3) | (1u << 6));
}

/* A device that interrupts before its channel's terminal count (its own
 * length shorter than the mapping), and an interrupt with no device
 * behind it: the ISR's check finds no terminal count and advances
 * nothing; the completion comes when the channel really ends. */
static void test_spurious_interrupts_advance_nothing(void **state)
{
    rig *r = *state;
    rig_device_interrupts(r, DEV_IRQ);
    xfer x;
    map_one(r, &x, 1, 2048);
    sysdma_sim_irq_set(r->sim, DEV_IRQ, true); /* nobody's interrupt */
    sysdma_sim_run(r->sim, 1000);
    sysdma_sim_irq_set(r->sim, DEV_IRQ, false);
    assert_true(r->isr_calls > 0);
    assert_int_equal(r->isr_spurious, r->isr_calls);
    assert_int_equal(x.d.calls, 0);
    start_device(r, 1, 1000); /* stops short of the 2048 mapped */
    sysdma_sim_run(r->sim, 1000000);
    unsigned calls = r->isr_calls;
    assert_true(calls > 1);
    assert_int_equal(r->isr_spurious, calls); /* its interrupt advanced nothing */
    assert_int_equal(x.d.calls, 0);
    assert_int_equal(sysdma_channel_poll(r->sys), 0);
    start_device(r, 1, 1048); /* the rest: now terminal count */
    r->dev[1].data = r->fifo[1] + 1000;
    assert_true(sysdma_sim_run_until(r->sim, called, &x.d, 1000000000ull));
    assert_int_equal(r->isr_spurious, calls);
    finish_one(r, &x);
}

/* The polling fallback's cost: no port access when nothing is due, one
 * status-register read when a channel of one controller is due, two with
 * channels due on both; never more, however many channels. */
static void test_poll_cost_bounded(void **state)
{
    rig *r = *state;
    uint64_t before = sysdma_sim_port_accesses(r->sim);
    assert_int_equal(sysdma_channel_poll(r->sys), 0);
    assert_int_equal(sysdma_sim_port_accesses(r->sim), before);
    xfer x[4];
    map_one(r, &x[0], 1, 512);
    before = sysdma_sim_port_accesses(r->sim);
    assert_int_equal(sysdma_channel_poll(r->sys), 0);
    assert_int_equal(sysdma_sim_port_accesses(r->sim) - before, 1);
    map_one(r, &x[1], 2, 512);
    map_one(r, &x[2], 3, 512);
    map_one(r, &x[3], 5, 512);
    before = sysdma_sim_port_accesses(r->sim);
    assert_int_equal(sysdma_channel_poll(r->sys), 0);
    assert_int_equal(sysdma_sim_port_accesses(r->sim) - before, 2);
    for (int k = 0; k < 4; k++)
        start_device(r, x[k].ch, 512);
    sysdma_sim_run(r->sim, 1000000);
    before = sysdma_sim_port_accesses(r->sim);
    assert_int_equal(sysdma_channel_poll(r->sys), (1u << 1) | (1u << 2) | (1u << 3) | (1u << 5));
    /* two status reads; the completions themselves touch no port */
    assert_int_equal(sysdma_sim_port_accesses(r->sim) - before, 2);
    for (int k = 0; k < 4; k++)
        finish_one(r, &x[k]);
}

/* A chained run and a MapTransferEx on two channels of DMA1, advanced
 * only by the polling fallback: byte-exact, one done call, one completion. */
typedef struct run {
    sysdma_sg_list *list;
    int done_calls;
    sysdma_status status;
} run;

static void list_ready(void *device, sysdma_sg_list *list, void *ctx)
{
    (void)device;
    ((run *)ctx)->list = list;
}

static void run_done(sysdma_adapter *a, sysdma_sg_list *list, sysdma_status st, void *ctx)
{
    (void)a;
    (void)list;
    run *j = ctx;
    j->done_calls++;
    j->status = st;
}

static bool both_done(void *ctx)
{
    void **p = ctx;
    return ((run *)p[0])->done_calls > 0 && ((done *)p[1])->calls > 0;
}

static void test_poll_runs_chain_and_ex(void **state)
{
    rig *r = *state;
    rig_poll_timer(r);
    uint32_t len = 96u << 10;
    uint8_t *b = sysdma_sim_buffer_alloc(r->sim, len, 0, SYSDMA_SIM_SCATTERED_LOW);
    for (uint32_t k = 0; k < len; k++)
        b[k] = (uint8_t)(k * 11u + 7u);
    sysdma_mdl *m;
    assert_int_equal(sysdma_mdl_create(r->sys, b, len, &m), SYSDMA_OK);
    sysdma_device_description desc = {0};
    desc.version = 2;
    desc.scatter_gather = true;
    desc.channel = 1;
    desc.width = SYSDMA_WIDTH_8;
    desc.maximum_length = len;
    sysdma_adapter *a;
    assert_int_equal(sysdma_adapter_get(r->sys, &desc, &a, NULL), SYSDMA_OK);
    run j = {0};
    assert_int_equal(sysdma_sg_get(a, NULL, m, b, len, list_ready, &j, true), SYSDMA_OK);
    assert_non_null(j.list);
    assert_true(j.list->count > 1);
    xfer x;
    map_one(r, &x, 2, 3000);
    assert_int_equal(sysdma_sg_start(a, j.list, true, run_done, &j), SYSDMA_OK);
    r->dev[1].data = r->fifo[1];
    for (unsigned k = 0; k < 4; k++)
        sysdma_sim_outb(r->sim, (uint16_t)(0x309 + k), (uint8_t)(len >> (8 * k)));
    sysdma_sim_outb(r->sim, 0x308, 0x82); /* streaming: a TC does not end it */
    start_device(r, 2, 3000);
    void *both[2] = {&j, &x.d};
    assert_true(sysdma_sim_run_until(r->sim, both_done, both, 10000000000ull));
    assert_int_equal(j.done_calls, 1);
    assert_int_equal(j.status, SYSDMA_OK);
    assert_memory_equal(r->fifo[1], b, len);
    finish_one(r, &x);
    assert_int_equal(sysdma_sg_put(a, j.list, true), SYSDMA_OK);
    assert_int_equal(sysdma_adapter_put(a), SYSDMA_OK);
    sysdma_mdl_free(r->sys, m);
    sysdma_sim_buffer_free(r->sim, b);
}

/* The device's own count (sysdma_channel_device_done): the controller is
 * asked first; without its confirmation the channel advances only on a
 * count equal to what is due, once. */
static void test_device_count(void **state)
{
    rig *r = *state;
    assert_false(sysdma_channel_device_done(r->sys, 1, 2048)); /* nothing due */
    xfer x;
    map_one(r, &x, 1, 2048);
    assert_false(sysdma_channel_device_done(r->sys, 1, 0));
    assert_false(sysdma_channel_device_done(r->sys, 9, 2048));
    assert_false(sysdma_channel_device_done(r->sys, 1, 1000)); /* not the mapping's length */
    assert_false(sysdma_channel_device_done(r->sys, 2, 2048)); /* not this channel */
    assert_false(sysdma_channel_device_done(NULL, 1, 2048));
    assert_int_equal(sysdma_channel_check(NULL, 0xFFu), 0);
    assert_int_equal(sysdma_channel_poll(NULL), 0);
    assert_int_equal(sysdma_channel_check(r->sys, 0xFFFFFF00u), 0); /* no such channels */
    assert_int_equal(x.d.calls, 0);
    start_device(r, 1, 2048);
    sysdma_sim_run(r->sim, 1000000);
    /* The controller confirms (status register): the count is not needed. */
    assert_true(sysdma_channel_device_done(r->sys, 1, 1));
    assert_int_equal(x.d.calls, 1);
    assert_false(sysdma_channel_device_done(r->sys, 1, 2048)); /* once */
    finish_one(r, &x);
    /* A controller that never reports the terminal count: the device's
     * count equal to the mapping's length completes it. */
    map_one(r, &x, 1, 2048);
    start_device(r, 1, 2048);
    sysdma_sim_run(r->sim, 1000000);
    (void)sysdma_sim_inb(r->sim, 0x08); /* someone else read the status: the TC is gone */
    assert_int_equal(sysdma_channel_check(r->sys, 1u << 1), 0);
    assert_false(sysdma_channel_device_done(r->sys, 1, 2047));
    assert_int_equal(x.d.calls, 0);
    assert_true(sysdma_channel_device_done(r->sys, 1, 2048));
    assert_int_equal(x.d.calls, 1);
    finish_one(r, &x);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_two_tcs_one_status_read, setup, teardown),
        cmocka_unit_test_setup_teardown(test_status_read_between_two_tcs, setup, teardown),
        cmocka_unit_test_setup_teardown(test_device_interrupts_shared_line, setup, teardown),
        cmocka_unit_test_setup_teardown(test_spurious_interrupts_advance_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_poll_cost_bounded, setup, teardown),
        cmocka_unit_test_setup_teardown(test_poll_runs_chain_and_ex, setup, teardown),
        cmocka_unit_test_setup_teardown(test_device_count, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
