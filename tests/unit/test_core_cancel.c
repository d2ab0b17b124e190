/* SPDX-License-Identifier: MIT */
/*
 * Cancel with the controller's three answers, as CancelMappedTransfer
 * (sysdma_transfer_cancel_mapped) and the list cancel (sysdma_sg_cancel)
 * use them: DONE — stopped in time, the completion runs once with
 * SYSDMA_E_CANCELLED; TOO_LATE — it had completed (or failed), the
 * completion is taken at once as the interrupt would and runs once with
 * SYSDMA_OK (or the error); IDLE — nothing ran there (with something due
 * in the core, nothing else would end it: cancelled). A controller without
 * cancel: flush, and the counter decides. Then the 8237 driver's own
 * cancel and handle_interrupt on the emulated PC.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "ctrl_fx.h"
#include "support/rig.h"

/* Nothing more comes for the channel, whoever asks. */
static void assert_quiet(ctrl_fx *x, const heard *h, int calls)
{
    (void)sysdma_controller_interrupt(x->sys, 0);
    assert_int_equal(sysdma_channel_poll(x->sys), 0);
    assert_int_equal(h->calls, calls);
}

/* CancelMappedTransfer: each answer. */
static void test_cancel_mapped_answers(void **state)
{
    (void)state;
    fake_shape s = soc_shape(8);
    ctrl_fx *x = ctrl_fx_new(&s);
    assert_non_null(x);
    uint8_t dev[2 * PG];
    ctrl_fx_mapped t;
    /* DONE: stopped halfway. */
    ctrl_fx_map_ex(x, &t, 2);
    assert_int_equal(fake_ctrl_run(&x->c, 2, dev, PG), PG);
    assert_int_equal(sysdma_transfer_cancel_mapped(t.a), SYSDMA_OK);
    assert_int_equal(x->c.ch[2].cancels, 1);
    assert_false(x->c.ch[2].running);
    assert_int_equal(t.h.calls, 1);
    assert_int_equal(t.h.status, SYSDMA_E_CANCELLED);
    assert_int_equal(t.h.lock_depth, 0);
    assert_int_equal(sysdma_transfer_cancel_mapped(t.a), SYSDMA_E_WRONG_STATE);
    assert_int_equal(x->c.ch[2].cancels, 1); /* nothing due: not asked */
    assert_quiet(x, &t.h, 1);
    ctrl_fx_map_end(x, &t);
    /* TOO_LATE: it completed, its interrupt not handled yet. */
    ctrl_fx_map_ex(x, &t, 2);
    assert_int_equal(fake_ctrl_run(&x->c, 2, dev, sizeof dev), sizeof dev);
    assert_int_equal(sysdma_transfer_cancel_mapped(t.a), SYSDMA_OK);
    assert_int_equal(t.h.calls, 1);
    assert_int_equal(t.h.status, SYSDMA_OK);
    assert_int_equal(sysdma_controller_interrupt(x->sys, 0), 0); /* taken already */
    assert_quiet(x, &t.h, 1);
    ctrl_fx_map_end(x, &t);
    /* TOO_LATE: it failed. */
    ctrl_fx_map_ex(x, &t, 2);
    fake_ctrl_fail(&x->c, 2);
    assert_int_equal(sysdma_transfer_cancel_mapped(t.a), SYSDMA_OK);
    assert_int_equal(t.h.calls, 1);
    assert_int_equal(t.h.status, SYSDMA_E_TRANSFER_ERROR);
    assert_quiet(x, &t.h, 1);
    ctrl_fx_map_end(x, &t);
    /* IDLE while the core has it due: ended, cancelled. */
    ctrl_fx_map_ex(x, &t, 2);
    x->c.cancel_forced = true;
    x->c.cancel_result = SYSDMA_CANCEL_IDLE;
    long flushes = x->c.ch[2].flushes;
    assert_int_equal(sysdma_transfer_cancel_mapped(t.a), SYSDMA_OK);
    assert_int_equal(x->c.ch[2].flushes, flushes + 1); /* stopped all the same */
    x->c.cancel_forced = false;
    assert_int_equal(t.h.calls, 1);
    assert_int_equal(t.h.status, SYSDMA_E_CANCELLED);
    assert_quiet(x, &t.h, 1);
    ctrl_fx_map_end(x, &t);
    /* A cancel the controller refuses: the channel is flushed, the
     * transfer ends cancelled. */
    ctrl_fx_map_ex(x, &t, 2);
    x->c.cancel_status = SYSDMA_E_BUSY;
    flushes = x->c.ch[2].flushes;
    assert_int_equal(sysdma_transfer_cancel_mapped(t.a), SYSDMA_OK);
    x->c.cancel_status = SYSDMA_OK;
    assert_int_equal(x->c.ch[2].flushes, flushes + 1);
    assert_false(x->c.ch[2].running);
    assert_int_equal(t.h.calls, 1);
    assert_int_equal(t.h.status, SYSDMA_E_CANCELLED);
    assert_quiet(x, &t.h, 1);
    ctrl_fx_map_end(x, &t);
    assert_int_equal(x->c.unlocked, 0);
    assert_true(ctrl_fx_free(x));
}

