/* SPDX-License-Identifier: MIT */
/*
 * The completion entry driven by the controller's interrupt
 * (sysdma_controller_interrupt over handle_interrupt): completed channels
 * advance their run or complete their MapTransferEx; failed channels end
 * them with SYSDMA_E_TRANSFER_ERROR (list done calls and MapTransferEx
 * completions hear it); a channel reported with nothing due changes
 * nothing; every completion is delivered once whichever of the interrupt
 * and sysdma_channel_check comes first; a controller without
 * handle_interrupt is polled.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "ctrl_fx.h"
#include "sysdma/verifier.h"

typedef struct listed {
    ctrl_fx *x;
    sysdma_adapter *a;
    uint8_t *buf;
    sysdma_mdl *m;
    sysdma_sg_list *l;
    uint32_t len;
    heard h;
} listed;

/* A list of `pages` scattered pages on `ch`, started. */
static void list_start(ctrl_fx *x, listed *t, unsigned ch, uint32_t pages, bool to_device)
{
    memset(t, 0, sizeof *t);
    t->x = x;
    uint32_t n;
    t->a = ctrl_fx_adapter(x, 3, ch, true, ch, &n);
    assert_non_null(t->a);
    t->len = pages * PG;
    t->buf = ctrl_fx_scattered(x, pages, 0x40000000ull + ch * 0x1000000ull);
    assert_non_null(t->buf);
    assert_int_equal(sysdma_mdl_create(x->sys, t->buf, t->len, &t->m), SYSDMA_OK);
    assert_int_equal(sysdma_sg_get(t->a, NULL, t->m, t->buf, t->len, ctrl_fx_got_list, &t->l,
                                   to_device),
                     SYSDMA_OK);
    t->h = (heard){0, SYSDMA_PENDING, 0, &x->f};
    assert_int_equal(sysdma_sg_start(t->a, t->l, to_device, ctrl_fx_list_done, &t->h), SYSDMA_OK);
}

static void list_end(listed *t, bool to_device)
{
    assert_int_equal(sysdma_sg_put(t->a, t->l, to_device), SYSDMA_OK);
    sysdma_mdl_free(t->x->sys, t->m);
    fake_buffer_free(&t->x->f, t->buf);
    assert_int_equal(sysdma_adapter_put(t->a), SYSDMA_OK);
}

/* A bus error ends a run: its done call hears SYSDMA_E_TRANSFER_ERROR,
 * once, with no lock held; the channel is stopped and free again. At the
 * first chunk (a channel that faults) and after one chunk completed. */
static void test_error_ends_run(void **state)
{
    (void)state;
    fake_shape s = soc_shape(2);
    s.fail_channels = 1u << 3;
    ctrl_fx *x = ctrl_fx_new(&s);
    assert_non_null(x);
    uint8_t dev[6 * PG];
    /* Faults at once. */
    listed t;
    list_start(x, &t, 3, 6, true);
    assert_int_equal(fake_ctrl_run(&x->c, 3, dev, sizeof dev), 0);
    long flushes = x->c.ch[3].flushes;
    assert_int_equal(sysdma_controller_interrupt(x->sys, 0), 1u << 3);
    assert_int_equal(t.h.calls, 1);
    assert_int_equal(t.h.status, SYSDMA_E_TRANSFER_ERROR);
    assert_int_equal(t.h.lock_depth, 0);
    assert_int_equal(x->c.ch[3].programs, 1);     /* nothing more programmed */
    assert_int_equal(x->c.ch[3].flushes, flushes + 1);
    assert_int_equal(sysdma_controller_interrupt(x->sys, 0), 0);
    assert_int_equal(sysdma_channel_poll(x->sys), 0);
    assert_int_equal(t.h.calls, 1);
    /* The channel is free: a grant comes at once. */
    sysdma_map_registers *regs = NULL;
    assert_int_equal(sysdma_channel_allocate(t.a, NULL, 0, ctrl_fx_keep, &regs), SYSDMA_OK);
    assert_int_equal(sysdma_channel_free(t.a), SYSDMA_OK);
    list_end(&t, true);
    /* Faults in the second chunk. */
    x->c.shape.fail_channels = 0;
    list_start(x, &t, 3, 6, true);
    assert_int_equal(fake_ctrl_run(&x->c, 3, dev, 2 * PG), 2 * PG);
    assert_int_equal(sysdma_controller_interrupt(x->sys, 0), 1u << 3);
    assert_int_equal(x->c.ch[3].programs, 3); /* 1 + the first run's, + this chunk */
    assert_int_equal(t.h.calls, 0);
    assert_int_equal(fake_ctrl_run(&x->c, 3, dev, PG), PG);
    fake_ctrl_fail(&x->c, 3);
    assert_int_equal(sysdma_controller_interrupt(x->sys, 0), 1u << 3);
    assert_int_equal(t.h.calls, 1);
    assert_int_equal(t.h.status, SYSDMA_E_TRANSFER_ERROR);
    assert_int_equal(sysdma_sg_progress(t.a, t.l), 2 * PG); /* the chunk that completed */
    list_end(&t, true);
    assert_int_equal(x->c.bad_programs, 0);
    assert_int_equal(x->c.unlocked, 0);
    assert_true(ctrl_fx_free(x));
}

