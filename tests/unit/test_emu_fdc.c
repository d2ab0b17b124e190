/* SPDX-License-Identifier: MIT */
/*
 * The emulated 82077AA floppy controller, driven as a driver drives it
 * (see fdc_fixture.h): data transfers. READ DATA and WRITE DATA through
 * DMA and through the FIFO, how they end (terminal count, end of cylinder,
 * errors), write protection, implied seeks, the 8237 in other modes, and
 * timed operation.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "sysdma/emu_fdc.h"

#include "fdc_fixture.h"

/* ---- Tests --------------------------------------------------------------------- */

static void test_read_one_sector(void **state)
{
    (void)state;
    setup_machine(IMG_144M, false);
    uint8_t r[7];
    memset(ram + BUF - 16, 0xEE, 512 + 32);
    seek(0, 1, 3);
    rw(READ, 0, 3, 1, 7, 18, 512, r);
    assert_int_equal(r[0], 0x04);
    assert_int_equal(r[1], 0);
    assert_int_equal(r[2], 0);
    assert_int_equal(r[3], 3);
    assert_int_equal(r[4], 1);
    assert_int_equal(r[5], 8);
    assert_int_equal(r[6], 2);
    assert_memory_equal(ram + BUF, img + off(18, 3, 1, 7), 512);
    assert_int_equal(ram[BUF - 1], 0xEE);
    assert_int_equal(ram[BUF + 512], 0xEE);
    assert_int_equal(sysdma_emu_i8237_inb(&dma, 0x08) & 0x04, 0x04); /* TC on channel 2 */
    assert_int_equal(irq_edges, 1 + 1 + 1); /* reset, seek, read */
    /* TC at a sector boundary of a multi-sector read: R moves on by two. */
    rw(READ, 0, 3, 1, 17, 18, 1024, r);
    assert_int_equal(r[0], 0x04);
    assert_int_equal(r[3], 4); /* sector 18 = EOT, MT, head 1: next cylinder */
    assert_int_equal(r[4], 0);
    assert_int_equal(r[5], 1);
    assert_memory_equal(ram + BUF, img + off(18, 3, 1, 17), 1024);
    /* Without MT, a read that ends on EOT moves C on and keeps H. */
    rw(0x46, 0, 3, 0, 18, 18, 512, r);
    assert_int_equal(r[0], 0x00);
    assert_int_equal(r[3], 4);
    assert_int_equal(r[4], 0);
    assert_int_equal(r[5], 1);
    /* TC in the middle of a sector ends the command normally. */
    rw(READ, 0, 3, 0, 1, 18, 700, r);
    assert_int_equal(r[0], 0x00);
    assert_int_equal(r[5], 3);
    assert_memory_equal(ram + BUF, img + off(18, 3, 0, 1), 700);
}

static void test_read_track_mt(void **state)
{
    (void)state;
    setup_machine(IMG_144M, false);
    uint8_t r[7];
    seek(0, 0, 9);
    rw(READ, 0, 9, 0, 1, 18, 36 * 512, r);
    assert_int_equal(r[0], 0x04); /* ended on head 1 */
    assert_int_equal(r[1], 0);
    assert_int_equal(r[3], 10);
    assert_int_equal(r[4], 0);
    assert_int_equal(r[5], 1);
    assert_memory_equal(ram + BUF, img + off(18, 9, 0, 1), 36 * 512);
    /* Ending with TC on the last sector of head 0: H flips, C stays. */
    rw(READ, 0, 9, 0, 10, 18, 9 * 512, r);
    assert_int_equal(r[0], 0x00);
    assert_int_equal(r[3], 9);
    assert_int_equal(r[4], 1);
    assert_int_equal(r[5], 1);
    /* From the middle of head 0 into head 1, stopped by TC there. */
    rw(READ, 0, 9, 0, 16, 18, 6 * 512, r);
    assert_int_equal(r[0], 0x04);
    assert_int_equal(r[3], 9);
    assert_int_equal(r[4], 1);
    assert_int_equal(r[5], 4);
    assert_memory_equal(ram + BUF, img + off(18, 9, 0, 16), 6 * 512);
}

