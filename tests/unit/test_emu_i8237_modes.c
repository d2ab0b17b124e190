/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for the emulated PC/AT 8237A pair, service side: verify, write
 * and read transfers, auto-initialize, address decrement, single, demand,
 * block and cascade modes, external EOP, fixed and rotating priority.
 * Memory-to-memory, 16-bit addressing, wrap, residue and spans are in
 * test_emu_i8237_addr.c; registers in test_emu_i8237.c; bounds, snapshots
 * and events in test_emu_i8237_state.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "sysdma/emu.h"

#include "emu_i8237_test.h"

/* ---- Transfer types ----------------------------------------------------------- */

static uint8_t ram_copy[RAM_SIZE];

static void test_verify_mode(void **state)
{
    (void)state;
    sysdma_emu_i8237 *e = fresh(true);
    for (size_t i = 0; i < RAM_SIZE; i++)
        ram[i] = (uint8_t)(i * 31u + 5u);
    memcpy(ram_copy, ram, sizeof ram);
    tdev d1, d6;
    attach(e, 1, &d1);
    attach(e, 6, &d6);
    program(e, 1, SYSDMA_EMU_MODE_VERIFY | SYSDMA_EMU_MODE_DEMAND, 0x01, 0x2000, 99);
    program(e, 6, SYSDMA_EMU_MODE_VERIFY | SYSDMA_EMU_MODE_SINGLE, 0x02, 0x0100, 9);
    go(e, 1);
    go(e, 6);
    assert_int_equal(sysdma_emu_i8237_run(e, 1000), 110);
    assert_memory_equal(ram, ram_copy, sizeof ram);
    assert_int_equal(d1.kind, SYSDMA_EMU_XFER_VERIFY);
    assert_true(d1.buf_null);
    assert_int_equal(d1.calls, 1);
    assert_int_equal(d1.first_units, 100);
    assert_int_equal(d6.kind, SYSDMA_EMU_XFER_VERIFY);
    assert_true(d6.buf_null);
    assert_int_equal(d6.calls, 10);
    assert_int_equal(d6.max_units, 1);
    sysdma_emu_i8237_chan_info in = info_of(e, 1);
    assert_int_equal(in.cur_addr, 0x2064);
    assert_int_equal(in.cur_count, 0xFFFF);
    assert_true(in.tc);
    assert_true(in.masked);
    assert_int_equal(info_of(e, 6).cur_addr, 0x010A);
    assert_int_equal(d1.tcs, 1);
    assert_int_equal(d6.tcs, 1);
}

static void test_write_mode(void **state)
{
    (void)state;
    sysdma_emu_i8237 *e = fresh(true);
    memset(ram, 0x5A, sizeof ram);
    tdev d;
    attach(e, 3, &d);
    d.seed = 0x33;
    program(e, 3, SYSDMA_EMU_MODE_WRITE | SYSDMA_EMU_MODE_DEMAND, 0x02, 0x1000, 255);
    go(e, 3);
    assert_int_equal(sysdma_emu_i8237_run(e, 10000), 256);
    assert_int_equal(d.kind, SYSDMA_EMU_XFER_WRITE);
    assert_false(d.buf_null);
    check_written(0x21000, 0x33, 0, 256);
    assert_int_equal(ram[0x20FFF], 0x5A);
    assert_int_equal(ram[0x21100], 0x5A);
    /* Count 0 moves exactly one unit. */
    program(e, 3, SYSDMA_EMU_MODE_WRITE | SYSDMA_EMU_MODE_DEMAND, 0x02, 0x2000, 0);
    go(e, 3);
    assert_int_equal(sysdma_emu_i8237_run(e, 10000), 1);
    assert_int_equal(ram[0x22000], pat(0x33, 256));
    assert_int_equal(ram[0x22001], 0x5A);
    assert_int_equal(d.tcs, 2);
}

