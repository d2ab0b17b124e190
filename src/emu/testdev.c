/* SPDX-License-Identifier: MIT */
/*
 * The generic subordinate test device (see include/sysdma/emu_testdev.h).
 * It requests DMA while it has bytes to move (and, when paced, credit to
 * move them), ends when its length is done or when the controller signals
 * terminal count, and then raises its interrupt line until acknowledged.
 */
#include "sysdma/emu_testdev.h"

#include <string.h>

static unsigned width_of(const sysdma_emu_testdev *d)
{
    return d->channel >= 4 ? 2u : 1u;
}

/* Raise DREQ while there is a whole unit to move and (paced) credit for it. */
static void update_dreq(sysdma_emu_testdev *d)
{
    unsigned w = width_of(d);
    bool want = d->dir != 0 && d->len - d->moved >= w &&
                (d->bytes_per_us == 0 || d->credit_milli >= (uint64_t)w * 1000u);
    sysdma_emu_i8237_dreq(d->dma, d->channel, want);
}

static void finish(sysdma_emu_testdev *d, uint8_t why)
{
    d->dir = 0;
    d->status = (uint8_t)((d->status & ~SYSDMA_EMU_TESTDEV_BUSY) | SYSDMA_EMU_TESTDEV_DONE |
                          SYSDMA_EMU_TESTDEV_IRQ | why);
    sysdma_emu_i8237_dreq(d->dma, d->channel, false);
    if (d->irq)
        d->irq(d->irq_ctx, true);
}

static size_t xfer(void *ctx, unsigned ch, sysdma_emu_xfer kind, uint8_t *buf, size_t units)
{
    sysdma_emu_testdev *d = ctx;
    (void)ch;
    if (d->dir == 0)
        return SYSDMA_EMU_XFER_ABSENT; /* idle: takes no part */
    unsigned w = width_of(d);
    size_t n = (d->len - d->moved) / w;
    if (d->bytes_per_us) {
        size_t credit = (size_t)(d->credit_milli / 1000u) / w;
        if (credit < n)
            n = credit;
    }
    if (units < n)
        n = units;
    size_t bytes = n * w;
    if (kind == SYSDMA_EMU_XFER_WRITE && d->dir == 1)
        memcpy(buf, d->data + d->moved, bytes);
    else if (kind == SYSDMA_EMU_XFER_READ && d->dir == 2)
        memcpy(d->data + d->moved, buf, bytes);
    /* A controller programmed for the other direction (or verify) still
     * handshakes: the device counts the units but no data meets. */
    d->moved += bytes;
    if (d->bytes_per_us)
        d->credit_milli -= (uint64_t)bytes * 1000u;
    if (d->len - d->moved < w)
        finish(d, 0);
    else
        update_dreq(d);
    return n;
}

static void on_tc(void *ctx, unsigned ch)
{
    sysdma_emu_testdev *d = ctx;
    (void)ch;
    d->status |= SYSDMA_EMU_TESTDEV_TC;
    if (d->dir != 0 && !d->stream)
        finish(d, SYSDMA_EMU_TESTDEV_SHORT);
}

bool sysdma_emu_testdev_init(sysdma_emu_testdev *d, sysdma_emu_i8237 *dma, unsigned channel,
                             uint16_t base_port, uint8_t *data, size_t cap,
                             uint32_t bytes_per_us, void (*irq)(void *ctx, bool level),
                             void *irq_ctx)
{
    if (channel >= 8 || channel == 4 || !dma)
        return false;
    memset(d, 0, sizeof *d);
    d->dma = dma;
    d->channel = channel;
    d->base_port = base_port;
    d->data = data;
    d->cap = data ? cap : 0;
    d->bytes_per_us = bytes_per_us;
    d->irq = irq;
    d->irq_ctx = irq_ctx;
    sysdma_emu_dma_device dev = {xfer, on_tc, d};
    return sysdma_emu_i8237_attach(dma, channel, &dev);
}

uint8_t sysdma_emu_testdev_inb(sysdma_emu_testdev *d, uint16_t port)
{
    switch ((uint16_t)(port - d->base_port)) {
    case 0:
        return d->status;
    case 1: case 2: case 3: case 4:
        return (uint8_t)(d->len_reg >> (8 * (port - d->base_port - 1)));
    case 6:
        return (uint8_t)d->moved;
    case 7:
        return (uint8_t)(d->moved >> 8);
    default:
        return 0xFF;
    }
}

void sysdma_emu_testdev_outb(sysdma_emu_testdev *d, uint16_t port, uint8_t v)
{
    unsigned reg = (uint16_t)(port - d->base_port);
    if (reg >= 1 && reg <= 4) {
        unsigned sh = 8 * (reg - 1);
        d->len_reg = (d->len_reg & ~(0xFFu << sh)) | ((uint32_t)v << sh);
        return;
    }
    if (reg == 5) {
        d->status &= (uint8_t)~SYSDMA_EMU_TESTDEV_IRQ;
        if (d->irq)
            d->irq(d->irq_ctx, false);
        return;
    }
    if (reg != 0)
        return;
    if (v == 0) {
        d->dir = 0;
        d->status &= (uint8_t)~SYSDMA_EMU_TESTDEV_BUSY;
        sysdma_emu_i8237_dreq(d->dma, d->channel, false);
        return;
    }
    uint8_t op = v & 0x7F;
    if (op != 1 && op != 2)
        return;
    d->stream = (v & 0x80) != 0;
    v = op;
    d->len = d->len_reg < d->cap ? d->len_reg : d->cap;
    d->moved = 0;
    d->credit_milli = 0;
    d->status = SYSDMA_EMU_TESTDEV_BUSY;
    d->dir = v;
    if (d->len < width_of(d))
        finish(d, 0);
    else
        update_dreq(d);
}

void sysdma_emu_testdev_advance(sysdma_emu_testdev *d, uint64_t ns)
{
    if (d->dir == 0 || d->bytes_per_us == 0)
        return;
    uint64_t add = ns * d->bytes_per_us; /* bytes × 1000 */
    uint64_t cap = (uint64_t)(d->len - d->moved) * 1000u;
    d->credit_milli = d->credit_milli + add > cap ? cap : d->credit_milli + add;
    update_dreq(d);
}
