/* SPDX-License-Identifier: MIT */
/*
 * The controller driver for the PC/AT's Intel 8237A pair. Port I/O only,
 * through the platform: the same code drives the emulated pair, QEMU's and
 * real hardware. One fragment per programming.
 *
 * Programming a channel is the sequence every PC OS uses: mask the channel,
 * clear the byte-pointer flip-flop, write the mode, the address (low, high),
 * the page, the count − 1 (low, high), unmask. 16-bit channels (5-7) take
 * word addresses and word counts: address = (phys >> 1) & 0xFFFF, page =
 * (phys >> 16) & 0xFE (address bit 15 drives A16), count = words − 1.
 *
 * Terminal count. The count register cannot say whether a transfer ended:
 * it reads 0xFFFF both when a full window (65536 units) is programmed and
 * not started and when any transfer has reached terminal count (the count
 * wraps past 0). The status register can (bits 0-3: the channels that
 * reached terminal count or saw EOP), but reading it clears those bits for
 * all four channels of that controller. So the driver reads it only into
 * its own record (drv->tc), where a channel's bit stays until the channel
 * is programmed again, and answers every channel from that record. That
 * record is what the core's completion path asks (terminal_counts): an
 * interrupt handler's check for channel 2 that reads a status register
 * showing channel 1's terminal count as well keeps channel 1's for the
 * check that comes for it. handle_interrupt reports from that record too
 * (each terminal count once); cancel masks and answers from it.
 */
#include "../core/freestanding.h"

#include "sysdma/ctrl_i8237.h"
#include "sysdma/controller.h"

static const uint8_t page_port[8] = {0x87, 0x83, 0x81, 0x82, 0x8F, 0x8B, 0x89, 0x8A};

/* Port of register `reg` (0-15) of the controller serving `ch`. */
static uint16_t port_of(unsigned ch, unsigned reg)
{
    return ch < 4 ? (uint16_t)reg : (uint16_t)(0xC0 + 2 * reg);
}

static void out(sysdma_i8237_driver *d, uint16_t port, uint8_t v)
{
    d->platform.ops->outb(d->platform.ctx, port, v);
}

static uint8_t in(sysdma_i8237_driver *d, uint16_t port)
{
    return d->platform.ops->inb(d->platform.ctx, port);
}

/* Read the status register of the controller serving `ch` and keep the
 * terminal counts it reports (the read clears them in the chip). */
static void read_status(sysdma_i8237_driver *d, unsigned ch)
{
    uint8_t st = in(d, port_of(ch, 0x8));
    d->tc |= (uint8_t)((st & 0x0Fu) << (ch < 4 ? 0 : 4));
}

static sysdma_status limits(void *ctx, unsigned ch, sysdma_channel_limits *l)
{
    (void)ctx;
    if (ch >= 8 || ch == 4)
        return SYSDMA_E_INVALID_CHANNEL;
    memset(l, 0, sizeof *l);
    bool wide = ch >= 4;
    l->address_bits = 24;
    l->width = wide ? 2 : 1;
    l->min_unit = l->width;
    l->counter_available = true;
    l->interrupts = false; /* the 8237 signals TC to the device, not the CPU */
    l->boundary = wide ? 0x20000u : 0x10000u;
    l->max_bytes = l->boundary;
    l->max_fragments = 1;
    return SYSDMA_OK;
}

static sysdma_status binding(void *ctx, unsigned ch, uint32_t line)
{
    (void)ctx;
    if (ch >= 8 || ch == 4)
        return SYSDMA_E_INVALID_CHANNEL;
    return line == 0 || line == ch ? SYSDMA_OK : SYSDMA_E_INVALID_CHANNEL;
}

static sysdma_status program(void *ctx, unsigned ch, const sysdma_program *p)
{
    sysdma_i8237_driver *d = ctx;
    if (ch >= 8 || ch == 4 || !p || p->count != 1)
        return SYSDMA_E_INVALID_ARGUMENT;
    bool wide = ch >= 4;
    uint64_t phys = p->fragments[0].phys;
    uint32_t len = p->fragments[0].length;
    uint32_t window = wide ? 0x20000u : 0x10000u;
    if (len == 0 || len > window || phys + len > (1u << 24) ||
        ((phys ^ (phys + len - 1)) & ~(uint64_t)(window - 1)))
        return SYSDMA_E_OUT_OF_REACH;
    if (wide && ((phys | len) & 1))
        return SYSDMA_E_ALIGNMENT;
    unsigned k = ch & 3u;
    uint8_t mode = (uint8_t)(k | (p->to_device ? 0x08 : 0x04) | (p->loop ? 0x10 : 0));
    mode |= p->mode == SYSDMA_XFER_DEMAND ? 0x00 : p->mode == SYSDMA_XFER_BLOCK ? 0x80 : 0x40;
    uint16_t addr = wide ? (uint16_t)(phys >> 1) : (uint16_t)phys;
    uint8_t page = wide ? (uint8_t)((phys >> 16) & 0xFE) : (uint8_t)(phys >> 16);
    uint16_t count = (uint16_t)((wide ? len / 2 : len) - 1);
    out(d, port_of(ch, 0xA), (uint8_t)(4 | k));
    /* Masked, the channel cannot reach terminal count: forget its last
     * one, keeping the other channels' that the read clears. */
    read_status(d, ch);
    d->tc &= (uint8_t)~(1u << ch);
    d->reported &= (uint8_t)~(1u << ch);
    out(d, port_of(ch, 0xC), 0);
    out(d, port_of(ch, 0xB), mode);
    out(d, port_of(ch, 2 * k), (uint8_t)addr);
    out(d, port_of(ch, 2 * k), (uint8_t)(addr >> 8));
    out(d, page_port[ch], page);
    out(d, port_of(ch, 2 * k + 1), (uint8_t)count);
    out(d, port_of(ch, 2 * k + 1), (uint8_t)(count >> 8));
    out(d, port_of(ch, 0xA), (uint8_t)k);
    d->programmed[ch] = mode;
    d->active |= (uint8_t)(1u << ch);
    return SYSDMA_OK;
}

