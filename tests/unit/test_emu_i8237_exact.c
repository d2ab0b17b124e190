/* SPDX-License-Identifier: MIT */
/*
 * Data-sheet tests for two details of the emulated 8237A:
 *   - a byte written to an address or count register goes into the base
 *     and the current register at once, byte by byte: the current
 *     register's other byte stays as the last transfer left it;
 *   - a software request (request register) in block mode runs to terminal
 *     count whatever the device does, unless the device holds READY: a
 *     device that answers SYSDMA_EMU_XFER_ABSENT ("no data for me") does
 *     not stop it; writes to memory then carry 0xFF (the undriven bus),
 *     reads are discarded.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "sysdma/emu.h"

#include "emu_i8237_test.h"

/* ---- per-byte register writes ------------------------------------------------------ */

/* Channel 1, demand mode, device -> memory: move `units` units from
 * address 0x10F0 with count 0x0210, so both current registers' high bytes
 * change (address 0x10F0 -> 0x1110, count 0x0210 -> 0x01F0). */
static void run_partway(sysdma_emu_i8237 *e, tdev *d, unsigned ch, size_t units)
{
    attach(e, ch, d);
    d->seed = 0x21;
    program(e, ch, SYSDMA_EMU_MODE_WRITE | SYSDMA_EMU_MODE_DEMAND, 0x00, 0x10F0, 0x0210);
    go(e, ch);
    assert_int_equal(sysdma_emu_i8237_run(e, units), units);
    sysdma_emu_i8237_dreq(e, ch, false);
    mask_ch(e, ch, true);
}

static void test_low_byte_keeps_current_high(void **state)
{
    (void)state;
    sysdma_emu_i8237 *e = fresh(true);
    tdev d;
    run_partway(e, &d, 1, 0x20);
    assert_int_equal(read16(e, 1, 0), 0x1110);
    assert_int_equal(read16(e, 1, 1), 0x01F0);
    /* Low byte of the address only: base 0x1055, current 0x1155. */
    wr(e, 1, SYSDMA_EMU_I8237_REG_CLEAR_FF, 0);
    wr(e, 1, 2, 0x55);
    /* Low byte of the count only (the flip-flop is high now: clear it). */
    wr(e, 1, SYSDMA_EMU_I8237_REG_CLEAR_FF, 0);
    wr(e, 1, 3, 0x44);
    sysdma_emu_i8237_chan_info in = info_of(e, 1);
    assert_int_equal(in.base_addr, 0x1055);
    assert_int_equal(in.cur_addr, 0x1155);
    assert_int_equal(in.base_count, 0x0244);
    assert_int_equal(in.cur_count, 0x0144);
    assert_int_equal(read16(e, 1, 0), 0x1155);
    assert_int_equal(read16(e, 1, 1), 0x0144);
    /* The channel carries on from the merged current values. */
    d.pos = 0;
    go(e, 1);
    assert_int_equal(sysdma_emu_i8237_run(e, 4), 4);
    check_written(0x1155, 0x21, 0, 4);
    assert_int_equal(info_of(e, 1).cur_count, 0x0140);
}

static void test_high_byte_keeps_current_low(void **state)
{
    (void)state;
    sysdma_emu_i8237 *e = fresh(true);
    tdev d;
    run_partway(e, &d, 3, 0x20);
    /* A read of the low byte moves the pointer to the high byte; the write
     * that follows changes the high bytes only: base 0x22F0, current 0x2210. */
    wr(e, 3, SYSDMA_EMU_I8237_REG_CLEAR_FF, 0);
    (void)rd(e, 3, 6);
    wr(e, 3, 6, 0x22);
    wr(e, 3, SYSDMA_EMU_I8237_REG_CLEAR_FF, 0);
    (void)rd(e, 3, 7);
    wr(e, 3, 7, 0x00);
    sysdma_emu_i8237_chan_info in = info_of(e, 3);
    assert_int_equal(in.base_addr, 0x22F0);
    assert_int_equal(in.cur_addr, 0x2210);
    assert_int_equal(in.base_count, 0x0010);
    assert_int_equal(in.cur_count, 0x00F0);
}

