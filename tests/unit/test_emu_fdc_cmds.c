/* SPDX-License-Identifier: MIT */
/*
 * The emulated 82077AA floppy controller, driven as a driver drives it
 * (see fdc_fixture.h): reset and the commands around the data transfers.
 * Polling interrupts, VERSION, CONFIGURE, DUMPREG, LOCK and invalid
 * opcodes, seeks and SENSE DRIVE STATUS, READ ID, FORMAT TRACK, the disk
 * geometries, a second drive and the disk-change line.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "sysdma/emu_fdc.h"

#include "fdc_fixture.h"

/* A second disk, for drive 1. */
static uint8_t img2[IMG_144M];

/* ---- Tests --------------------------------------------------------------------- */

static void test_reset_and_polling(void **state)
{
    (void)state;
    setup_machine(IMG_144M, false);
    /* A fifth SENSE INTERRUPT STATUS has nothing to report: invalid. */
    uint8_t r;
    CMD(SYSDMA_EMU_FDC_CMD_SENSE_INT);
    result(&r, 1);
    assert_int_equal(r, 0x80);
    /* DSR bit 7 is a reset too, and clears itself. */
    out(SYSDMA_EMU_FDC_DSR, 0x80);
    assert_int_equal(irq_level, 1);
    for (unsigned d = 0; d < 4; d++) {
        uint8_t st0, pcn;
        sense_int(&st0, &pcn);
        assert_int_equal(st0, 0xC0 | d);
    }
    assert_int_equal(irq_level, 0);
    assert_int_equal(in(SYSDMA_EMU_FDC_MSR), 0x80);
    /* Without the DMA gate the interrupt output stays low. */
    out(SYSDMA_EMU_FDC_DOR, 0x10);
    out(SYSDMA_EMU_FDC_DOR, 0x14);
    assert_int_equal(irq_level, 0);
    out(SYSDMA_EMU_FDC_DOR, 0x1C);
    assert_int_equal(irq_level, 1);
    assert_int_equal(in(SYSDMA_EMU_FDC_DOR), 0x1C);
    /* Unclaimed ports. */
    assert_false(sysdma_emu_fdc_claims(0x3F6));
    assert_true(sysdma_emu_fdc_claims(0x3F0));
    assert_true(sysdma_emu_fdc_claims(0x3F7));
    assert_false(sysdma_emu_fdc_claims(0x3F8));
    assert_int_equal(in(0x3F0), 0xFF);
    assert_int_equal(in(0x3F6), 0xFF);
}

static void test_version_configure_dumpreg(void **state)
{
    (void)state;
    setup_machine(IMG_144M, false);
    uint8_t r[10];
    CMD(SYSDMA_EMU_FDC_CMD_VERSION);
    result(r, 1);
    assert_int_equal(r[0], 0x90);
    CMD(SYSDMA_EMU_FDC_CMD_CONFIGURE, 0x00, 0x57, 0x09); /* EIS, FIFO on, thr 8, pretrk 9 */
    seek(0, 0, 17);
    CMD(SYSDMA_EMU_FDC_CMD_DUMPREG);
    result(r, 10);
    assert_int_equal(r[0], 17);
    assert_int_equal(r[1], 0);
    assert_int_equal(r[4], 0xDF);
    assert_int_equal(r[5], 0x02);
    assert_int_equal(r[7], 0x00);
    assert_int_equal(r[8], 0x57);
    assert_int_equal(r[9], 0x09);
    /* LOCK keeps FIFO settings through a reset; EIS and POLL go back. */
    CMD(SYSDMA_EMU_FDC_CMD_LOCK | 0x80);
    result(r, 1);
    assert_int_equal(r[0], 0x10);
    CMD(SYSDMA_EMU_FDC_CMD_PERPENDICULAR, 0x83);
    controller_reset(0x1C);
    CMD(SYSDMA_EMU_FDC_CMD_DUMPREG);
    result(r, 10);
    assert_int_equal(r[0], 17); /* cylinder numbers survive a software reset */
    assert_int_equal(r[7], 0x80); /* locked; reset cleared GAP and WGATE */
    assert_int_equal(r[8], 0x07); /* FIFO settings kept, EIS and POLL cleared */
    assert_int_equal(r[9], 0x09);
    CMD(SYSDMA_EMU_FDC_CMD_LOCK);
    result(r, 1);
    assert_int_equal(r[0], 0x00);
    controller_reset(0x1C);
    CMD(SYSDMA_EMU_FDC_CMD_DUMPREG);
    result(r, 10);
    assert_int_equal(r[8], 0x20);
    assert_int_equal(r[9], 0x00);
    /* Invalid opcodes answer one byte, 0x80, without an interrupt. */
    static const uint8_t bad[] = {0x00, 0x01, 0x02, 0x09, 0x0C, 0x11, 0x16, 0x18, 0x25,
                                  0x8A, 0xAD, 0xFF, 0x4F, 0x87};
    for (size_t i = 0; i < sizeof bad; i++) {
        out(SYSDMA_EMU_FDC_FIFO, bad[i]);
        result(r, 1);
        assert_int_equal(r[0], 0x80);
        assert_int_equal(irq_level, 0);
    }
}

