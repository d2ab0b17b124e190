/* SPDX-License-Identifier: MIT */
/*
 * Shared by the emulated floppy controller's unit tests (test_emu_fdc*.c):
 * guest RAM and disk images, the controller on channel 2 of an emulated
 * 8237A, and helpers that drive it as a driver does: port I/O to the
 * controller, channel 2 programmed through its ports, and a loop of DMA
 * runs and time steps until IRQ 6. Included once per test program.
 */
#ifndef SYSDMA_TEST_FDC_FIXTURE_H
#define SYSDMA_TEST_FDC_FIXTURE_H

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "sysdma/emu_fdc.h"

#define RAM (1u << 20)
#define IMG_720K 737280u
#define IMG_144M 1474560u
#define IMG_288M 2949120u
#define BUF 0x20000u /* DMA buffer in guest RAM (64 KiB page 2) */

static uint8_t ram[RAM];
static uint8_t img[IMG_288M], ref[IMG_288M];
static sysdma_emu_physmem mem;
static sysdma_emu_i8237 dma;
static sysdma_emu_fdc fdc;
static int irq_level, irq_edges;

static inline void irq(void *ctx, bool level)
{
    (void)ctx;
    if (level && !irq_level)
        irq_edges++;
    irq_level = level;
}

static inline void fill(uint8_t *p, size_t n, unsigned seed)
{
    for (size_t o = 0; o < n; o++)
        p[o] = (uint8_t)(o * 31u + (o >> 9) * 7u + seed);
}

static inline uint8_t in(uint16_t port)
{
    return sysdma_emu_fdc_inb(&fdc, port);
}

static inline void out(uint16_t port, uint8_t v)
{
    sysdma_emu_fdc_outb(&fdc, port, v);
}

/* Program channel 2 as an OS does: mask, flip-flop, mode, address, page,
 * count, unmask. */
static inline void program(uint8_t mode, uint32_t phys, uint32_t bytes)
{
    uint16_t count = (uint16_t)(bytes - 1);
    sysdma_emu_i8237_outb(&dma, 0x0A, 4 | 2);
    sysdma_emu_i8237_outb(&dma, 0x0C, 0);
    sysdma_emu_i8237_outb(&dma, 0x0B, (uint8_t)(mode | 2));
    sysdma_emu_i8237_outb(&dma, 0x04, (uint8_t)phys);
    sysdma_emu_i8237_outb(&dma, 0x04, (uint8_t)(phys >> 8));
    sysdma_emu_i8237_outb(&dma, 0x81, (uint8_t)(phys >> 16));
    sysdma_emu_i8237_outb(&dma, 0x05, (uint8_t)count);
    sysdma_emu_i8237_outb(&dma, 0x05, (uint8_t)(count >> 8));
    sysdma_emu_i8237_outb(&dma, 0x0A, 2);
}

#define DMA_TO_MEM (SYSDMA_EMU_MODE_SINGLE | SYSDMA_EMU_MODE_WRITE)
#define DMA_FROM_MEM (SYSDMA_EMU_MODE_SINGLE | SYSDMA_EMU_MODE_READ)

/* Run DMA and time (step ns per round) until IRQ 6 rises; false on timeout. */
static inline bool wait_irq(uint64_t step, unsigned rounds)
{
    for (unsigned i = 0; i < rounds; i++) {
        if (irq_level)
            return true;
        sysdma_emu_i8237_run(&dma, 4096);
        sysdma_emu_fdc_advance(&fdc, step);
    }
    return irq_level != 0;
}

/* Write a command byte by byte, checking the handshake. */
static inline void cmd(const uint8_t *b, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        uint8_t m = in(SYSDMA_EMU_FDC_MSR);
        assert_int_equal(m & (SYSDMA_EMU_FDC_MSR_RQM | SYSDMA_EMU_FDC_MSR_DIO),
                         SYSDMA_EMU_FDC_MSR_RQM);
        out(SYSDMA_EMU_FDC_FIFO, b[i]);
    }
}

#define CMD(...)                                              \
    do {                                                      \
        const uint8_t c_[] = {__VA_ARGS__};                   \
        cmd(c_, sizeof c_);                                   \
    } while (0)

