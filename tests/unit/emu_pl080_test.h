/* SPDX-License-Identifier: MIT */
/*
 * Shared by the emulated PL080's unit tests (test_emu_pl080*.c): guarded
 * RAM on a bus, the DMAC under test, register helpers, an interrupt
 * recorder, and a FIFO-like device window with a request line. Included
 * once per test program.
 */
#ifndef SYSDMA_EMU_PL080_TEST_H
#define SYSDMA_EMU_PL080_TEST_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "sysdma/emu_pl080.h"

#define RAM_SIZE (256u * 1024u)
#define GUARD 4096u
#define FIFO_ADDR 0xC0000000u /* the test device's data register */
#define NOWHERE 0xF0000000u   /* nothing is mapped there */

static uint8_t arena[GUARD + RAM_SIZE + GUARD];
static uint8_t *const ram = arena + GUARD;
static sysdma_emu_physmem mem;
static sysdma_emu_pl080 dmac;

/* Interrupt outputs as last reported, and rising edges seen. */
static struct {
    bool intr, tc, err;
    unsigned calls, tc_edges, err_edges;
} irq;

static void on_irq(void *ctx, bool intr, bool tc, bool err)
{
    (void)ctx;
    if (tc && !irq.tc)
        irq.tc_edges++;
    if (err && !irq.err)
        irq.err_edges++;
    irq.intr = intr;
    irq.tc = tc;
    irq.err = err;
    irq.calls++;
}

/* The test device: a data register at FIFO_ADDR (4 bytes) that produces
 * byte k of its stream on the k-th byte read and records what is written,
 * plus the responses it got on its request line. */
static struct {
    uint8_t got[8192];
    size_t ngot;          /* bytes written to it */
    size_t nread;         /* bytes read from it */
    unsigned clr, tc;     /* DMACCLR / DMACTC responses */
    unsigned after_clr;   /* request set to assert after each DMACCLR */
    unsigned line;
    bool fail_write;      /* answer writes with an AHB error */
    uint32_t seen_config; /* channel 0 configuration read during a write */
} dev;

static bool dev_read(void *ctx, uint32_t off, uint8_t *buf, size_t n)
{
    (void)ctx;
    (void)off;
    for (size_t k = 0; k < n; k++)
        buf[k] = (uint8_t)(0xA0 + dev.nread++);
    return true;
}

static bool dev_write(void *ctx, uint32_t off, const uint8_t *buf, size_t n)
{
    (void)ctx;
    (void)off;
    if (dev.fail_write)
        return false;
    dev.seen_config = sysdma_emu_pl080_read(&dmac, SYSDMA_EMU_PL080_CH(0, SYSDMA_EMU_PL080_CH_CONFIG));
    for (size_t k = 0; k < n && dev.ngot < sizeof dev.got; k++)
        dev.got[dev.ngot++] = buf[k];
    return true;
}

static void dev_response(void *ctx, unsigned line, bool tc)
{
    (void)ctx;
    assert_int_equal(line, dev.line);
    dev.clr++;
    if (tc)
        dev.tc++;
    sysdma_emu_pl080_request(&dmac, line, dev.after_clr);
}

/* A fresh DMAC over zeroed RAM at bus address `base`, guards filled with
 * 0xE7, interrupt recorder installed, DMAC enabled, the test device on
 * `line` 3 at FIFO_ADDR. */
static inline void fresh_at(uint32_t base)
{
    memset(arena, 0xE7, sizeof arena);
    memset(ram, 0, RAM_SIZE);
    memset(&irq, 0, sizeof irq);
    memset(&dev, 0, sizeof dev);
    dev.line = 3;
    sysdma_emu_physmem_init(&mem, ram, RAM_SIZE);
    sysdma_emu_pl080_init(&dmac, &mem, base);
    sysdma_emu_pl080_set_irq(&dmac, on_irq, NULL);
    irq.calls = 0;
    sysdma_emu_pl080_window w = {FIFO_ADDR, 4, dev_read, dev_write, NULL};
    assert_true(sysdma_emu_pl080_map_window(&dmac, &w));
    sysdma_emu_pl080_periph p = {dev_response, NULL};
    assert_true(sysdma_emu_pl080_attach(&dmac, 3, &p));
    sysdma_emu_pl080_write(&dmac, SYSDMA_EMU_PL080_CONFIG, SYSDMA_EMU_PL080_CFG_E);
}

