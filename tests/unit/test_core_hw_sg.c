/* SPDX-License-Identifier: MIT */
/*
 * Hardware scatter/gather: on a controller that takes several fragments
 * per program (limits.max_fragments, query_fragments), a list run is
 * programmed as one program of up to that many fragments — the list's
 * elements exactly, in order — and, when the list has more, in chunks
 * chained at each chunk's completion; with the request line (the
 * version-3 description's, else the channel) and the adapter's shape.
 * The 8237's one-fragment programs are the other tests' business.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "ctrl_fx.h"

/* The program on `ch` carries elements [first, first + count) of `l`. */
static void assert_program(const fake_ctrl *c, unsigned ch, const sysdma_sg_list *l,
                           uint32_t first, unsigned count)
{
    const fake_channel *k = &c->ch[ch];
    assert_int_equal(k->count, count);
    for (unsigned i = 0; i < count; i++) {
        assert_int_equal(k->frags[i].phys, l->elements[first + i].address);
        assert_int_equal(k->frags[i].length, l->elements[first + i].length);
    }
}

/* Run a 10-element list on a controller that takes `frags` fragments per
 * program and answers `query` to query_fragments (0: no such member);
 * completions come by `irq` (sysdma_controller_interrupt) or by
 * sysdma_channel_check. Every chunk is what was expected, the data
 * arrives, the done call comes once, after the last chunk. */
static void run_list(uint32_t frags, unsigned query, bool irq, unsigned expect_chunk)
{
    fake_shape s = soc_shape(frags);
    s.query_fragments = query;
    ctrl_fx *x = ctrl_fx_new(&s);
    assert_non_null(x);
    uint32_t n;
    sysdma_adapter *a = ctrl_fx_adapter(x, 3, 2, true, 9, &n);
    assert_non_null(a);
    const uint32_t pages = 10, len = pages * PG;
    uint8_t *buf = ctrl_fx_scattered(x, pages, 0x100000000ull); /* above 4 GiB */
    assert_non_null(buf);
    for (uint32_t k = 0; k < len; k++)
        buf[k] = (uint8_t)(k * 7 + 3);
    sysdma_mdl *m;
    assert_int_equal(sysdma_mdl_create(x->sys, buf, len, &m), SYSDMA_OK);
    sysdma_sg_list *l = NULL;
    assert_int_equal(sysdma_sg_get(a, NULL, m, buf, len, ctrl_fx_got_list, &l, true), SYSDMA_OK);
    assert_non_null(l);
    assert_int_equal(l->count, pages); /* one element per scattered page */
    heard h = {0, SYSDMA_PENDING, 0, &x->f};
    assert_int_equal(sysdma_sg_start(a, l, true, ctrl_fx_list_done, &h), SYSDMA_OK);
    static uint8_t dev[10 * PG];
    memset(dev, 0, sizeof dev);
    uint32_t first = 0, moved = 0;
    long programs = 0;
    while (first < pages) {
        unsigned chunk = pages - first < expect_chunk ? pages - first : expect_chunk;
        assert_int_equal(x->c.ch[2].programs, ++programs);
        assert_program(&x->c, 2, l, first, chunk);
        assert_true(x->c.ch[2].to_device);
        assert_false(x->c.ch[2].loop);
        assert_int_equal(x->c.ch[2].request_line, 9);
        sysdma_transfer_shape zero = {0};
        assert_memory_equal(&x->c.ch[2].shape, &zero, sizeof zero);
        uint32_t bytes = 0;
        for (unsigned k = 0; k < chunk; k++)
            bytes += l->elements[first + k].length;
        /* Part of the chunk: nothing advances. */
        assert_int_equal(fake_ctrl_run(&x->c, 2, dev + moved, bytes - 1), bytes - 1);
        if (irq)
            assert_int_equal(sysdma_controller_interrupt(x->sys, 0), 0);
        else
            assert_int_equal(sysdma_channel_check(x->sys, 1u << 2), 0);
        assert_int_equal(x->c.ch[2].programs, programs);
        assert_int_equal(sysdma_sg_progress(a, l), moved + bytes - 1);
        assert_int_equal(fake_ctrl_run(&x->c, 2, dev + moved + bytes - 1, 1), 1);
        moved += bytes;
        first += chunk;
        assert_int_equal(h.calls, 0);
        if (irq)
            assert_int_equal(sysdma_controller_interrupt(x->sys, 0), 1u << 2);
        else
            assert_int_equal(sysdma_channel_check(x->sys, 1u << 2), 1u << 2);
    }
    assert_int_equal(h.calls, 1);
    assert_int_equal(h.status, SYSDMA_OK);
    assert_int_equal(h.lock_depth, 0);
    assert_int_equal(x->c.ch[2].programs, programs); /* nothing after the last */
    assert_int_equal(sysdma_sg_progress(a, l), len);
    assert_memory_equal(dev, buf, len);
    assert_int_equal(x->c.bad_programs, 0);
    assert_int_equal(x->c.unlocked, 0);
    /* Nothing more comes for it. */
    assert_int_equal(sysdma_channel_poll(x->sys), 0);
    assert_int_equal(h.calls, 1);
    assert_int_equal(sysdma_sg_put(a, l, true), SYSDMA_OK);
    sysdma_mdl_free(x->sys, m);
    fake_buffer_free(&x->f, buf);
    assert_int_equal(sysdma_adapter_put(a), SYSDMA_OK);
    assert_true(ctrl_fx_free(x));
}