static sysdma_status flush(void *ctx, unsigned ch)
{
    sysdma_i8237_driver *d = ctx;
    if (ch >= 8 || ch == 4)
        return SYSDMA_E_INVALID_CHANNEL;
    out(d, port_of(ch, 0xA), (uint8_t)(4 | (ch & 3u)));
    d->active &= (uint8_t)~(1u << ch);
    return SYSDMA_OK;
}

/* Bytes left and terminal count. The two count bytes are read through
 * the flip-flop while the channel may be running, so read until two
 * samples agree (a carry between the low and high read would otherwise
 * give a value off by 256). The status is read after the count: a
 * terminal count reached in between is then seen with the count that
 * wrapped, never a wrapped count without it. Without terminal count the
 * count register holds units − 1, so 0xFFFF is a whole window left (a
 * full-window transfer not started). With it, a count that wrapped to
 * 0xFFFF means everything moved; any other count means EOP ended the
 * transfer early, and that count is what is left. In auto-initialize mode
 * the count was reloaded at terminal count: it is the new pass's. */
static uint32_t read_residue(void *ctx, unsigned ch, bool *terminal_count)
{
    sysdma_i8237_driver *d = ctx;
    *terminal_count = false;
    if (ch >= 8 || ch == 4)
        return 0;
    uint16_t port = port_of(ch, 2 * (ch & 3u) + 1);
    uint16_t prev = 0;
    for (int tries = 0; tries < 16; tries++) {
        out(d, port_of(ch, 0xC), 0);
        uint16_t lo = in(d, port);
        uint16_t hi = in(d, port);
        uint16_t v = (uint16_t)(hi << 8 | lo);
        if (tries && v == prev)
            break;
        prev = v;
    }
    bool loop = (d->programmed[ch] & 0x10) != 0;
    /* Only a count of 0xFFFF (nothing left, or a whole window not
     * started) or a looping channel needs the terminal-count bit; the
     * chip keeps the bits until the status register is read. */
    if (loop || prev == 0xFFFFu)
        read_status(d, ch);
    bool ended = (d->tc >> ch) & 1u;
    uint32_t units = (uint32_t)prev + 1u; /* 1 .. 65536 */
    if (ended && !loop && prev == 0xFFFFu)
        units = 0;
    *terminal_count = ended && (loop || prev == 0xFFFFu);
    return ch >= 4 ? units * 2 : units;
}

/* The terminal counts of `channels`: each controller's status register
 * is read at most once, and only when a channel asked about has no
 * terminal count on record yet; every bit the read shows is kept. Then
 * the answer comes from the record. */
static uint32_t terminal_counts(void *ctx, uint32_t channels)
{
    sysdma_i8237_driver *d = ctx;
    channels &= 0xEFu; /* no channel 4 (the cascade), none past 7 */
    uint32_t unknown = channels & ~(uint32_t)d->tc;
    if (unknown & 0x0Fu)
        read_status(d, 0);
    if (unknown & 0xF0u)
        read_status(d, 5);
    return channels & d->tc;
}

/* The interrupt, polled: the 8237 raises none of its own (the device
 * does), so this reads both status registers into the record and reports
 * each terminal count once — until its channel is programmed again. A
 * looping channel's terminal count is reported once per programming (the
 * chip's bit says a pass ended, not how many). Nothing ever fails. */
static bool handle_interrupt(void *ctx, uint32_t *completed, uint32_t *failed)
{
    sysdma_i8237_driver *d = ctx;
    read_status(d, 0);
    read_status(d, 5);
    uint8_t fresh = (uint8_t)(d->tc & ~d->reported & 0xEFu);
    d->reported |= fresh;
    *completed = fresh;
    *failed = 0;
    return fresh != 0;
}

/* Mask the channel, then look at its terminal count (the status register
 * read into the record): reached, the transfer is complete (too late);
 * otherwise it stopped in time. A channel not programmed since it was last
 * stopped is idle. */
static sysdma_status cancel(void *ctx, unsigned ch, sysdma_cancel_result *result)
{
    sysdma_i8237_driver *d = ctx;
    if (ch >= 8 || ch == 4 || !result)
        return SYSDMA_E_INVALID_CHANNEL;
    bool was_active = (d->active >> ch) & 1u;
    (void)flush(ctx, ch);
    read_status(d, ch);
    if (!was_active)
        *result = SYSDMA_CANCEL_IDLE;
    else if ((d->tc >> ch) & 1u)
        *result = SYSDMA_CANCEL_TOO_LATE;
    else
        *result = SYSDMA_CANCEL_DONE;
    return SYSDMA_OK;
}

static uint32_t read_counter(void *ctx, unsigned ch)
{
    bool tc;
    return read_residue(ctx, ch, &tc);
}

static const sysdma_controller_ops i8237_ops = {
    .size = sizeof(sysdma_controller_ops),
    .channel_limits = limits,
    .validate_binding = binding,
    .program = program,
    .flush = flush,
    .read_counter = read_counter,
    .read_residue = read_residue,
    .terminal_counts = terminal_counts,
    .handle_interrupt = handle_interrupt,
    .cancel = cancel,
};

void sysdma_i8237_driver_init(sysdma_i8237_driver *drv, const sysdma_platform *platform,
                              sysdma_controller *out)
{
    memset(drv, 0, sizeof *drv);
    drv->platform = *platform;
    out->ops = &i8237_ops;
    out->ctx = drv;
}
