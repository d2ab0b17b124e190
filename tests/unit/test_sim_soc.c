/* SPDX-License-Identifier: MIT */
/*
 * The simulated SoC (src/platform/sim_soc.c): RAM banks and their
 * allocator (reach, boundary, alignment, no run across banks), buffer
 * placements and virtual→physical, the DMAC's MMIO window, the interrupt
 * line and ISR, the platform table with fault injection.
 */
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "sysdma/sim.h"
#include "sysdma/sim_soc.h"

#define MIB (1ull << 20)

static sysdma_sim_soc *make(void)
{
    sysdma_sim_soc_config c = {0};
    c.bank0_bytes = 4 * MIB;
    c.bank1_bytes = 2 * MIB;
    sysdma_sim_soc *s = NULL;
    assert_int_equal(sysdma_sim_soc_create(&c, &s), SYSDMA_OK);
    return s;
}

static void create_checks_sizes(void **state)
{
    (void)state;
    sysdma_sim_soc *s = NULL;
    sysdma_sim_soc_config c = {0};
    c.bank0_bytes = 4096;
    assert_int_equal(sysdma_sim_soc_create(&c, &s), SYSDMA_E_INVALID_ARGUMENT);
    c.bank0_bytes = 3 * MIB + 1;
    assert_int_equal(sysdma_sim_soc_create(&c, &s), SYSDMA_E_INVALID_ARGUMENT);
    c.bank0_bytes = 4ull << 30;
    assert_int_equal(sysdma_sim_soc_create(&c, &s), SYSDMA_E_INVALID_ARGUMENT);
    c.bank0_bytes = 0;
    c.uart_watermark = 1000; /* more than the FIFO */
    assert_int_equal(sysdma_sim_soc_create(&c, &s), SYSDMA_E_INVALID_ARGUMENT);
    assert_int_equal(sysdma_sim_soc_create(NULL, NULL), SYSDMA_E_INVALID_ARGUMENT);
    assert_int_equal(sysdma_sim_soc_create(NULL, &s), SYSDMA_OK); /* defaults */
    assert_int_equal(sysdma_sim_soc_free_pages(s), (80 * MIB) / 4096);
    sysdma_sim_soc_destroy(s);
}

static void contig_honours_reach_boundary_align(void **state)
{
    (void)state;
    sysdma_sim_soc *s = make();
    uint64_t phys;
    void *va;
    /* Nothing below 16 MiB (nor 2 GiB): a 24-bit reach finds nothing. */
    assert_int_equal(sysdma_sim_soc_alloc_contig(s, 4096, 16 * MIB, 0, 4096, &phys, &va),
                     SYSDMA_E_NO_MEMORY);
    /* Bank 0 first, under 4 GiB. */
    assert_int_equal(sysdma_sim_soc_alloc_contig(s, 8192, 1ull << 32, 0, 4096, &phys, &va),
                     SYSDMA_OK);
    assert_int_equal(phys, SYSDMA_SIM_SOC_BANK0);
    assert_ptr_equal(va, sysdma_sim_soc_phys(s, phys, 8192));
    /* Aligned and inside a boundary. */
    assert_int_equal(sysdma_sim_soc_alloc_contig(s, 3 * 4096, 0, 16384, 65536, &phys, &va),
                     SYSDMA_OK);
    assert_int_equal(phys % 65536, 0);
    assert_int_equal(phys / 16384, (phys + 3 * 4096 - 1) / 16384);
    assert_int_equal(sysdma_sim_soc_alloc_contig(s, 5 * 4096, 0, 16384, 4096, &phys, &va),
                     SYSDMA_E_BOUNDARY);
    assert_int_equal(sysdma_sim_soc_alloc_contig(s, 4096, 0, 0, 3000, &phys, &va),
                     SYSDMA_E_INVALID_ARGUMENT);
    /* Once bank 0 has no run long enough, the run comes from bank 1
     * (never across the banks). */
    assert_int_equal(sysdma_sim_soc_alloc_contig(s, 2 * MIB + 4096, 0, 0, 4096, &phys, &va),
                     SYSDMA_OK);
    assert_true(phys < SYSDMA_SIM_SOC_BANK1);
    assert_int_equal(sysdma_sim_soc_alloc_contig(s, 2 * MIB, 0, 0, 4096, &phys, &va), SYSDMA_OK);
    assert_int_equal(phys, SYSDMA_SIM_SOC_BANK1);
    /* But not when the caller's reach ends at 4 GiB. */
    sysdma_sim_soc_free_contig(s, phys, 2 * MIB);
    assert_int_equal(sysdma_sim_soc_alloc_contig(s, 2 * MIB, 1ull << 32, 0, 4096, &phys, &va),
                     SYSDMA_E_NO_MEMORY);
    sysdma_sim_soc_destroy(s);
}

