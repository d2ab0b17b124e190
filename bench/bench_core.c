/*
 * Benchmarks of the core's packet path:
 *   core.roundtrip_null_ns  allocate → map → flush → free of a direct 4 KiB
 *                           buffer, the 8237 driver's port I/O going to a null
 *                           sink (the cost of sysdma itself)
 *   core.roundtrip_emu_ns   the same with the ports reaching the emulated 8237
 *   verifier.overhead       the null round trip with the DMA verifier on ÷ off
 *   core.bounce_64k         a bounced 64 KiB write then read (copy in, copy
 *                           back), GB/s, against memcpy of the same 128 KiB
 */
#include "bench.h"

#include "sysdma/sim.h"
#include "sysdma/sysdma.h"
#include "sysdma/verifier.h"

static uint8_t null_in(void *ctx, uint16_t port)
{
    (void)ctx;
    (void)port;
    return 0xFF;
}

static void null_out(void *ctx, uint16_t port, uint8_t v)
{
    (void)ctx;
    (void)port;
    (void)v;
}

static sysdma_allocation_action keep(void *dev, sysdma_map_registers *regs, void *ctx)
{
    (void)dev;
    *(sysdma_map_registers **)ctx = regs;
    return SYSDMA_KEEP_OBJECT;
}

typedef struct setup {
    sysdma_sim *sim;
    sysdma_platform_ops ops;
    sysdma_platform pf;
    sysdma_i8237_driver drv;
    sysdma_controller ctrl;
    sysdma_system *sys;
} setup;

static void make(setup *s, bool null_ports)
{
    sysdma_sim_config c = {.ram_bytes = 64u << 20};
    BENCH_CHECK(sysdma_sim_create(&c, &s->sim));
    sysdma_sim_platform(s->sim, &s->pf, NULL);
    s->ops = *s->pf.ops;
    if (null_ports) {
        s->ops.inb = null_in;
        s->ops.outb = null_out;
    }
    s->pf.ops = &s->ops;
    sysdma_i8237_driver_init(&s->drv, &s->pf, &s->ctrl);
    BENCH_CHECK(sysdma_system_create(&s->pf, &s->ctrl, NULL, &s->sys));
}

static void unmake(setup *s)
{
    BENCH_CHECK(sysdma_system_destroy(s->sys));
    sysdma_sim_destroy(s->sim);
}

static sysdma_adapter *adapter(setup *s, unsigned ch, bool ignore_count, uint32_t *n)
{
    sysdma_device_description d = {0};
    d.version = 2;
    d.channel = ch;
    d.ignore_count = ignore_count;
    d.width = SYSDMA_WIDTH_8;
    d.maximum_length = 65536;
    sysdma_adapter *a;
    BENCH_CHECK(sysdma_adapter_get(s->sys, &d, &a, n));
    return a;
}

/* Median ns of one packet round trip (through the DMA verifier when
 * `verify`). */
static double roundtrip(bool null_ports, int reps, bool verify)
{
    setup s;
    make(&s, null_ports);
    if (verify)
        BENCH_CHECK(sysdma_verifier_enable(s.sys, NULL));
    uint32_t n;
    sysdma_adapter *a = adapter(&s, 2, false, &n);
    uint8_t *buf = sysdma_sim_buffer_alloc(s.sim, 4096, 0, SYSDMA_SIM_LOW);
    sysdma_mdl *m;
    BENCH_REQUIRE(buf);
    BENCH_CHECK(sysdma_mdl_create(s.sys, buf, 4096, &m));
    enum { N = 20000 };
    double t[64];
    for (int r = 0; r < reps; r++) {
        double t0 = bench_now_ns();
        for (int k = 0; k < N; k++) {
            sysdma_map_registers *regs = NULL;
            uint32_t len = 4096;
            BENCH_CHECK(sysdma_channel_allocate(a, NULL, 1, keep, &regs));
            BENCH_CHECK(sysdma_map_transfer(a, m, regs, buf, &len, true, NULL));
            BENCH_CHECK(sysdma_flush_adapter_buffers(a, m, regs, buf, 4096, true));
            BENCH_CHECK(sysdma_channel_free(a));
        }
        t[r] = (bench_now_ns() - t0) / N;
    }
    sysdma_mdl_free(s.sys, m);
    sysdma_sim_buffer_free(s.sim, buf);
    BENCH_CHECK(sysdma_adapter_put(a));
    unmake(&s);
    return bench_median(t, (size_t)reps);
}

int main(int argc, char **argv)
{
    int reps = bench_parse_args(argc, argv, 15);
    double plain = roundtrip(true, reps, false);
    bench_report("core.roundtrip_null_ns", plain, "ns", NULL, 0, BENCH_LOWER_IS_BETTER);
    bench_report("core.roundtrip_emu_ns", roundtrip(false, reps, false), "ns", NULL, 0,
                 BENCH_LOWER_IS_BETTER);
    /* The same round trip with every call checked, ÷ without. */
    double verified = roundtrip(true, reps, true);
    bench_report("verifier.overhead", verified / plain, "x", NULL, 0, BENCH_LOWER_IS_BETTER);

    /* Bounced 64 KiB: a buffer above 16 MiB on an ignore-count adapter, so
     * the flush of the read copies all 64 KiB back. */
    setup s;
    make(&s, true);
    uint32_t n;
    sysdma_adapter *a = adapter(&s, 1, true, &n);
    sysdma_map_registers *regs = NULL;
    uint8_t *buf = sysdma_sim_buffer_alloc(s.sim, 65536, 0, SYSDMA_SIM_HIGH);
    uint8_t *src = malloc(65536), *dst = malloc(65536);
    sysdma_mdl *m;
    BENCH_REQUIRE(buf && src && dst);
    BENCH_CHECK(sysdma_mdl_create(s.sys, buf, 65536, &m));
    BENCH_CHECK(sysdma_channel_allocate(a, NULL, n, keep, &regs));
    memset(buf, 1, 65536);
    memset(src, 2, 65536);
    double tb[64], tm[64];
    for (int r = 0; r < reps; r++) {
        enum { N = 200 };
        double t0 = bench_now_ns();
        for (int k = 0; k < N; k++) {
            uint32_t len = 65536;
            BENCH_CHECK(sysdma_map_transfer(a, m, regs, buf, &len, true, NULL));
            BENCH_CHECK(sysdma_flush_adapter_buffers(a, m, regs, buf, 65536, true));
            BENCH_CHECK(sysdma_map_transfer(a, m, regs, buf, &len, false, NULL));
            BENCH_CHECK(sysdma_flush_adapter_buffers(a, m, regs, buf, 65536, false));
        }
        tb[r] = (bench_now_ns() - t0) / N;
        t0 = bench_now_ns();
        for (int k = 0; k < N; k++) {
            memcpy(dst, src, 65536);
            bench_keep(dst);
            memcpy(src, dst, 65536);
            bench_keep(src);
        }
        tm[r] = (bench_now_ns() - t0) / N;
    }
    double b = bench_median(tb, (size_t)reps), mc = bench_median(tm, (size_t)reps);
    bench_report("core.bounce_64k", 131072.0 / b, "GB/s", "memcpy", 131072.0 / mc,
                 BENCH_HIGHER_IS_BETTER);
    BENCH_CHECK(sysdma_channel_free(a));
    sysdma_mdl_free(s.sys, m);
    BENCH_CHECK(sysdma_adapter_put(a));
    free(src);
    free(dst);
    unmake(&s);
    return 0;
}
