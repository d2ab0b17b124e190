/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target: the emulated SB16 under a hostile guest — arbitrary
 * writes and reads on its 16 ports (DSP commands with any parameters,
 * mixer indexes, resets), 8237 programming of its channels, simulated time
 * in any steps, DMA runs. RAM is small and guarded; every buffer the card
 * is handed must lie inside RAM or the controller's scratch, and the
 * counters of its block state must stay consistent.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sysdma/emu_sb16.h"

#define GUARD 4096
#define RAM_SIZE (200000 + 13)

static uint8_t arena[GUARD + RAM_SIZE + GUARD];
static sysdma_emu_physmem mem;
static sysdma_emu_i8237 dma;
static sysdma_emu_sb16 sb;

static void check_buf(const uint8_t *p, size_t n)
{
    const uint8_t *ram = arena + GUARD;
    bool in_ram = p >= ram && p + n <= ram + RAM_SIZE;
    bool in_scratch = p >= dma.scratch && p + n <= dma.scratch + sizeof dma.scratch;
    if (!in_ram && !in_scratch)
        abort();
}

static void play(void *ctx, const uint8_t *pcm, size_t bytes, const sysdma_emu_sb16_format *f)
{
    (void)ctx;
    if (!bytes || !f || (f->bits != 8 && f->bits != 16))
        abort();
    check_buf(pcm, bytes);
}

static size_t record(void *ctx, uint8_t *pcm, size_t bytes, const sysdma_emu_sb16_format *f)
{
    (void)ctx;
    (void)f;
    check_buf(pcm, bytes);
    size_t n = bytes / 2;
    memset(pcm, 0x11, n);
    return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    memset(arena, 0xE7, sizeof arena);
    sysdma_emu_physmem_init(&mem, arena + GUARD, RAM_SIZE);
    sysdma_emu_i8237_init(&dma, &mem, true);
    sysdma_emu_sb16_config c = {0x220, 1, 5, 5, NULL, play, record, NULL};
    if (!sysdma_emu_sb16_init(&sb, &dma, &c))
        abort();
    for (size_t k = 0; k + 2 < size; k += 3) {
        uint8_t op = data[k], a = data[k + 1], b = data[k + 2];
        switch (op % 6) {
        case 0:
        case 1:
            sysdma_emu_sb16_outb(&sb, (uint16_t)(0x220 + (a & 15)), b);
            break;
        case 2:
            (void)sysdma_emu_sb16_inb(&sb, (uint16_t)(0x220 + (a & 15)));
            break;
        case 3: /* the guest programs the DMA controller */
            sysdma_emu_i8237_outb(&dma, a < 0x80 ? (uint16_t)(a & 0x0F) : (uint16_t)(0xC0 + (a & 0x1F)), b);
            if (op & 0x80)
                sysdma_emu_i8237_outb(&dma, sysdma_emu_i8237_page_port(a & 7), b);
            break;
        case 4:
            sysdma_emu_sb16_advance(&sb, (uint64_t)a << (b % 32));
            break;
        default:
            (void)sysdma_emu_i8237_run(&dma, (size_t)a << (b % 12));
            break;
        }
        if (sb.active && (sb.block_left > sb.block_bytes || sb.out_count > sizeof sb.out))
            abort();
    }
    for (size_t k = 0; k < GUARD; k++)
        if (arena[k] != 0xE7 || arena[GUARD + RAM_SIZE + k] != 0xE7)
            abort();
    return 0;
}