static void test_per_byte_16bit_and_autoinit(void **state)
{
    (void)state;
    sysdma_emu_i8237 *e = fresh(true);
    tdev d;
    attach(e, 6, &d);
    d.seed = 0x62;
    /* Channel 6 auto-initialize: word address 0x08F8, count 0x0107. */
    program(e, 6, SYSDMA_EMU_MODE_WRITE | SYSDMA_EMU_MODE_DEMAND | SYSDMA_EMU_MODE_AUTOINIT,
            0x02, 0x08F8, 0x0107);
    go(e, 6);
    assert_int_equal(sysdma_emu_i8237_run(e, 0x10), 0x10); /* address 0x0908, count 0x00F7 */
    sysdma_emu_i8237_dreq(e, 6, false);
    mask_ch(e, 6, true);
    wr(e, 6, SYSDMA_EMU_I8237_REG_CLEAR_FF, 0);
    wr(e, 6, 4, 0x00); /* address low: base 0x0800, current 0x0900 */
    wr(e, 6, SYSDMA_EMU_I8237_REG_CLEAR_FF, 0);
    wr(e, 6, 5, 0x03); /* count low: base 0x0103, current 0x0003 */
    sysdma_emu_i8237_chan_info in = info_of(e, 6);
    assert_int_equal(in.cur_addr, 0x0900);
    assert_int_equal(in.cur_count, 0x0003);
    assert_int_equal(in.base_addr, 0x0800);
    assert_int_equal(in.base_count, 0x0103);
    /* Four words from 0x0900, then TC reloads the base as written. */
    d.pos = 0;
    go(e, 6);
    assert_int_equal(sysdma_emu_i8237_run(e, 4), 4);
    check_written(0x20000 + 0x0900 * 2, 0x62, 0, 8);
    in = info_of(e, 6);
    assert_true(in.tc);
    assert_int_equal(in.cur_addr, 0x0800);
    assert_int_equal(in.cur_count, 0x0103);
}

/* ---- software requests and "no data for me" ------------------------------------------ */

/* A device with `data` units to give or take, then nothing for anyone:
 * it answers ABSENT (or 0, "not ready", when `hold_ready`). */
typedef struct adev {
    size_t data, calls, absents, offered;
    bool hold_ready;
} adev;

static size_t adev_xfer(void *ctx, unsigned ch, sysdma_emu_xfer kind, uint8_t *buf, size_t units)
{
    adev *a = ctx;
    size_t w = ch >= 4 ? 2u : 1u;
    a->calls++;
    a->offered += units;
    if (a->data) {
        size_t n = units < a->data ? units : a->data;
        if (kind == SYSDMA_EMU_XFER_WRITE)
            memset(buf, 0x5A, n * w);
        a->data -= n;
        return n;
    }
    if (a->hold_ready)
        return 0;
    a->absents++;
    return SYSDMA_EMU_XFER_ABSENT;
}

static void attach_adev(sysdma_emu_i8237 *e, unsigned ch, adev *a)
{
    sysdma_emu_dma_device dev = {adev_xfer, NULL, a};
    assert_true(sysdma_emu_i8237_attach(e, ch, &dev));
}

static void test_sw_request_absent_device_write(void **state)
{
    (void)state;
    sysdma_emu_i8237 *e = fresh(true);
    adev a = {0};
    attach_adev(e, 2, &a);
    memset(ram + 0x3000, 0x11, 64);
    program(e, 2, SYSDMA_EMU_MODE_WRITE | SYSDMA_EMU_MODE_BLOCK, 0x00, 0x3000, 31);
    wr(e, 2, SYSDMA_EMU_I8237_REG_REQUEST, 4 | 2);
    assert_int_equal(sysdma_emu_i8237_run(e, 1000), 32);
    for (size_t k = 0; k < 32; k++)
        assert_int_equal(ram[0x3000 + k], 0xFF);
    assert_int_equal(ram[0x3000 + 32], 0x11);
    sysdma_emu_i8237_chan_info in = info_of(e, 2);
    assert_true(in.tc);
    assert_true(in.masked);
    assert_false(in.sw_request);
    assert_int_equal(in.cur_count, 0xFFFF);
    assert_int_equal(e->stats.stalls, 0);
    assert_false(sysdma_emu_i8237_pending(e));
}