typedef struct listed {
    sysdma_adapter *a;
    uint8_t *buf;
    sysdma_mdl *m;
    sysdma_sg_list *l;
    heard h;
} listed;

static void list_start(ctrl_fx *x, listed *t, unsigned ch, uint32_t pages)
{
    memset(t, 0, sizeof *t);
    uint32_t n;
    t->a = ctrl_fx_adapter(x, 3, ch, true, 0, &n);
    assert_non_null(t->a);
    t->buf = ctrl_fx_scattered(x, pages, 0x40000000ull);
    assert_non_null(t->buf);
    assert_int_equal(sysdma_mdl_create(x->sys, t->buf, pages * PG, &t->m), SYSDMA_OK);
    assert_int_equal(sysdma_sg_get(t->a, NULL, t->m, t->buf, pages * PG, ctrl_fx_got_list, &t->l,
                                   true),
                     SYSDMA_OK);
    t->h = (heard){0, SYSDMA_PENDING, 0, &x->f};
    assert_int_equal(sysdma_sg_start(t->a, t->l, true, ctrl_fx_list_done, &t->h), SYSDMA_OK);
}

static void list_end(ctrl_fx *x, listed *t)
{
    assert_int_equal(sysdma_sg_put(t->a, t->l, true), SYSDMA_OK);
    sysdma_mdl_free(x->sys, t->m);
    fake_buffer_free(&x->f, t->buf);
    assert_int_equal(sysdma_adapter_put(t->a), SYSDMA_OK);
}

/* The list cancel: each answer, in a chunk before the last and in the last. */
static void test_list_cancel_answers(void **state)
{
    (void)state;
    fake_shape s = soc_shape(2);
    ctrl_fx *x = ctrl_fx_new(&s);
    assert_non_null(x);
    uint8_t dev[4 * PG];
    listed t;
    /* DONE in the first chunk. */
    list_start(x, &t, 6, 4);
    assert_int_equal(fake_ctrl_run(&x->c, 6, dev, PG), PG);
    assert_int_equal(sysdma_sg_cancel(t.a, t.l), SYSDMA_OK);
    assert_int_equal(t.h.calls, 1);
    assert_int_equal(t.h.status, SYSDMA_E_CANCELLED);
    assert_int_equal(t.h.lock_depth, 0);
    assert_int_equal(sysdma_sg_cancel(t.a, t.l), SYSDMA_E_WRONG_STATE);
    assert_quiet(x, &t.h, 1);
    list_end(x, &t);
    /* TOO_LATE for the first chunk: the second is never programmed, the
     * run ends cancelled with the first chunk's bytes moved. */
    list_start(x, &t, 6, 4);
    long programs = x->c.ch[6].programs;
    assert_int_equal(fake_ctrl_run(&x->c, 6, dev, 2 * PG), 2 * PG);
    assert_int_equal(sysdma_sg_cancel(t.a, t.l), SYSDMA_OK);
    assert_int_equal(x->c.ch[6].programs, programs);
    assert_int_equal(t.h.calls, 1);
    assert_int_equal(t.h.status, SYSDMA_E_CANCELLED);
    assert_int_equal(sysdma_sg_progress(t.a, t.l), 2 * PG);
    assert_quiet(x, &t.h, 1);
    list_end(x, &t);
    /* TOO_LATE for the last chunk: the run is complete, its done call
     * hears SYSDMA_OK, once. */
    list_start(x, &t, 6, 4);
    assert_int_equal(fake_ctrl_run(&x->c, 6, dev, 2 * PG), 2 * PG);
    assert_int_equal(sysdma_controller_interrupt(x->sys, 0), 1u << 6);
    assert_int_equal(fake_ctrl_run(&x->c, 6, dev, 2 * PG), 2 * PG);
    assert_int_equal(sysdma_sg_cancel(t.a, t.l), SYSDMA_OK);
    assert_int_equal(t.h.calls, 1);
    assert_int_equal(t.h.status, SYSDMA_OK);
    assert_int_equal(sysdma_sg_progress(t.a, t.l), 4 * PG);
    assert_int_equal(sysdma_sg_cancel(t.a, t.l), SYSDMA_E_WRONG_STATE);
    assert_quiet(x, &t.h, 1);
    list_end(x, &t);
    /* IDLE while running in the core's eyes: cancelled. */
    list_start(x, &t, 6, 4);
    x->c.cancel_forced = true;
    x->c.cancel_result = SYSDMA_CANCEL_IDLE;
    assert_int_equal(sysdma_sg_cancel(t.a, t.l), SYSDMA_OK);
    x->c.cancel_forced = false;
    assert_int_equal(t.h.calls, 1);
    assert_int_equal(t.h.status, SYSDMA_E_CANCELLED);
    assert_quiet(x, &t.h, 1);
    list_end(x, &t);
    assert_true(ctrl_fx_free(x));
}

