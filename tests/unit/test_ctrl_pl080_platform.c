/* SPDX-License-Identifier: MIT */
/*
 * The PL080 driver's use of its platform (src/ctrl/pl080.c): the item pool
 * taken once with alloc_contig below 4 GiB and given back at fini; its bus
 * address through phys_to_bus (and refused beyond 32 bits); uncached
 * through set_caching, else each program's items synced with dma_sync;
 * allocation failures leave nothing behind. Registers are a plain array
 * answering the PL080's IDs (the driver's volatile access path).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "sysdma/ctrl_pl080.h"

static uint32_t regs[1024];
static uint8_t pool[64 * 1024] __attribute__((aligned(4096)));
static struct {
    int allocs, frees, contigs, contig_frees, fail_alloc, fail_contig;
    uint64_t contig_max;
    uint64_t bus_offset;
    int caching_off, caching_on, syncs;
    size_t synced_bytes;
    sysdma_dma_sync last_op;
} pf;

static void *p_alloc(void *ctx, size_t n)
{
    (void)ctx;
    if (pf.fail_alloc)
        return NULL;
    pf.allocs++;
    return malloc(n);
}

static void p_free(void *ctx, void *p, size_t n)
{
    (void)ctx;
    (void)n;
    pf.frees++;
    free(p);
}

static sysdma_status p_contig(void *ctx, size_t bytes, uint64_t max_phys, uint64_t boundary,
                              uint64_t align, void **va, uint64_t *phys)
{
    (void)ctx;
    (void)boundary;
    (void)align;
    pf.contig_max = max_phys;
    if (pf.fail_contig || bytes > sizeof pool)
        return SYSDMA_E_NO_MEMORY;
    pf.contigs++;
    *va = pool;
    *phys = 0x80000000u;
    return SYSDMA_OK;
}

static void p_free_contig(void *ctx, void *va, uint64_t phys, size_t bytes)
{
    (void)ctx;
    (void)bytes;
    assert_ptr_equal(va, pool);
    assert_int_equal(phys, 0x80000000u);
    pf.contig_frees++;
}

static bool p_v2p(void *ctx, const void *va, uint64_t *phys)
{
    (void)ctx;
    (void)va;
    *phys = 0;
    return false;
}

static uint64_t p_bus(void *ctx, uint64_t phys)
{
    (void)ctx;
    return phys + pf.bus_offset;
}

static void p_caching(void *ctx, void *va, size_t bytes, bool cached)
{
    (void)ctx;
    (void)va;
    (void)bytes;
    if (cached)
        pf.caching_on++;
    else
        pf.caching_off++;
}

static void p_sync(void *ctx, void *va, size_t bytes, sysdma_dma_sync op)
{
    (void)ctx;
    assert_true((uint8_t *)va >= pool && (uint8_t *)va + bytes <= pool + sizeof pool);
    pf.syncs++;
    pf.synced_bytes += bytes;
    pf.last_op = op;
}

static sysdma_platform_ops ops;

static void setup(bool bus, bool caching, bool sync)
{
    memset(&pf, 0, sizeof pf);
    memset(regs, 0, sizeof regs);
    regs[0xFE0 / 4] = 0x80;
    regs[0xFE4 / 4] = 0x10;
    memset(&ops, 0, sizeof ops);
    ops.size = sizeof ops;
    ops.alloc = p_alloc;
    ops.free = p_free;
    ops.alloc_contig = p_contig;
    ops.free_contig = p_free_contig;
    ops.virt_to_phys = p_v2p;
    ops.phys_to_bus = bus ? p_bus : NULL;
    ops.set_caching = caching ? p_caching : NULL;
    ops.dma_sync = sync ? p_sync : NULL;
}

static sysdma_status init(sysdma_pl080_driver *d, sysdma_controller *c)
{
    sysdma_pl080_config cfg = {0};
    cfg.mmio.base = regs;
    cfg.platform.ops = &ops;
    cfg.items_per_channel = 32;
    return sysdma_pl080_driver_init(d, &cfg, c);
}

static sysdma_program two_pages(sysdma_fragment *f)
{
    f[0] = (sysdma_fragment){0x81000000u, 4096};
    f[1] = (sysdma_fragment){0x81003000u, 4096};
    sysdma_program p = {0};
    p.fragments = f;
    p.count = 2;
    p.device_address = 0x10000000u;
    p.to_device = true;
    p.request_line = 3;
    return p;
}

static void pool_below_4g_at_its_bus_address(void **state)
{
    (void)state;
    setup(true, false, false);
    pf.bus_offset = 0x10000000u; /* the DMAC sees RAM 256 MiB higher */
    sysdma_pl080_driver d;
    sysdma_controller c;
    assert_int_equal(init(&d, &c), SYSDMA_OK);
    assert_int_equal(pf.contig_max, 0x100000000ull);
    assert_int_equal(d.pool_bus, 0x90000000u);
    assert_int_equal(c.ops->initialize(c.ctx), SYSDMA_OK);
    sysdma_fragment f[2];
    sysdma_program p = two_pages(f);
    assert_int_equal(c.ops->program(c.ctx, 1, &p), SYSDMA_OK);
    /* Channel 1's first item: its LLI register names the second by bus address. */
    assert_int_equal(regs[(0x100 + 0x20 + 0x08) / 4], 0x90000000u + (32 + 1) * 16);
    assert_int_equal(regs[(0x100 + 0x20 + 0x10) / 4] & 1u, 1u); /* enabled */
    sysdma_pl080_driver_fini(&d);
    assert_int_equal(pf.contig_frees, 1);
    assert_int_equal(pf.frees, pf.allocs);
    /* A pool whose bus address passes 4 GiB is refused, nothing kept. */
    setup(true, false, false);
    pf.bus_offset = 0x90000000u;
    assert_int_equal(init(&d, &c), SYSDMA_E_OUT_OF_REACH);
    assert_int_equal(pf.contig_frees, 1);
    assert_int_equal(pf.frees, pf.allocs);
}