/* Read n result bytes, checking the handshake; then the controller is idle. */
static inline void result(uint8_t *r, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        uint8_t m = in(SYSDMA_EMU_FDC_MSR);
        assert_int_equal(m & 0xD0, SYSDMA_EMU_FDC_MSR_RQM | SYSDMA_EMU_FDC_MSR_DIO |
                                        SYSDMA_EMU_FDC_MSR_CB);
        r[i] = in(SYSDMA_EMU_FDC_FIFO);
    }
    assert_int_equal(in(SYSDMA_EMU_FDC_MSR) & 0xF0, SYSDMA_EMU_FDC_MSR_RQM);
}

static inline void sense_int(uint8_t *st0, uint8_t *pcn)
{
    uint8_t r[2];
    CMD(SYSDMA_EMU_FDC_CMD_SENSE_INT);
    result(r, 2);
    *st0 = r[0];
    *pcn = r[1];
}

/* DOR reset, then the four polling interrupts of the data sheet. */
static inline void controller_reset(uint8_t dor)
{
    out(SYSDMA_EMU_FDC_DOR, 0x00);
    assert_int_equal(in(SYSDMA_EMU_FDC_MSR), 0x00);
    out(SYSDMA_EMU_FDC_DOR, dor);
    assert_true(wait_irq(1000, 10));
    for (unsigned d = 0; d < 4; d++) {
        uint8_t st0, pcn;
        assert_int_equal(irq_level, 1);
        sense_int(&st0, &pcn);
        assert_int_equal(st0, 0xC0 | d);
    }
    assert_int_equal(irq_level, 0);
}

static inline void setup_machine(size_t size, bool wp)
{
    memset(ram, 0, sizeof ram);
    fill(img, size, 0x5A);
    memcpy(ref, img, size);
    sysdma_emu_physmem_init(&mem, ram, RAM);
    sysdma_emu_i8237_init(&dma, &mem, true);
    irq_level = irq_edges = 0;
    assert_true(sysdma_emu_fdc_init(&fdc, &dma, 2, irq, NULL));
    assert_true(sysdma_emu_fdc_insert(&fdc, 0, img, size, wp));
    controller_reset(0x1C); /* motor 0, DMA gate, out of reset, drive 0 */
    uint8_t rate = size == IMG_720K   ? SYSDMA_EMU_FDC_RATE_250K
                   : size == IMG_144M ? SYSDMA_EMU_FDC_RATE_500K
                                      : SYSDMA_EMU_FDC_RATE_1M;
    out(SYSDMA_EMU_FDC_CCR, rate);
    CMD(SYSDMA_EMU_FDC_CMD_SPECIFY, 0xDF, 0x02); /* SRT 3 ms, HUT 240 ms, HLT 2 ms, DMA */
}

static inline void seek(unsigned drive, unsigned head, unsigned cyl)
{
    uint8_t st0, pcn;
    CMD(SYSDMA_EMU_FDC_CMD_SEEK, (uint8_t)(head << 2 | drive), (uint8_t)cyl);
    assert_true(wait_irq(1000000, 1000));
    sense_int(&st0, &pcn);
    assert_int_equal(st0, 0x20 | head << 2 | drive);
    assert_int_equal(pcn, cyl);
}

/* READ DATA or WRITE DATA through DMA at BUF; fills the 7 result bytes. */
static inline void rw(uint8_t op, unsigned drive, unsigned c, unsigned h, unsigned r, unsigned eot,
                      uint32_t bytes, uint8_t *res)
{
    bool write = (op & 0x1F) == SYSDMA_EMU_FDC_CMD_WRITE_DATA;
    program(write ? DMA_FROM_MEM : DMA_TO_MEM, BUF, bytes);
    CMD(op, (uint8_t)(h << 2 | drive), (uint8_t)c, (uint8_t)h, (uint8_t)r, 2, (uint8_t)eot,
        0x1B, 0xFF);
    assert_true(wait_irq(1000, 200000));
    result(res, 7);
    assert_int_equal(irq_level, 0);
}

static inline size_t off(unsigned spt, unsigned c, unsigned h, unsigned r)
{
    return (((size_t)c * 2 + h) * spt + (r - 1)) * 512;
}

#define READ 0xE6  /* MT MFM SK READ DATA */
#define WRITE 0xC5 /* MT MFM WRITE DATA */

#endif /* SYSDMA_TEST_FDC_FIXTURE_H */
