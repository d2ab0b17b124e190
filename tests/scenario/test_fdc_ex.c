/* SPDX-License-Identifier: MIT */
/*
 * The example floppy driver's MapTransferEx path on the simulated PC: each
 * piece is mapped and started with MapTransferEx and completed by its
 * completion routine, which runs when the floppy's interrupt handler asks
 * the core to check channel 2 and the 8237's status register confirms the
 * terminal count (the sim's TC line stays off, as on a PC). Whole-disk
 * reads into buffers below and above 16 MiB, scattered and across 64 KiB
 * match the image; writes change exactly the sectors written; a refused
 * write (write protect) ends without terminal count and its mapping is
 * cancelled. And the floppy on channel 2 while the SB16 plays a scattered
 * buffer on channel 1, both on DMA1 (one status register, read by both
 * interrupt handlers): no completion of either is lost.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "../examples/drivers/fdc.h"
#include "../examples/drivers/sb16.h"
#include "sysdma/emu_fdc.h"
#include "sysdma/emu_sb16.h"
#include "support/fdc_drive.h"
#include "support/rig.h"

#define DISK 1474560u
#define SECTORS 2880u

typedef struct bench {
    fdc_drive drive; /* first: the controller's callbacks take the bench */
    sysdma_emu_sb16 sb;
    fdc_driver drv;
    /* the SB16, played from its interrupt (the machine's IRQ 5 handler) */
    sb16_driver sbd;
    sb16_sg_play play;
    bool playing;
    uint8_t *sink;
    size_t sink_len, sink_cap;
} bench;


static void sb_irq(void *ctx, unsigned irq, bool level)
{
    bench *b = ctx;
    sysdma_sim_irq_set(b->drive.r.sim, irq, level);
}

static void sb_isr(void *ctx, unsigned irq)
{
    (void)irq;
    bench *b = ctx;
    if (b->playing)
        sb16_sg_interrupt(&b->play);
    else
        sysdma_sim_inb(b->drive.r.sim, 0x22E); /* nobody plays: just acknowledge */
}

static void on_play(void *ctx, const uint8_t *pcm, size_t bytes, const sysdma_emu_sb16_format *fmt)
{
    bench *b = ctx;
    (void)fmt;
    if (b->sink_len + bytes <= b->sink_cap)
        memcpy(b->sink + b->sink_len, pcm, bytes);
    b->sink_len += bytes;
}

static uint8_t sb_in(void *ctx, uint16_t port) { return sysdma_emu_sb16_inb(&((bench *)ctx)->sb, port); }
static void sb_out(void *ctx, uint16_t port, uint8_t v) { sysdma_emu_sb16_outb(&((bench *)ctx)->sb, port, v); }
static void sb_clock(void *ctx, uint64_t ns)
{
    sysdma_emu_sb16_advance(&((bench *)ctx)->sb, ns);
}
static bool sb_wait(void *ctx, uint32_t us) { drive_delay(ctx, us); return false; }

static uint8_t disk_byte(size_t k)
{
    return (uint8_t)((k / 512) * 7 + (k % 512) * 3 + 1);
}

static bench *make(bool write_protected)
{
    bench *b = calloc(1, sizeof *b);
    assert_non_null(b);
    assert_true(fdc_drive_make(&b->drive, 128, disk_byte, true, write_protected));
    sysdma_emu_sb16_config sc = {0x220, 1, 5, 5, sb_irq, on_play, NULL, b};
    assert_true(sysdma_emu_sb16_init(&b->sb, sysdma_sim_dma(b->drive.r.sim), &sc));
    assert_int_equal(sysdma_sim_add_ports(b->drive.r.sim, 0x220, 0x22F, sb_in, sb_out, b), SYSDMA_OK);
    assert_true(sysdma_sim_add_clock(b->drive.r.sim, sb_clock, b));
    assert_true(sysdma_sim_irq_connect(b->drive.r.sim, 5, sb_isr, b));
    fdc_env env = {drive_env_in, drive_env_out, drive_wait, drive_delay, b};
    assert_int_equal(fdc_open(&b->drv, b->drive.r.sys, &env, 0, DISK), SYSDMA_OK);
    b->sink_cap = 1u << 20;
    b->sink = malloc(b->sink_cap);
    return b;
}

static void unmake(bench *b)
{
    fdc_close(&b->drv);
    fdc_drive_unmake(&b->drive);
    free(b->sink);
    free(b);
}

static void test_read_whole_disk_every_placement(void **state)
{
    (void)state;
    bench *b = make(false);
    static const sysdma_sim_placement where[] = {SYSDMA_SIM_LOW, SYSDMA_SIM_HIGH,
                                                 SYSDMA_SIM_SCATTERED, SYSDMA_SIM_STRADDLE_64K};
    for (int k = 0; k < 4; k++) {
        uint8_t *buf = sysdma_sim_buffer_alloc(b->drive.r.sim, DISK, 0, where[k]);
        assert_non_null(buf);
        unsigned before = b->drv.completions;
        assert_int_equal(fdc_read_ex(&b->drv, 0, SECTORS, buf), SYSDMA_OK);
        assert_memory_equal(buf, b->drive.image, DISK);
        /* One completion per piece (80 cylinders at least), none lost. */
        assert_true(b->drv.completions - before >= 80);
        assert_int_equal(b->drv.cancellations, 0);
        assert_int_equal(b->drv.unconfirmed, 0);
        assert_true(sysdma_sim_buffer_free(b->drive.r.sim, buf));
    }
    unmake(b);
}