static void test_read_whole_disk(void **state)
{
    (void)state;
    setup_machine(IMG_144M, false);
    uint8_t r[7];
    for (unsigned c = 0; c < 80; c++) {
        seek(0, 0, c);
        memset(ram + BUF, 0, 18432);
        rw(READ, 0, c, 0, 1, 18, 18432, r);
        assert_int_equal(r[0] & 0xC0, 0);
        assert_int_equal(r[3], c + 1);
        assert_memory_equal(ram + BUF, img + (size_t)c * 18432, 18432);
    }
    assert_memory_equal(img, ref, IMG_144M);
}

static void test_write_sectors(void **state)
{
    (void)state;
    setup_machine(IMG_144M, false);
    uint8_t r[7];
    for (unsigned i = 0; i < 3 * 512; i++)
        ram[BUF + i] = (uint8_t)(i ^ 0xA7);
    seek(0, 1, 10);
    rw(WRITE, 0, 10, 1, 5, 18, 3 * 512, r);
    assert_int_equal(r[0], 0x04);
    assert_int_equal(r[1], 0);
    assert_int_equal(r[5], 8);
    size_t o = off(18, 10, 1, 5);
    assert_memory_equal(img + o, ram + BUF, 3 * 512);
    memcpy(ref + o, ram + BUF, 3 * 512);
    assert_memory_equal(img, ref, IMG_144M); /* nothing else changed */
    /* Read it back through the controller. */
    memset(ram + BUF, 0, 3 * 512);
    rw(READ, 0, 10, 1, 5, 18, 3 * 512, r);
    assert_memory_equal(ram + BUF, img + o, 3 * 512);
    /* TC in the middle of a sector: the rest of it is written as zeros. */
    memset(ram + BUF, 0x11, 512);
    rw(WRITE, 0, 10, 0, 2, 18, 100, r);
    assert_int_equal(r[0], 0x00);
    assert_int_equal(r[5], 3);
    o = off(18, 10, 0, 2);
    memset(ref + o, 0x11, 100);
    memset(ref + o + 100, 0, 412);
    assert_memory_equal(img, ref, IMG_144M);
}

