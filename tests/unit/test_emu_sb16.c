/* SPDX-License-Identifier: MIT */
/*
 * The emulated SB16 through its ports and the emulated 8237A pair: reset
 * handshake, version, speaker, mixer select and IRQ status registers,
 * pacing by simulated time, single-cycle and auto-init output, input
 * (recording), pause/continue, exit auto-init, forced IRQs and unknown
 * commands.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "sysdma/emu_sb16.h"

static uint8_t ram[1u << 20];
static sysdma_emu_physmem mem;
static sysdma_emu_i8237 dma;
static sysdma_emu_sb16 sb;
static int level, edges;
static uint8_t played[1u << 18];
static size_t nplayed;
static size_t rec_pos;

static void on_irq(void *ctx, unsigned irq, bool l)
{
    (void)ctx;
    assert_int_equal(irq, 5);
    if (l && !level)
        edges++;
    level = l;
}

static void on_play(void *ctx, const uint8_t *pcm, size_t n, const sysdma_emu_sb16_format *f)
{
    (void)ctx;
    (void)f;
    if (nplayed + n <= sizeof played)
        memcpy(played + nplayed, pcm, n);
    nplayed += n;
}

static size_t on_record(void *ctx, uint8_t *pcm, size_t n, const sysdma_emu_sb16_format *f)
{
    (void)ctx;
    (void)f;
    for (size_t k = 0; k < n; k++)
        pcm[k] = (uint8_t)(rec_pos + k);
    rec_pos += n;
    return n;
}

static void setup(void)
{
    memset(ram, 0, sizeof ram);
    sysdma_emu_physmem_init(&mem, ram, sizeof ram);
    sysdma_emu_i8237_init(&dma, &mem, true);
    sysdma_emu_sb16_config c = {0x220, 1, 5, 5, on_irq, on_play, on_record, NULL};
    assert_true(sysdma_emu_sb16_init(&sb, &dma, &c));
    level = edges = 0;
    nplayed = rec_pos = 0;
}

static void dsp(uint8_t v)
{
    assert_int_equal(sysdma_emu_sb16_inb(&sb, 0x22C) & 0x80, 0);
    sysdma_emu_sb16_outb(&sb, 0x22C, v);
}

static uint8_t dsp_read(void)
{
    assert_true(sysdma_emu_sb16_inb(&sb, 0x22E) & 0x80);
    return sysdma_emu_sb16_inb(&sb, 0x22A);
}


/* Let `ns` pass in 10 µs steps, the DMA serving what is due. */
static void run(uint64_t ns)
{
    for (uint64_t t = 0; t < ns; t += 10000) {
        sysdma_emu_sb16_advance(&sb, 10000);
        sysdma_emu_i8237_run(&dma, 1u << 20);
    }
}

static void test_reset_version_speaker_mixer(void **state)
{
    (void)state;
    setup();
    sysdma_emu_sb16_outb(&sb, 0x226, 1);
    sysdma_emu_sb16_outb(&sb, 0x226, 0);
    assert_int_equal(dsp_read(), 0xAA);
    assert_int_equal(sysdma_emu_sb16_inb(&sb, 0x22E) & 0x80, 0); /* nothing more */
    dsp(0xE1);
    assert_int_equal(dsp_read(), 4);
    assert_int_equal(dsp_read(), 5);
    dsp(0xD8);
    assert_int_equal(dsp_read(), 0x00);
    dsp(0xD1);
    dsp(0xD8);
    assert_int_equal(dsp_read(), 0xFF);
    sysdma_emu_sb16_outb(&sb, 0x224, 0x80);
    assert_int_equal(sysdma_emu_sb16_inb(&sb, 0x225), 0x02); /* IRQ 5 */
    sysdma_emu_sb16_outb(&sb, 0x224, 0x81);
    assert_int_equal(sysdma_emu_sb16_inb(&sb, 0x225), 0x22); /* DMA 1 and 5 */
    /* Forced IRQs, status register 0x82, acknowledge ports. */
    dsp(0xF2);
    assert_int_equal(level, 1);
    sysdma_emu_sb16_outb(&sb, 0x224, 0x82);
    assert_int_equal(sysdma_emu_sb16_inb(&sb, 0x225) & 3, 1);
    dsp(0xF3);
    assert_int_equal(sysdma_emu_sb16_inb(&sb, 0x225) & 3, 3);
    sysdma_emu_sb16_inb(&sb, 0x22E);
    assert_int_equal(level, 1); /* the 16-bit one is still pending */
    sysdma_emu_sb16_inb(&sb, 0x22F);
    assert_int_equal(level, 0);
    /* Unknown commands do not hang the parser. */
    dsp(0x99);
    dsp(0xE1);
    assert_int_equal(dsp_read(), 4);
    assert_int_equal(dsp_read(), 5);
    assert_false(sysdma_emu_sb16_claims(&sb, 0x230));
    assert_true(sysdma_emu_sb16_claims(&sb, 0x22F));
}

