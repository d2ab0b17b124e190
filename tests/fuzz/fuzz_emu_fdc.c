/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target: the emulated floppy controller under a hostile guest.
 *
 * The input is a little program: port reads and writes anywhere in
 * 0x3F0-0x3F7, command bytes into the FIFO (whole READ/WRITE/FORMAT
 * commands with arbitrary parameters, to get past the opcode quickly),
 * 8237 channel-2 programming in every mode and direction, raw 8237 port
 * writes, DMA runs, time steps, timing on/off, disk swaps and resets.
 * Every disk image and the guest RAM sit inside guard zones that must
 * survive each input, and the controller's counters must stay inside their
 * buffers after every step.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sysdma/emu_fdc.h"

#define GUARD 4096
#define RAM_SIZE (65536 + 4099)
#define SZ_720K 737280u
#define SZ_144M 1474560u
#define SZ_288M 2949120u
#define PATTERN 0xA5

static uint8_t ram_arena[GUARD + RAM_SIZE + GUARD];
static uint8_t a720[GUARD + SZ_720K + GUARD];
static uint8_t a144[GUARD + SZ_144M + GUARD];
static uint8_t a288[GUARD + SZ_288M + GUARD];
static sysdma_emu_physmem mem;
static sysdma_emu_i8237 dma;
static sysdma_emu_fdc fdc;
static int irq_level;
static const uint8_t *cur;
static size_t left;

static uint8_t next(void)
{
    if (!left)
        return 0;
    left--;
    return *cur++;
}

static uint16_t next16(void)
{
    uint16_t lo = next();
    return (uint16_t)(lo | next() << 8);
}

static void irq(void *ctx, bool level)
{
    (void)ctx;
    irq_level = level;
}

static void set_guards(uint8_t *arena, size_t inner)
{
    memset(arena, PATTERN, GUARD);
    memset(arena + GUARD + inner, PATTERN, GUARD);
}

static uint8_t pattern[GUARD];

static bool guards_ok(const uint8_t *arena, size_t inner)
{
    return memcmp(arena, pattern, GUARD) == 0 &&
           memcmp(arena + GUARD + inner, pattern, GUARD) == 0;
}

static void check_guards(void)
{
    if (!guards_ok(ram_arena, RAM_SIZE) || !guards_ok(a720, SZ_720K) ||
        !guards_ok(a144, SZ_144M) || !guards_ok(a288, SZ_288M))
        abort();
}

/* The controller's counters stay inside their buffers after every step. */
static void check(void)
{
    if (fdc.cmd_len > sizeof fdc.cmd || fdc.res_len > sizeof fdc.res ||
        fdc.res_pos > fdc.res_len || fdc.x.pos > SYSDMA_EMU_FDC_SECTOR ||
        fdc.x.pos + fdc.x.credit > SYSDMA_EMU_FDC_SECTOR)
        abort();
    for (unsigned d = 0; d < SYSDMA_EMU_FDC_DRIVES; d++)
        if (fdc.drive[d].cyl > SYSDMA_EMU_FDC_MAX_CYL)
            abort();
    if (irq_level != fdc.irq_out)
        abort();
}

static void insert(unsigned drive, uint8_t how)
{
    bool wp = how & 4;
    switch (how & 3) {
    case 0:
        sysdma_emu_fdc_eject(&fdc, drive);
        break;
    case 1:
        sysdma_emu_fdc_insert(&fdc, drive, a720 + GUARD, SZ_720K, wp);
        break;
    case 2:
        sysdma_emu_fdc_insert(&fdc, drive, a144 + GUARD, SZ_144M, wp);
        break;
    default:
        sysdma_emu_fdc_insert(&fdc, drive, a288 + GUARD, SZ_288M, wp);
        break;
    }
    /* A refused size must change nothing. */
    if (sysdma_emu_fdc_insert(&fdc, drive, a720 + GUARD, SZ_720K + (how | 1u), wp))
        abort();
}