static void test_errors(void **state)
{
    (void)state;
    setup_machine(IMG_144M, false);
    uint8_t r[7];
    /* No disk in drive 1 (motor on): abnormal termination, not ready. */
    out(SYSDMA_EMU_FDC_DOR, 0x3D);
    rw(READ, 1, 0, 0, 1, 18, 512, r);
    assert_int_equal(r[0], 0x48 | 0x01);
    assert_int_equal(r[1], 0);
    /* Motor of drive 0 off: not ready either. */
    out(SYSDMA_EMU_FDC_DOR, 0x0C);
    rw(READ, 0, 0, 0, 1, 18, 512, r);
    assert_int_equal(r[0], 0x48);
    out(SYSDMA_EMU_FDC_DOR, 0x1C);
    /* Sector not found: R beyond the track, N not 512 bytes, H wrong. */
    rw(READ, 0, 0, 0, 19, 19, 512, r);
    assert_int_equal(r[0], 0x40);
    assert_int_equal(r[1], SYSDMA_EMU_FDC_ST1_ND);
    assert_int_equal(r[5], 19);
    program(DMA_TO_MEM, BUF, 512);
    CMD(READ, 0x00, 0, 0, 1, 3, 18, 0x1B, 0xFF);
    assert_true(wait_irq(1000, 10));
    result(r, 7);
    assert_int_equal(r[1], SYSDMA_EMU_FDC_ST1_ND);
    program(DMA_TO_MEM, BUF, 512);
    CMD(READ, 0x00, 0, 1, 1, 2, 18, 0x1B, 0xFF); /* head 0, ID asks for H = 1 */
    assert_true(wait_irq(1000, 10));
    result(r, 7);
    assert_int_equal(r[0], 0x40);
    assert_int_equal(r[1], SYSDMA_EMU_FDC_ST1_ND);
    /* A cylinder beyond the disk while the head is on cylinder 0. */
    rw(READ, 0, 90, 0, 1, 18, 512, r);
    assert_int_equal(r[1], SYSDMA_EMU_FDC_ST1_ND);
    assert_int_equal(r[2], SYSDMA_EMU_FDC_ST2_WC);
    /* The head really beyond the disk: no address marks at all. */
    seek(0, 0, 81);
    rw(READ, 0, 81, 0, 1, 18, 512, r);
    assert_int_equal(r[0], 0x40);
    assert_int_equal(r[1], SYSDMA_EMU_FDC_ST1_ND | SYSDMA_EMU_FDC_ST1_MA);
    seek(0, 0, 0);
    /* Wrong data rate for the medium, or FM: nothing readable. */
    out(SYSDMA_EMU_FDC_CCR, SYSDMA_EMU_FDC_RATE_250K);
    rw(READ, 0, 0, 0, 1, 18, 512, r);
    assert_int_equal(r[1], SYSDMA_EMU_FDC_ST1_ND | SYSDMA_EMU_FDC_ST1_MA);
    out(SYSDMA_EMU_FDC_CCR, SYSDMA_EMU_FDC_RATE_500K);
    rw(0x86, 0, 0, 0, 1, 18, 512, r);
    assert_int_equal(r[1], SYSDMA_EMU_FDC_ST1_ND | SYSDMA_EMU_FDC_ST1_MA);
    /* End of cylinder: the DMA count is larger than the range to EOT, so
     * no TC comes; the controller stops after EOT with EN set. */
    memset(ram + BUF, 0, 4096);
    rw(0x46, 0, 0, 0, 1, 2, 4096, r);
    assert_int_equal(r[0], 0x40);
    assert_int_equal(r[1], SYSDMA_EMU_FDC_ST1_EN);
    assert_int_equal(r[2], 0);
    assert_int_equal(r[3], 1);
    assert_int_equal(r[4], 0);
    assert_int_equal(r[5], 1);
    assert_memory_equal(ram + BUF, img, 1024);
    assert_int_equal(ram[BUF + 1024], 0);
    /* The same with MT ends after EOT on head 1. */
    rw(READ, 0, 0, 0, 1, 2, 8192, r);
    assert_int_equal(r[0], 0x44);
    assert_int_equal(r[1], SYSDMA_EMU_FDC_ST1_EN);
    assert_int_equal(r[3], 1);
    assert_int_equal(r[4], 0);
    assert_int_equal(r[5], 1);
    assert_memory_equal(img, ref, IMG_144M);
}

static void test_write_protect(void **state)
{
    (void)state;
    setup_machine(IMG_144M, true);
    uint8_t r[7];
    memset(ram + BUF, 0x33, 4096);
    rw(WRITE, 0, 0, 0, 1, 18, 4096, r);
    assert_int_equal(r[0], 0x40);
    assert_int_equal(r[1], SYSDMA_EMU_FDC_ST1_NW);
    assert_int_equal(r[3], 0);
    assert_int_equal(r[5], 1);
    program(DMA_FROM_MEM, BUF, 72);
    CMD(0x4D, 0x00, 2, 18, 0x54, 0xF6);
    assert_true(wait_irq(1000, 10));
    result(r, 7);
    assert_int_equal(r[0], 0x40);
    assert_int_equal(r[1], SYSDMA_EMU_FDC_ST1_NW);
    assert_memory_equal(img, ref, IMG_144M);
    /* Reading still works. */
    rw(READ, 0, 0, 0, 1, 18, 512, r);
    assert_int_equal(r[0], 0);
}