static void buffers_are_placed_and_translated(void **state)
{
    (void)state;
    sysdma_sim_soc *s = make();
    uint8_t *lo = sysdma_sim_soc_buffer_alloc(s, 3 * 4096, 10, SYSDMA_SIM_SOC_LOW);
    uint8_t *hi = sysdma_sim_soc_buffer_alloc(s, 3 * 4096, 10, SYSDMA_SIM_SOC_HIGH);
    uint8_t *sc = sysdma_sim_soc_buffer_alloc(s, 8 * 4096, 0, SYSDMA_SIM_SOC_SCATTERED);
    assert_non_null(lo);
    assert_non_null(hi);
    assert_non_null(sc);
    uint64_t p, q;
    assert_true(sysdma_sim_soc_virt_to_phys(s, lo + 5000, &p));
    assert_true(p >= SYSDMA_SIM_SOC_BANK0 && p < SYSDMA_SIM_SOC_BANK0 + 4 * MIB);
    assert_true(sysdma_sim_soc_virt_to_phys(s, lo, &q));
    assert_int_equal(p - q, 5000);
    assert_true(sysdma_sim_soc_virt_to_phys(s, hi, &p));
    assert_true(p >= SYSDMA_SIM_SOC_BANK1);
    /* The CPU's writes land where the physical view shows them. */
    hi[100] = 0x42;
    assert_int_equal(*sysdma_sim_soc_phys(s, p + 100, 1), 0x42);
    for (unsigned k = 0; k + 1 < 8; k++) {
        assert_true(sysdma_sim_soc_virt_to_phys(s, sc + k * 4096, &p));
        assert_true(sysdma_sim_soc_virt_to_phys(s, sc + (k + 1) * 4096, &q));
        assert_true(p < SYSDMA_SIM_SOC_BANK1);
        assert_true(q != p + 4096 && q + 4096 != p);
    }
    assert_null(sysdma_sim_soc_phys(s, 0x1000, 1));
    assert_null(sysdma_sim_soc_phys(s, SYSDMA_SIM_SOC_BANK0 + 4 * MIB - 8, 16));
    assert_false(sysdma_sim_soc_virt_to_phys(s, &p, &q));
    assert_true(sysdma_sim_soc_buffer_free(s, lo));
    assert_true(sysdma_sim_soc_buffer_free(s, hi));
    assert_true(sysdma_sim_soc_buffer_free(s, sc));
    assert_false(sysdma_sim_soc_buffer_free(s, sc));
    assert_int_equal(sysdma_sim_soc_free_pages(s), 6 * MIB / 4096);
    assert_null(sysdma_sim_soc_buffer_alloc(s, 4096, 4096, SYSDMA_SIM_SOC_LOW));
    sysdma_sim_soc_destroy(s);
}

static unsigned isr_calls;
static void isr(void *ctx)
{
    sysdma_sim_soc *s = ctx;
    isr_calls++;
    sysdma_sim_soc_write32(s, SYSDMA_SIM_SOC_DMAC_BASE + 0x008, 0xFF); /* clear TC */
}

