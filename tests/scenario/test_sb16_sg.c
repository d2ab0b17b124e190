/* SPDX-License-Identifier: MIT */
/*
 * The example SB16 driver's scattered single-cycle playback on the
 * simulated PC: a buffer whose pages lie anywhere (below and above 16 MiB,
 * in random order) is played through the chained runner, one DSP block per
 * list element, the next element programmed from the card's own block
 * interrupt once sysdma_channel_check has confirmed the terminal count in
 * the 8237's status register (the sim's TC line stays off, as on a PC).
 * The card's sink must get exactly the buffer's bytes, in order. A card
 * interrupt without a terminal count advances nothing.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "../examples/drivers/sb16.h"
#include "sysdma/emu_sb16.h"
#include "support/rig.h"
#include "support/sb16_card.h"

typedef struct bench {
    sb16_card card; /* first: the card's callbacks take the bench */
} bench;

static bench *make(void)
{
    bench *b = calloc(1, sizeof *b);
    assert_non_null(b);
    sysdma_config cfg = {.map_registers_initial = 32, .map_registers_cap = 128};
    assert_int_equal(rig_init(&b->card.r, 64u << 20, 4096, &cfg), SYSDMA_OK);
    rig_verify(&b->card.r); /* the driver must not trip the verifier */
    assert_true(sb16_card_attach(&b->card, 1u << 20));
    return b;
}

static void unmake(bench *b)
{
    sb16_card_detach(&b->card);
    free(b);
}

static void test_scattered_playback_exact(void **state)
{
    (void)state;
    static const sb16_format fmts[] = {{22050, 8, 1}, {22050, 8, 2}, {22050, 16, 1}, {44100, 16, 2}};
    static const sysdma_sim_placement where[] = {SYSDMA_SIM_SCATTERED, SYSDMA_SIM_SCATTERED_LOW,
                                                 SYSDMA_SIM_STRADDLE_128K, SYSDMA_SIM_SCATTERED};
    for (int k = 0; k < 4; k++) {
        bench *b = make();
        sb16_env env = {card_e_in, card_e_out, card_e_wait, card_e_delay, b};
        sb16_driver d;
        assert_int_equal(sb16_open(&d, b->card.r.sys, &env, 0x220), SYSDMA_OK);
        /* Trusting the card's count or not: the 8237's status register
         * answers first, so on this machine it is never needed. */
        d.trust_block_count = k % 2 == 1;
        /* pages plus a part page; at most 16 of them out of reach (the map
         * registers a list holds lie in one 64 KiB window) */
        uint32_t bytes = 14 * 4096 + 1024;
        uint8_t *buf = sysdma_sim_buffer_alloc(b->card.r.sim, bytes, 512, where[k]);
        assert_non_null(buf);
        for (uint32_t i = 0; i < bytes; i++)
            buf[i] = (uint8_t)((i * 2654435761u) >> 13) ^ (uint8_t)i;
        sb16_sg_play p;
        assert_int_equal(sb16_play_scattered(&d, &fmts[k], buf, bytes, &p), SYSDMA_OK);
        assert_true(p.done);
        assert_int_equal(p.status, SYSDMA_OK);
        assert_int_equal(p.unconfirmed, 0);
        assert_int_equal(p.device_counted, 0);
        assert_true(p.blocks >= 1);
        assert_int_equal(p.blocks, p.element);
        /* Every byte in order, nothing more (single-cycle blocks: no padding). */
        assert_int_equal(b->card.sink_len, bytes);
        assert_memory_equal(b->card.sink, buf, bytes);
        assert_true(sysdma_sim_buffer_free(b->card.r.sim, buf));
        unmake(b);
    }
}

/* Scattered pages give a list of several elements: the run is chained,
 * one block interrupt per element. */
static void test_one_block_per_element(void **state)
{
    (void)state;
    bench *b = make();
    sb16_env env = {card_e_in, card_e_out, card_e_wait, card_e_delay, b};
    sb16_driver d;
    assert_int_equal(sb16_open(&d, b->card.r.sys, &env, 0x220), SYSDMA_OK);
    uint32_t bytes = 16 * 4096;
    uint8_t *buf = sysdma_sim_buffer_alloc(b->card.r.sim, bytes, 0, SYSDMA_SIM_SCATTERED_LOW);
    for (uint32_t i = 0; i < bytes; i++)
        buf[i] = (uint8_t)(i * 7u);
    sb16_format fmt = {44100, 8, 1};
    sb16_sg_play p;
    assert_int_equal(sb16_sg_start(&d, &p, &fmt, buf, bytes), SYSDMA_OK);
    uint32_t elements = p.list->count;
    assert_true(elements > 1);
    unsigned edges = 0;
    while (!p.done && card_e_wait(b, 2000000)) {
        edges++;
        assert_true(sb16_sg_interrupt(&p));
    }
    assert_int_equal(edges, elements);
    assert_int_equal(p.blocks, elements);
    assert_int_equal(sb16_sg_finish(&p), SYSDMA_OK);
    assert_memory_equal(b->card.sink, buf, bytes);
    unmake(b);
}

/* The card interrupts with no block ended (the DSP's 0xF2 command raises
 * its 8-bit interrupt at once): the routine acknowledges it, the core's
 * check finds no terminal count, nothing advances; playback then ends
 * exactly as without it. An interrupt that is not the card's (its
 * interrupt status clear) is not touched at all. */
static void test_interrupt_without_tc_advances_nothing(void **state)
{
    (void)state;
    bench *b = make();
    sb16_env env = {card_e_in, card_e_out, card_e_wait, card_e_delay, b};
    sb16_driver d;
    assert_int_equal(sb16_open(&d, b->card.r.sys, &env, 0x220), SYSDMA_OK);
    uint32_t bytes = 8 * 4096;
    uint8_t *buf = sysdma_sim_buffer_alloc(b->card.r.sim, bytes, 0, SYSDMA_SIM_SCATTERED_LOW);
    for (uint32_t i = 0; i < bytes; i++)
        buf[i] = (uint8_t)(i * 5u + 1u);
    sb16_format fmt = {22050, 8, 1};
    sb16_sg_play p;
    assert_int_equal(sb16_sg_start(&d, &p, &fmt, buf, bytes), SYSDMA_OK);
    assert_false(sb16_sg_interrupt(&p)); /* not the card's */
    assert_int_equal(p.spurious, 1);
    /* 0xF2 through the DSP's write port (the first block is playing). */
    card_e_out(b, 0x22C, 0xF2);
    assert_true(card_e_wait(b, 1000));
    uint64_t moved = sysdma_sg_progress(p.adapter, p.list);
    assert_true(sb16_sg_interrupt(&p));
    assert_int_equal(p.unconfirmed, 1);
    assert_int_equal(p.blocks, 0);
    assert_int_equal(p.element, 0);
    assert_true(sysdma_sg_progress(p.adapter, p.list) < p.list->elements[0].length);
    assert_true(sysdma_sg_progress(p.adapter, p.list) >= moved);
    while (!p.done && card_e_wait(b, 2000000))
        sb16_sg_interrupt(&p);
    assert_true(p.done);
    assert_int_equal(p.blocks, p.list->count);
    assert_int_equal(p.unconfirmed, 1);
    assert_int_equal(sb16_sg_finish(&p), SYSDMA_OK);
    assert_int_equal(b->card.sink_len, bytes);
    assert_memory_equal(b->card.sink, buf, bytes);
    unmake(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_scattered_playback_exact),
        cmocka_unit_test(test_one_block_per_element),
        cmocka_unit_test(test_interrupt_without_tc_advances_nothing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
