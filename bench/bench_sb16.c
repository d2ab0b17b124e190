/* SPDX-License-Identifier: MIT */
/*
 * SB16 benchmark: 44.1 kHz 16-bit stereo auto-init playback through the
 * emulated 8237A pair and SB16 (a null sink), the host acknowledging each
 * block interrupt as a driver would; simulated seconds per wall second.
 *   sb16.playback_x_realtime   goal ≥ 1000
 */
#include "bench.h"

#include "sysdma/emu_sb16.h"

static uint8_t ram[1u << 20];
static sysdma_emu_physmem mem;
static sysdma_emu_i8237 dma;
static sysdma_emu_sb16 sb;
static volatile uint64_t sunk;

static void sink(void *ctx, const uint8_t *pcm, size_t bytes, const sysdma_emu_sb16_format *f)
{
    (void)ctx;
    (void)f;
    sunk += bytes + pcm[0];
}

static void dsp(uint8_t v)
{
    sysdma_emu_sb16_outb(&sb, 0x22C, v);
}

int main(int argc, char **argv)
{
    int reps = bench_parse_args(argc, argv, 7);
    sysdma_emu_physmem_init(&mem, ram, sizeof ram);
    sysdma_emu_i8237_init(&dma, &mem, true);
    sysdma_emu_sb16_config c = {0x220, 1, 5, 5, NULL, sink, NULL, NULL};
    BENCH_REQUIRE(sysdma_emu_sb16_init(&sb, &dma, &c));
    /* Channel 5: 16 KiB common buffer at 0x20000, auto-init, single mode. */
    sysdma_emu_i8237_outb(&dma, 0xD4, 0x05);
    sysdma_emu_i8237_outb(&dma, 0xD8, 0);
    sysdma_emu_i8237_outb(&dma, 0xD6, 0x59);
    sysdma_emu_i8237_outb(&dma, 0xC4, 0x00);
    sysdma_emu_i8237_outb(&dma, 0xC4, 0x00);
    sysdma_emu_i8237_outb(&dma, 0x8B, 0x02);
    sysdma_emu_i8237_outb(&dma, 0xC6, (uint8_t)(8192 - 1));
    sysdma_emu_i8237_outb(&dma, 0xC6, (uint8_t)((8192 - 1) >> 8));
    sysdma_emu_i8237_outb(&dma, 0xD4, 0x01);
    dsp(0x41);
    dsp(44100 >> 8);
    dsp(44100 & 0xFF);
    dsp(0xB6);
    dsp(0x30);
    dsp((4096 - 1) & 0xFF); /* blocks of 8 KiB: two per buffer */
    dsp((4096 - 1) >> 8);
    double t[32];
    const uint64_t step = 1000000; /* 1 ms of simulated time per machine step */
    const uint64_t sim_ns = 20ull * 1000000000ull; /* 20 s of audio per repetition */
    for (int r = 0; r < reps; r++) {
        double t0 = bench_now_ns();
        for (uint64_t ns = 0; ns < sim_ns; ns += step) {
            sysdma_emu_sb16_advance(&sb, step);
            sysdma_emu_i8237_run(&dma, 1u << 20);
            if (sb.irq_status)
                sysdma_emu_sb16_inb(&sb, 0x22F); /* acknowledge, as the ISR does */
        }
        t[r] = (bench_now_ns() - t0) / 1e9;
    }
    double wall = bench_median(t, (size_t)reps);
    if (sb.bytes_played < 20ull * 176400 * (uint64_t)reps * 99 / 100) {
        fprintf(stderr, "bench_sb16: played only %llu bytes\n", (unsigned long long)sb.bytes_played);
        return 1;
    }
    bench_report("sb16.playback_x_realtime", 20.0 / wall, "x", NULL, 0, BENCH_HIGHER_IS_BETTER);
    return 0;
}