/* No cancel member: the channel is flushed and its counter decides. With
 * no handle_interrupt either, a complete transfer completes with
 * SYSDMA_OK from the cancel. */
static void test_cancel_without_member(void **state)
{
    (void)state;
    for (int irq = 0; irq < 2; irq++) {
        fake_shape s = soc_shape(8);
        s.no_cancel = true;
        s.no_interrupt = irq == 0;
        ctrl_fx *x = ctrl_fx_new(&s);
        assert_non_null(x);
        uint8_t dev[2 * PG];
        ctrl_fx_mapped t;
        ctrl_fx_map_ex(x, &t, 4);
        assert_int_equal(fake_ctrl_run(&x->c, 4, dev, 10), 10);
        long flushes = x->c.ch[4].flushes;
        assert_int_equal(sysdma_transfer_cancel_mapped(t.a), SYSDMA_OK);
        assert_int_equal(x->c.ch[4].flushes, flushes + 1);
        assert_int_equal(t.h.calls, 1);
        assert_int_equal(t.h.status, SYSDMA_E_CANCELLED);
        assert_quiet(x, &t.h, 1);
        ctrl_fx_map_end(x, &t);
        ctrl_fx_map_ex(x, &t, 4);
        assert_int_equal(fake_ctrl_run(&x->c, 4, dev, sizeof dev), sizeof dev);
        assert_int_equal(sysdma_transfer_cancel_mapped(t.a), SYSDMA_OK);
        assert_int_equal(t.h.calls, 1);
        assert_int_equal(t.h.status, SYSDMA_OK);
        assert_quiet(x, &t.h, 1);
        ctrl_fx_map_end(x, &t);
        assert_int_equal(x->c.ch[4].cancels, 0);
        assert_true(ctrl_fx_free(x));
    }
}

/* ---- the 8237 driver on the emulated PC ------------------------------------------------- */

static void start_device(rig *r, unsigned ch, uint32_t len, bool to_device)
{
    for (unsigned b = 0; b < 4; b++)
        sysdma_sim_outb(r->sim, (uint16_t)(0x301 + 8 * ch + b), (uint8_t)(len >> (8 * b)));
    sysdma_sim_outb(r->sim, (uint16_t)(0x300 + 8 * ch), to_device ? 2 : 1);
}

static void rig_completed(sysdma_adapter *a, void *ctx, sysdma_status st)
{
    (void)a;
    heard *h = ctx;
    h->calls++;
    h->status = st;
}

/* The 8237's handle_interrupt reports a terminal count once (through the
 * status-register record, so sysdma_channel_check loses nothing), and its
 * cancel answers DONE before terminal count, TOO_LATE after, IDLE on a
 * channel not programmed. */