/* MapTransferEx completions from the interrupt: SYSDMA_OK when the
 * controller reports the channel completed, SYSDMA_E_TRANSFER_ERROR when
 * it reports it failed; once; nothing before. */
static void test_map_transfer_ex_completion(void **state)
{
    (void)state;
    fake_shape s = soc_shape(16);
    ctrl_fx *x = ctrl_fx_new(&s);
    assert_non_null(x);
    uint8_t dev[2 * PG];
    ctrl_fx_mapped t;
    ctrl_fx_map_ex(x, &t, 1);
    assert_int_equal(fake_ctrl_run(&x->c, 1, dev, PG), PG);
    assert_int_equal(sysdma_controller_interrupt(x->sys, 0), 0);
    assert_int_equal(t.h.calls, 0);
    assert_int_equal(fake_ctrl_run(&x->c, 1, dev + PG, PG), PG);
    assert_int_equal(sysdma_controller_interrupt(x->sys, 0), 1u << 1);
    assert_int_equal(t.h.calls, 1);
    assert_int_equal(t.h.status, SYSDMA_OK);
    assert_int_equal(t.h.lock_depth, 0);
    assert_int_equal(sysdma_controller_interrupt(x->sys, 0), 0);
    assert_int_equal(t.h.calls, 1);
    assert_memory_equal(dev, t.buf, sizeof dev);
    ctrl_fx_map_end(x, &t);
    /* A bus error. */
    ctrl_fx_map_ex(x, &t, 1);
    assert_int_equal(fake_ctrl_run(&x->c, 1, dev, 100), 100);
    fake_ctrl_fail(&x->c, 1);
    assert_int_equal(sysdma_controller_interrupt(x->sys, 0), 1u << 1);
    assert_int_equal(t.h.calls, 1);
    assert_int_equal(t.h.status, SYSDMA_E_TRANSFER_ERROR);
    assert_int_equal(sysdma_channel_poll(x->sys), 0);
    assert_int_equal(sysdma_transfer_cancel_mapped(t.a), SYSDMA_E_WRONG_STATE);
    assert_int_equal(t.h.calls, 1);
    ctrl_fx_map_end(x, &t);
    assert_true(ctrl_fx_free(x));
}

/* Channels reported with nothing due advance nothing: a packet transfer
 * without a completion routine, a channel never programmed that reports a
 * fault, a run whose chunk has not completed (not reported at all). */