/* Many fragments per program, no query_fragments: the whole list at once. */
static void test_whole_list_in_one_program(void **state)
{
    (void)state;
    run_list(64, 0, true, 10);
    run_list(64, 0, false, 10);
}

/* query_fragments below the limits: chunks of its answer, chained. */
static void test_chunks_at_query_fragments(void **state)
{
    (void)state;
    run_list(64, 4, true, 4);
    run_list(64, 4, false, 4);
    run_list(64, 1, true, 1);
}

/* limits.max_fragments below query_fragments' answer: the limit wins. */
static void test_chunks_at_max_fragments(void **state)
{
    (void)state;
    run_list(3, 16, true, 3);
    run_list(10, 0, true, 10); /* exactly the list */
}

/* A version-2 description has no request line: the channel is the line. */
static void test_request_line_of_older_description(void **state)
{
    (void)state;
    fake_shape s = soc_shape(8);
    ctrl_fx *x = ctrl_fx_new(&s);
    assert_non_null(x);
    uint32_t n;
    sysdma_adapter *a = ctrl_fx_adapter(x, 2, 5, true, 0, &n);
    assert_non_null(a);
    uint8_t *buf = ctrl_fx_scattered(x, 3, 0x2000000);
    sysdma_mdl *m;
    assert_int_equal(sysdma_mdl_create(x->sys, buf, 3 * PG, &m), SYSDMA_OK);
    sysdma_sg_list *l = NULL;
    assert_int_equal(sysdma_sg_get(a, NULL, m, buf, 3 * PG, ctrl_fx_got_list, &l, false),
                     SYSDMA_OK);
    heard h = {0, SYSDMA_PENDING, 0, &x->f};
    assert_int_equal(sysdma_sg_start(a, l, false, ctrl_fx_list_done, &h), SYSDMA_OK);
    assert_int_equal(x->c.ch[5].request_line, 5);
    assert_false(x->c.ch[5].to_device);
    assert_program(&x->c, 5, l, 0, 3);
    uint8_t dev[3 * PG];
    memset(dev, 0x6C, sizeof dev);
    assert_int_equal(fake_ctrl_run(&x->c, 5, dev, sizeof dev), sizeof dev);
    assert_int_equal(sysdma_controller_interrupt(x->sys, 0), 1u << 5);
    assert_int_equal(h.calls, 1);
    assert_int_equal(h.status, SYSDMA_OK);
    assert_int_equal(sysdma_sg_put(a, l, false), SYSDMA_OK);
    assert_memory_equal(buf, dev, sizeof dev);
    sysdma_mdl_free(x->sys, m);
    fake_buffer_free(&x->f, buf);
    assert_int_equal(sysdma_adapter_put(a), SYSDMA_OK);
    assert_true(ctrl_fx_free(x));
}

