/* SPDX-License-Identifier: MIT */
/*
 * The hardware lint of the emulated 8237A pair: it watches what a guest
 * does to the controllers and reports, through the embedder's callback,
 * programming that a lenient emulator forgives but real hardware does not
 * (a transfer that wraps in its page, a byte pointer left odd, a channel
 * unmasked with stale registers, ...). It never changes what the model
 * does: it only looks.
 *
 * i8237.c calls the hooks below only while the lint is on, before the
 * access takes effect, so each rule sees the registers as the guest found
 * them. The lint's bookkeeping (which channels were given a mode, which
 * reached terminal count, who touched the byte pointer) lives in
 * e->lint, apart from the hardware state.
 */
#include <string.h>

#include "sysdma/emu.h"
#include "i8237_internal.h"

static const char *const rule_name[SYSDMA_EMU_LINT_RULE_MAX + 1] = {
    "?",
    "wrap",
    "program-unmasked",
    "flipflop",
    "no-mode",
    "stale-after-tc",
    "page-bit0",
    "odd-address",
    "masked-request",
    "mem2mem",
    "decrement",
    "write-only-read",
};

static const char *const rule_text[SYSDMA_EMU_LINT_RULE_MAX + 1] = {
    "?",
    "transfer wraps inside its 64 KiB page (8-bit) or 128 KiB window (16-bit): "
    "the page register does not count, so the data lands at the start of the page",
    "address or count written while the channel is unmasked: a DREQ can start the "
    "transfer with half-written registers",
    "address/count byte written with the byte pointer left odd by another register: "
    "clear the flip-flop (port 0x0C/0xD8) first",
    "channel unmasked with no mode written since reset: the mode register is "
    "undefined after reset",
    "channel unmasked after terminal count without a new address or count: it "
    "restarts from the stale registers (count 0xFFFF = 64 Ki units)",
    "page register of a 16-bit channel written with bit 0 set: hardware ignores "
    "bit 0, the buffer is not where the driver thinks",
    "16-bit channel given an odd byte address or length: it moves whole words from "
    "even addresses only",
    "a device has held DREQ on a masked channel for longer than the threshold: "
    "did the driver forget to unmask it?",
    "memory-to-memory enabled: no PC/AT-compatible machine supports it",
    "channel unmasked in address-decrement mode: not portable across PC chipsets "
    "and emulators",
    "read of a write-only 8237 register: the 8237A leaves the bus undriven "
    "(later chipsets differ)",
};

const char *sysdma_emu_lint_rule_name(sysdma_emu_lint_rule rule)
{
    unsigned r = (unsigned)rule;
    return r >= 1 && r <= SYSDMA_EMU_LINT_RULE_MAX ? rule_name[r] : "?";
}

static void report(sysdma_emu_i8237 *e, sysdma_emu_lint_rule rule, int channel,
                   uint16_t port, uint32_t value, uint32_t detail)
{
    if (!(e->lint.rules & (1u << rule)) || !e->lint.fn)
        return;
    sysdma_emu_lint_report r = {rule, channel, port, value, detail, rule_name[rule],
                                rule_text[rule]};
    e->lint.reports++;
    e->lint.fn(e->lint.ctx, &r);
}

/* Channels that start life with a mode: those a BIOS set up (non-zero). */
static uint8_t modes_present(const sysdma_emu_i8237 *e)
{
    uint8_t m = 0;
    for (unsigned n = 0; n < 8; n++)
        if (e->s.ctrl[n >> 2].ch[n & 3u].mode)
            m |= (uint8_t)(1u << n);
    return m;
}

void sysdma__i8237_lint_reset(sysdma_emu_i8237 *e)
{
    sysdma_emu_i8237_lint *l = &e->lint;
    l->mode_written = modes_present(e);
    l->stale = 0;
    l->lo_reg[0] = l->lo_reg[1] = 0xFF;
    l->masked_reported = 0;
    l->unmasked_reported = 0;
    l->waiting = 0;
    for (unsigned n = 0; n < 8; n++)
        l->waited[n] = 0;
}

void sysdma_emu_i8237_set_lint(sysdma_emu_i8237 *e, sysdma_emu_lint_fn fn, void *ctx)
{
    sysdma_emu_i8237_lint *l = &e->lint;
    bool fresh = e->gen == l->reset_gen;
    uint32_t reset_gen = l->reset_gen;
    memset(l, 0, sizeof *l);
    l->reset_gen = reset_gen;
    if (!fn)
        return;
    l->fn = fn;
    l->ctx = ctx;
    l->rules = SYSDMA_EMU_LINT_ALL;
    l->threshold = SYSDMA_EMU_LINT_DEFAULT_THRESHOLD;
    sysdma__i8237_lint_reset(e);
    if (!fresh)
        l->mode_written = 0xFF;
}