static void test_read_mode(void **state)
{
    (void)state;
    sysdma_emu_i8237 *e = fresh(true);
    for (size_t i = 0; i < 0x1000; i++)
        ram[0x14000 + i] = pat(0x77, i);
    memcpy(ram_copy, ram, sizeof ram);
    tdev d;
    attach(e, 7, &d);
    /* 0x800 words from word 0xA000 of the window at page 0 (0x14000). */
    program(e, 7, SYSDMA_EMU_MODE_READ | SYSDMA_EMU_MODE_BLOCK, 0x00, 0xA000, 0x7FF);
    go(e, 7);
    assert_int_equal(sysdma_emu_i8237_run(e, 10000), 0x800);
    assert_int_equal(d.kind, SYSDMA_EMU_XFER_READ);
    assert_int_equal(d.pos, 0x1000);
    for (size_t i = 0; i < 0x1000; i++)
        assert_int_equal(d.sink[i], pat(0x77, i));
    assert_memory_equal(ram, ram_copy, sizeof ram);
    assert_int_equal(info_of(e, 7).cur_addr, 0xA800);
}

static void test_autoinit_reload(void **state)
{
    (void)state;
    sysdma_emu_i8237 *e = fresh(true);
    tdev d;
    attach(e, 2, &d);
    program(e, 2, SYSDMA_EMU_MODE_WRITE | SYSDMA_EMU_MODE_SINGLE | SYSDMA_EMU_MODE_AUTOINIT,
            0x00, 0x0900, 4);
    go(e, 2);
    assert_int_equal(sysdma_emu_i8237_run(e, 5), 5);
    sysdma_emu_i8237_chan_info in = info_of(e, 2);
    assert_int_equal(in.cur_addr, 0x0900);
    assert_int_equal(in.cur_count, 4);
    assert_false(in.masked);
    assert_true(in.tc);
    assert_int_equal(d.tcs, 1);
    assert_int_equal(sysdma_emu_i8237_inb(e, 0x08) & 0x0F, 0x04);
    /* Keeps going from the base address. */
    assert_int_equal(sysdma_emu_i8237_run(e, 3), 3);
    check_written(0x900, 0, 5, 3);
    check_written(0x903, 0, 3, 2);
    assert_int_equal(info_of(e, 2).cur_addr, 0x0903);
    assert_int_equal(info_of(e, 2).cur_count, 1);
}

static void test_no_autoinit_masks_at_tc(void **state)
{
    (void)state;
    sysdma_emu_i8237 *e = fresh(true);
    tdev d;
    attach(e, 2, &d);
    program(e, 2, SYSDMA_EMU_MODE_WRITE | SYSDMA_EMU_MODE_SINGLE, 0x00, 0x0900, 4);
    go(e, 2);
    assert_int_equal(sysdma_emu_i8237_run(e, 100), 5);
    sysdma_emu_i8237_chan_info in = info_of(e, 2);
    assert_true(in.masked);
    assert_true(in.dreq); /* still requesting, but masked */
    assert_int_equal(in.cur_count, 0xFFFF);
    assert_int_equal(in.cur_addr, 0x0905);
    assert_int_equal(in.base_addr, 0x0900);
    assert_false(sysdma_emu_i8237_pending(e));
    assert_int_equal(sysdma_emu_i8237_run(e, 100), 0);
    assert_int_equal(d.calls, 5);
    assert_int_equal(ram[0x905], 0);
}

