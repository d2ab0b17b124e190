/* SPDX-License-Identifier: MIT */
/*
 * Benchmarks of the emulated 8237A pair:
 *   emu.block_64k          block-mode 64 KiB memory→device, GB/s, vs memcpy of 64 KiB
 *   emu.block_64k_write    block-mode 64 KiB device→memory, GB/s, vs memcpy
 *   emu.demand_64k         demand-mode 64 KiB device→memory, GB/s, vs memcpy
 *   emu.single_ns_per_byte device-paced single mode: one byte per DREQ
 *                          acknowledgement, ns per byte (no baseline), lint off
 *   emu.lint_overhead      the same single-mode run with the hardware lint on
 *                          ÷ off (a same-run ratio, no baseline; goal <= 1.5)
 * Each figure is the median of several repetitions; the memcpy baseline
 * copies the same bytes between buffers of the same residency in the same run.
 */
#include "bench.h"

#include <stdint.h>
#include "sysdma/emu.h"

#define RAM (1u << 20)

static uint8_t ram[RAM];
static uint8_t devbuf[1u << 16];
static sysdma_emu_physmem mem;
static sysdma_emu_i8237 dma;
static size_t pos;

static size_t span_dev(void *ctx, unsigned ch, sysdma_emu_xfer kind, uint8_t *buf, size_t units)
{
    (void)ctx;
    (void)ch;
    if (kind == SYSDMA_EMU_XFER_WRITE)
        memcpy(buf, devbuf, units);
    else if (kind == SYSDMA_EMU_XFER_READ)
        memcpy(devbuf, buf, units);
    return units;
}

/* A floppy-like device: one byte per request, DREQ held while data is ready. */
static size_t byte_dev(void *ctx, unsigned ch, sysdma_emu_xfer kind, uint8_t *buf, size_t units)
{
    (void)ctx;
    (void)ch;
    (void)kind;
    buf[0] = devbuf[pos++ & 0xFFFF];
    return units;
}


/* Median ns of one 64 KiB transfer in `mode` on channel 1. */
static double time_transfer(uint8_t mode, int reps)
{
    double t[64];
    for (int r = 0; r < reps; r++) {
        sysdma_emu_i8237_program(&dma, 1, mode, 0x10000, 65536);
        sysdma_emu_i8237_dreq(&dma, 1, true);
        double t0 = bench_now_ns();
        size_t n = sysdma_emu_i8237_run(&dma, 1u << 20);
        t[r] = bench_now_ns() - t0;
        sysdma_emu_i8237_dreq(&dma, 1, false);
        if (n != 65536) {
            fprintf(stderr, "bench_emu: moved %zu of 65536\n", n);
            exit(1);
        }
        bench_keep(ram);
    }
    return bench_median(t, (size_t)reps);
}

static void lint_sink(void *ctx, const sysdma_emu_lint_report *r)
{
    (void)ctx;
    (void)r;
}

/* Median ns per byte of a 64 KiB single-mode transfer on channel 2, each
 * one programmed as an OS does (ports), with the lint on or off. */
static double time_single(int reps, bool lint)
{
    double t[64];
    sysdma_emu_i8237_set_lint(&dma, lint ? lint_sink : NULL, NULL);
    for (int r = 0; r < reps; r++) {
        sysdma_emu_i8237_program(&dma, 2, SYSDMA_EMU_MODE_SINGLE | SYSDMA_EMU_MODE_WRITE, 0x20000, 65536);
        sysdma_emu_i8237_dreq(&dma, 2, true);
        double t0 = bench_now_ns();
        size_t n = sysdma_emu_i8237_run(&dma, 1u << 20);
        t[r] = (bench_now_ns() - t0) / (double)n;
        BENCH_REQUIRE(n == 65536);
        sysdma_emu_i8237_dreq(&dma, 2, false);
    }
    sysdma_emu_i8237_set_lint(&dma, NULL, NULL);
    return bench_median(t, (size_t)reps);
}

static double time_memcpy(bool to_ram, int reps)
{
    double t[64];
    for (int r = 0; r < reps; r++) {
        double t0 = bench_now_ns();
        if (to_ram)
            memcpy(ram + 0x10000, devbuf, 65536);
        else
            memcpy(devbuf, ram + 0x10000, 65536);
        bench_keep(ram);
        bench_keep(devbuf);
        t[r] = bench_now_ns() - t0;
    }
    return bench_median(t, (size_t)reps);
}

int main(int argc, char **argv)
{
    int reps = bench_parse_args(argc, argv, 63);
    for (size_t k = 0; k < sizeof devbuf; k++)
        devbuf[k] = (uint8_t)(k * 31);
    sysdma_emu_physmem_init(&mem, ram, RAM);
    sysdma_emu_i8237_init(&dma, &mem, true);
    sysdma_emu_dma_device span = {span_dev, NULL, NULL};
    BENCH_REQUIRE(sysdma_emu_i8237_attach(&dma, 1, &span));

    /* Warm both paths, then measure; 64 KiB / ns = GB/s × 1e-9 × 1e9. */
    time_transfer(SYSDMA_EMU_MODE_BLOCK | SYSDMA_EMU_MODE_READ, 5);
    time_memcpy(false, 5);
    double emu = time_transfer(SYSDMA_EMU_MODE_BLOCK | SYSDMA_EMU_MODE_READ, reps);
    double mc = time_memcpy(false, reps);
    bench_report("emu.block_64k", 65536.0 / emu, "GB/s", "memcpy", 65536.0 / mc,
                 BENCH_HIGHER_IS_BETTER);
    emu = time_transfer(SYSDMA_EMU_MODE_BLOCK | SYSDMA_EMU_MODE_WRITE, reps);
    mc = time_memcpy(true, reps);
    bench_report("emu.block_64k_write", 65536.0 / emu, "GB/s", "memcpy", 65536.0 / mc,
                 BENCH_HIGHER_IS_BETTER);
    emu = time_transfer(SYSDMA_EMU_MODE_DEMAND | SYSDMA_EMU_MODE_WRITE, reps);
    mc = time_memcpy(true, reps);
    bench_report("emu.demand_64k", 65536.0 / emu, "GB/s", "memcpy", 65536.0 / mc,
                 BENCH_HIGHER_IS_BETTER);

    sysdma_emu_dma_device bytes = {byte_dev, NULL, NULL};
    BENCH_REQUIRE(sysdma_emu_i8237_attach(&dma, 2, &bytes));
    /* Lint off and on alternate, so both see the same machine state. */
    double t[64], tl[64];
    time_single(3, false);
    time_single(3, true);
    for (int r = 0; r < reps; r++) {
        t[r] = time_single(1, false);
        tl[r] = time_single(1, true);
    }
    double off = bench_median(t, (size_t)reps), on = bench_median(tl, (size_t)reps);
    bench_report("emu.single_ns_per_byte", off, "ns", NULL, 0, BENCH_LOWER_IS_BETTER);
    bench_report("emu.lint_overhead", on / off, "x", NULL, 0, BENCH_LOWER_IS_BETTER);
    return 0;
}
