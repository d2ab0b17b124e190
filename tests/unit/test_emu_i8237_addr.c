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

#define RAM_SIZE (256u * 1024u)

static uint8_t ram[RAM_SIZE];
static sysdma_emu_physmem mem;
static sysdma_emu_i8237 emu;

/* Order in which channels were called back, across all devices. */
static unsigned order_log[1024];
static size_t order_n;

/* Fresh pair over `ram_size` bytes of zeroed RAM (the rest of the host array
 * is filled with 0xEE so that stray writes past RAM show up). */
static sysdma_emu_i8237 *fresh_sized(bool pc_bios, uint64_t ram_size)
{
    memset(ram, 0, sizeof ram);
    if (ram_size < sizeof ram)
        memset(ram + ram_size, 0xEE, sizeof ram - (size_t)ram_size);
    sysdma_emu_physmem_init(&mem, ram, ram_size);
    order_n = 0;
    sysdma_emu_i8237_init(&emu, &mem, pc_bios);
    return &emu;
}

static sysdma_emu_i8237 *fresh(bool pc_bios)
{
    return fresh_sized(pc_bios, RAM_SIZE);
}

/* Port of register `reg` on the controller that serves `ch`. */
static uint16_t port_of(unsigned ch, unsigned reg)
{
    return (uint16_t)(ch < 4 ? reg : 0xC0u + 2u * reg);
}

static void wr(sysdma_emu_i8237 *e, unsigned ch, unsigned reg, unsigned v)
{
    sysdma_emu_i8237_outb(e, port_of(ch, reg), (uint8_t)v);
}

static uint8_t rd(sysdma_emu_i8237 *e, unsigned ch, unsigned reg)
{
    return sysdma_emu_i8237_inb(e, port_of(ch, reg));
}

static void mask_ch(sysdma_emu_i8237 *e, unsigned ch, bool masked)
{
    wr(e, ch, SYSDMA_EMU_I8237_REG_SINGLE_MASK, (masked ? 4u : 0u) | (ch & 3u));
}

/* Mask, clear the flip-flop, mode, address, page, count; left masked. */
static void program(sysdma_emu_i8237 *e, unsigned ch, unsigned mode,
                    unsigned page, unsigned addr, unsigned count)
{
    unsigned k = ch & 3u;
    mask_ch(e, ch, true);
    wr(e, ch, SYSDMA_EMU_I8237_REG_CLEAR_FF, 0);
    wr(e, ch, SYSDMA_EMU_I8237_REG_MODE, mode | k);
    wr(e, ch, 2 * k, addr & 0xFF);
    wr(e, ch, 2 * k, addr >> 8);
    sysdma_emu_i8237_outb(e, sysdma_emu_i8237_page_port(ch), (uint8_t)page);
    wr(e, ch, 2 * k + 1, count & 0xFF);
    wr(e, ch, 2 * k + 1, count >> 8);
}

/* Read a 16-bit address (which=0) or count (which=1) register via ports. */
static unsigned read16(sysdma_emu_i8237 *e, unsigned ch, unsigned which)
{
    unsigned k = ch & 3u;
    wr(e, ch, SYSDMA_EMU_I8237_REG_CLEAR_FF, 0);
    unsigned lo = rd(e, ch, 2 * k + which);
    unsigned hi = rd(e, ch, 2 * k + which);
    return lo | (hi << 8);
}

static sysdma_emu_i8237_chan_info info_of(sysdma_emu_i8237 *e, unsigned ch)
{
    sysdma_emu_i8237_chan_info in;
    assert_true(sysdma_emu_i8237_channel_info(e, ch, &in));
    return in;
}

static uint8_t pat(uint8_t seed, size_t k)
{
    return (uint8_t)(seed + k * 7u + (k >> 8));
}

/* ---- A test device ---------------------------------------------------------- */

typedef struct tdev {
    sysdma_emu_i8237 *e;
    uint8_t seed;       /* WRITE: byte k of the stream is pat(seed, k) */
    size_t pos;         /* bytes produced or consumed */
    uint8_t sink[4096]; /* READ: the first bytes received */
    size_t calls, tcs;
    size_t cap;         /* at most this many units per call; 0 = no cap */
    bool drop_dreq;     /* lower DREQ in every call */
    size_t eop_at;      /* signal EOP once this many units moved; 0 = never */
    size_t first_units, last_units, max_units; /* units offered */
    sysdma_emu_xfer kind; /* kind of the last call */
    bool buf_null;      /* some call had buf == NULL */
} tdev;

static size_t tdev_xfer(void *ctx, unsigned channel, sysdma_emu_xfer kind,
                        uint8_t *buf, size_t units)
{
    tdev *d = ctx;
    size_t w = channel >= 4 ? 2u : 1u;
    size_t n = (d->cap && units > d->cap) ? d->cap : units;
    if (d->eop_at && d->pos / w + n > d->eop_at)
        n = d->eop_at - d->pos / w;
    if (order_n < sizeof order_log / sizeof order_log[0])
        order_log[order_n++] = channel;
    if (!d->calls)
        d->first_units = units;
    d->calls++;
    d->kind = kind;
    d->last_units = units;
    if (units > d->max_units)
        d->max_units = units;
    if (!buf)
        d->buf_null = true;
    for (size_t b = 0; buf && b < n * w; b++) {
        if (kind == SYSDMA_EMU_XFER_WRITE)
            buf[b] = pat(d->seed, d->pos + b);
        else if (kind == SYSDMA_EMU_XFER_READ && d->pos + b < sizeof d->sink)
            d->sink[d->pos + b] = buf[b];
    }
    d->pos += n * w;
    if (d->drop_dreq)
        sysdma_emu_i8237_dreq(d->e, channel, false);
    if (d->eop_at && d->pos / w == d->eop_at) {
        sysdma_emu_i8237_eop(d->e, channel);
        d->eop_at = 0;
    }
    return n;
}

static void tdev_tc(void *ctx, unsigned channel)
{
    (void)channel;
    ((tdev *)ctx)->tcs++;
}

static void attach(sysdma_emu_i8237 *e, unsigned ch, tdev *d)
{
    memset(d, 0, sizeof *d);
    d->e = e;
    sysdma_emu_dma_device dev = {tdev_xfer, tdev_tc, d};
    assert_true(sysdma_emu_i8237_attach(e, ch, &dev));
}

/* Unmask `ch` and raise its DREQ. */
static void go(sysdma_emu_i8237 *e, unsigned ch)
{
    mask_ch(e, ch, false);
    sysdma_emu_i8237_dreq(e, ch, true);
}

static void check_written(size_t phys, uint8_t seed, size_t from, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (ram[phys + i] != pat(seed, from + i))
            fail_msg("RAM 0x%zx = 0x%02x, want 0x%02x (stream byte %zu)", phys + i,
                     ram[phys + i], pat(seed, from + i), from + i);
}

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
