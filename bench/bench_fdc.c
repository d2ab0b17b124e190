/* SPDX-License-Identifier: MIT */
/*
 * Floppy benchmark: whole-disk reads of a 1.44 MiB image by the example
 * driver on the simulated PC with timing off (every sector as fast as the
 * DMA takes it), in sectors per wall second; and the share of that time
 * spent in the DMA layer (sysdma core + 8237 driver), measured by replaying
 * the same allocate / map / flush / free sequence without the device.
 *   fdc.read_sectors_per_s   sectors per wall second, whole-disk read
 *   fdc.dma_layer_share      fraction of the time in the DMA layer
 * Every status is checked: a failed call ends the program with exit status 1.
 */
#include "bench.h"

#include "../examples/drivers/fdc.h"
#include "sysdma/ctrl_i8237.h"
#include "sysdma/emu_fdc.h"
#include "sysdma/sim.h"

#define DISK 1474560u

typedef struct machine {
    sysdma_sim *sim;
    sysdma_emu_fdc fdc;
    unsigned edges, seen;
    bool level;
} machine;

static machine m;

static void on_irq(void *ctx, bool level)
{
    (void)ctx;
    if (level && !m.level)
        m.edges++;
    m.level = level;
}
static uint8_t p_in(void *ctx, uint16_t port) { (void)ctx; return sysdma_emu_fdc_inb(&m.fdc, port); }
static void p_out(void *ctx, uint16_t port, uint8_t v) { (void)ctx; sysdma_emu_fdc_outb(&m.fdc, port, v); }
static void tick(void *ctx, uint64_t ns) { (void)ctx; sysdma_emu_fdc_advance(&m.fdc, ns); }
static uint8_t e_in(void *ctx, uint16_t port) { (void)ctx; return sysdma_sim_inb(m.sim, port); }
static void e_out(void *ctx, uint16_t port, uint8_t v) { (void)ctx; sysdma_sim_outb(m.sim, port, v); }
static bool seen(void *ctx) { (void)ctx; return m.edges != m.seen; }
static bool e_wait(void *ctx, uint32_t us)
{
    (void)ctx;
    bool ok = sysdma_sim_run_until(m.sim, seen, NULL, (uint64_t)us * 1000);
    m.seen = m.edges;
    return ok;
}
static void e_delay(void *ctx, uint32_t us) { (void)ctx; sysdma_sim_run(m.sim, (uint64_t)us * 1000); }

static sysdma_allocation_action keep(void *dev, sysdma_map_registers *regs, void *ctx)
{
    (void)dev;
    *(sysdma_map_registers **)ctx = regs;
    return SYSDMA_KEEP_OBJECT;
}

int main(int argc, char **argv)
{
    int reps = bench_parse_args(argc, argv, 7);
    sysdma_sim_config sc = {.ram_bytes = 64u << 20, .timing_off = true};
    BENCH_CHECK(sysdma_sim_create(&sc, &m.sim));
    uint8_t *image = malloc(DISK);
    BENCH_REQUIRE(image);
    for (size_t k = 0; k < DISK; k++)
        image[k] = (uint8_t)(k * 7);
    BENCH_REQUIRE(sysdma_emu_fdc_init(&m.fdc, sysdma_sim_dma(m.sim), 2, on_irq, NULL));
    BENCH_REQUIRE(sysdma_emu_fdc_insert(&m.fdc, 0, image, DISK, false));
    BENCH_CHECK(sysdma_sim_add_ports(m.sim, 0x3F0, 0x3F5, p_in, p_out, NULL));
    BENCH_CHECK(sysdma_sim_add_ports(m.sim, 0x3F7, 0x3F7, p_in, p_out, NULL));
    BENCH_REQUIRE(sysdma_sim_add_clock(m.sim, tick, NULL));
    sysdma_platform pf;
    sysdma_i8237_driver drv8237;
    sysdma_controller ctrl;
    sysdma_system *sys;
    sysdma_sim_platform(m.sim, &pf, NULL);
    sysdma_i8237_driver_init(&drv8237, &pf, &ctrl);
    BENCH_CHECK(sysdma_system_create(&pf, &ctrl, NULL, &sys));
    fdc_env env = {e_in, e_out, e_wait, e_delay, NULL};
    fdc_driver d;
    BENCH_CHECK(fdc_open(&d, sys, &env, 0, DISK));
    uint8_t *buf = sysdma_sim_buffer_alloc(m.sim, DISK, 0, SYSDMA_SIM_LOW);
    BENCH_REQUIRE(buf);
    double t[32], tc[32];
    for (int r = 0; r < reps; r++) {
        double t0 = bench_now_ns();
        BENCH_CHECK(fdc_read(&d, 0, 2880, buf));
        t[r] = bench_now_ns() - t0;
        BENCH_REQUIRE(memcmp(buf, image, DISK) == 0);
        /* The DMA layer alone: the same calls, one per cylinder piece. */
        sysdma_mdl *mdl;
        sysdma_map_registers *regs = NULL;
        t0 = bench_now_ns();
        BENCH_CHECK(sysdma_mdl_create(sys, buf, DISK, &mdl));
        BENCH_CHECK(sysdma_channel_allocate(d.adapter, &d, d.map_registers, keep, &regs));
        for (uint32_t c = 0; c < 80; c++) {
            uint32_t len = 36 * 512;
            BENCH_CHECK(sysdma_map_transfer(d.adapter, mdl, regs, buf + (size_t)c * len, &len,
                                            false, NULL));
            BENCH_CHECK(sysdma_flush_adapter_buffers(d.adapter, mdl, regs, buf + (size_t)c * len,
                                                     len, false));
        }
        BENCH_CHECK(sysdma_channel_free(d.adapter));
        sysdma_mdl_free(sys, mdl);
        tc[r] = bench_now_ns() - t0;
    }
    double total = bench_median(t, (size_t)reps), core = bench_median(tc, (size_t)reps);
    bench_report("fdc.read_sectors_per_s", 2880.0 / (total / 1e9), "sectors/s", NULL, 0,
                 BENCH_HIGHER_IS_BETTER);
    bench_report("fdc.dma_layer_share", core / total, "fraction", NULL, 0, BENCH_LOWER_IS_BETTER);
    fdc_close(&d);
    sysdma_sim_buffer_free(m.sim, buf);
    BENCH_CHECK(sysdma_system_destroy(sys)); /* E_BUSY if the driver left the adapter held */
    sysdma_sim_destroy(m.sim);
    free(image);
    return 0;
}