/* A packet MapTransfer is one fragment whatever the controller takes, and
 * carries the request line too. */
static void test_packet_transfer_one_fragment(void **state)
{
    (void)state;
    fake_shape s = soc_shape(64);
    ctrl_fx *x = ctrl_fx_new(&s);
    assert_non_null(x);
    uint32_t n;
    sysdma_adapter *a = ctrl_fx_adapter(x, 3, 1, false, 12, &n);
    assert_non_null(a);
    uint64_t phys[2] = {0x300000000ull, 0x300001000ull};
    uint8_t *buf = fake_buffer(&x->f, 2, phys);
    sysdma_mdl *m;
    assert_int_equal(sysdma_mdl_create(x->sys, buf, 2 * PG, &m), SYSDMA_OK);
    sysdma_map_registers *regs = NULL;
    assert_int_equal(sysdma_channel_allocate(a, NULL, 2, ctrl_fx_keep, &regs), SYSDMA_OK);
    uint32_t len = 2 * PG;
    assert_int_equal(sysdma_map_transfer(a, m, regs, buf, &len, true, NULL), SYSDMA_OK);
    assert_int_equal(x->c.ch[1].count, 1);
    assert_int_equal(x->c.ch[1].frags[0].phys, 0x300000000ull);
    assert_int_equal(x->c.ch[1].frags[0].length, 2 * PG);
    assert_int_equal(x->c.ch[1].request_line, 12);
    assert_false(x->c.ch[1].loop);
    assert_int_equal(sysdma_flush_adapter_buffers(a, m, regs, buf, len, true), SYSDMA_OK);
    assert_int_equal(sysdma_channel_free(a), SYSDMA_OK);
    sysdma_mdl_free(x->sys, m);
    fake_buffer_free(&x->f, buf);
    assert_int_equal(sysdma_adapter_put(a), SYSDMA_OK);
    assert_true(ctrl_fx_free(x));
}

/* A 32-bit controller: a list of pages below 4 GiB is programmed in place,
 * all in one program; pages above 4 GiB reach it through map registers, and
 * every fragment programmed is within its reach. The data arrives either
 * way. */
static void test_reach_32bit(void **state)
{
    (void)state;
    fake_shape s = soc_shape(64);
    s.address_bits = 32;
    ctrl_fx *x = ctrl_fx_new(&s);
    assert_non_null(x);
    for (int high = 0; high < 2; high++) {
        uint32_t n;
        sysdma_adapter *a = ctrl_fx_adapter(x, 3, 7, true, 1, &n);
        assert_non_null(a);
        const uint32_t pages = 4, len = pages * PG;
        uint8_t *buf = ctrl_fx_scattered(x, pages, high ? 0x180000000ull : 0x60000000ull);
        assert_non_null(buf);
        for (uint32_t k = 0; k < len; k++)
            buf[k] = (uint8_t)(k ^ (k >> 8) ^ (uint32_t)high);
        sysdma_mdl *m;
        assert_int_equal(sysdma_mdl_create(x->sys, buf, len, &m), SYSDMA_OK);
        sysdma_sg_list *l = NULL;
        assert_int_equal(sysdma_sg_get(a, NULL, m, buf, len, ctrl_fx_got_list, &l, true),
                         SYSDMA_OK);
        assert_non_null(l);
        heard h = {0, SYSDMA_PENDING, 0, &x->f};
        assert_int_equal(sysdma_sg_start(a, l, true, ctrl_fx_list_done, &h), SYSDMA_OK);
        const fake_channel *k = &x->c.ch[7];
        assert_int_equal(k->count, l->count); /* the whole list at once */
        if (!high)
            assert_int_equal(k->count, pages); /* in place: one per scattered page */
        for (unsigned f = 0; f < k->count; f++)
            assert_true(k->frags[f].phys + k->frags[f].length <= 0x100000000ull);
        static uint8_t dev[4 * PG];
        assert_int_equal(fake_ctrl_run(&x->c, 7, dev, len), len);
        assert_int_equal(sysdma_controller_interrupt(x->sys, 0), 1u << 7);
        assert_int_equal(h.calls, 1);
        assert_int_equal(h.status, SYSDMA_OK);
        assert_memory_equal(dev, buf, len);
        assert_int_equal(sysdma_sg_put(a, l, true), SYSDMA_OK);
        sysdma_mdl_free(x->sys, m);
        fake_buffer_free(&x->f, buf);
        assert_int_equal(sysdma_adapter_put(a), SYSDMA_OK);
    }
    assert_int_equal(x->c.bad_programs, 0);
    assert_true(ctrl_fx_free(x));
}