static void test_address_decrement(void **state)
{
    (void)state;
    sysdma_emu_i8237 *e = fresh(true);
    tdev d1, d2, d5;
    attach(e, 1, &d1);
    attach(e, 2, &d2);
    attach(e, 5, &d5);
    d2.seed = 0x20;
    d5.seed = 0x50;
    program(e, 1, SYSDMA_EMU_MODE_WRITE | SYSDMA_EMU_MODE_SINGLE | SYSDMA_EMU_MODE_DECREMENT,
            0x00, 0x1010, 3);
    program(e, 2, SYSDMA_EMU_MODE_WRITE | SYSDMA_EMU_MODE_DEMAND | SYSDMA_EMU_MODE_DECREMENT,
            0x00, 0x2010, 3);
    program(e, 5, SYSDMA_EMU_MODE_WRITE | SYSDMA_EMU_MODE_BLOCK | SYSDMA_EMU_MODE_DECREMENT,
            0x00, 0x1808, 1);
    go(e, 1);
    go(e, 2);
    go(e, 5);
    assert_int_equal(sysdma_emu_i8237_run(e, 100), 10);
    for (unsigned i = 0; i < 4; i++) {
        assert_int_equal(ram[0x1010 - i], pat(0, i));
        assert_int_equal(ram[0x2010 - i], pat(0x20, i));
    }
    assert_int_equal(ram[0x1011], 0);
    assert_int_equal(ram[0x100C], 0);
    assert_int_equal(ram[0x200C], 0);
    assert_int_equal(info_of(e, 1).cur_addr, 0x100C);
    assert_int_equal(info_of(e, 2).cur_addr, 0x200C);
    /* Words go down, bytes inside a word keep their order. */
    assert_int_equal(ram[0x3010], pat(0x50, 0));
    assert_int_equal(ram[0x3011], pat(0x50, 1));
    assert_int_equal(ram[0x300E], pat(0x50, 2));
    assert_int_equal(ram[0x300F], pat(0x50, 3));
    assert_int_equal(info_of(e, 5).cur_addr, 0x1806);
    /* Decrement wraps inside the page too. */
    program(e, 1, SYSDMA_EMU_MODE_WRITE | SYSDMA_EMU_MODE_DEMAND | SYSDMA_EMU_MODE_DECREMENT,
            0x01, 0x0001, 3);
    go(e, 1);
    assert_int_equal(sysdma_emu_i8237_run(e, 100), 4);
    assert_int_equal(ram[0x10001], pat(0, 4));
    assert_int_equal(ram[0x10000], pat(0, 5));
    assert_int_equal(ram[0x1FFFF], pat(0, 6));
    assert_int_equal(ram[0x1FFFE], pat(0, 7));
    assert_int_equal(ram[0x0FFFF], 0);
}

/* ---- Service modes ------------------------------------------------------------- */

static void test_single_mode(void **state)
{
    (void)state;
    sysdma_emu_i8237 *e = fresh(true);
    tdev d1, d2;
    attach(e, 1, &d1);
    attach(e, 2, &d2);
    d1.seed = 0x10;
    d2.seed = 0x20;
    program(e, 1, SYSDMA_EMU_MODE_WRITE | SYSDMA_EMU_MODE_SINGLE, 0x00, 0x1000, 3);
    program(e, 2, SYSDMA_EMU_MODE_WRITE | SYSDMA_EMU_MODE_SINGLE, 0x00, 0x2000, 5);
    go(e, 2);
    /* One unit per callback. */
    assert_int_equal(sysdma_emu_i8237_run(e, 2), 2);
    assert_int_equal(d2.calls, 2);
    assert_int_equal(d2.max_units, 1);
    /* Channel 1 (higher priority) starts requesting: it wins the very next
     * arbitration, and channel 2 resumes after its TC. */
    go(e, 1);
    assert_int_equal(sysdma_emu_i8237_run(e, 100), 8);
    static const unsigned want[] = {2, 2, 1, 1, 1, 1, 2, 2, 2, 2};
    check_order(want, sizeof want / sizeof want[0]);
    assert_int_equal(d1.max_units, 1);
    assert_int_equal(d2.max_units, 1);
    check_written(0x1000, 0x10, 0, 4);
    check_written(0x2000, 0x20, 0, 6);
    /* A single-mode device that lowers DREQ after each unit gets one unit
     * per request. */
    program(e, 1, SYSDMA_EMU_MODE_WRITE | SYSDMA_EMU_MODE_SINGLE, 0x00, 0x1000, 3);
    d1.drop_dreq = true;
    go(e, 1);
    assert_int_equal(sysdma_emu_i8237_run(e, 100), 1);
    sysdma_emu_i8237_dreq(e, 1, true);
    assert_int_equal(sysdma_emu_i8237_run(e, 100), 1);
    assert_int_equal(info_of(e, 1).cur_count, 1);
}

