/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for the emulated PC/AT 8237A pair, addressing and counting:
 * memory-to-memory through the temporary register, 16-bit word addressing
 * and its 128 KiB window, 8-bit page wrap, residue reads, auto-initialize
 * over several passes, and whole-span device callbacks.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "sysdma/emu.h"

#include "emu_i8237_test.h"

/* ---- Memory to memory ------------------------------------------------------------ */

static void test_mem_to_mem(void **state)
{
    (void)state;
    sysdma_emu_i8237 *e = fresh(true);
    for (size_t i = 0; i < 0x200; i++)
        ram[0x11000 + i] = pat(0xC3, i);
    /* Channel 0 = source (page 1), channel 1 = destination (page 2); channel
     * 1's count (64 bytes) governs even though channel 0's is larger. */
    program(e, 0, SYSDMA_EMU_MODE_READ | SYSDMA_EMU_MODE_BLOCK, 0x01, 0x1000, 0x1FF);
    program(e, 1, SYSDMA_EMU_MODE_WRITE | SYSDMA_EMU_MODE_BLOCK, 0x02, 0x3000, 63);
    sysdma_emu_i8237_outb(e, 0x08, SYSDMA_EMU_CMD_MEM2MEM);
    assert_false(sysdma_emu_i8237_pending(e));
    sysdma_emu_i8237_outb(e, 0x09, 0x04 | 0);
    assert_true(sysdma_emu_i8237_pending(e));
    assert_int_equal(sysdma_emu_i8237_run(e, 1000), 64);
    for (size_t i = 0; i < 64; i++)
        assert_int_equal(ram[0x23000 + i], pat(0xC3, i));
    assert_int_equal(ram[0x23040], 0);
    assert_int_equal(ram[0x22FFF], 0);
    assert_int_equal(sysdma_emu_i8237_inb(e, 0x0D), pat(0xC3, 63));
    assert_int_equal(e->s.ctrl[0].temp, pat(0xC3, 63));
    sysdma_emu_i8237_chan_info src = info_of(e, 0), dst = info_of(e, 1);
    assert_int_equal(src.cur_addr, 0x1040);
    assert_false(src.sw_request);
    assert_int_equal(dst.cur_addr, 0x3040);
    assert_int_equal(dst.cur_count, 0xFFFF);
    assert_true(dst.tc);
    assert_true(dst.masked);
    assert_int_equal(sysdma_emu_i8237_inb(e, 0x08) & 0x0F, 0x02);
    assert_false(sysdma_emu_i8237_pending(e));

    /* Channel 0 address hold: one source byte fills the destination. */
    ram[0x11100] = 0xA7;
    program(e, 0, SYSDMA_EMU_MODE_READ | SYSDMA_EMU_MODE_BLOCK, 0x01, 0x1100, 31);
    program(e, 1, SYSDMA_EMU_MODE_WRITE | SYSDMA_EMU_MODE_BLOCK, 0x02, 0x5000, 31);
    sysdma_emu_i8237_outb(e, 0x08, SYSDMA_EMU_CMD_MEM2MEM | SYSDMA_EMU_CMD_CH0_HOLD);
    sysdma_emu_i8237_outb(e, 0x09, 0x04 | 0);
    assert_int_equal(sysdma_emu_i8237_run(e, 1000), 32);
    for (size_t i = 0; i < 32; i++)
        assert_int_equal(ram[0x25000 + i], 0xA7);
    assert_int_equal(ram[0x25020], 0);
    assert_int_equal(ram[0x11101], pat(0xC3, 0x101));
    assert_int_equal(info_of(e, 0).cur_addr, 0x1100);
    assert_int_equal(sysdma_emu_i8237_inb(e, 0x0D), 0xA7);

    /* Without the command bit a software request on channel 0 is an
     * ordinary block transfer of channel 0 (no copy to channel 1). */
    tdev d0;
    attach(e, 0, &d0);
    program(e, 0, SYSDMA_EMU_MODE_READ | SYSDMA_EMU_MODE_BLOCK, 0x01, 0x1000, 7);
    program(e, 1, SYSDMA_EMU_MODE_WRITE | SYSDMA_EMU_MODE_BLOCK, 0x02, 0x7000, 7);
    sysdma_emu_i8237_outb(e, 0x08, 0);
    sysdma_emu_i8237_outb(e, 0x09, 0x04 | 0);
    assert_int_equal(sysdma_emu_i8237_run(e, 1000), 8);
    assert_int_equal(d0.pos, 8);
    assert_int_equal(d0.sink[7], pat(0xC3, 7));
    assert_int_equal(ram[0x27000], 0);
}