static void mmio_and_interrupt(void **state)
{
    (void)state;
    sysdma_sim_soc *s = make();
    assert_int_equal(sysdma_sim_soc_read32(s, SYSDMA_SIM_SOC_DMAC_BASE + 0xFE0), 0x80);
    assert_int_equal(sysdma_sim_soc_read32(s, 0x20000000), 0);
    sysdma_pl080_mmio m;
    sysdma_sim_soc_mmio(s, &m);
    m.write32(m.ctx, 0x030, 1);
    assert_int_equal(sysdma_sim_soc_read32(s, SYSDMA_SIM_SOC_DMAC_BASE + 0x030), 1);
    /* A memory-to-memory item with its TC interrupt raises the line; the
     * ISR runs from run() and clears it. */
    uint8_t *src = sysdma_sim_soc_phys(s, SYSDMA_SIM_SOC_BANK0, 64);
    memset(src, 0x77, 64);
    uint32_t ch = SYSDMA_SIM_SOC_DMAC_BASE + 0x100;
    sysdma_sim_soc_write32(s, ch + 0x00, (uint32_t)SYSDMA_SIM_SOC_BANK0);
    sysdma_sim_soc_write32(s, ch + 0x04, (uint32_t)SYSDMA_SIM_SOC_BANK0 + 0x1000);
    sysdma_sim_soc_write32(s, ch + 0x08, 0);
    sysdma_sim_soc_write32(s, ch + 0x0C, 64u | 3u << 26 | 1u << 31);
    sysdma_sim_soc_irq_connect(s, isr, s);
    sysdma_sim_soc_write32(s, ch + 0x10, 1u | 1u << 15);
    sysdma_sim_soc_run(s, 10000);
    assert_int_equal(isr_calls, 1);
    assert_int_equal(sysdma_sim_soc_interrupts(s), 1);
    assert_false(sysdma_sim_soc_irq_level(s));
    assert_memory_equal(sysdma_sim_soc_phys(s, SYSDMA_SIM_SOC_BANK0 + 0x1000, 64), src, 64);
    assert_int_equal(sysdma_sim_soc_now_ns(s), 10000);
    sysdma_sim_soc_destroy(s);
}

static void platform_with_fault_injection(void **state)
{
    (void)state;
    sysdma_sim_soc *s = make();
    long fail = 1;
    sysdma_platform pf;
    sysdma_sim_soc_platform(s, &pf, &fail);
    assert_null(pf.ops->inb);
    assert_null(pf.ops->dma_sync);
    void *p = pf.ops->alloc(pf.ctx, 16);
    assert_non_null(p);
    pf.ops->free(pf.ctx, p, 16);
    assert_null(pf.ops->alloc(pf.ctx, 16));
    void *va;
    uint64_t phys;
    assert_int_equal(pf.ops->alloc_contig(pf.ctx, 4096, 0, 0, 4096, &va, &phys),
                     SYSDMA_E_NO_MEMORY);
    fail = -1;
    assert_int_equal(pf.ops->alloc_contig(pf.ctx, 4096, 0, 0, 4096, &va, &phys), SYSDMA_OK);
    uint64_t back;
    assert_true(pf.ops->virt_to_phys(pf.ctx, va, &back));
    assert_int_equal(back, phys);
    pf.ops->free_contig(pf.ctx, va, phys, 4096);
    assert_int_equal(sysdma_sim_soc_free_pages(s), 6 * MIB / 4096);
    sysdma_sim_soc_destroy(s);
}