static void test_idle_channel_advances_nothing(void **state)
{
    (void)state;
    fake_shape s = soc_shape(4);
    ctrl_fx *x = ctrl_fx_new(&s);
    assert_non_null(x);
    listed t;
    list_start(x, &t, 3, 6, false);
    uint8_t dev[6 * PG];
    memset(dev, 0x3C, sizeof dev);
    assert_int_equal(fake_ctrl_run(&x->c, 3, dev, PG), PG); /* part of the first chunk */
    /* A packet transfer on channel 2 completes: the controller reports it. */
    uint32_t n;
    sysdma_adapter *p = ctrl_fx_adapter(x, 1, 2, false, 0, &n);
    assert_non_null(p);
    uint64_t phys[1] = {0x90000000ull};
    uint8_t *pb = fake_buffer(&x->f, 1, phys);
    sysdma_mdl *pm;
    assert_int_equal(sysdma_mdl_create(x->sys, pb, PG, &pm), SYSDMA_OK);
    sysdma_map_registers *regs = NULL;
    assert_int_equal(sysdma_channel_allocate(p, NULL, 1, ctrl_fx_keep, &regs), SYSDMA_OK);
    uint32_t len = PG;
    assert_int_equal(sysdma_map_transfer(p, pm, regs, pb, &len, true, NULL), SYSDMA_OK);
    uint8_t pdev[PG];
    assert_int_equal(fake_ctrl_run(&x->c, 2, pdev, PG), PG);
    fake_ctrl_fail(&x->c, 6); /* never programmed */
    long programs3 = x->c.ch[3].programs, programs2 = x->c.ch[2].programs;
    sysdma_stats before, after;
    sysdma_stats_get(x->sys, NULL, &before);
    assert_int_equal(sysdma_controller_interrupt(x->sys, 0), (1u << 2) | (1u << 6));
    sysdma_stats_get(x->sys, NULL, &after);
    assert_int_equal(after.transfers, before.transfers);
    assert_int_equal(x->c.ch[3].programs, programs3);
    assert_int_equal(x->c.ch[2].programs, programs2);
    assert_int_equal(x->c.ch[3].flushes, 0);
    assert_int_equal(t.h.calls, 0);
    assert_int_equal(sysdma_sg_progress(t.a, t.l), PG);
    /* Nothing reported at all: 0, nothing changes. */
    long irqs = x->c.interrupts;
    assert_int_equal(sysdma_controller_interrupt(x->sys, 0), 0);
    assert_int_equal(x->c.interrupts, irqs + 1);
    assert_int_equal(t.h.calls, 0);
    /* The packet transfer is flushed as usual. */
    assert_int_equal(sysdma_flush_adapter_buffers(p, pm, regs, pb, len, true), SYSDMA_OK);
    assert_int_equal(sysdma_channel_free(p), SYSDMA_OK);
    sysdma_mdl_free(x->sys, pm);
    fake_buffer_free(&x->f, pb);
    assert_int_equal(sysdma_adapter_put(p), SYSDMA_OK);
    /* The run goes on to its end. */
    assert_int_equal(fake_ctrl_run(&x->c, 3, dev + PG, 3 * PG), 3 * PG);
    assert_int_equal(sysdma_controller_interrupt(x->sys, 0), 1u << 3);
    assert_int_equal(fake_ctrl_run(&x->c, 3, dev + 4 * PG, 2 * PG), 2 * PG);
    assert_int_equal(sysdma_controller_interrupt(x->sys, 0), 1u << 3);
    assert_int_equal(t.h.calls, 1);
    assert_int_equal(t.h.status, SYSDMA_OK);
    assert_memory_equal(t.buf, dev, 6 * PG);
    list_end(&t, false);
    assert_true(ctrl_fx_free(x));
}

/* Interrupt and check, in either order: the completion once. The check
 * does not acknowledge the controller, so the interrupt after it still
 * reports the channel — and finds nothing due. */