static void test_implied_seek(void **state)
{
    (void)state;
    setup_machine(IMG_144M, false);
    uint8_t r[7];
    CMD(SYSDMA_EMU_FDC_CMD_CONFIGURE, 0x00, 0x60, 0x00); /* EIS */
    rw(READ, 0, 33, 1, 2, 18, 512, r);
    assert_int_equal(r[0], 0x04);
    assert_memory_equal(ram + BUF, img + off(18, 33, 1, 2), 512);
    assert_int_equal(fdc.pcn[0], 33);
    assert_int_equal(irq_level, 0); /* no seek interrupt for an implied seek */
}

static void test_pio(void **state)
{
    (void)state;
    setup_machine(IMG_144M, false);
    uint8_t r[7], buf[1024];
    CMD(SYSDMA_EMU_FDC_CMD_SPECIFY, 0xDF, 0x03); /* ND: non-DMA */
    CMD(0x46, 0x00, 0, 0, 4, 2, 5, 0x1B, 0xFF);  /* sectors 4 and 5 */
    for (unsigned i = 0; i < 1024; i++) {
        assert_int_equal(in(SYSDMA_EMU_FDC_MSR), 0xF0); /* RQM DIO NDMA CB */
        assert_int_equal(irq_level, 1);
        buf[i] = in(SYSDMA_EMU_FDC_FIFO);
    }
    assert_memory_equal(buf, img + off(18, 0, 0, 4), 1024);
    assert_int_equal(in(SYSDMA_EMU_FDC_MSR) & 0xF0, 0xD0);
    assert_int_equal(irq_level, 1);
    result(r, 7);
    /* Without terminal count a non-DMA transfer ends at EOT: EN. */
    assert_int_equal(r[0], 0x40);
    assert_int_equal(r[1], SYSDMA_EMU_FDC_ST1_EN);
    assert_int_equal(r[3], 1);
    assert_int_equal(r[5], 1);
    assert_int_equal(dma.stats.units[2], 0);
    /* Write one sector through the FIFO. */
    CMD(0x45, 0x00, 0, 0, 9, 2, 9, 0x1B, 0xFF);
    for (unsigned i = 0; i < 512; i++) {
        assert_int_equal(in(SYSDMA_EMU_FDC_MSR), 0xB0); /* RQM NDMA CB, host -> FDC */
        out(SYSDMA_EMU_FDC_FIFO, (uint8_t)(i * 3));
    }
    result(r, 7);
    assert_int_equal(r[1], SYSDMA_EMU_FDC_ST1_EN);
    for (unsigned i = 0; i < 512; i++)
        ref[off(18, 0, 0, 9) + i] = (uint8_t)(i * 3);
    assert_memory_equal(img, ref, IMG_144M);
}

static void test_dma_mismatch_and_block_mode(void **state)
{
    (void)state;
    setup_machine(IMG_144M, false);
    uint8_t r[7];
    /* Demand mode hands the controller spans of many bytes at a time. */
    program(SYSDMA_EMU_MODE_DEMAND | SYSDMA_EMU_MODE_WRITE, BUF, 4 * 512);
    CMD(READ, 0x00, 0, 0, 1, 2, 18, 0x1B, 0xFF);
    size_t before = dma.stats.services[2];
    assert_true(wait_irq(1000, 100));
    result(r, 7);
    assert_int_equal(r[0], 0);
    assert_int_equal(r[5], 5);
    assert_memory_equal(ram + BUF, img, 4 * 512);
    assert_true(dma.stats.services[2] - before < 100);
    /* A channel programmed for verify handshakes but moves nothing. */
    memset(ram + BUF, 0x77, 512);
    program(SYSDMA_EMU_MODE_SINGLE | SYSDMA_EMU_MODE_VERIFY, BUF, 512);
    CMD(READ, 0x00, 0, 0, 1, 2, 18, 0x1B, 0xFF);
    assert_true(wait_irq(1000, 100));
    result(r, 7);
    assert_int_equal(r[0], 0);
    assert_int_equal(ram[BUF], 0x77);
    /* A write with the channel programmed device -> memory puts open-bus
     * bytes on the disk and in memory. */
    program(DMA_TO_MEM, BUF, 512);
    CMD(WRITE, 0x00, 0, 0, 1, 2, 18, 0x1B, 0xFF);
    assert_true(wait_irq(1000, 100));
    result(r, 7);
    assert_int_equal(r[0], 0);
    memset(ref, 0xFF, 512);
    assert_memory_equal(img, ref, IMG_144M);
    assert_int_equal(ram[BUF], 0xFF);
}