static void test_write_changes_exactly_those_sectors(void **state)
{
    (void)state;
    bench *b = make(false);
    uint32_t bytes = 100 * 512;
    uint8_t *buf = sysdma_sim_buffer_alloc(b->drive.r.sim, bytes, 100, SYSDMA_SIM_SCATTERED);
    for (uint32_t k = 0; k < bytes; k++)
        buf[k] = (uint8_t)(k * 7 + 3);
    uint8_t *before = malloc(DISK);
    memcpy(before, b->drive.image, DISK);
    assert_int_equal(fdc_write_ex(&b->drv, 100, 100, buf), SYSDMA_OK);
    assert_memory_equal(b->drive.image + 100 * 512, buf, bytes);
    assert_memory_equal(b->drive.image, before, 100 * 512);
    assert_memory_equal(b->drive.image + 200 * 512, before + 200 * 512, DISK - 200 * 512);
    memset(buf, 0, bytes);
    assert_int_equal(fdc_read_ex(&b->drv, 100, 100, buf), SYSDMA_OK);
    assert_memory_equal(b->drive.image + 100 * 512, buf, bytes);
    assert_int_equal(b->drv.cancellations, 0);
    free(before);
    unmake(b);
}

/* Write protect: the controller ends the command at once, the channel
 * never reaches terminal count; the interrupt handler's check finds none,
 * the mapping is cancelled (its completion runs as cancelled), nothing is
 * written. */
static void test_write_protected_cancelled(void **state)
{
    (void)state;
    bench *b = make(true);
    uint8_t *buf = sysdma_sim_buffer_alloc(b->drive.r.sim, 4 * 512, 0, SYSDMA_SIM_LOW);
    memset(buf, 0x5A, 4 * 512);
    assert_int_equal(fdc_write_ex(&b->drv, 10, 4, buf), SYSDMA_E_DEVICE);
    assert_int_equal(b->drv.completions, 0);
    assert_true(b->drv.cancellations >= 1);
    assert_int_equal(b->drv.unconfirmed, b->drv.cancellations);
    for (size_t k = 10 * 512; k < 14 * 512; k++)
        assert_int_equal(b->drive.image[k], disk_byte(k));
    unmake(b);
}

/* The floppy reads and writes on channel 2 while the SB16 plays a
 * scattered buffer on channel 1: both on DMA1, whose status register each
 * interrupt handler's check reads (clearing the other's terminal count in
 * the chip). Every floppy piece completes, every SB16 block advances, the
 * data is exact on both sides. */
static void test_floppy_while_sb16_plays(void **state)
{
    (void)state;
    bench *b = make(false);
    sb16_env senv = {drive_env_in, drive_env_out, sb_wait, drive_delay, b};
    assert_int_equal(sb16_open(&b->sbd, b->drive.r.sys, &senv, 0x220), SYSDMA_OK);
    uint32_t pcm = 15 * 4096;
    uint8_t *audio = sysdma_sim_buffer_alloc(b->drive.r.sim, pcm, 0, SYSDMA_SIM_SCATTERED);
    for (uint32_t k = 0; k < pcm; k++)
        audio[k] = (uint8_t)((k * 2654435761u) >> 9);
    sb16_format fmt = {44100, 8, 1}; /* ~1.4 s: spans many floppy pieces */
    assert_int_equal(sb16_sg_start(&b->sbd, &b->play, &fmt, audio, pcm), SYSDMA_OK);
    b->playing = true;
    uint32_t elements = b->play.list->count;
    assert_true(elements > 2);
    /* One track at a time, a few milliseconds apart, for as long as the
     * card plays: the card's block ends fall before, between and during
     * the floppy's commands. */
    uint8_t *disk = sysdma_sim_buffer_alloc(b->drive.r.sim, 18 * 512, 0, SYSDMA_SIM_SCATTERED);
    uint32_t pieces = 0, rounds = 0;
    while (!b->play.done && rounds < 2000) {
        uint32_t lba = rounds * 18 % SECTORS;
        unsigned before = b->drv.completions;
        assert_int_equal(fdc_read_ex(&b->drv, lba, 18, disk), SYSDMA_OK);
        assert_memory_equal(disk, b->drive.image + (size_t)lba * 512, 18 * 512);
        pieces += b->drv.completions - before;
        rounds++;
        drive_delay(b, 1000 + rounds % 7 * 300);
    }
    assert_true(rounds > 20); /* the two ran side by side */
    for (int k = 0; k < 4000 && !b->play.done; k++)
        drive_delay(b, 1000);
    assert_true(b->play.done);
    b->playing = false;
    assert_int_equal(b->play.blocks, elements);
    assert_int_equal(b->play.unconfirmed, 0);
    assert_int_equal(sb16_sg_finish(&b->play), SYSDMA_OK);
    assert_int_equal(b->sink_len, pcm);
    assert_memory_equal(b->sink, audio, pcm);
    assert_int_equal(pieces, rounds); /* one piece per track, each completed */
    assert_int_equal(b->drv.cancellations, 0);
    assert_int_equal(b->drv.unconfirmed, 0);
    unmake(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_read_whole_disk_every_placement),
        cmocka_unit_test(test_write_changes_exactly_those_sectors),
        cmocka_unit_test(test_write_protected_cancelled),
        cmocka_unit_test(test_floppy_while_sb16_plays),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