/* ---- 16-bit channels and address wrap --------------------------------------------- */

static void test_16bit_addressing(void **state)
{
    (void)state;
    sysdma_emu_i8237 *e = fresh(true);
    /* physical = ((page & 0xFE) << 16) | (addr << 1): A16 from address
     * bit 15, page bit 0 ignored. */
    program(e, 6, SYSDMA_EMU_MODE_WRITE | SYSDMA_EMU_MODE_SINGLE, 0x13, 0x8001, 0);
    assert_int_equal(info_of(e, 6).phys, 0x130002);
    program(e, 6, SYSDMA_EMU_MODE_WRITE | SYSDMA_EMU_MODE_SINGLE, 0x12, 0x8001, 0);
    assert_int_equal(info_of(e, 6).phys, 0x130002);
    program(e, 7, SYSDMA_EMU_MODE_WRITE | SYSDMA_EMU_MODE_SINGLE, 0xFF, 0xFFFF, 0);
    assert_int_equal(info_of(e, 7).phys, 0xFFFFFE);
    program(e, 5, SYSDMA_EMU_MODE_WRITE | SYSDMA_EMU_MODE_SINGLE, 0x00, 0x7FFF, 0);
    assert_int_equal(info_of(e, 5).phys, 0x0FFFE);
    /* 8-bit channels: page << 16 | address, all 8 page bits. */
    program(e, 1, SYSDMA_EMU_MODE_WRITE | SYSDMA_EMU_MODE_SINGLE, 0x13, 0x8001, 0);
    assert_int_equal(info_of(e, 1).phys, 0x138001);

    /* A real transfer with A16 set and an odd page: lands at 0x3_0000. */
    tdev d;
    attach(e, 6, &d);
    d.seed = 0x66;
    program(e, 6, SYSDMA_EMU_MODE_WRITE | SYSDMA_EMU_MODE_DEMAND, 0x03, 0x8000, 1);
    go(e, 6);
    assert_int_equal(sysdma_emu_i8237_run(e, 100), 2);
    check_written(0x30000, 0x66, 0, 4);
    assert_int_equal(ram[0x30004], 0);
    assert_int_equal(ram[0x38000], 0);
    assert_int_equal(ram[0x20000], 0);
    assert_int_equal(info_of(e, 6).cur_addr, 0x8002);
}

static void test_16bit_window_wrap(void **state)
{
    (void)state;
    sysdma_emu_i8237 *e = fresh(true);
    tdev d;
    attach(e, 7, &d);
    d.seed = 0x70;
    /* Word 0xFFFE of window 0 is 0x1FFFC; 4 words wrap to 0x00000 of the
     * same window, not into 0x20000. */
    program(e, 7, SYSDMA_EMU_MODE_WRITE | SYSDMA_EMU_MODE_DEMAND, 0x01, 0xFFFE, 3);
    go(e, 7);
    assert_int_equal(sysdma_emu_i8237_run(e, 100), 4);
    check_written(0x1FFFC, 0x70, 0, 4);
    check_written(0x00000, 0x70, 4, 4);
    assert_int_equal(ram[0x20000], 0);
    assert_int_equal(ram[0x20003], 0);
    assert_int_equal(ram[0x00004], 0);
    assert_int_equal(d.calls, 2); /* one span to the wrap, one after */
    sysdma_emu_i8237_chan_info in = info_of(e, 7);
    assert_int_equal(in.cur_addr, 0x0002);
    assert_int_equal(in.page, 0x01);
    assert_int_equal(in.phys, 0x00004);
}

