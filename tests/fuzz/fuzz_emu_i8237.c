/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target: the emulated 8237A pair under a hostile guest.
 *
 * The input is a little program: port writes and reads anywhere in the
 * pair's decode (and outside it), DREQ changes, external EOPs, run() with
 * budgets, resets, and save/restore of a state the input may corrupt.
 * Devices on every channel give and take data, sometimes move less than
 * offered, and sometimes call dreq/eop or even write controller ports from
 * inside their callback. RAM is small and odd-sized, inside a larger buffer
 * whose guard zones must survive; every buffer the emulator hands a device
 * must lie inside RAM or inside the emulator's own scratch.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sysdma/emu.h"

#define GUARD 4096
#define RAM_SIZE (65536 + 77)

static uint8_t arena[GUARD + RAM_SIZE + GUARD];
static sysdma_emu_physmem mem;
static sysdma_emu_i8237 dma;

typedef struct fdev {
    unsigned ch;
    uint8_t behaviour; /* from the input: how the device misbehaves */
    uint32_t moved;
} fdev;

static fdev devs[8];
static const uint8_t *cur;
static size_t left;

static uint8_t next(void)
{
    if (!left)
        return 0;
    left--;
    return *cur++;
}

static void check_buf(const uint8_t *buf, size_t bytes)
{
    const uint8_t *ram = arena + GUARD;
    bool in_ram = buf >= ram && buf + bytes <= ram + RAM_SIZE;
    bool in_scratch = buf >= dma.scratch && buf + bytes <= dma.scratch + sizeof dma.scratch;
    if (!in_ram && !in_scratch)
        abort();
}

static size_t xfer(void *ctx, unsigned ch, sysdma_emu_xfer kind, uint8_t *buf, size_t units)
{
    fdev *d = ctx;
    if (units == 0 || ch != d->ch)
        abort();
    unsigned w = ch >= 4 ? 2u : 1u;
    if (kind == SYSDMA_EMU_XFER_READ || kind == SYSDMA_EMU_XFER_WRITE) {
        if (!buf)
            abort();
        check_buf(buf, units * w);
    } else if (buf) {
        abort();
    }
    size_t n = units;
    switch (d->behaviour & 7) {
    case 1:
        n = units / 2;
        break;
    case 2:
        n = 0;
        break;
    case 3:
        sysdma_emu_i8237_dreq(&dma, ch, false);
        break;
    case 4:
        sysdma_emu_i8237_eop(&dma, ch);
        break;
    case 5: /* hostile: reprogram the controller from inside the callback */
        sysdma_emu_i8237_outb(&dma, (uint16_t)(ch < 4 ? 2 * ch : 0xC0 + 4 * (ch & 3)), 0x12);
        break;
    case 6:
        sysdma_emu_i8237_dreq(&dma, (ch + 1) & 7, true);
        break;
    case 7: /* "no data for me": the controller runs the cycles itself */
        d->moved += (uint32_t)units;
        return SYSDMA_EMU_XFER_ABSENT;
    default:
        break;
    }
    if (kind == SYSDMA_EMU_XFER_WRITE)
        memset(buf, (int)(0xA0 + ch), n * w);
    else if (kind == SYSDMA_EMU_XFER_READ && n)
        d->moved += buf[0];
    d->moved += (uint32_t)n;
    return n;
}

static void tc(void *ctx, unsigned ch)
{
    fdev *d = ctx;
    if (ch != d->ch)
        abort();
    if (d->behaviour & 8)
        sysdma_emu_i8237_dreq(&dma, ch, false);
}

/* The hardware lint, on for half the inputs: reports must be well formed. */
static void lint_check(void *ctx, const sysdma_emu_lint_report *r)
{
    (void)ctx;
    if (r->rule < 1 || r->rule > SYSDMA_EMU_LINT_RULE_MAX || r->channel < -1 || r->channel > 7 ||
        !r->name || !r->text || strcmp(r->name, sysdma_emu_lint_rule_name(r->rule)) != 0)
        abort();
}

static uint16_t port_from(uint8_t a, uint8_t b)
{
    switch (a & 3) {
    case 0:
        return b & 0x0F;
    case 1:
        return (uint16_t)(0xC0 + (b & 0x1F));
    case 2:
        return (uint16_t)(0x80 + (b & 0x0F));
    default:
        return (uint16_t)(b | ((a & 0xF0) << 4));
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    cur = data;
    left = size;
    memset(arena, 0xE7, sizeof arena);
    sysdma_emu_physmem_init(&mem, arena + GUARD, RAM_SIZE);
    sysdma_emu_i8237_init(&dma, &mem, next() & 1);
    if (next() & 1)
        sysdma_emu_i8237_set_lint(&dma, lint_check, NULL);
    for (unsigned ch = 0; ch < 8; ch++) {
        devs[ch] = (fdev){.ch = ch, .behaviour = next()};
        sysdma_emu_dma_device d = {xfer, tc, &devs[ch]};
        if (ch != 4 && !(devs[ch].behaviour & 0x80))
            sysdma_emu_i8237_attach(&dma, ch, &d);
    }
    sysdma_emu_i8237_state saved;
    sysdma_emu_i8237_save(&dma, &saved);
    while (left) {
        uint8_t op = next();
        switch (op % 10) {
        case 0:
        case 1:
        case 2: {
            uint8_t a = next(), b = next();
            sysdma_emu_i8237_outb(&dma, port_from(a, b), next());
            break;
        }
        case 3: {
            uint8_t a = next(), b = next();
            (void)sysdma_emu_i8237_inb(&dma, port_from(a, b));
            break;
        }
        case 4:
            sysdma_emu_i8237_dreq(&dma, next() % 9, next() & 1);
            break;
        case 5:
            sysdma_emu_i8237_eop(&dma, next() % 9);
            break;
        case 6: {
            size_t budget = (size_t)next() << (next() % 11);
            size_t moved = sysdma_emu_i8237_run(&dma, budget);
            if (moved > budget)
                abort();
            break;
        }
        case 7:
            sysdma_emu_i8237_save(&dma, &saved);
            break;
        case 8: {
            /* Corrupt a byte of the saved state and try to load it. */
            sysdma_emu_i8237_state bad = saved;
            size_t at = next() % sizeof bad;
            ((uint8_t *)&bad)[at] ^= next();
            (void)sysdma_emu_i8237_restore(&dma, &bad);
            break;
        }
        default: {
            sysdma_emu_i8237_chan_info info;
            (void)sysdma_emu_i8237_channel_info(&dma, next(), &info);
            if (next() == 0x5A)
                sysdma_emu_i8237_reset(&dma, next() & 1);
            (void)sysdma_emu_i8237_pending(&dma);
            break;
        }
        }
    }
    for (size_t k = 0; k < GUARD; k++)
        if (arena[k] != 0xE7 || arena[GUARD + RAM_SIZE + k] != 0xE7)
            abort();
    return 0;
}