static void test_interrupt_and_check_once(void **state)
{
    (void)state;
    fake_shape s = soc_shape(16);
    ctrl_fx *x = ctrl_fx_new(&s);
    assert_non_null(x);
    uint8_t dev[2 * PG];
    for (int order = 0; order < 2; order++) {
        ctrl_fx_mapped t;
        ctrl_fx_map_ex(x, &t, 5);
        assert_int_equal(fake_ctrl_run(&x->c, 5, dev, sizeof dev), sizeof dev);
        if (order == 0) {
            assert_int_equal(sysdma_controller_interrupt(x->sys, 0), 1u << 5);
            assert_int_equal(sysdma_channel_check(x->sys, 1u << 5), 0);
        } else {
            assert_int_equal(sysdma_channel_check(x->sys, 1u << 5), 1u << 5);
            assert_int_equal(sysdma_controller_interrupt(x->sys, 0), 1u << 5);
        }
        assert_int_equal(t.h.calls, 1);
        assert_int_equal(t.h.status, SYSDMA_OK);
        ctrl_fx_map_end(x, &t);
    }
    /* A run: the check advances the first chunk; the interrupt that
     * follows reports the old completion, which the new program made the
     * controller forget — it must not advance the new chunk. */
    listed l;
    list_start(x, &l, 5, 20, true);
    long programs = x->c.ch[5].programs;
    static uint8_t big[20 * PG];
    assert_int_equal(x->c.ch[5].count, 16);
    assert_int_equal(fake_ctrl_run(&x->c, 5, big, 16 * PG), 16 * PG);
    assert_int_equal(sysdma_channel_check(x->sys, 1u << 5), 1u << 5);
    assert_int_equal(x->c.ch[5].programs, programs + 1);
    assert_int_equal(x->c.ch[5].count, 4);
    assert_int_equal(sysdma_controller_interrupt(x->sys, 0), 0);
    assert_int_equal(x->c.ch[5].programs, programs + 1);
    assert_int_equal(l.h.calls, 0);
    assert_int_equal(fake_ctrl_run(&x->c, 5, big, 4 * PG), 4 * PG);
    assert_int_equal(sysdma_controller_interrupt(x->sys, 0), 1u << 5);
    assert_int_equal(sysdma_channel_check(x->sys, 1u << 5), 0);
    assert_int_equal(l.h.calls, 1);
    assert_int_equal(l.h.status, SYSDMA_OK);
    list_end(&l, true);
    assert_true(ctrl_fx_free(x));
}

/* Without handle_interrupt the entry polls: terminal counts (here: the
 * counter at 0) for every channel with something due. */
static void test_no_handle_interrupt_polls(void **state)
{
    (void)state;
    fake_shape s = soc_shape(8);
    s.no_interrupt = true;
    ctrl_fx *x = ctrl_fx_new(&s);
    assert_non_null(x);
    listed t;
    list_start(x, &t, 0, 4, true);
    uint8_t dev[4 * PG];
    assert_int_equal(sysdma_controller_interrupt(x->sys, 0), 0);
    assert_int_equal(fake_ctrl_run(&x->c, 0, dev, sizeof dev), sizeof dev);
    assert_int_equal(sysdma_controller_interrupt(x->sys, 0), 1u << 0);
    assert_int_equal(t.h.calls, 1);
    assert_int_equal(t.h.status, SYSDMA_OK);
    assert_int_equal(sysdma_controller_interrupt(x->sys, 0), 0);
    list_end(&t, true);
    assert_true(ctrl_fx_free(x));
}

/* No system, or a controller the system does not have: 0, and the
 * controller is not asked. */
static void test_bad_arguments(void **state)
{
    (void)state;
    fake_shape s = soc_shape(8);
    ctrl_fx *x = ctrl_fx_new(&s);
    assert_non_null(x);
    assert_int_equal(sysdma_controller_interrupt(NULL, 0), 0);
    assert_int_equal(sysdma_controller_interrupt(x->sys, 1), 0);
    assert_int_equal(sysdma_controller_interrupt(x->sys, 0xFFFFFFFFu), 0);
    assert_int_equal(x->c.interrupts, 0);
    assert_int_equal(sysdma_controller_interrupt(x->sys, 0), 0);
    assert_int_equal(x->c.interrupts, 1);
    assert_true(ctrl_fx_free(x));
}

