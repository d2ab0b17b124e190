/* SPDX-License-Identifier: MIT */
/*
 * Benchmarks of the emulated PL080:
 *   emu.pl080_block_64k  memory-to-memory 64 KiB as a driver programs it: a
 *                        linked list of the fewest items the TransferSize
 *                        field allows (4 × 4095 words + 4 words, bursts of
 *                        256), programmed and run, GB/s, vs memcpy of 64 KiB
 *   emu.pl080_uart_ns_per_byte  device-paced: 64 KiB from memory to the
 *                        UART-style device (bursts of 4 bytes by its FIFO's
 *                        requests, an instant wire), ns per byte (no baseline)
 * Each figure is the median of several repetitions; the memcpy baseline
 * copies the same bytes between the same buffers in the same run.
 */
#include "bench.h"

#include <stdint.h>
#include "sysdma/emu_pl080_dev.h"

#define RAM (1u << 20)
#define SRC 0x10000u
#define DST 0x40000u
#define LLIS 0x100u
#define TOTAL 65536u
#define ITEM_BYTES (4u * SYSDMA_EMU_PL080_MAX_TRANSFER) /* 16380 */
#define ITEMS ((TOTAL + ITEM_BYTES - 1) / ITEM_BYTES)    /* 5 */

static uint8_t ram[RAM];
static sysdma_emu_physmem mem;
static sysdma_emu_pl080 dmac;

static void put32(uint32_t at, uint32_t v)
{
    memcpy(ram + at, &v, 4); /* the host is little-endian, like master 1 */
}

/* Items 1..4 in RAM; item 0 goes straight into the channel registers. */
static uint32_t item_control(uint32_t k)
{
    uint32_t bytes = TOTAL - k * ITEM_BYTES < ITEM_BYTES ? TOTAL - k * ITEM_BYTES : ITEM_BYTES;
    return sysdma_emu_pl080_control(bytes / 4, 7, 7, 2, 2,
                                    SYSDMA_EMU_PL080_CTL_SI | SYSDMA_EMU_PL080_CTL_DI |
                                        (k + 1 == ITEMS ? SYSDMA_EMU_PL080_CTL_I : 0u));
}

static uint32_t build_list(void)
{
    for (uint32_t k = 1; k < ITEMS; k++) {
        uint32_t at = LLIS + 16 * k;
        put32(at, SRC + k * ITEM_BYTES);
        put32(at + 4, DST + k * ITEM_BYTES);
        put32(at + 8, k + 1 < ITEMS ? at + 16 : 0);
        put32(at + 12, item_control(k));
    }
    return item_control(0);
}

static double time_pl080(uint32_t ctl, int reps)
{
    double t[64];
    uint32_t cfg = SYSDMA_EMU_PL080_CCFG_E | SYSDMA_EMU_PL080_CCFG_ITC | SYSDMA_EMU_PL080_CCFG_IE;
    for (int r = 0; r < reps; r++) {
        double t0 = bench_now_ns();
        sysdma_emu_pl080_write(&dmac, SYSDMA_EMU_PL080_CH(0, SYSDMA_EMU_PL080_CH_SRC), SRC);
        sysdma_emu_pl080_write(&dmac, SYSDMA_EMU_PL080_CH(0, SYSDMA_EMU_PL080_CH_DST), DST);
        sysdma_emu_pl080_write(&dmac, SYSDMA_EMU_PL080_CH(0, SYSDMA_EMU_PL080_CH_LLI), LLIS + 16);
        sysdma_emu_pl080_write(&dmac, SYSDMA_EMU_PL080_CH(0, SYSDMA_EMU_PL080_CH_CONTROL), ctl);
        sysdma_emu_pl080_write(&dmac, SYSDMA_EMU_PL080_CH(0, SYSDMA_EMU_PL080_CH_CONFIG), cfg);
        size_t n = sysdma_emu_pl080_run(&dmac, 1u << 20);
        t[r] = bench_now_ns() - t0;
        BENCH_REQUIRE(n == TOTAL);
        BENCH_REQUIRE(sysdma_emu_pl080_read(&dmac, SYSDMA_EMU_PL080_RAW_TC_STATUS) == 1);
        sysdma_emu_pl080_write(&dmac, SYSDMA_EMU_PL080_INT_TC_CLEAR, 1);
        bench_keep(ram);
    }
    return bench_median(t, (size_t)reps);
}