static void test_demand_mode_pause_resume(void **state)
{
    (void)state;
    sysdma_emu_i8237 *e = fresh(true);
    tdev d;
    attach(e, 1, &d);
    d.seed = 0x44;
    program(e, 1, SYSDMA_EMU_MODE_WRITE | SYSDMA_EMU_MODE_DEMAND, 0x00, 0x4000, 99);
    /* The device has 30 bytes, moves them and lowers DREQ: the channel
     * pauses (no TC, stays unmasked). */
    d.cap = 30;
    d.drop_dreq = true;
    go(e, 1);
    assert_int_equal(sysdma_emu_i8237_run(e, 1000), 30);
    assert_int_equal(d.calls, 1);
    assert_int_equal(d.first_units, 100);
    sysdma_emu_i8237_chan_info in = info_of(e, 1);
    assert_int_equal(in.cur_count, 69);
    assert_int_equal(in.cur_addr, 0x401E);
    assert_int_equal(read16(e, 1, 1), 69); /* residue as a driver reads it */
    assert_int_equal(read16(e, 1, 0), 0x401E);
    assert_false(in.masked);
    assert_false(in.tc);
    assert_int_equal(d.tcs, 0);
    assert_false(sysdma_emu_i8237_pending(e));
    assert_int_equal(sysdma_emu_i8237_run(e, 1000), 0);
    /* It raises DREQ again and keeps it: spans of at most 16 until TC, all
     * within one run. */
    d.cap = 16;
    d.drop_dreq = false;
    sysdma_emu_i8237_dreq(e, 1, true);
    assert_int_equal(sysdma_emu_i8237_run(e, 1000), 70);
    assert_int_equal(d.calls, 1 + 5);
    assert_int_equal(d.first_units, 100);
    assert_int_equal(d.last_units, 6);
    check_written(0x4000, 0x44, 0, 100);
    assert_int_equal(ram[0x4064], 0);
    assert_int_equal(d.tcs, 1);
    assert_true(info_of(e, 1).masked);
}

static void test_block_mode_runs_to_tc(void **state)
{
    (void)state;
    sysdma_emu_i8237 *e = fresh(true);
    tdev d;
    attach(e, 3, &d);
    d.seed = 0x3B;
    /* A DREQ pulse starts it: the device lowers DREQ in its first call and
     * moves 10 units per call, yet the channel runs on to TC. */
    program(e, 3, SYSDMA_EMU_MODE_WRITE | SYSDMA_EMU_MODE_BLOCK, 0x00, 0x5000, 63);
    d.cap = 10;
    d.drop_dreq = true;
    go(e, 3);
    assert_int_equal(sysdma_emu_i8237_run(e, 25), 25);
    assert_false(info_of(e, 3).dreq);
    assert_true(sysdma_emu_i8237_pending(e));
    assert_int_equal(sysdma_emu_i8237_run(e, 1000), 39);
    assert_int_equal(d.calls, 7);
    check_written(0x5000, 0x3B, 0, 64);
    assert_int_equal(d.tcs, 1);
    assert_false(sysdma_emu_i8237_pending(e));
    /* A demand-mode channel under the same device stops with DREQ. */
    program(e, 3, SYSDMA_EMU_MODE_WRITE | SYSDMA_EMU_MODE_DEMAND, 0x00, 0x5000, 63);
    go(e, 3);
    assert_int_equal(sysdma_emu_i8237_run(e, 1000), 10);
    assert_false(sysdma_emu_i8237_pending(e));
}

typedef struct cdev {
    sysdma_emu_i8237 *e;
    size_t calls, offered, cycles;
    sysdma_emu_xfer kind;
    const uint8_t *buf;
} cdev;

/* A bus master: uses `cycles` bus cycles, then releases the bus (DREQ). */
static size_t cdev_xfer(void *ctx, unsigned channel, sysdma_emu_xfer kind,
                        uint8_t *buf, size_t units)
{
    cdev *c = ctx;
    c->calls++;
    c->offered = units;
    c->kind = kind;
    c->buf = buf;
    sysdma_emu_i8237_dreq(c->e, channel, false);
    return c->cycles;
}

