/* SPDX-License-Identifier: MIT */
/*
 * Benchmarks of scatter/gather list building:
 *   sg.build_1g_ns_per_page  BuildScatterGatherList for a 1 GiB buffer on a
 *                            64-bit scatter/gather bus master, every page
 *                            its own physical run (the most elements), into
 *                            a caller buffer; ns per page
 *   sg.build_1m_ns_per_page  the same for 1 MiB (growth must be linear)
 *   sg.get_put_1m_ns_per_page  GetScatterGatherList + Put of 1 MiB (list
 *                            allocated by sysdma, adapter queue, routine)
 * Baseline: a bare loop writing the same elements straight from the page
 * array (the least work any list builder can do).
 */
#include "bench.h"

#include "sysdma/ctrl_i8237.h"
#include "sysdma/sim.h"
#include "sysdma/sysdma.h"

#define PAGE SYSDMA_PAGE_SIZE

static void noop(void *device, sysdma_sg_list *list, void *ctx)
{
    (void)device;
    *(sysdma_sg_list **)ctx = list;
}

/* A direct-mapped MDL of `pages` pages at a fake virtual address, each
 * page physically apart from its neighbours. */
static sysdma_mdl *fake_mdl(uint32_t pages)
{
    sysdma_mdl *m = calloc(1, sizeof *m + (size_t)pages * sizeof(uint64_t));
    BENCH_REQUIRE(m);
    m->start_va = (uint8_t *)(uintptr_t)0x100000000000ull;
    m->byte_offset = 0;
    m->byte_count = pages * PAGE; /* 1 GiB at most: fits */
    m->pages = pages;
    m->pfn = (uint64_t *)(m + 1);
    for (uint32_t k = 0; k < pages; k++)
        m->pfn[k] = (1ull << 40) + (uint64_t)k * 2 * PAGE;
    return m;
}

/* Median ns per page of building a list for `pages` pages. */
static double build(sysdma_adapter *a, sysdma_mdl *m, uint32_t pages, int reps, void *space,
                    uint32_t cap, double *baseline)
{
    uint32_t len = pages * PAGE;
    uint32_t use = pages;
    double *t = malloc(sizeof(double) * (size_t)reps);
    double *b = malloc(sizeof(double) * (size_t)reps);
    int inner = pages >= 65536 ? 1 : 262144 / (int)pages;
    sysdma_sg_element *el = (sysdma_sg_element *)((uint8_t *)space + 64);
    for (int r = 0; r < reps; r++) {
        double t0 = bench_now_ns();
        for (int i = 0; i < inner; i++) {
            sysdma_sg_list *list = NULL;
            uint32_t size = cap;
            BENCH_CHECK(sysdma_sg_build(a, NULL, m, sysdma_mdl_virtual_address(m), len, noop,
                                        &list, true, space, &size));
            BENCH_REQUIRE(list);
            BENCH_CHECK(sysdma_sg_put(a, list, true));
            bench_keep(list);
        }
        t[r] = (bench_now_ns() - t0) / inner / use;
        t0 = bench_now_ns();
        for (int i = 0; i < inner; i++) {
            for (uint32_t k = 0; k < use; k++)
                el[k] = (sysdma_sg_element){m->pfn[k], PAGE, 0};
            bench_keep(el);
        }
        b[r] = (bench_now_ns() - t0) / inner / use;
    }
    *baseline = bench_median(b, (size_t)reps);
    double v = bench_median(t, (size_t)reps);
    free(t);
    free(b);
    return v;
}

int main(int argc, char **argv)
{
    int reps = bench_parse_args(argc, argv, 15);
    sysdma_sim *sim;
    sysdma_sim_config c = {.ram_bytes = 64u << 20};
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
    d.maximum_length = 1u << 30;
    sysdma_adapter *a;
    BENCH_CHECK(sysdma_adapter_get(sys, &d, &a, NULL));

    uint32_t big = 262144; /* 1 GiB of pages */
    sysdma_mdl *m = fake_mdl(big);
    uint32_t cap;
    BENCH_CHECK(sysdma_sg_calculate(a, m, sysdma_mdl_virtual_address(m), 1u << 30, &cap, NULL));
    void *space = aligned_alloc(64, ((size_t)cap + 63) / 64 * 64);
    BENCH_REQUIRE(space);
    memset(space, 0, cap);
    double base;
    double v1g = build(a, m, big, reps > 5 ? 5 : reps, space, cap, &base);
    bench_report("sg.build_1g_ns_per_page", v1g, "ns/page", "element loop", base,
                 BENCH_LOWER_IS_BETTER);
    double v1m = build(a, m, 256, reps, space, cap, &base);
    bench_report("sg.build_1m_ns_per_page", v1m, "ns/page", "element loop", base,
                 BENCH_LOWER_IS_BETTER);
    bench_report("sg.build_1g_vs_1m", v1g / v1m, "x", NULL, 0, BENCH_LOWER_IS_BETTER);

    /* Get + Put of 1 MiB: the list allocated each time, through the queue. */
    double *t = malloc(sizeof(double) * (size_t)reps);
    for (int r = 0; r < reps; r++) {
        double t0 = bench_now_ns();
        for (int i = 0; i < 1000; i++) {
            sysdma_sg_list *list = NULL;
            BENCH_CHECK(sysdma_sg_get(a, NULL, m, sysdma_mdl_virtual_address(m), 256 * PAGE, noop,
                                      &list, false));
            BENCH_CHECK(sysdma_sg_put(a, list, false));
        }
        t[r] = (bench_now_ns() - t0) / 1000 / 256;
    }
    bench_report("sg.get_put_1m_ns_per_page", bench_median(t, (size_t)reps), "ns/page",
                 "element loop", base, BENCH_LOWER_IS_BETTER);
    free(t);
    free(space);
    free(m);
    BENCH_CHECK(sysdma_adapter_put(a));
    BENCH_CHECK(sysdma_system_destroy(sys));
    sysdma_sim_destroy(sim);
    return 0;
}