static void test_i8237_interrupt_and_cancel(void **state)
{
    (void)state;
    rig *r = calloc(1, sizeof *r);
    assert_non_null(r);
    sysdma_config cfg = {.map_registers_initial = 32, .map_registers_cap = 32};
    assert_int_equal(rig_init(r, 32u << 20, 1u << 16, &cfg), SYSDMA_OK);
    sysdma_device_description d = {0};
    d.version = 3;
    d.channel = 1;
    d.width = SYSDMA_WIDTH_8;
    d.maximum_length = 4 * PG;
    sysdma_adapter *a;
    uint32_t n;
    assert_int_equal(sysdma_adapter_get(r->sys, &d, &a, &n), SYSDMA_OK);
    uint8_t *buf = sysdma_sim_buffer_alloc(r->sim, PG, 0, SYSDMA_SIM_LOW);
    sysdma_mdl *m;
    assert_int_equal(sysdma_mdl_create(r->sys, buf, PG, &m), SYSDMA_OK);
    sysdma_transfer_context c;
    assert_int_equal(sysdma_transfer_context_init(a, &c), SYSDMA_OK);
    sysdma_map_registers *base;
    assert_int_equal(sysdma_channel_allocate_ex(a, NULL, &c, n, SYSDMA_ALLOCATE_SYNCHRONOUS, NULL,
                                                NULL, &base),
                     SYSDMA_OK);
    for (int round = 0; round < 3; round++) {
        heard h = {0, SYSDMA_PENDING, 0, NULL};
        uint32_t len = 512;
        assert_int_equal(sysdma_map_transfer_ex(a, m, 0, &len, true, base, rig_completed, &h,
                                                NULL),
                         SYSDMA_OK);
        assert_int_equal(sysdma_controller_interrupt(r->sys, 0), 0); /* nothing moved yet */
        if (round == 0) {
            /* DONE: masked before the device asked. */
            assert_int_equal(sysdma_transfer_cancel_mapped(a), SYSDMA_OK);
            assert_int_equal(h.status, SYSDMA_E_CANCELLED);
        } else {
            start_device(r, 1, len, true);
            sysdma_sim_run(r->sim, 100000000ull);
            assert_int_equal(r->dev[1].moved, len);
            sysdma_sim_outb(r->sim, 0x305 + 8, 0);
            if (round == 1) {
                /* The interrupt: the terminal count, reported once. */
                assert_int_equal(sysdma_controller_interrupt(r->sys, 0), 1u << 1);
                assert_int_equal(sysdma_controller_interrupt(r->sys, 0), 0);
            } else {
                /* TOO_LATE: complete, taken by the cancel. */
                assert_int_equal(sysdma_transfer_cancel_mapped(a), SYSDMA_OK);
            }
            assert_int_equal(h.status, SYSDMA_OK);
        }
        assert_int_equal(h.calls, 1);
        assert_int_equal(sysdma_channel_check(r->sys, 0xEF), 0);
        assert_int_equal(h.calls, 1);
        assert_int_equal(sysdma_flush_adapter_buffers_ex(a, m, base, 0, len, true), SYSDMA_OK);
        r->dev[1].moved = 0;
    }
    assert_int_equal(sysdma_adapter_free_object(a, SYSDMA_DEALLOCATE_OBJECT), SYSDMA_OK);
    /* The driver's own answers on a channel nobody programmed. */
    sysdma_cancel_result res = SYSDMA_CANCEL_DONE;
    assert_int_equal(r->ctrl.ops->cancel(r->ctrl.ctx, 3, &res), SYSDMA_OK);
    assert_int_equal(res, SYSDMA_CANCEL_IDLE);
    assert_int_equal(r->ctrl.ops->cancel(r->ctrl.ctx, 4, &res), SYSDMA_E_INVALID_CHANNEL);
    uint32_t done = 1, failed = 1;
    assert_false(r->ctrl.ops->handle_interrupt(r->ctrl.ctx, &done, &failed));
    assert_int_equal(done, 0);
    assert_int_equal(failed, 0);
    sysdma_mdl_free(r->sys, m);
    sysdma_sim_buffer_free(r->sim, buf);
    assert_int_equal(sysdma_adapter_put(a), SYSDMA_OK);
    rig_destroy(r);
    free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cancel_mapped_answers),
        cmocka_unit_test(test_list_cancel_answers),
        cmocka_unit_test(test_cancel_without_member),
        cmocka_unit_test(test_i8237_interrupt_and_cancel),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