static void test_cascade_mode(void **state)
{
    (void)state;
    sysdma_emu_i8237 *e = fresh(true);
    cdev m5 = {e, 0, 0, 10, SYSDMA_EMU_XFER_WRITE, ram};
    cdev m2 = {e, 0, 0, 3, SYSDMA_EMU_XFER_WRITE, ram};
    sysdma_emu_dma_device dev5 = {cdev_xfer, NULL, &m5};
    sysdma_emu_dma_device dev2 = {cdev_xfer, NULL, &m2};
    assert_true(sysdma_emu_i8237_attach(e, 5, &dev5));
    assert_true(sysdma_emu_i8237_attach(e, 2, &dev2));
    program(e, 5, SYSDMA_EMU_MODE_CASCADE, 0x07, 0x1234, 0x0055);
    program(e, 2, SYSDMA_EMU_MODE_CASCADE, 0x03, 0x4321, 0x0066);
    go(e, 5);
    assert_int_equal(sysdma_emu_i8237_run(e, 100), 10);
    assert_int_equal(m5.calls, 1);
    assert_int_equal(m5.kind, SYSDMA_EMU_XFER_CASCADE);
    assert_null(m5.buf);
    assert_int_equal(m5.offered, 100);
    sysdma_emu_i8237_chan_info in = info_of(e, 5);
    assert_int_equal(in.cur_addr, 0x1234);
    assert_int_equal(in.cur_count, 0x0055);
    assert_false(in.tc);
    assert_false(in.masked);
    /* An ISA bus master on a DMA1 channel, through channel 4. */
    go(e, 2);
    assert_int_equal(sysdma_emu_i8237_run(e, 50), 3);
    assert_int_equal(m2.kind, SYSDMA_EMU_XFER_CASCADE);
    assert_null(m2.buf);
    assert_int_equal(m2.offered, 50);
    assert_int_equal(info_of(e, 2).cur_addr, 0x4321);
    assert_int_equal(info_of(e, 2).cur_count, 0x0066);
    for (size_t i = 0; i < RAM_SIZE; i++)
        if (ram[i])
            fail_msg("RAM 0x%zx written by a cascade cycle", i);
}

static void test_external_eop(void **state)
{
    (void)state;
    sysdma_emu_i8237 *e = fresh(true);
    tdev d1, d2, d6;
    attach(e, 1, &d1);
    attach(e, 2, &d2);
    attach(e, 6, &d6);
    /* Demand mode: the device ends the transfer after 25 of 100 bytes. */
    program(e, 1, SYSDMA_EMU_MODE_WRITE | SYSDMA_EMU_MODE_DEMAND, 0x00, 0x1000, 99);
    d1.eop_at = 25;
    go(e, 1);
    assert_int_equal(sysdma_emu_i8237_run(e, 1000), 25);
    sysdma_emu_i8237_chan_info in = info_of(e, 1);
    assert_true(in.tc);
    assert_true(in.masked);
    assert_int_equal(in.cur_count, 74);
    assert_int_equal(in.cur_addr, 0x1019);
    assert_int_equal(d1.tcs, 1);
    assert_int_equal(ram[0x1019], 0);
    assert_int_equal(sysdma_emu_i8237_inb(e, 0x08) & 0x0F, 0x02);
    /* Single mode with auto-init: EOP after 3 units reloads. */
    program(e, 2, SYSDMA_EMU_MODE_WRITE | SYSDMA_EMU_MODE_SINGLE | SYSDMA_EMU_MODE_AUTOINIT,
            0x00, 0x2000, 9);
    d2.eop_at = 3;
    go(e, 2);
    assert_int_equal(sysdma_emu_i8237_run(e, 3), 3);
    in = info_of(e, 2);
    assert_int_equal(d2.tcs, 1);
    assert_true(in.tc);
    assert_false(in.masked);
    assert_int_equal(in.cur_addr, 0x2000);
    assert_int_equal(in.cur_count, 9);
    /* EOP on an idle 16-bit channel takes effect at once. */
    program(e, 6, SYSDMA_EMU_MODE_WRITE | SYSDMA_EMU_MODE_SINGLE, 0x00, 0x3000, 9);
    mask_ch(e, 6, false);
    sysdma_emu_i8237_eop(e, 6);
    in = info_of(e, 6);
    assert_true(in.tc);
    assert_true(in.masked);
    assert_int_equal(in.cur_count, 9);
    assert_int_equal(d6.tcs, 1);
    assert_int_equal(d6.calls, 0);
    assert_int_equal(e->stats.tc[6], 1);
    /* Channel 4 and bad channels take no EOP. */
    sysdma_emu_i8237_state before;
    sysdma_emu_i8237_save(e, &before);
    sysdma_emu_i8237_eop(e, 4);
    sysdma_emu_i8237_eop(e, 8);
    assert_memory_equal(&e->s, &before, sizeof before);
}