static void test_recalibrate_seek_sense_drive(void **state)
{
    (void)state;
    setup_machine(IMG_144M, true);
    uint8_t st0, pcn, st3;
    seek(0, 1, 40);
    assert_int_equal(fdc.drive[0].cyl, 40);
    CMD(SYSDMA_EMU_FDC_CMD_SENSE_DRIVE, 0x04);
    result(&st3, 1);
    assert_int_equal(st3, 0x40 | 0x20 | 0x08 | 0x04); /* WP, not track 0, head 1 */
    CMD(SYSDMA_EMU_FDC_CMD_RECALIBRATE, 0x00);
    assert_true(wait_irq(1000, 10));
    sense_int(&st0, &pcn);
    assert_int_equal(st0, 0x20);
    assert_int_equal(pcn, 0);
    CMD(SYSDMA_EMU_FDC_CMD_SENSE_DRIVE, 0x00);
    result(&st3, 1);
    assert_int_equal(st3, 0x40 | 0x20 | 0x10 | 0x08);
    /* Drive 1 is attached (empty); drive 3 is not: recalibrate finds no
     * track 0 after 79 steps (equipment check). */
    CMD(SYSDMA_EMU_FDC_CMD_RECALIBRATE, 0x01);
    assert_true(wait_irq(1000, 10));
    sense_int(&st0, &pcn);
    assert_int_equal(st0, 0x21);
    CMD(SYSDMA_EMU_FDC_CMD_RECALIBRATE, 0x03);
    assert_true(wait_irq(1000, 10));
    sense_int(&st0, &pcn);
    assert_int_equal(st0, 0x73);
    /* Two seeks pending at once come out lowest drive first. */
    CMD(SYSDMA_EMU_FDC_CMD_SEEK, 0x01, 5);
    CMD(SYSDMA_EMU_FDC_CMD_SEEK, 0x00, 6);
    sense_int(&st0, &pcn);
    assert_int_equal(st0, 0x20);
    assert_int_equal(pcn, 6);
    assert_int_equal(irq_level, 1);
    sense_int(&st0, &pcn);
    assert_int_equal(st0, 0x21);
    assert_int_equal(pcn, 5);
    assert_int_equal(irq_level, 0);
    /* Relative seek in and out. */
    CMD(0xCF, 0x00, 10);
    sense_int(&st0, &pcn);
    assert_int_equal(pcn, 16);
    CMD(0x8F, 0x00, 3);
    sense_int(&st0, &pcn);
    assert_int_equal(pcn, 13);
    assert_int_equal(fdc.drive[0].cyl, 13);
    /* The mechanism stops behind the last cylinder; recalibrating from
     * there needs more than 79 steps. */
    seek(0, 0, 200);
    assert_int_equal(fdc.drive[0].cyl, SYSDMA_EMU_FDC_MAX_CYL);
    CMD(SYSDMA_EMU_FDC_CMD_RECALIBRATE, 0x00);
    sense_int(&st0, &pcn);
    assert_int_equal(st0, 0x70);
    CMD(SYSDMA_EMU_FDC_CMD_RECALIBRATE, 0x00);
    sense_int(&st0, &pcn);
    assert_int_equal(st0, 0x20);
    assert_int_equal(pcn, 0);
}

static void test_read_id(void **state)
{
    (void)state;
    setup_machine(IMG_144M, false);
    uint8_t r[7];
    seek(0, 0, 22);
    rw(READ, 0, 22, 0, 5, 18, 512, r);
    CMD(0x4A, 0x04);
    assert_true(wait_irq(1000, 10));
    result(r, 7);
    assert_int_equal(r[0], 0x04);
    assert_int_equal(r[3], 22);
    assert_int_equal(r[4], 1);
    assert_int_equal(r[5], 6); /* the ID after sector 5 */
    assert_int_equal(r[6], 2);
    CMD(0x4A, 0x00);
    assert_true(wait_irq(1000, 10));
    result(r, 7);
    assert_int_equal(r[5], 7);
    /* Beyond the disk's 80 cylinders there are no IDs. */
    seek(0, 0, 81);
    CMD(0x4A, 0x00);
    assert_true(wait_irq(1000, 10));
    result(r, 7);
    assert_int_equal(r[0], 0x40);
    assert_int_equal(r[1], SYSDMA_EMU_FDC_ST1_MA);
}