/* A second controller (an SoC's second DMAC): its interrupt is
 * sysdma_controller_interrupt(sys, 1), whose bits are its own channel
 * numbers; the first controller's interrupt does not touch its channels;
 * a cancel too late takes its report; without handle_interrupt it is
 * polled through its own counters. */
static void test_second_controller(void **state)
{
    (void)state;
    for (int polled = 0; polled < 2; polled++) {
        fake_shape s = soc_shape(8);
        ctrl_fx *x = ctrl_fx_new(&s);
        assert_non_null(x);
        fake_ctrl *c2 = calloc(1, sizeof *c2);
        assert_non_null(c2);
        fake_shape s2 = soc_shape(2);
        s2.channels = 4;
        s2.no_interrupt = polled;
        fake_ctrl_init_shape(c2, &x->f, &s2);
        uint32_t idx = 9;
        assert_int_equal(sysdma_system_add_controller(x->sys, &c2->ctrl, &idx), SYSDMA_OK);
        assert_int_equal(idx, 1);
        sysdma_device_description d = {0};
        d.version = 3;
        d.controller = 1;
        d.channel = 2;
        d.width = SYSDMA_WIDTH_8;
        d.scatter_gather = true;
        d.maximum_length = 16 * PG;
        d.address_width = 64;
        d.request_line = 6;
        sysdma_adapter *a;
        uint32_t n;
        assert_int_equal(sysdma_adapter_get(x->sys, &d, &a, &n), SYSDMA_OK);
        uint8_t *buf = ctrl_fx_scattered(x, 4, 0x50000000ull);
        sysdma_mdl *m;
        assert_int_equal(sysdma_mdl_create(x->sys, buf, 4 * PG, &m), SYSDMA_OK);
        sysdma_sg_list *l = NULL;
        assert_int_equal(sysdma_sg_get(a, NULL, m, buf, 4 * PG, ctrl_fx_got_list, &l, true),
                         SYSDMA_OK);
        heard h = {0, SYSDMA_PENDING, 0, &x->f};
        assert_int_equal(sysdma_sg_start(a, l, true, ctrl_fx_list_done, &h), SYSDMA_OK);
        assert_int_equal(c2->ch[2].programs, 1);
        assert_int_equal(c2->ch[2].count, 2);
        assert_int_equal(c2->ch[2].request_line, 6);
        assert_int_equal(x->c.ch[2].programs, 0); /* not the first controller's */
        static uint8_t dev[4 * PG];
        assert_int_equal(fake_ctrl_run(c2, 2, dev, 2 * PG), 2 * PG);
        assert_int_equal(sysdma_controller_interrupt(x->sys, 0), 0);
        assert_int_equal(sysdma_channel_poll(x->sys), 0); /* controller 0's channels */
        assert_int_equal(c2->ch[2].programs, 1);
        assert_int_equal(sysdma_controller_interrupt(x->sys, 1), 1u << 2);
        assert_int_equal(c2->ch[2].programs, 2);
        assert_int_equal(fake_ctrl_run(c2, 2, dev + 2 * PG, 2 * PG), 2 * PG);
        assert_int_equal(sysdma_controller_interrupt(x->sys, 2), 0); /* no such controller */
        if (polled) {
            assert_int_equal(sysdma_controller_interrupt(x->sys, 1), 1u << 2);
        } else {
            /* Too late to cancel: the report is taken from controller 1. */
            assert_int_equal(sysdma_sg_cancel(a, l), SYSDMA_OK);
            assert_int_equal(sysdma_controller_interrupt(x->sys, 1), 0);
        }
        assert_int_equal(h.calls, 1);
        assert_int_equal(h.status, SYSDMA_OK);
        assert_memory_equal(dev, buf, 4 * PG);
        assert_int_equal(c2->bad_programs, 0);
        assert_int_equal(c2->unlocked, 0);
        assert_int_equal(sysdma_sg_put(a, l, true), SYSDMA_OK);
        sysdma_mdl_free(x->sys, m);
        fake_buffer_free(&x->f, buf);
        assert_int_equal(sysdma_adapter_put(a), SYSDMA_OK);
        assert_true(ctrl_fx_free(x));
        free(c2);
    }
}