static void cache_model_needs_sync(void **state)
{
    (void)state;
    sysdma_sim_soc_config c = {0};
    c.bank0_bytes = 4 * MIB;
    c.bank1_bytes = 2 * MIB;
    c.cache_model = true;
    sysdma_sim_soc *s = NULL;
    assert_int_equal(sysdma_sim_soc_create(&c, &s), SYSDMA_OK);
    sysdma_platform pf;
    sysdma_sim_soc_platform(s, &pf, NULL);
    assert_non_null(pf.ops->dma_sync);
    uint8_t *b = sysdma_sim_soc_buffer_alloc(s, 6000, 100, SYSDMA_SIM_SOC_SCATTERED);
    assert_non_null(b);
    uint64_t p0, p1;
    assert_true(sysdma_sim_soc_virt_to_phys(s, b, &p0));
    assert_true(sysdma_sim_soc_virt_to_phys(s, b + 5000, &p1));
    memset(b, 0x11, 6000);
    /* The CPU's writes stay in its cache: RAM (what DMA sees) is stale. */
    assert_int_equal(*sysdma_sim_soc_phys(s, p0, 1), 0);
    pf.ops->dma_sync(pf.ctx, b, 6000, SYSDMA_SYNC_PRE_WRITE);
    assert_int_equal(*sysdma_sim_soc_phys(s, p0, 1), 0x11);
    assert_int_equal(*sysdma_sim_soc_phys(s, p1, 1), 0x11); /* across scattered pages */
    /* A device writes RAM: the CPU sees it only after POST_READ. */
    *sysdma_sim_soc_phys(s, p1, 1) = 0x99;
    assert_int_equal(b[5000], 0x11);
    pf.ops->dma_sync(pf.ctx, b + 4000, 2000, SYSDMA_SYNC_POST_READ);
    assert_int_equal(b[5000], 0x99);
    /* PRE_READ writes back, so nothing the CPU wrote is lost under it. */
    b[0] = 0x22;
    pf.ops->dma_sync(pf.ctx, b, 1, SYSDMA_SYNC_PRE_READ);
    assert_int_equal(*sysdma_sim_soc_phys(s, p0, 1), 0x22);
    /* Memory from alloc_contig is uncached: coherent, syncs leave it be. */
    void *va;
    uint64_t phys;
    assert_int_equal(sysdma_sim_soc_alloc_contig(s, 4096, 0, 0, 4096, &phys, &va), SYSDMA_OK);
    ((uint8_t *)va)[0] = 0x33;
    assert_int_equal(*sysdma_sim_soc_phys(s, phys, 1), 0x33);
    pf.ops->dma_sync(pf.ctx, va, 4096, SYSDMA_SYNC_POST_READ);
    assert_int_equal(((uint8_t *)va)[0], 0x33);
    assert_true(sysdma_sim_soc_buffer_free(s, b));
    sysdma_sim_soc_destroy(s);
}

/* Both simulated machines' platforms stop a program whose allocator call
 * comes with one of their locks held (the core must never do it): the call
 * aborts, in a child process here. Without the lock held it succeeds. */
static bool alloc_aborts_under_lock(const sysdma_platform *pf, bool hold)
{
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        void *lock = pf->ops->lock_create(pf->ctx);
        if (hold)
            pf->ops->lock_acquire(pf->ctx, lock);
        void *p = pf->ops->alloc(pf->ctx, 16);
        pf->ops->free(pf->ctx, p, 16);
        _exit(0);
    }
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    return WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT;
}

static void allocator_under_lock_stops(void **state)
{
    (void)state;
    sysdma_sim_soc *soc;
    assert_int_equal(sysdma_sim_soc_create(NULL, &soc), SYSDMA_OK);
    sysdma_platform pf;
    sysdma_sim_soc_platform(soc, &pf, NULL);
    assert_false(alloc_aborts_under_lock(&pf, false));
    assert_true(alloc_aborts_under_lock(&pf, true));
    sysdma_sim_soc_destroy(soc);
    sysdma_sim *pc;
    assert_int_equal(sysdma_sim_create(NULL, &pc), SYSDMA_OK);
    sysdma_sim_platform(pc, &pf, NULL);
    assert_false(alloc_aborts_under_lock(&pf, false));
    assert_true(alloc_aborts_under_lock(&pf, true));
    sysdma_sim_destroy(pc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(create_checks_sizes),
        cmocka_unit_test(contig_honours_reach_boundary_align),
        cmocka_unit_test(buffers_are_placed_and_translated),
        cmocka_unit_test(mmio_and_interrupt),
        cmocka_unit_test(platform_with_fault_injection),
        cmocka_unit_test(cache_model_needs_sync),
        cmocka_unit_test(allocator_under_lock_stops),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