static void program(uint8_t mode, uint16_t addr, uint8_t page, uint16_t count)
{
    sysdma_emu_i8237_outb(&dma, 0x0A, 4 | 2);
    sysdma_emu_i8237_outb(&dma, 0x0C, 0);
    sysdma_emu_i8237_outb(&dma, 0x0B, (uint8_t)((mode & 0xFC) | 2));
    sysdma_emu_i8237_outb(&dma, 0x04, (uint8_t)addr);
    sysdma_emu_i8237_outb(&dma, 0x04, (uint8_t)(addr >> 8));
    sysdma_emu_i8237_outb(&dma, 0x81, page);
    sysdma_emu_i8237_outb(&dma, 0x05, (uint8_t)count);
    sysdma_emu_i8237_outb(&dma, 0x05, (uint8_t)(count >> 8));
    sysdma_emu_i8237_outb(&dma, 0x0A, 2);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static bool ready;
    if (!ready) {
        memset(pattern, PATTERN, sizeof pattern);
        set_guards(ram_arena, RAM_SIZE);
        set_guards(a720, SZ_720K);
        set_guards(a144, SZ_144M);
        set_guards(a288, SZ_288M);
        ready = true;
    }
    cur = data;
    left = size;
    irq_level = 0;
    sysdma_emu_physmem_init(&mem, ram_arena + GUARD, RAM_SIZE);
    sysdma_emu_i8237_init(&dma, &mem, true);
    if (!sysdma_emu_fdc_init(&fdc, &dma, 2, irq, NULL))
        abort();
    uint8_t setup = next();
    insert(0, (uint8_t)(setup & 7));
    insert(1, (uint8_t)((setup >> 3) & 7));
    if (setup & 0x40) {
        /* Skip the boring part: out of reset, both motors, a rate. */
        sysdma_emu_fdc_outb(&fdc, SYSDMA_EMU_FDC_DOR, 0x3C);
        sysdma_emu_fdc_outb(&fdc, SYSDMA_EMU_FDC_CCR, (uint8_t)(setup >> 7 ? 0 : 2));
    }
    check();

    for (unsigned steps = 0; left && steps < 512; steps++) {
        uint8_t op = next();
        switch (op % 14) {
        case 0: {
            uint16_t port = (uint16_t)(0x3F0 + (next() & 7));
            sysdma_emu_fdc_outb(&fdc, port, next());
            break;
        }
        case 1:
            (void)sysdma_emu_fdc_inb(&fdc, (uint16_t)(0x3F0 + (next() & 7)));
            break;
        case 2:
        case 3:
            sysdma_emu_fdc_outb(&fdc, SYSDMA_EMU_FDC_FIFO, next());
            break;
        case 4:
            (void)sysdma_emu_fdc_inb(&fdc, SYSDMA_EMU_FDC_FIFO);
            break;
        case 5: {
            /* A whole data command with hostile parameters. */
            static const uint8_t ops[] = {0xE6, 0x46, 0x06, 0xC5, 0x45, 0x4D, 0x4A, 0x66};
            uint8_t c[9];
            c[0] = ops[next() & 7];
            for (unsigned i = 1; i < 9; i++)
                c[i] = next();
            for (unsigned i = 0; i < 9; i++)
                sysdma_emu_fdc_outb(&fdc, SYSDMA_EMU_FDC_FIFO, c[i]);
            break;
        }
        case 6: {
            uint8_t mode = next();
            uint16_t addr = next16();
            uint8_t page = next() & 1;
            uint16_t count = next16() & 0x7FFF;
            program(mode, addr, page, count);
            break;
        }
        case 7:
        case 8:
            (void)sysdma_emu_i8237_run(&dma, (size_t)next() * 64 + 1);
            break;
        case 9: {
            uint32_t v = next16();
            v |= (uint32_t)next() << 16;
            sysdma_emu_fdc_advance(&fdc, (uint64_t)v * (next() & 0x3F));
            break;
        }
        case 10:
            sysdma_emu_fdc_set_timing(&fdc, next() & 1);
            break;
        case 11: {
            uint8_t how = next();
            insert(how >> 7, how);
            break;
        }
        case 12: {
            uint16_t port = next() & 0x0F;
            sysdma_emu_i8237_outb(&dma, port, next());
            break;
        }
        default:
            if (next() & 1)
                sysdma_emu_fdc_reset(&fdc);
            else
                sysdma_emu_i8237_dreq(&dma, 2, next() & 1);
            break;
        }
        check();
    }
    /* Let whatever is running finish. */
    for (unsigned i = 0; i < 4; i++) {
        (void)sysdma_emu_i8237_run(&dma, 1u << 12);
        sysdma_emu_fdc_advance(&fdc, 50000000);
        check();
    }
    check_guards();
    return 0;
}
