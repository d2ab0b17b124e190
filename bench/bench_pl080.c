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
 *   pl080.sg_1m_ns_per_page  the PL080 driver (src/ctrl/pl080.c) programming a
 *                        1 MiB scatter/gather list of 256 scattered pages on
 *                        the simulated SoC — checks, one linked-list item per
 *                        page written to its pool, the channel's registers —
 *                        ns per page, vs the core building the same list
 *                        (sg.build_1m's work: BuildScatterGatherList of 256
 *                        scattered pages on a bus master) in the same run
 * Each figure is the median of several repetitions; the memcpy baseline
 * copies the same bytes between the same buffers in the same run.
 */
#include "bench.h"

#include <stdint.h>
#include "sysdma/ctrl_i8237.h"
#include "sysdma/ctrl_pl080.h"
#include "sysdma/emu_pl080_dev.h"
#include "sysdma/sim.h"
#include "sysdma/sim_soc.h"
#include "sysdma/sysdma.h"

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

#define SG_PAGES 256u
#define PAGE SYSDMA_PAGE_SIZE

static void sg_noop(void *device, sysdma_sg_list *list, void *ctx)
{
    (void)device;
    *(sysdma_sg_list **)ctx = list;
}

/* Median ns per page of the core building a list of SG_PAGES scattered
 * pages into a caller buffer (BuildScatterGatherList on a 64-bit bus
 * master of the simulated PC). */
static double time_core_sg(int reps)
{
    sysdma_sim *sim;
    sysdma_sim_config c = {.ram_bytes = 16u << 20};
    BENCH_CHECK(sysdma_sim_create(&c, &sim));
    sysdma_platform pf;
    sysdma_sim_platform(sim, &pf, NULL);
    sysdma_i8237_driver drv;
    sysdma_controller ctrl;
    sysdma_i8237_driver_init(&drv, &pf, &ctrl);
    sysdma_system *sys;
    BENCH_CHECK(sysdma_system_create(&pf, &ctrl, NULL, &sys));
    sysdma_device_description d = {0};
    d.version = 3;
    d.master = true;
    d.scatter_gather = true;
    d.address_width = 64;
    d.maximum_length = SG_PAGES * PAGE;
    sysdma_adapter *a;
    BENCH_CHECK(sysdma_adapter_get(sys, &d, &a, NULL));
    sysdma_mdl *m = calloc(1, sizeof *m + SG_PAGES * sizeof(uint64_t));
    BENCH_REQUIRE(m);
    m->start_va = (uint8_t *)(uintptr_t)0x100000000000ull;
    m->byte_count = SG_PAGES * PAGE;
    m->pages = SG_PAGES;
    m->pfn = (uint64_t *)(m + 1);
    for (uint32_t k = 0; k < SG_PAGES; k++)
        m->pfn[k] = (1ull << 40) + (uint64_t)k * 2 * PAGE;
    uint32_t cap;
    BENCH_CHECK(sysdma_sg_calculate(a, m, m->start_va, SG_PAGES * PAGE, &cap, NULL));
    void *space = aligned_alloc(64, ((size_t)cap + 63) / 64 * 64);
    BENCH_REQUIRE(space);
    double t[64];
    for (int r = 0; r < reps; r++) {
        double t0 = bench_now_ns();
        for (int i = 0; i < 256; i++) {
            sysdma_sg_list *list = NULL;
            uint32_t size = cap;
            BENCH_CHECK(sysdma_sg_build(a, NULL, m, m->start_va, SG_PAGES * PAGE, sg_noop, &list,
                                        true, space, &size));
            BENCH_REQUIRE(list && list->count == SG_PAGES);
            BENCH_CHECK(sysdma_sg_put(a, list, true));
            bench_keep(list);
        }
        t[r] = (bench_now_ns() - t0) / 256 / SG_PAGES;
    }
    free(space);
    free(m);
    BENCH_CHECK(sysdma_adapter_put(a));
    BENCH_CHECK(sysdma_system_destroy(sys));
    sysdma_sim_destroy(sim);
    return bench_median(t, (size_t)reps);
}

/* Median ns per page of the PL080 driver programming SG_PAGES scattered
 * pages as one list on the simulated SoC's DMAC. */
static double time_driver_sg(int reps)
{
    sysdma_sim_soc *soc;
    BENCH_CHECK(sysdma_sim_soc_create(NULL, &soc));
    sysdma_platform pf;
    sysdma_sim_soc_platform(soc, &pf, NULL);
    sysdma_pl080_config pc = {0};
    sysdma_sim_soc_mmio(soc, &pc.mmio);
    pc.platform = pf;
    sysdma_pl080_driver drv;
    sysdma_controller ctl;
    BENCH_CHECK(sysdma_pl080_driver_init(&drv, &pc, &ctl));
    BENCH_CHECK(ctl.ops->initialize(ctl.ctx));
    static sysdma_fragment f[SG_PAGES];
    for (uint32_t k = 0; k < SG_PAGES; k++)
        f[k] = (sysdma_fragment){SYSDMA_SIM_SOC_BANK0 + 0x100000 + (uint64_t)k * 2 * PAGE, PAGE};
    sysdma_program p = {0};
    p.fragments = f;
    p.count = SG_PAGES;
    p.device_address = SYSDMA_SIM_SOC_UART_DATA;
    p.to_device = true;
    p.request_line = SYSDMA_SIM_SOC_UART_TX_LINE;
    p.shape.memory_width = 4;
    p.shape.device_width = 4;
    p.shape.memory_burst = 4;
    p.shape.device_burst = 1;
    double t[64];
    for (int r = 0; r < reps; r++) {
        double t0 = bench_now_ns();
        for (int i = 0; i < 256; i++) {
            BENCH_CHECK(ctl.ops->program(ctl.ctx, 0, &p));
            BENCH_CHECK(ctl.ops->flush(ctl.ctx, 0));
        }
        t[r] = (bench_now_ns() - t0) / 256 / SG_PAGES;
    }
    uint32_t items = 0;
    BENCH_CHECK(ctl.ops->configure(ctl.ctx, 0, SYSDMA_PL080_FN_ITEMS, &items, sizeof items));
    BENCH_REQUIRE(items == SG_PAGES);
    sysdma_pl080_driver_fini(&drv);
    sysdma_sim_soc_destroy(soc);
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
    int sg_reps = reps < 15 ? reps : 15;
    time_driver_sg(3); /* warm */
    double drv_sg = time_driver_sg(sg_reps);
    double core_sg = time_core_sg(sg_reps);
    bench_report("pl080.sg_1m_ns_per_page", drv_sg, "ns/page", "sg.build_1m", core_sg,
                 BENCH_LOWER_IS_BETTER);
    return 0;
}