static void pool_uncached_or_synced(void **state)
{
    (void)state;
    sysdma_pl080_driver d;
    sysdma_controller c;
    sysdma_fragment f[2];
    sysdma_program p = two_pages(f);
    /* set_caching: uncached once at init, cached again at fini, no syncs. */
    setup(false, true, true);
    assert_int_equal(init(&d, &c), SYSDMA_OK);
    assert_int_equal(pf.caching_off, 1);
    assert_int_equal(c.ops->initialize(c.ctx), SYSDMA_OK);
    assert_int_equal(c.ops->program(c.ctx, 0, &p), SYSDMA_OK);
    assert_int_equal(pf.syncs, 0);
    sysdma_pl080_driver_fini(&d);
    assert_int_equal(pf.caching_on, 1);
    /* Without it: the items each program wrote are written back. */
    setup(false, false, true);
    assert_int_equal(init(&d, &c), SYSDMA_OK);
    assert_int_equal(c.ops->initialize(c.ctx), SYSDMA_OK);
    assert_int_equal(c.ops->program(c.ctx, 2, &p), SYSDMA_OK);
    assert_int_equal(pf.syncs, 1);
    assert_int_equal(pf.synced_bytes, 4 * 16); /* 4096 bytes in bursts of 4: 4092 + 4 each */
    assert_int_equal(pf.last_op, SYSDMA_SYNC_PRE_WRITE);
    /* A refused program syncs nothing. */
    p.request_line = 99;
    assert_int_equal(c.ops->program(c.ctx, 2, &p), SYSDMA_E_INVALID_CHANNEL);
    assert_int_equal(pf.syncs, 1);
    sysdma_pl080_driver_fini(&d);
    sysdma_pl080_driver_fini(&d); /* a second fini does nothing */
    sysdma_pl080_driver_fini(NULL);
    assert_int_equal(pf.contig_frees, 1);
}

static void allocation_failures_leave_nothing(void **state)
{
    (void)state;
    sysdma_pl080_driver d;
    sysdma_controller c;
    setup(false, false, false);
    pf.fail_alloc = 1;
    assert_int_equal(init(&d, &c), SYSDMA_E_NO_MEMORY);
    assert_int_equal(pf.contigs, 0);
    setup(false, false, false);
    pf.fail_contig = 1;
    assert_int_equal(init(&d, &c), SYSDMA_E_NO_MEMORY);
    assert_int_equal(pf.frees, pf.allocs);
    /* A platform without alloc_contig cannot hold the pool. */
    setup(false, false, false);
    ops.alloc_contig = NULL;
    assert_int_equal(init(&d, &c), SYSDMA_E_INVALID_ARGUMENT);
    /* An older, shorter table: what it lacks is absent. */
    setup(true, true, true);
    ops.size = (uint32_t)offsetof(sysdma_platform_ops, lock_create);
    assert_int_equal(init(&d, &c), SYSDMA_OK);
    assert_int_equal(pf.caching_off, 0);
    assert_int_equal(d.pool_bus, 0x80000000u);
    sysdma_pl080_driver_fini(&d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(pool_below_4g_at_its_bus_address),
        cmocka_unit_test(pool_uncached_or_synced),
        cmocka_unit_test(allocation_failures_leave_nothing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