static void count_report(void *ctx, const sysdma_verifier_report *r)
{
    (void)r;
    (*(int *)ctx)++;
}

/* With the verifier on every adapter: a hardware list that completes, one
 * that fails, a MapTransferEx that fails and one cancelled too late —
 * correct use, so no report, and the completions are as without it. */
static void test_verified(void **state)
{
    (void)state;
    fake_shape s = soc_shape(4);
    ctrl_fx *x = ctrl_fx_new(&s);
    assert_non_null(x);
    int reports = 0;
    sysdma_verifier_config vc = {SYSDMA_VERIFIER_CONTINUE, count_report, &reports, true};
    assert_int_equal(sysdma_verifier_enable(x->sys, &vc), SYSDMA_OK);
    static uint8_t dev[8 * PG];
    listed t;
    list_start(x, &t, 3, 8, true);
    assert_int_equal(x->c.ch[3].count, 4);
    assert_int_equal(fake_ctrl_run(&x->c, 3, dev, 4 * PG), 4 * PG);
    assert_int_equal(sysdma_controller_interrupt(x->sys, 0), 1u << 3);
    assert_int_equal(fake_ctrl_run(&x->c, 3, dev + 4 * PG, 4 * PG), 4 * PG);
    assert_int_equal(sysdma_controller_interrupt(x->sys, 0), 1u << 3);
    assert_int_equal(t.h.calls, 1);
    assert_int_equal(t.h.status, SYSDMA_OK);
    assert_memory_equal(dev, t.buf, 8 * PG);
    list_end(&t, true);
    list_start(x, &t, 3, 8, true);
    fake_ctrl_fail(&x->c, 3);
    assert_int_equal(sysdma_controller_interrupt(x->sys, 0), 1u << 3);
    assert_int_equal(t.h.status, SYSDMA_E_TRANSFER_ERROR);
    list_end(&t, true);
    ctrl_fx_mapped m;
    ctrl_fx_map_ex(x, &m, 1);
    fake_ctrl_fail(&x->c, 1);
    assert_int_equal(sysdma_controller_interrupt(x->sys, 0), 1u << 1);
    assert_int_equal(m.h.status, SYSDMA_E_TRANSFER_ERROR);
    ctrl_fx_map_end(x, &m);
    ctrl_fx_map_ex(x, &m, 1);
    assert_int_equal(fake_ctrl_run(&x->c, 1, dev, 2 * PG), 2 * PG);
    assert_int_equal(sysdma_transfer_cancel_mapped(m.a), SYSDMA_OK);
    assert_int_equal(m.h.calls, 1);
    assert_int_equal(m.h.status, SYSDMA_OK);
    ctrl_fx_map_end(x, &m);
    assert_int_equal(reports, 0);
    assert_int_equal(sysdma_verifier_reports(x->sys, SYSDMA_VCHECK_COUNT), 0);
    assert_true(ctrl_fx_free(x));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_error_ends_run),
        cmocka_unit_test(test_map_transfer_ex_completion),
        cmocka_unit_test(test_idle_channel_advances_nothing),
        cmocka_unit_test(test_interrupt_and_check_once),
        cmocka_unit_test(test_no_handle_interrupt_polls),
        cmocka_unit_test(test_bad_arguments),
        cmocka_unit_test(test_verified),
        cmocka_unit_test(test_second_controller),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