static void test_8bit_page_wrap(void **state)
{
    (void)state;
    sysdma_emu_i8237 *e = fresh(true);
    tdev d;
    attach(e, 1, &d);
    d.seed = 0x18;
    program(e, 1, SYSDMA_EMU_MODE_WRITE | SYSDMA_EMU_MODE_BLOCK, 0x01, 0xFFFE, 3);
    go(e, 1);
    assert_int_equal(sysdma_emu_i8237_run(e, 100), 4);
    check_written(0x1FFFE, 0x18, 0, 2);
    check_written(0x10000, 0x18, 2, 2);
    assert_int_equal(ram[0x20000], 0);
    assert_int_equal(ram[0x20001], 0);
    assert_int_equal(ram[0x10002], 0);
    assert_int_equal(d.calls, 2);
    assert_int_equal(info_of(e, 1).page, 0x01);
    assert_int_equal(info_of(e, 1).phys, 0x10002);
    /* Single mode wraps the same way. */
    program(e, 1, SYSDMA_EMU_MODE_WRITE | SYSDMA_EMU_MODE_SINGLE, 0x02, 0xFFFF, 1);
    go(e, 1);
    assert_int_equal(sysdma_emu_i8237_run(e, 100), 2);
    assert_int_equal(ram[0x2FFFF], pat(0x18, 4));
    assert_int_equal(ram[0x20000], pat(0x18, 5));
    assert_int_equal(ram[0x30000], 0);
}

/* ---- Residue, TC status, auto-init passes ------------------------------------------ */

static void test_residue_and_tc_status(void **state)
{
    (void)state;
    sysdma_emu_i8237 *e = fresh(true);
    tdev d;
    attach(e, 1, &d);
    program(e, 1, SYSDMA_EMU_MODE_WRITE | SYSDMA_EMU_MODE_SINGLE, 0x00, 0x6000, 99);
    go(e, 1);
    assert_int_equal(sysdma_emu_i8237_run(e, 40), 40);
    assert_int_equal(read16(e, 1, 1), 59);
    assert_int_equal(read16(e, 1, 0), 0x6028);
    assert_int_equal(sysdma_emu_i8237_inb(e, 0x08) & 0x0F, 0);
    assert_int_equal(sysdma_emu_i8237_run(e, 59), 59);
    assert_int_equal(read16(e, 1, 1), 0);
    assert_int_equal(sysdma_emu_i8237_inb(e, 0x08) & 0x0F, 0);
    assert_int_equal(sysdma_emu_i8237_run(e, 1000), 1);
    assert_int_equal(read16(e, 1, 1), 0xFFFF);
    assert_int_equal(read16(e, 1, 0), 0x6064);
    assert_int_equal(sysdma_emu_i8237_inb(e, 0x08) & 0x0F, 0x02);
    assert_int_equal(sysdma_emu_i8237_inb(e, 0x08) & 0x0F, 0x00);
    /* DMA2 residue in words. */
    tdev d5;
    attach(e, 5, &d5);
    program(e, 5, SYSDMA_EMU_MODE_READ | SYSDMA_EMU_MODE_DEMAND, 0x00, 0x3000, 0x3FF);
    go(e, 5);
    assert_int_equal(sysdma_emu_i8237_run(e, 0x100), 0x100);
    assert_int_equal(read16(e, 5, 1), 0x2FF);
    assert_int_equal(read16(e, 5, 0), 0x3100);
    assert_int_equal(d5.pos, 0x200);
}

