/* SPDX-License-Identifier: MIT */
/*
 * Shared by the emulated 8237A pair's unit tests (test_emu_i8237*.c): a RAM
 * array, the emulator under test, port helpers that program channels as an
 * OS does, and a recording test device. Included once per test program.
 */
#ifndef SYSDMA_EMU_I8237_TEST_H
#define SYSDMA_EMU_I8237_TEST_H

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
static inline sysdma_emu_i8237 *fresh_sized(bool pc_bios, uint64_t ram_size)
{
    memset(ram, 0, sizeof ram);
    if (ram_size < sizeof ram)
        memset(ram + ram_size, 0xEE, sizeof ram - (size_t)ram_size);
    sysdma_emu_physmem_init(&mem, ram, ram_size);
    order_n = 0;
    sysdma_emu_i8237_init(&emu, &mem, pc_bios);
    return &emu;
}

static inline sysdma_emu_i8237 *fresh(bool pc_bios)
{
    return fresh_sized(pc_bios, RAM_SIZE);
}

/* Port of register `reg` on the controller that serves `ch`. */
static inline uint16_t port_of(unsigned ch, unsigned reg)
{
    return (uint16_t)(ch < 4 ? reg : 0xC0u + 2u * reg);
}

static inline void wr(sysdma_emu_i8237 *e, unsigned ch, unsigned reg, unsigned v)
{
    sysdma_emu_i8237_outb(e, port_of(ch, reg), (uint8_t)v);
}

static inline uint8_t rd(sysdma_emu_i8237 *e, unsigned ch, unsigned reg)
{
    return sysdma_emu_i8237_inb(e, port_of(ch, reg));
}

static inline void mask_ch(sysdma_emu_i8237 *e, unsigned ch, bool masked)
{
    wr(e, ch, SYSDMA_EMU_I8237_REG_SINGLE_MASK, (masked ? 4u : 0u) | (ch & 3u));
}

/* Mask, clear the flip-flop, mode, address, page, count; left masked. */
static inline void program(sysdma_emu_i8237 *e, unsigned ch, unsigned mode,
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
static inline unsigned read16(sysdma_emu_i8237 *e, unsigned ch, unsigned which)
{
    unsigned k = ch & 3u;
    wr(e, ch, SYSDMA_EMU_I8237_REG_CLEAR_FF, 0);
    unsigned lo = rd(e, ch, 2 * k + which);
    unsigned hi = rd(e, ch, 2 * k + which);
    return lo | (hi << 8);
}

static inline sysdma_emu_i8237_chan_info info_of(sysdma_emu_i8237 *e, unsigned ch)
{
    sysdma_emu_i8237_chan_info in;
    assert_true(sysdma_emu_i8237_channel_info(e, ch, &in));
    return in;
}

static inline uint8_t pat(uint8_t seed, size_t k)
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

static inline size_t tdev_xfer(void *ctx, unsigned channel, sysdma_emu_xfer kind,
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

static inline void tdev_tc(void *ctx, unsigned channel)
{
    (void)channel;
    ((tdev *)ctx)->tcs++;
}

static inline void attach(sysdma_emu_i8237 *e, unsigned ch, tdev *d)
{
    memset(d, 0, sizeof *d);
    d->e = e;
    sysdma_emu_dma_device dev = {tdev_xfer, tdev_tc, d};
    assert_true(sysdma_emu_i8237_attach(e, ch, &dev));
}

/* Unmask `ch` and raise its DREQ. */
static inline void go(sysdma_emu_i8237 *e, unsigned ch)
{
    mask_ch(e, ch, false);
    sysdma_emu_i8237_dreq(e, ch, true);
}

static inline void check_written(size_t phys, uint8_t seed, size_t from, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (ram[phys + i] != pat(seed, from + i))
            fail_msg("RAM 0x%zx = 0x%02x, want 0x%02x (stream byte %zu)", phys + i,
                     ram[phys + i], pat(seed, from + i), from + i);
}

static inline void check_order(const unsigned *want, size_t n)
{
    assert_int_equal(order_n, n);
    for (size_t i = 0; i < n; i++)
        if (order_log[i] != want[i])
            fail_msg("callback %zu went to channel %u, want %u", i, order_log[i], want[i]);
}

#endif