/* ---- Priority ------------------------------------------------------------------- */

static void test_fixed_priority(void **state)
{
    (void)state;
    sysdma_emu_i8237 *e = fresh(true);
    tdev d[8];
    for (unsigned ch = 0; ch < 8; ch++) {
        if (ch == 4)
            continue;
        attach(e, ch, &d[ch]);
        program(e, ch, SYSDMA_EMU_MODE_WRITE | SYSDMA_EMU_MODE_SINGLE, 0x00,
                0x1000 * (ch + 1), 1);
    }
    /* Raised lowest first; served highest first: DMA1 (via channel 4, DMA2's
     * highest) before DMA2's 5-7, channel 0 before 1 before 2 before 3. */
    for (unsigned ch = 7; ch >= 5; ch--)
        go(e, ch);
    for (unsigned ch = 4; ch-- > 0;)
        go(e, ch);
    assert_int_equal(sysdma_emu_i8237_run(e, 1000), 14);
    static const unsigned want[] = {0, 0, 1, 1, 2, 2, 3, 3, 5, 5, 6, 6, 7, 7};
    check_order(want, sizeof want / sizeof want[0]);
}

static void test_rotating_priority(void **state)
{
    (void)state;
    sysdma_emu_i8237 *e = fresh(true);
    tdev d[8];
    for (unsigned ch = 0; ch < 4; ch++) {
        attach(e, ch, &d[ch]);
        program(e, ch, SYSDMA_EMU_MODE_WRITE | SYSDMA_EMU_MODE_SINGLE, 0x00,
                0x1000 * (ch + 1), 2);
    }
    sysdma_emu_i8237_outb(e, 0x08, SYSDMA_EMU_CMD_ROTATING);
    /* Serve channel 2 alone once: it becomes lowest, so 3 is highest. */
    go(e, 2);
    assert_int_equal(sysdma_emu_i8237_run(e, 1), 1);
    go(e, 0);
    go(e, 1);
    go(e, 3);
    assert_int_equal(sysdma_emu_i8237_run(e, 1000), 11);
    static const unsigned want[] = {2, 3, 0, 1, 2, 3, 0, 1, 2, 3, 0, 1};
    check_order(want, sizeof want / sizeof want[0]);

    /* DMA2 rotating: channels 5 and 7 alternate; fixed on DMA2 would give
     * 5 5 5 7 7 7. */
    order_n = 0;
    attach(e, 5, &d[5]);
    attach(e, 7, &d[7]);
    program(e, 5, SYSDMA_EMU_MODE_WRITE | SYSDMA_EMU_MODE_SINGLE, 0x00, 0x4000, 2);
    program(e, 7, SYSDMA_EMU_MODE_WRITE | SYSDMA_EMU_MODE_SINGLE, 0x00, 0x5000, 2);
    sysdma_emu_i8237_outb(e, 0xD0, SYSDMA_EMU_CMD_ROTATING);
    go(e, 7);
    go(e, 5);
    assert_int_equal(sysdma_emu_i8237_run(e, 1000), 6);
    static const unsigned want2[] = {5, 7, 5, 7, 5, 7};
    check_order(want2, sizeof want2 / sizeof want2[0]);

    /* DMA2 rotating with DMA1 fixed: a DMA1 channel (as channel 4) takes
     * turns with channel 6 instead of keeping the bus. */
    order_n = 0;
    sysdma_emu_i8237_outb(e, 0x08, 0);
    attach(e, 1, &d[1]);
    attach(e, 6, &d[6]);
    program(e, 1, SYSDMA_EMU_MODE_WRITE | SYSDMA_EMU_MODE_SINGLE, 0x00, 0x6000, 2);
    program(e, 6, SYSDMA_EMU_MODE_WRITE | SYSDMA_EMU_MODE_SINGLE, 0x00, 0x7000, 2);
    go(e, 6);
    go(e, 1);
    assert_int_equal(sysdma_emu_i8237_run(e, 1000), 6);
    assert_int_equal(order_n, 6);
    for (size_t i = 1; i < order_n; i++)
        if (order_log[i] == order_log[i - 1])
            fail_msg("callbacks %zu and %zu both went to channel %u", i - 1, i, order_log[i]);
}