static void test_autoinit_passes(void **state)
{
    (void)state;
    sysdma_emu_i8237 *e = fresh(true);
    tdev d;
    attach(e, 5, &d);
    d.seed = 0x5A;
    program(e, 5, SYSDMA_EMU_MODE_WRITE | SYSDMA_EMU_MODE_DEMAND | SYSDMA_EMU_MODE_AUTOINIT,
            0x00, 0x0100, 15);
    go(e, 5);
    assert_int_equal(sysdma_emu_i8237_run(e, 16 * 3 + 5), 16 * 3 + 5);
    assert_int_equal(d.tcs, 3);
    assert_int_equal(e->stats.tc[5], 3);
    sysdma_emu_i8237_chan_info in = info_of(e, 5);
    assert_int_equal(in.cur_count, 10);
    assert_int_equal(in.cur_addr, 0x0105);
    assert_int_equal(in.base_addr, 0x0100);
    assert_int_equal(in.base_count, 15);
    assert_false(in.masked);
    /* Bytes 0-9 hold the fourth pass, 10-31 the third. */
    check_written(0x200, 0x5A, 3 * 32, 10);
    check_written(0x20A, 0x5A, 2 * 32 + 10, 22);
    assert_int_equal(ram[0x220], 0);
    assert_int_equal(sysdma_emu_i8237_inb(e, 0xD0) & 0x0F, 0x02);
}

/* ---- Spans ------------------------------------------------------------------------ */

static void test_spans(void **state)
{
    (void)state;
    sysdma_emu_i8237 *e = fresh(true);
    tdev d3, d6, d1;
    attach(e, 3, &d3);
    attach(e, 6, &d6);
    attach(e, 1, &d1);
    /* A whole 64 KiB page on an 8-bit block channel: one callback. */
    program(e, 3, SYSDMA_EMU_MODE_WRITE | SYSDMA_EMU_MODE_BLOCK, 0x00, 0x0000, 0xFFFF);
    go(e, 3);
    assert_int_equal(sysdma_emu_i8237_run(e, 0x20000), 0x10000);
    assert_int_equal(d3.calls, 1);
    assert_int_equal(d3.first_units, 0x10000);
    assert_int_equal(e->stats.services[3], 1);
    assert_int_equal(d3.tcs, 1);
    check_written(0, 0, 0, 0x10000);
    /* 64 Ki words (128 KiB) on a 16-bit demand channel: one callback. */
    program(e, 6, SYSDMA_EMU_MODE_WRITE | SYSDMA_EMU_MODE_DEMAND, 0x02, 0x0000, 0xFFFF);
    go(e, 6);
    assert_int_equal(sysdma_emu_i8237_run(e, 0x20000), 0x10000);
    assert_int_equal(d6.calls, 1);
    assert_int_equal(d6.first_units, 0x10000);
    assert_int_equal(d6.pos, 0x20000);
    check_written(0x20000, 0, 0, 0x20000);
    /* A span starting mid-page splits at the wrap; the budget caps it. */
    program(e, 1, SYSDMA_EMU_MODE_READ | SYSDMA_EMU_MODE_DEMAND, 0x00, 0x8000, 0xFFFF);
    go(e, 1);
    assert_int_equal(sysdma_emu_i8237_run(e, 1000), 1000);
    assert_int_equal(d1.calls, 1);
    assert_int_equal(d1.first_units, 1000);
    assert_int_equal(sysdma_emu_i8237_run(e, 0x20000), 0x10000 - 1000);
    assert_int_equal(d1.calls, 3);
    /* Calls 2 and 3: up to the wrap (0x8000 - 1000 units), then 0x8000. */
    assert_int_equal(d1.last_units, 0x8000);
    assert_int_equal(d1.max_units, 0x8000);
    assert_int_equal(info_of(e, 1).cur_addr, 0x8000);
    assert_int_equal(d1.tcs, 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mem_to_mem),
        cmocka_unit_test(test_16bit_addressing),
        cmocka_unit_test(test_16bit_window_wrap),
        cmocka_unit_test(test_8bit_page_wrap),
        cmocka_unit_test(test_residue_and_tc_status),
        cmocka_unit_test(test_autoinit_passes),
        cmocka_unit_test(test_spans),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