static void test_sw_request_absent_device_read_and_16bit(void **state)
{
    (void)state;
    sysdma_emu_i8237 *e = fresh(true);
    adev a = {0};
    attach_adev(e, 5, &a);
    for (size_t k = 0; k < 64; k++)
        ram[0x24000 + k] = (uint8_t)k;
    program(e, 5, SYSDMA_EMU_MODE_READ | SYSDMA_EMU_MODE_BLOCK, 0x02, 0x2000, 15);
    wr(e, 5, SYSDMA_EMU_I8237_REG_REQUEST, 4 | 1);
    assert_int_equal(sysdma_emu_i8237_run(e, 1000), 16);
    for (size_t k = 0; k < 64; k++)
        assert_int_equal(ram[0x24000 + k], (uint8_t)k); /* memory read, nothing changed */
    assert_true(info_of(e, 5).tc);
    assert_int_equal(info_of(e, 5).cur_addr, 0x2010);
    /* The same for a 16-bit write: words of 0xFFFF. */
    program(e, 5, SYSDMA_EMU_MODE_WRITE | SYSDMA_EMU_MODE_BLOCK, 0x02, 0x2000, 3);
    wr(e, 5, SYSDMA_EMU_I8237_REG_REQUEST, 4 | 1);
    assert_int_equal(sysdma_emu_i8237_run(e, 1000), 4);
    for (size_t k = 0; k < 8; k++)
        assert_int_equal(ram[0x24000 + k], 0xFF);
    assert_int_equal(ram[0x24008], 8);
}

static void test_sw_request_partial_data_then_absent(void **state)
{
    (void)state;
    sysdma_emu_i8237 *e = fresh(true);
    adev a = {.data = 5};
    attach_adev(e, 1, &a);
    program(e, 1, SYSDMA_EMU_MODE_WRITE | SYSDMA_EMU_MODE_BLOCK, 0x01, 0x0100, 15);
    wr(e, 1, SYSDMA_EMU_I8237_REG_REQUEST, 4 | 1);
    assert_int_equal(sysdma_emu_i8237_run(e, 1000), 16);
    for (size_t k = 0; k < 16; k++)
        assert_int_equal(ram[0x10100 + k], k < 5 ? 0x5A : 0xFF);
    assert_int_equal(a.absents, 1);
    assert_true(info_of(e, 1).tc);
}

static void test_not_ready_still_waits(void **state)
{
    (void)state;
    sysdma_emu_i8237 *e = fresh(true);
    adev a = {.data = 3, .hold_ready = true};
    attach_adev(e, 1, &a);
    program(e, 1, SYSDMA_EMU_MODE_WRITE | SYSDMA_EMU_MODE_BLOCK, 0x01, 0x0100, 15);
    wr(e, 1, SYSDMA_EMU_I8237_REG_REQUEST, 4 | 1);
    /* READY held low: the cycle waits, nothing advances past the 3 units. */
    assert_int_equal(sysdma_emu_i8237_run(e, 1000), 3);
    assert_int_equal(e->stats.stalls, 1);
    assert_true(sysdma_emu_i8237_pending(e));
    assert_int_equal(info_of(e, 1).cur_count, 12);
    /* Released: the rest runs without the device. */
    a.hold_ready = false;
    assert_int_equal(sysdma_emu_i8237_run(e, 1000), 13);
    assert_true(info_of(e, 1).tc);
}

static void test_absent_in_single_mode(void **state)
{
    (void)state;
    sysdma_emu_i8237 *e = fresh(true);
    adev a = {.data = 2};
    attach_adev(e, 2, &a);
    program(e, 2, SYSDMA_EMU_MODE_WRITE | SYSDMA_EMU_MODE_SINGLE, 0x00, 0x4000, 7);
    go(e, 2); /* DREQ held: every cycle runs, the device answers for 2 */
    assert_int_equal(sysdma_emu_i8237_run(e, 1000), 8);
    for (size_t k = 0; k < 8; k++)
        assert_int_equal(ram[0x4000 + k], k < 2 ? 0x5A : 0xFF);
    assert_true(info_of(e, 2).tc);
    assert_int_equal(e->stats.stalls, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_low_byte_keeps_current_high),
        cmocka_unit_test(test_high_byte_keeps_current_low),
        cmocka_unit_test(test_per_byte_16bit_and_autoinit),
        cmocka_unit_test(test_sw_request_absent_device_write),
        cmocka_unit_test(test_sw_request_absent_device_read_and_16bit),
        cmocka_unit_test(test_sw_request_partial_data_then_absent),
        cmocka_unit_test(test_not_ready_still_waits),
        cmocka_unit_test(test_absent_in_single_mode),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