void sysdma_emu_i8237_lint_config(sysdma_emu_i8237 *e, uint32_t rules, uint64_t threshold)
{
    e->lint.rules = rules & SYSDMA_EMU_LINT_ALL;
    if (threshold)
        e->lint.threshold = threshold;
}

void sysdma__i8237_lint_program(sysdma_emu_i8237 *e, unsigned channel, uint32_t phys,
                                uint32_t bytes)
{
    if (channel >= 4 && ((phys | bytes) & 1u))
        report(e, SYSDMA_EMU_LINT_ODD_ADDRESS, (int)channel, 0, phys, bytes);
}

/* Track the byte pointer for an address/count access to register `reg`;
 * true when the access lands on the high byte of a register whose low byte
 * was not the access just before (the pointer was left odd elsewhere). */
static bool flipflop_odd(sysdma_emu_i8237 *e, unsigned c, unsigned reg)
{
    uint8_t *lo = &e->lint.lo_reg[c];
    if (!e->s.ctrl[c].flipflop) {
        *lo = (uint8_t)reg;
        return false;
    }
    bool odd = *lo != reg;
    *lo = 0xFF;
    return odd;
}

void sysdma__i8237_lint_in(sysdma_emu_i8237 *e, uint16_t port)
{
    unsigned c, reg;
    if (!sysdma__i8237_decode(port, &c, &reg))
        return;
    if (reg < 8) {
        (void)flipflop_odd(e, c, reg);
        return;
    }
    if ((reg >= 0x9 && reg <= 0xC) || reg == 0xE || reg == 0xF)
        report(e, SYSDMA_EMU_LINT_WRITE_ONLY_READ, -1, port, reg, c);
}

/* Channel n (controller c, index i) is about to be able to run: unmasked,
 * or given a software request. Check what it will run with. */
static void starting(sysdma_emu_i8237 *e, unsigned c, unsigned i, uint16_t port)
{
    const sysdma_emu_i8237_chan *ch = &e->s.ctrl[c].ch[i];
    unsigned n = 4 * c + i;
    uint8_t bit = (uint8_t)(1u << n);
    if (!(e->lint.mode_written & bit)) {
        report(e, SYSDMA_EMU_LINT_NO_MODE, (int)n, port, ch->mode, 0);
        return; /* nothing else about it is meaningful */
    }
    if ((ch->mode & SYSDMA_EMU_MODE_XFER_MASK) == SYSDMA_EMU_MODE_CASCADE)
        return;
    if (e->lint.stale & bit) {
        e->lint.stale &= (uint8_t)~bit;
        report(e, SYSDMA_EMU_LINT_STALE_AFTER_TC, (int)n, port, ch->cur_addr, ch->cur_count);
        return;
    }
    bool down = (ch->mode & SYSDMA_EMU_MODE_DECREMENT) != 0;
    if (down)
        report(e, SYSDMA_EMU_LINT_DECREMENT, (int)n, port, ch->mode, 0);
    bool wraps = down ? ch->cur_addr < ch->cur_count
                      : (uint32_t)ch->cur_addr + ch->cur_count > 0xFFFFu;
    if (wraps)
        report(e, SYSDMA_EMU_LINT_WRAP, (int)n, port,
               (uint32_t)sysdma__i8237_phys_of(e, c, i, ch->cur_addr), ch->cur_count);
}

/* Channels of controller c that the write `v` to register `reg` unmasks. */
static unsigned unmasking(const sysdma_emu_i8237_ctrl *k, unsigned reg, uint8_t v)
{
    unsigned mask = k->mask, now = mask;
    if (reg == SYSDMA_EMU_I8237_REG_SINGLE_MASK && !(v & 4))
        now = mask & ~(1u << (v & 3u));
    else if (reg == SYSDMA_EMU_I8237_REG_CLEAR_MASK)
        now = 0;
    else if (reg == SYSDMA_EMU_I8237_REG_ALL_MASK)
        now = v & 0x0Fu;
    return mask & ~now & 0x0Fu;
}