/* ---- Device behaviour the header promises ------------------------------------------ */

typedef struct rdev {
    sysdma_emu_i8237 *e;
    size_t calls;
    bool stall;     /* return 0 while still requesting */
    bool reprogram; /* write a new address and count from inside the call */
} rdev;

static size_t rdev_xfer(void *ctx, unsigned channel, sysdma_emu_xfer kind,
                        uint8_t *buf, size_t units)
{
    rdev *r = ctx;
    (void)kind;
    r->calls++;
    if (r->stall)
        return 0;
    memset(buf, 0xB0, units);
    if (r->reprogram) {
        r->reprogram = false;
        sysdma_emu_i8237_outb(r->e, 0x0C, 0);
        sysdma_emu_i8237_outb(r->e, (uint16_t)(2 * channel), 0x00);
        sysdma_emu_i8237_outb(r->e, (uint16_t)(2 * channel), 0x70);
        sysdma_emu_i8237_outb(r->e, (uint16_t)(2 * channel + 1), 0x02);
        sysdma_emu_i8237_outb(r->e, (uint16_t)(2 * channel + 1), 0x00);
    }
    return units;
}

static void test_device_stall_and_reprogram(void **state)
{
    (void)state;
    sysdma_emu_i8237 *e = fresh(true);
    rdev r = {e, 0, true, false};
    sysdma_emu_dma_device dev = {rdev_xfer, NULL, &r};
    assert_true(sysdma_emu_i8237_attach(e, 2, &dev));
    /* Stalled: run() returns with nothing moved, nothing advanced. */
    program(e, 2, SYSDMA_EMU_MODE_WRITE | SYSDMA_EMU_MODE_DEMAND, 0x00, 0x6000, 9);
    go(e, 2);
    assert_int_equal(sysdma_emu_i8237_run(e, 1000), 0);
    assert_int_equal(r.calls, 1);
    assert_int_equal(e->stats.stalls, 1);
    assert_int_equal(info_of(e, 2).cur_addr, 0x6000);
    assert_int_equal(info_of(e, 2).cur_count, 9);
    assert_true(sysdma_emu_i8237_pending(e));
    /* Reprogrammed from inside the callback: what it wrote stands, the
     * 10 units it moved do not advance the new address or count. */
    r.stall = false;
    r.reprogram = true;
    assert_true(sysdma_emu_i8237_run(e, 1) >= 1);
    sysdma_emu_i8237_chan_info in = info_of(e, 2);
    assert_int_equal(in.cur_addr, 0x7000);
    assert_int_equal(in.base_addr, 0x7000);
    assert_int_equal(in.cur_count, 2);
    assert_false(in.tc);
    assert_int_equal(ram[0x6000], 0xB0);
    /* And it carries on from there. */
    assert_int_equal(sysdma_emu_i8237_run(e, 1000), 3);
    assert_int_equal(ram[0x7000], 0xB0);
    assert_int_equal(ram[0x7002], 0xB0);
    assert_int_equal(ram[0x7003], 0);
    assert_true(info_of(e, 2).tc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_verify_mode),
        cmocka_unit_test(test_write_mode),
        cmocka_unit_test(test_read_mode),
        cmocka_unit_test(test_autoinit_reload),
        cmocka_unit_test(test_no_autoinit_masks_at_tc),
        cmocka_unit_test(test_address_decrement),
        cmocka_unit_test(test_single_mode),
        cmocka_unit_test(test_demand_mode_pause_resume),
        cmocka_unit_test(test_block_mode_runs_to_tc),
        cmocka_unit_test(test_cascade_mode),
        cmocka_unit_test(test_external_eop),
        cmocka_unit_test(test_fixed_priority),
        cmocka_unit_test(test_rotating_priority),
        cmocka_unit_test(test_device_stall_and_reprogram),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