static void test_format_track(void **state)
{
    (void)state;
    setup_machine(IMG_144M, false);
    uint8_t r[7];
    seek(0, 1, 2);
    for (unsigned s = 0; s < 18; s++) {
        ram[BUF + 4 * s] = 2;
        ram[BUF + 4 * s + 1] = 1;
        ram[BUF + 4 * s + 2] = (uint8_t)(s + 1);
        ram[BUF + 4 * s + 3] = 2;
    }
    program(DMA_FROM_MEM, BUF, 18 * 4);
    CMD(0x4D, 0x04, 2, 18, 0x54, 0xF6);
    assert_true(wait_irq(1000, 1000));
    result(r, 7);
    assert_int_equal(r[0], 0x04);
    assert_int_equal(r[1], 0);
    assert_int_equal(r[2], 0);
    memset(ref + off(18, 2, 1, 1), 0xF6, 18 * 512);
    assert_memory_equal(img, ref, IMG_144M);
    CMD(SYSDMA_EMU_FDC_CMD_DUMPREG);
    uint8_t d[10];
    result(d, 10);
    assert_int_equal(d[6], 18); /* SC of the last format */
    /* IDs that do not fit the image's layout are taken and dropped. */
    ram[BUF] = 7; /* wrong cylinder */
    ram[BUF + 1] = 1;
    ram[BUF + 2] = 3;
    ram[BUF + 3] = 2;
    program(DMA_FROM_MEM, BUF, 4);
    CMD(0x4D, 0x04, 2, 1, 0x54, 0x00);
    assert_true(wait_irq(1000, 1000));
    result(r, 7);
    assert_int_equal(r[0], 0x04);
    assert_memory_equal(img, ref, IMG_144M);
}

static void test_geometries(void **state)
{
    (void)state;
    uint8_t r[7];
    /* 720 KiB: 9 sectors, 250 kb/s. */
    setup_machine(IMG_720K, false);
    seek(0, 0, 79);
    rw(READ, 0, 79, 0, 1, 9, 18 * 512, r);
    assert_int_equal(r[0], 0x04);
    assert_int_equal(r[3], 80);
    assert_memory_equal(ram + BUF, img + off(9, 79, 0, 1), 18 * 512);
    rw(READ, 0, 79, 0, 10, 18, 512, r);
    assert_int_equal(r[1], SYSDMA_EMU_FDC_ST1_ND);
    /* 2.88 MiB: 36 sectors, 1 Mb/s; the last sector of the disk. */
    setup_machine(IMG_288M, false);
    seek(0, 1, 79);
    rw(READ, 0, 79, 1, 36, 36, 512, r);
    assert_int_equal(r[0], 0x04);
    assert_int_equal(r[3], 80);
    assert_memory_equal(ram + BUF, img + IMG_288M - 512, 512);
    for (unsigned i = 0; i < 512; i++)
        ram[BUF + i] = (uint8_t)i;
    rw(WRITE, 0, 79, 1, 36, 36, 512, r);
    assert_int_equal(r[0], 0x04);
    assert_memory_equal(img + IMG_288M - 512, ram + BUF, 512);
    /* Other sizes are refused. */
    assert_false(sysdma_emu_fdc_insert(&fdc, 0, img, 1474559, false));
    assert_false(sysdma_emu_fdc_insert(&fdc, 0, img, 368640, false));
    assert_false(sysdma_emu_fdc_insert(&fdc, 2, img, IMG_144M, false));
    assert_false(sysdma_emu_fdc_insert(&fdc, 0, NULL, IMG_144M, false));
    assert_int_equal(fdc.drive[0].sectors, 36);
}

static void test_second_drive(void **state)
{
    (void)state;
    setup_machine(IMG_144M, false);
    uint8_t r[7], st0, pcn;
    fill(img2, IMG_144M, 0x99);
    assert_true(sysdma_emu_fdc_insert(&fdc, 1, img2, IMG_144M, false));
    out(SYSDMA_EMU_FDC_DOR, 0x3D); /* both motors, drive 1 selected */
    assert_int_equal(in(SYSDMA_EMU_FDC_DIR), 0x80); /* disk changed */
    CMD(SYSDMA_EMU_FDC_CMD_SEEK, 0x01, 1);
    assert_true(wait_irq(1000, 10));
    sense_int(&st0, &pcn);
    assert_int_equal(st0, 0x21);
    assert_int_equal(in(SYSDMA_EMU_FDC_DIR), 0x00); /* a step cleared it */
    rw(READ, 1, 1, 0, 3, 18, 1024, r);
    assert_int_equal(r[0], 0x01);
    assert_memory_equal(ram + BUF, img2 + off(18, 1, 0, 3), 1024);
    /* Drive 0's head did not move. */
    rw(READ, 0, 0, 0, 3, 18, 512, r);
    assert_int_equal(r[0], 0x00);
    assert_memory_equal(ram + BUF, img + off(18, 0, 0, 3), 512);
    /* Ejecting sets the change line and makes the drive not ready. */
    sysdma_emu_fdc_eject(&fdc, 1);
    assert_int_equal(in(SYSDMA_EMU_FDC_DIR), 0x80);
    rw(READ, 1, 1, 0, 3, 18, 512, r);
    assert_int_equal(r[0], 0x49);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reset_and_polling),
        cmocka_unit_test(test_version_configure_dumpreg),
        cmocka_unit_test(test_recalibrate_seek_sense_drive),
        cmocka_unit_test(test_read_id),
        cmocka_unit_test(test_format_track),
        cmocka_unit_test(test_geometries),
        cmocka_unit_test(test_second_drive),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