void sysdma__i8237_lint_out(sysdma_emu_i8237 *e, uint16_t port, uint8_t v)
{
    unsigned c, reg;
    if (port >= 0x89 && port <= 0x8B && (v & 1u)) {
        /* 0x89, 0x8A, 0x8B: the pages of channels 6, 7, 5. */
        static const uint8_t ch_of[3] = {6, 7, 5};
        report(e, SYSDMA_EMU_LINT_PAGE_BIT0, ch_of[port - 0x89], port, v, 0);
        return;
    }
    if (!sysdma__i8237_decode(port, &c, &reg))
        return;
    sysdma_emu_i8237_ctrl *k = &e->s.ctrl[c];
    if (reg < 8) {
        unsigned i = reg >> 1, n = 4 * c + i;
        e->lint.stale &= (uint8_t)~(1u << n);
        if (flipflop_odd(e, c, reg))
            report(e, SYSDMA_EMU_LINT_FLIPFLOP, (int)n, port, v, reg & 1u);
        /* Once per programming: quiet again until the channel is next
         * written while masked. */
        uint8_t bit = (uint8_t)(1u << n);
        if (k->mask & (1u << i)) {
            e->lint.unmasked_reported &= (uint8_t)~bit;
        } else if ((k->ch[i].mode & SYSDMA_EMU_MODE_XFER_MASK) != SYSDMA_EMU_MODE_CASCADE &&
                   !(e->lint.unmasked_reported & bit)) {
            e->lint.unmasked_reported |= bit;
            report(e, SYSDMA_EMU_LINT_PROGRAM_UNMASKED, (int)n, port, v, reg & 1u);
        }
        return;
    }
    switch (reg) {
    case SYSDMA_EMU_I8237_REG_COMMAND:
        if (v & SYSDMA_EMU_CMD_MEM2MEM)
            report(e, SYSDMA_EMU_LINT_MEM2MEM, (int)(4 * c), port, v, 0);
        break;
    case SYSDMA_EMU_I8237_REG_MODE:
        e->lint.mode_written |= (uint8_t)(1u << (4 * c + (v & 3u)));
        break;
    case SYSDMA_EMU_I8237_REG_REQUEST:
        /* A software request starts a block-mode channel, masked or not. */
        if ((v & 4) && !(c == 1 && (v & 3u) == 0) && !(k->request & (1u << (v & 3u))) &&
            (k->ch[v & 3u].mode & SYSDMA_EMU_MODE_XFER_MASK) == SYSDMA_EMU_MODE_BLOCK)
            starting(e, c, v & 3u, port);
        break;
    case SYSDMA_EMU_I8237_REG_CLEAR_FF:
    case SYSDMA_EMU_I8237_REG_MASTER_CLEAR:
        e->lint.lo_reg[c] = 0xFF;
        break;
    default: {
        unsigned go = unmasking(k, reg, v);
        for (unsigned i = 0; i < 4; i++)
            if (go & (1u << i))
                starting(e, c, i, port);
        break;
    }
    }
}

void sysdma__i8237_lint_tc(sysdma_emu_i8237 *e, unsigned channel, uint32_t why)
{
    const sysdma_emu_i8237_chan *ch = &e->s.ctrl[channel >> 2].ch[channel & 3u];
    if (why == 1 && !(ch->mode & SYSDMA_EMU_MODE_AUTOINIT))
        e->lint.stale |= (uint8_t)(1u << channel);
}

void sysdma__i8237_lint_run(sysdma_emu_i8237 *e, size_t budget)
{
    sysdma_emu_i8237_lint *l = &e->lint;
    uint8_t masked = (uint8_t)(e->s.ctrl[0].mask | (e->s.ctrl[1].mask << 4));
    uint8_t waiting = (uint8_t)(e->s.dreq & masked & ~0x10u);
    if (!(waiting | l->waiting))
        return; /* the common case: nobody waits behind a mask */
    l->waiting = waiting;
    for (unsigned n = 0; n < 8; n++) {
        uint8_t bit = (uint8_t)(1u << n);
        if (!(waiting & bit)) {
            l->waited[n] = 0;
            l->masked_reported &= (uint8_t)~bit;
            continue;
        }
        l->waited[n] += budget;
        if (l->waited[n] > l->threshold && !(l->masked_reported & bit)) {
            l->masked_reported |= bit;
            report(e, SYSDMA_EMU_LINT_MASKED_REQUEST, (int)n, 0,
                   (uint32_t)(l->waited[n] > 0xFFFFFFFFu ? 0xFFFFFFFFu : l->waited[n]),
                   (uint32_t)l->threshold);
        }
    }
}