static void test_single_cycle_output_paced(void **state)
{
    (void)state;
    setup();
    for (size_t k = 0; k < 22050; k++)
        ram[0x10000 + k] = (uint8_t)(k * 3);
    sysdma_emu_i8237_program(&dma, 1, SYSDMA_EMU_MODE_SINGLE | SYSDMA_EMU_MODE_READ, 0x10000, 22050);
    dsp(0x41);
    dsp(22050 >> 8);
    dsp(22050 & 0xFF);
    dsp(0x14); /* 8-bit single-cycle output, 22050 bytes */
    dsp((22050 - 1) & 0xFF);
    dsp((22050 - 1) >> 8);
    run(500000000); /* half a second: half the bytes */
    assert_true(nplayed >= 11024 && nplayed <= 11026);
    assert_int_equal(edges, 0);
    run(600000000);
    assert_int_equal(nplayed, 22050);
    assert_int_equal(edges, 1); /* once, at the end of the block */
    assert_memory_equal(played, ram + 0x10000, 22050);
    sysdma_emu_sb16_inb(&sb, 0x22E);
    assert_int_equal(level, 0);
}

static void test_autoinit_16bit_pause_and_exit(void **state)
{
    (void)state;
    setup();
    for (size_t k = 0; k < 8192; k++)
        ram[0x20000 + k] = (uint8_t)(k ^ 0x5A);
    sysdma_emu_i8237_program(&dma, 5, SYSDMA_EMU_MODE_SINGLE | SYSDMA_EMU_MODE_READ | SYSDMA_EMU_MODE_AUTOINIT, 0x20000, 8192);
    dsp(0x41);
    dsp(44100 >> 8);
    dsp(44100 & 0xFF);
    dsp(0xB6); /* 16-bit auto-init output */
    dsp(0x30); /* signed stereo */
    dsp((2048 - 1) & 0xFF); /* blocks of 2048 words = 4096 bytes: half the buffer */
    dsp((2048 - 1) >> 8);
    run(200000000); /* 0.2 s at 176400 B/s = 35280 bytes = 8.6 blocks */
    assert_true(sb.irqs >= 8 && sb.irqs <= 9); /* one per block (not acknowledged here) */
    assert_true(nplayed >= 35270 && nplayed <= 35290);
    for (size_t k = 0; k < nplayed; k++)
        assert_int_equal(played[k], ram[0x20000 + k % 8192]);
    /* Pause: nothing moves however long we wait; continue resumes. */
    dsp(0xD5);
    size_t before = nplayed;
    run(50000000);
    assert_int_equal(nplayed, before);
    dsp(0xD6);
    run(10000000);
    assert_true(nplayed > before);
    /* Exit auto-init: the current block ends, then the card stops. */
    dsp(0xD9);
    uint64_t e = sb.irqs;
    run(100000000);
    assert_int_equal(sb.irqs, e + 1);
    assert_int_equal(nplayed % 4096, 0);
    size_t end = nplayed;
    run(100000000);
    assert_int_equal(nplayed, end);
}

static void test_autoinit_input_records(void **state)
{
    (void)state;
    setup();
    sysdma_emu_i8237_program(&dma, 1, SYSDMA_EMU_MODE_SINGLE | SYSDMA_EMU_MODE_WRITE | SYSDMA_EMU_MODE_AUTOINIT, 0x30000, 1000);
    dsp(0x40);
    dsp(256 - 1000000 / 10000); /* time constant: 10 kHz mono */
    dsp(0xCE);                  /* 8-bit auto-init input */
    dsp(0x00);
    dsp((500 - 1) & 0xFF);
    dsp((500 - 1) >> 8);
    run(120000000); /* 0.12 s = 1200 bytes: the buffer wrapped once */
    assert_true(sb.bytes_recorded >= 1199 && sb.bytes_recorded <= 1201);
    assert_int_equal(sb.irqs, 2);
    /* Memory holds the most recent samples, wrapped over the 1000 bytes. */
    for (size_t k = 0; k < sb.bytes_recorded; k++)
        if (k >= sb.bytes_recorded - 1000)
            assert_int_equal(ram[0x30000 + k % 1000], (uint8_t)k);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reset_version_speaker_mixer),
        cmocka_unit_test(test_single_cycle_output_paced),
        cmocka_unit_test(test_autoinit_16bit_pause_and_exit),
        cmocka_unit_test(test_autoinit_input_records),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