/* A common buffer with auto-initialize: one fragment, loop set, as on the
 * 8237; the controller reports every pass, and with nothing due (no
 * MapTransferEx completion) nothing changes. */
static void test_common_buffer_loop(void **state)
{
    (void)state;
    fake_shape s = soc_shape(64);
    ctrl_fx *x = ctrl_fx_new(&s);
    assert_non_null(x);
    sysdma_device_description d = {0};
    d.version = 3;
    d.channel = 4;
    d.width = SYSDMA_WIDTH_8;
    d.auto_initialize = true;
    d.maximum_length = 2 * PG;
    d.address_width = 32;
    d.request_line = 3;
    sysdma_adapter *a;
    uint32_t n;
    assert_int_equal(sysdma_adapter_get(x->sys, &d, &a, &n), SYSDMA_OK);
    void *va;
    uint64_t logical;
    assert_int_equal(sysdma_common_buffer_allocate(a, 2 * PG, false, &va, &logical), SYSDMA_OK);
    memset(va, 0x5E, 2 * PG);
    sysdma_mdl *m;
    assert_int_equal(sysdma_mdl_create(x->sys, va, 2 * PG, &m), SYSDMA_OK);
    sysdma_map_registers *regs = NULL;
    assert_int_equal(sysdma_channel_allocate(a, NULL, 0, ctrl_fx_keep, &regs), SYSDMA_OK);
    uint32_t len = 2 * PG;
    assert_int_equal(sysdma_map_transfer(a, m, regs, va, &len, true, NULL), SYSDMA_OK);
    assert_int_equal(len, 2 * PG);
    assert_int_equal(x->c.ch[4].count, 1);
    assert_int_equal(x->c.ch[4].frags[0].phys, logical);
    assert_true(x->c.ch[4].loop);
    assert_int_equal(x->c.ch[4].request_line, 3);
    static uint8_t dev[5 * PG];
    assert_int_equal(fake_ctrl_run(&x->c, 4, dev, 5 * PG), 5 * PG); /* two passes and a half */
    assert_int_equal(sysdma_read_dma_counter(a), PG);
    assert_int_equal(sysdma_controller_interrupt(x->sys, 0), 1u << 4);
    assert_int_equal(x->c.ch[4].programs, 1);
    assert_true(x->c.ch[4].running);
    assert_int_equal(sysdma_flush_adapter_buffers(a, m, regs, va, len, true), SYSDMA_OK);
    assert_false(x->c.ch[4].running);
    assert_int_equal(sysdma_channel_free(a), SYSDMA_OK);
    sysdma_mdl_free(x->sys, m);
    assert_int_equal(sysdma_common_buffer_free(a, 2 * PG, logical, va, false), SYSDMA_OK);
    assert_int_equal(sysdma_adapter_put(a), SYSDMA_OK);
    assert_true(ctrl_fx_free(x));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_whole_list_in_one_program),
        cmocka_unit_test(test_chunks_at_query_fragments),
        cmocka_unit_test(test_chunks_at_max_fragments),
        cmocka_unit_test(test_request_line_of_older_description),
        cmocka_unit_test(test_packet_transfer_one_fragment),
        cmocka_unit_test(test_common_buffer_loop),
        cmocka_unit_test(test_reach_32bit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