static double time_memcpy(int reps)
{
    double t[64];
    for (int r = 0; r < reps; r++) {
        double t0 = bench_now_ns();
        memcpy(ram + DST, ram + SRC, TOTAL);
        bench_keep(ram);
        t[r] = bench_now_ns() - t0;
    }
    return bench_median(t, (size_t)reps);
}

static uint64_t wire_sum;
static void on_wire(void *ctx, uint8_t b)
{
    (void)ctx;
    wire_sum += b;
}

/* Median ns per byte of 64 KiB sent to the UART-style device on channel 1. */
static double time_uart(int reps)
{
    static sysdma_emu_uart uart;
    sysdma_emu_uart_config c = {0x20000000u, 4, SYSDMA_EMU_NO_LINE, 16, 4, 0, on_wire, NULL};
    BENCH_REQUIRE(sysdma_emu_uart_init(&uart, &dmac, &c));
    uint32_t ctl = sysdma_emu_pl080_control(4095, 0, 1, 0, 0, SYSDMA_EMU_PL080_CTL_SI);
    double t[64];
    for (int r = 0; r < reps; r++) {
        uint64_t before = uart.tx_bytes;
        double t0 = bench_now_ns();
        for (uint32_t off = 0; off < TOTAL; off += 4095) {
            uint32_t n = TOTAL - off < 4095 ? TOTAL - off : 4095;
            sysdma_emu_pl080_write(&dmac, SYSDMA_EMU_PL080_CH(1, SYSDMA_EMU_PL080_CH_SRC), SRC + off);
            sysdma_emu_pl080_write(&dmac, SYSDMA_EMU_PL080_CH(1, SYSDMA_EMU_PL080_CH_DST), c.data_addr);
            sysdma_emu_pl080_write(&dmac, SYSDMA_EMU_PL080_CH(1, SYSDMA_EMU_PL080_CH_LLI), 0);
            sysdma_emu_pl080_write(&dmac, SYSDMA_EMU_PL080_CH(1, SYSDMA_EMU_PL080_CH_CONTROL),
                                   (ctl & ~SYSDMA_EMU_PL080_CTL_SIZE_MASK) | n);
            sysdma_emu_pl080_write(&dmac, SYSDMA_EMU_PL080_CH(1, SYSDMA_EMU_PL080_CH_CONFIG),
                                   SYSDMA_EMU_PL080_CCFG_E | 1u << 11 | 4u << 6);
            sysdma_emu_pl080_run(&dmac, 1u << 20);
        }
        t[r] = (bench_now_ns() - t0) / TOTAL;
        BENCH_REQUIRE(uart.tx_bytes - before == TOTAL);
    }
    return bench_median(t, (size_t)reps);
}

int main(int argc, char **argv)
{
    int reps = bench_parse_args(argc, argv, 63);
    for (uint32_t k = 0; k < TOTAL; k++)
        ram[SRC + k] = (uint8_t)(k * 31);
    sysdma_emu_physmem_init(&mem, ram, RAM);
    sysdma_emu_pl080_init(&dmac, &mem, 0);
    sysdma_emu_pl080_write(&dmac, SYSDMA_EMU_PL080_CONFIG, SYSDMA_EMU_PL080_CFG_E);
    uint32_t ctl = build_list();

    time_pl080(ctl, 5); /* warm both paths */
    time_memcpy(5);
    BENCH_REQUIRE(memcmp(ram + DST, ram + SRC, TOTAL) == 0);
    double emu = time_pl080(ctl, reps);
    double mc = time_memcpy(reps);
    bench_report("emu.pl080_block_64k", TOTAL / emu, "GB/s", "memcpy",
                 TOTAL / mc, BENCH_HIGHER_IS_BETTER);
    bench_report("emu.pl080_uart_ns_per_byte", time_uart(reps), "ns", NULL, 0,
                 BENCH_LOWER_IS_BETTER);
    return 0;
}