static inline void fresh(void)
{
    fresh_at(0);
}

static inline void guards_intact(void)
{
    for (size_t k = 0; k < GUARD; k++) {
        assert_int_equal(arena[k], 0xE7);
        assert_int_equal(arena[GUARD + RAM_SIZE + k], 0xE7);
    }
}

static inline uint32_t R(uint32_t off)
{
    return sysdma_emu_pl080_read(&dmac, off);
}

static inline void W(uint32_t off, uint32_t v)
{
    sysdma_emu_pl080_write(&dmac, off, v);
}

static inline uint32_t RC(unsigned c, uint32_t reg)
{
    return R(SYSDMA_EMU_PL080_CH(c, reg));
}

/* Channel configuration: flow type, peripherals, and flags (E, IE, ITC, H...). */
static inline uint32_t ccfg(unsigned flow, unsigned srcper, unsigned dstper, uint32_t flags)
{
    return flow << SYSDMA_EMU_PL080_CCFG_FLOW_SHIFT | srcper << SYSDMA_EMU_PL080_CCFG_SRCPER_SHIFT |
           dstper << SYSDMA_EMU_PL080_CCFG_DSTPER_SHIFT | flags;
}

#define ALLINT (SYSDMA_EMU_PL080_CCFG_IE | SYSDMA_EMU_PL080_CCFG_ITC)
#define INCR (SYSDMA_EMU_PL080_CTL_SI | SYSDMA_EMU_PL080_CTL_DI)

/* Program channel c's registers the way a driver does: addresses, LLI,
 * control, then the configuration (with E in `cfg` to start it). */
static inline void program(unsigned c, uint32_t src, uint32_t dst, uint32_t lli, uint32_t ctl,
                           uint32_t cfg)
{
    W(SYSDMA_EMU_PL080_CH(c, SYSDMA_EMU_PL080_CH_SRC), src);
    W(SYSDMA_EMU_PL080_CH(c, SYSDMA_EMU_PL080_CH_DST), dst);
    W(SYSDMA_EMU_PL080_CH(c, SYSDMA_EMU_PL080_CH_LLI), lli);
    W(SYSDMA_EMU_PL080_CH(c, SYSDMA_EMU_PL080_CH_CONTROL), ctl);
    W(SYSDMA_EMU_PL080_CH(c, SYSDMA_EMU_PL080_CH_CONFIG), cfg);
}

static inline void put32(uint32_t addr, uint32_t v)
{
    ram[addr] = (uint8_t)v;
    ram[addr + 1] = (uint8_t)(v >> 8);
    ram[addr + 2] = (uint8_t)(v >> 16);
    ram[addr + 3] = (uint8_t)(v >> 24);
}

/* A linked-list item in RAM (little-endian words). */
static inline void put_lli(uint32_t at, uint32_t src, uint32_t dst, uint32_t next, uint32_t ctl)
{
    put32(at, src);
    put32(at + 4, dst);
    put32(at + 8, next);
    put32(at + 12, ctl);
}

static inline void fill(uint32_t addr, size_t n, uint8_t seed)
{
    for (size_t k = 0; k < n; k++)
        ram[addr + k] = (uint8_t)(seed + k * 7);
}

static inline size_t run(size_t budget)
{
    return sysdma_emu_pl080_run(&dmac, budget);
}

#define WORD 2u
#define HALF 1u
#define BYTE 0u

#endif
