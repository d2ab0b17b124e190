/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target: the emulated PL080 under a hostile guest — arbitrary
 * 32-bit writes and reads anywhere in its register block (channel setups,
 * interrupt clears, software requests, endianness), linked-list items of
 * any content written into RAM, request lines driven at random, runs with
 * any budget, resets and snapshot round trips. RAM is small, odd-sized and
 * guarded; the device windows check every access they are handed. A
 * UART-style device and an audio device hang on lines 8-10, with time
 * passing and bytes arriving at random. Any
 * access outside RAM and the windows must end as a bus error, never as a
 * host access, and the registers must only ever hold bits they have.
 *
 * Input: records of 6 bytes {op, a, v0, v1, v2, v3}.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sysdma/emu_pl080_dev.h"

#define GUARD 4096
#define RAM_SIZE (65536 + 13)
#define RAM_BASE 0x40000000u
#define DEV_ADDR 0x50000000u
#define DEV_SIZE 64u

static uint8_t arena[GUARD + RAM_SIZE + GUARD];
static sysdma_emu_physmem mem;
static sysdma_emu_pl080 dmac;
static sysdma_emu_uart uart;
static sysdma_emu_audio audio;
static unsigned irq_calls;

static bool dev_read(void *ctx, uint32_t off, uint8_t *buf, size_t n)
{
    (void)ctx;
    if (n == 0 || n > sizeof dmac.scratch || off + n > DEV_SIZE)
        abort();
    memset(buf, (int)off, n);
    return off != 60; /* one word of the window answers with an error */
}

static bool dev_write(void *ctx, uint32_t off, const uint8_t *buf, size_t n)
{
    (void)ctx;
    if (n == 0 || n > sizeof dmac.scratch || off + n > DEV_SIZE)
        abort();
    volatile uint8_t sink = 0;
    for (size_t k = 0; k < n; k++)
        sink ^= buf[k];
    (void)sink;
    return off != 56;
}

static void on_irq(void *ctx, bool intr, bool tc, bool err)
{
    (void)ctx;
    if (intr != (tc || err))
        abort();
    irq_calls++;
}

static void on_response(void *ctx, unsigned line, bool tc)
{
    (void)ctx;
    (void)tc;
    if (line >= SYSDMA_EMU_PL080_LINES)
        abort();
    sysdma_emu_pl080_request(&dmac, line, (line * 5u + irq_calls) & 15u);
}