/* A timed read of a whole track in one command: the sectors come one after
 * another (interleave 1), so after the first is found the track takes one
 * revolution, whatever the DMA's lag within the gap between sectors; a
 * sector missed by a hair would cost a revolution each. */
static void test_timing_multisector(void **state)
{
    (void)state;
    setup_machine(IMG_144M, false);
    sysdma_emu_fdc_set_timing(&fdc, true);
    uint8_t r[7];
    program(DMA_TO_MEM, BUF, 18 * 512);
    uint64_t t0 = fdc.now_ns;
    CMD(READ, 0x00, 0, 0, 1, 2, 18, 0x1B, 0xFF);
    unsigned rounds = 0;
    while (!irq_level && rounds < 2000000) {
        sysdma_emu_i8237_run(&dma, 4096);
        sysdma_emu_fdc_advance(&fdc, 20000); /* the DMA sees the FDC every 20 us */
        rounds++;
    }
    assert_int_equal(irq_level, 1);
    uint64_t took = fdc.now_ns - t0;
    result(r, 7);
    assert_memory_equal(ram + BUF, img + off(18, 0, 0, 1), 18 * 512);
    /* head load + at most a revolution to sector 1 + one revolution of data */
    assert_true(took >= 17u * 11111111u + 512u * 16000u);
    assert_true(took <= 4000000u + 2u * 200000000u + 100000u);
}