/* A register offset: mostly the interesting ones, sometimes anything. */
static uint32_t offset_of(uint8_t a, uint8_t v0)
{
    if (a < 0x10)
        return 4u * a;
    if (a < 0xD0)
        return 0x100u + 4u * (a - 0x10u);
    if (a < 0xE0)
        return 0xFE0u + 4u * (a & 7u);
    return (uint32_t)a << 4 | v0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    memset(arena, 0xE7, sizeof arena);
    memset(arena + GUARD, 0, RAM_SIZE);
    sysdma_emu_physmem_init(&mem, arena + GUARD, RAM_SIZE);
    sysdma_emu_pl080_init(&dmac, &mem, RAM_BASE);
    sysdma_emu_pl080_window w = {DEV_ADDR, DEV_SIZE, dev_read, dev_write, NULL};
    if (!sysdma_emu_pl080_map_window(&dmac, &w))
        abort();
    sysdma_emu_pl080_periph p = {on_response, NULL};
    for (unsigned l = 0; l < SYSDMA_EMU_PL080_LINES; l++)
        sysdma_emu_pl080_attach(&dmac, l, &p);
    sysdma_emu_pl080_set_irq(&dmac, on_irq, NULL);
    sysdma_emu_uart_config uc = {0x60000000u, 8, 9, 16, 4, 100, NULL, NULL};
    sysdma_emu_audio_config ac = {0x60001000u, 10, 64, 16, 4, 48000, NULL, NULL};
    if (!sysdma_emu_uart_init(&uart, &dmac, &uc) || !sysdma_emu_audio_init(&audio, &dmac, &ac))
        abort();
    for (size_t k = 0; k + 5 < size; k += 6) {
        uint8_t op = data[k], a = data[k + 1];
        uint32_t v = (uint32_t)data[k + 2] | (uint32_t)data[k + 3] << 8 |
                     (uint32_t)data[k + 4] << 16 | (uint32_t)data[k + 5] << 24;
        /* Values with bit 7 of op set are steered into RAM or the window. */
        uint32_t addr = (op & 0x40) ? DEV_ADDR + v % (DEV_SIZE + 8) : RAM_BASE + v % (RAM_SIZE + 64);
        uint32_t val = (op & 0x80) ? addr : v;
        switch (op & 0x0F) {
        case 0:
        case 1:
        case 2:
        case 3:
            sysdma_emu_pl080_write(&dmac, offset_of(a, data[k + 2]), val);
            break;
        case 4:
            (void)sysdma_emu_pl080_read(&dmac, offset_of(a, data[k + 2]));
            break;
        case 5:
        case 6:
            (void)sysdma_emu_pl080_run(&dmac, v & 0xFFFFu);
            break;
        case 7:
            sysdma_emu_pl080_request(&dmac, a, v);
            break;
        case 8: { /* a linked-list item in RAM: {addr, addr', next, control} */
            uint32_t at = (uint32_t)a * 16u;
            uint32_t item[4] = {addr, RAM_BASE + (v >> 8) % RAM_SIZE,
                                (op & 0x20) ? 0 : RAM_BASE + 16u * (v % 256u) + (v >> 31),
                                v ^ 0x0C000000u};
            memcpy(arena + GUARD + at, item, sizeof item);
            break;
        }
        case 9:
            sysdma_emu_pl080_write(&dmac, SYSDMA_EMU_PL080_CONFIG, 1u | (v & 6u));
            break;
        case 10:
            sysdma_emu_pl080_reset(&dmac);
            break;
        case 11: {
            sysdma_emu_pl080_state st;
            sysdma_emu_pl080_save(&dmac, &st);
            if (!sysdma_emu_pl080_restore(&dmac, &st))
                abort();
            if (a & 1) { /* a corrupted snapshot must be refused */
                st.ch[a % 8].config |= SYSDMA_EMU_PL080_CCFG_A;
                if (sysdma_emu_pl080_restore(&dmac, &st))
                    abort();
            }
            break;
        }
        case 13:
            sysdma_emu_uart_advance(&uart, v & 0xFFFFFu);
            break;
        case 14:
            (void)sysdma_emu_uart_receive(&uart, data + k + 2, a % 5);
            break;
        case 15:
            sysdma_emu_audio_advance(&audio, (uint64_t)(v & 0xFFFFFFu) << (a % 4));
            break;
        default: /* a channel set-up in one go */
            for (unsigned r = 0; r < 4; r++)
                sysdma_emu_pl080_write(&dmac, SYSDMA_EMU_PL080_CH(a % 8, 4 * r),
                                       r < 2 ? addr + 64 * r : r == 2 ? 0 : v);
            sysdma_emu_pl080_write(&dmac, SYSDMA_EMU_PL080_CH(a % 8, SYSDMA_EMU_PL080_CH_CONFIG),
                                   1u | (uint32_t)a << 8 | 0xC000u);
            break;
        }
        for (unsigned c = 0; c < SYSDMA_EMU_PL080_CHANNELS; c++)
            if ((dmac.s.ch[c].config & ~SYSDMA_EMU_PL080_CCFG_WRITABLE) || (dmac.s.ch[c].lli & 2u) ||
                dmac.s.fifo_n[c] > sizeof dmac.s.fifo[c])
                abort();
        if (dmac.s.config > 7 || dmac.in_service || uart.tx_count > uart.cfg.depth ||
            uart.rx_count > uart.cfg.depth || audio.count > audio.cfg.depth)
            abort();
    }
    for (size_t k = 0; k < GUARD; k++)
        if (arena[k] != 0xE7 || arena[GUARD + RAM_SIZE + k] != 0xE7)
            abort();
    return 0;
}