static void test_timing(void **state)
{
    (void)state;
    setup_machine(IMG_144M, false);
    sysdma_emu_fdc_set_timing(&fdc, true);
    uint8_t st0, pcn, r[7];
    /* SRT 0xD at 500 kb/s: 3 ms per step; 10 steps take 30 ms. */
    CMD(SYSDMA_EMU_FDC_CMD_SEEK, 0x00, 10);
    assert_int_equal(in(SYSDMA_EMU_FDC_MSR), 0x81); /* drive 0 busy */
    assert_int_equal(sysdma_emu_fdc_next_event_ns(&fdc), 30000000u);
    sysdma_emu_fdc_advance(&fdc, 29999999);
    assert_int_equal(irq_level, 0);
    sysdma_emu_fdc_advance(&fdc, 1);
    assert_int_equal(irq_level, 1);
    sense_int(&st0, &pcn);
    assert_int_equal(pcn, 10);
    /* A one-sector read takes at least its 512 bytes at 16 us each, and
     * at most head load + one revolution + the sector. */
    program(DMA_TO_MEM, BUF, 512);
    uint64_t t0 = fdc.now_ns;
    CMD(READ, 0x00, 10, 0, 5, 2, 18, 0x1B, 0xFF);
    unsigned rounds = 0;
    while (!irq_level && rounds < 100000) {
        sysdma_emu_i8237_run(&dma, 4096);
        sysdma_emu_fdc_advance(&fdc, 10000);
        rounds++;
    }
    assert_int_equal(irq_level, 1);
    uint64_t took = fdc.now_ns - t0;
    result(r, 7);
    assert_int_equal(r[0], 0);
    assert_int_equal(r[5], 6);
    assert_memory_equal(ram + BUF, img + off(18, 10, 0, 5), 512);
    assert_true(took >= 512u * 16000u);
    assert_true(took <= 4000000u + 200000000u + 512u * 16000u + 20000u);
    /* Sector 6 follows right after sector 5 (interleave 1): reading it now
     * costs the gap and the data, not a revolution. */
    program(DMA_TO_MEM, BUF, 512);
    t0 = fdc.now_ns;
    CMD(READ, 0x00, 10, 0, 6, 2, 18, 0x1B, 0xFF);
    while (!irq_level && rounds < 200000) {
        sysdma_emu_i8237_run(&dma, 4096);
        sysdma_emu_fdc_advance(&fdc, 10000);
        rounds++;
    }
    took = fdc.now_ns - t0;
    result(r, 7);
    assert_int_equal(r[5], 7);
    assert_true(took < 12000000u);
    /* A read issued while the drive still seeks starts after the seek. */
    CMD(SYSDMA_EMU_FDC_CMD_SEEK, 0x00, 20);
    program(DMA_TO_MEM, BUF, 512);
    t0 = fdc.now_ns;
    CMD(READ, 0x00, 20, 0, 1, 2, 18, 0x1B, 0xFF);
    for (unsigned i = 0; i < 100000 && (in(SYSDMA_EMU_FDC_MSR) & 0xD0) != 0xD0; i++) {
        sysdma_emu_i8237_run(&dma, 4096);
        sysdma_emu_fdc_advance(&fdc, 10000);
    }
    took = fdc.now_ns - t0;
    result(r, 7);
    assert_int_equal(r[0], 0);
    assert_int_equal(r[3], 20);
    assert_true(took >= 30000000u + 512u * 16000u);
    sense_int(&st0, &pcn);
    assert_int_equal(st0, 0x20);
    assert_int_equal(pcn, 20);
    /* Timing off again: a read completes without time passing. */
    sysdma_emu_fdc_set_timing(&fdc, false);
    t0 = fdc.now_ns;
    rw(READ, 0, 20, 0, 1, 18, 512, r);
    assert_int_equal(r[0], 0);
    assert_memory_equal(ram + BUF, img + off(18, 20, 0, 1), 512);
    assert_true(fdc.now_ns - t0 <= 1000u); /* one wait_irq round at most */
}

/* Timed READ ID, FORMAT TRACK and a switch of the timing flag in the middle
 * of a transfer. */
static void test_timing_read_id_format(void **state)
{
    (void)state;
    setup_machine(IMG_720K, false);
    sysdma_emu_fdc_set_timing(&fdc, true);
    uint8_t r[7];
    /* 720 KiB: 9 sectors, slots of 200/9 ms. Half-way into slot 3 the next
     * ID to pass is sector 5 (index 4), after head load (HLT 1 = 2 ms at
     * 500 kb/s, 4 ms at 250 kb/s). */
    sysdma_emu_fdc_advance(&fdc, 200000000u - fdc.now_ns % 200000000u + 3u * 22222222u + 11111111u);
    uint64_t t0 = fdc.now_ns;
    CMD(0x4A, 0x00);
    uint64_t wait = sysdma_emu_fdc_next_event_ns(&fdc);
    assert_true(wait > 4000000u && wait <= 4000000u + 22222222u);
    assert_true(wait_irq(100000, 100000));
    result(r, 7);
    assert_int_equal(r[0], 0);
    assert_int_equal(r[5], 5);
    assert_true(fdc.now_ns - t0 >= wait);
    /* Format waits for the index and then one revolution. */
    for (unsigned s = 0; s < 9; s++) {
        ram[BUF + 4 * s] = 0;
        ram[BUF + 4 * s + 1] = 0;
        ram[BUF + 4 * s + 2] = (uint8_t)(s + 1);
        ram[BUF + 4 * s + 3] = 2;
    }
    program(DMA_FROM_MEM, BUF, 36);
    t0 = fdc.now_ns;
    CMD(0x4D, 0x00, 2, 9, 0x54, 0x00);
    assert_true(wait_irq(100000, 100000));
    result(r, 7);
    assert_int_equal(r[0], 0);
    uint64_t took = fdc.now_ns - t0;
    assert_true(took >= 200000000u && took <= 400000000u + 100000u);
    memset(ref, 0, 9 * 512);
    assert_memory_equal(img, ref, IMG_720K);
    /* Timing switched off half-way through a timed read: the rest comes at
     * once and the data is whole. */
    program(DMA_TO_MEM, BUF, 1024);
    CMD(0x46, 0x04, 0, 1, 3, 2, 9, 0x1B, 0xFF);
    for (unsigned i = 0; i < 30000 && fdc.x.pos < 100; i++) {
        sysdma_emu_i8237_run(&dma, 4096);
        sysdma_emu_fdc_advance(&fdc, 10000);
    }
    assert_int_equal(irq_level, 0);
    sysdma_emu_fdc_set_timing(&fdc, false);
    assert_true(wait_irq(0, 100));
    result(r, 7);
    assert_int_equal(r[0], 0x04);
    assert_int_equal(r[5], 5);
    assert_memory_equal(ram + BUF, img + off(9, 0, 1, 3), 1024);
}

/* Between commands the controller takes no part in DMA: a software request
 * on its channel (block mode) runs to terminal count on the 8237 alone, as
 * on hardware: memory gets the undriven bus (0xFF), reads are discarded.
 * The next command is unaffected. */
static void test_sw_request_while_idle(void **state)
{
    (void)state;
    setup_machine(IMG_144M, false);
    uint8_t r[7];
    seek(0, 0, 2);
    rw(READ, 0, 2, 0, 1, 18, 512, r);
    assert_int_equal(r[0], 0x00);
    (void)sysdma_emu_i8237_inb(&dma, 0x08); /* clear the TC bits */
    memset(ram + BUF, 0x33, 1024);
    program(SYSDMA_EMU_MODE_BLOCK | SYSDMA_EMU_MODE_WRITE, BUF, 256);
    sysdma_emu_i8237_outb(&dma, 0x09, 4 | 2);
    assert_int_equal(sysdma_emu_i8237_run(&dma, 4096), 256);
    for (size_t k = 0; k < 256; k++)
        assert_int_equal(ram[BUF + k], 0xFF);
    assert_int_equal(ram[BUF + 256], 0x33);
    assert_int_equal(sysdma_emu_i8237_inb(&dma, 0x08) & 0x04, 0x04);
    assert_false(sysdma_emu_i8237_pending(&dma));
    program(SYSDMA_EMU_MODE_BLOCK | SYSDMA_EMU_MODE_READ, BUF + 512, 128);
    sysdma_emu_i8237_outb(&dma, 0x09, 4 | 2);
    assert_int_equal(sysdma_emu_i8237_run(&dma, 4096), 128);
    assert_int_equal(ram[BUF + 512], 0x33);
    assert_int_equal(irq_level, 0); /* the controller saw nothing */
    rw(READ, 0, 2, 0, 2, 18, 512, r);
    assert_int_equal(r[0], 0x00);
    assert_memory_equal(ram + BUF, img + off(18, 2, 0, 2), 512);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_read_one_sector),
        cmocka_unit_test(test_read_track_mt),
        cmocka_unit_test(test_read_whole_disk),
        cmocka_unit_test(test_write_sectors),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_write_protect),
        cmocka_unit_test(test_implied_seek),
        cmocka_unit_test(test_pio),
        cmocka_unit_test(test_dma_mismatch_and_block_mode),
        cmocka_unit_test(test_timing),
        cmocka_unit_test(test_timing_multisector),
        cmocka_unit_test(test_timing_read_id_format),
        cmocka_unit_test(test_sw_request_while_idle),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
