/* SPDX-License-Identifier: MIT */
/*
 * The sysdma platform for the bare-metal ARM port (QEMU versatilepb):
 *  - RAM identity-mapped by the MMU (virtual = physical), plus a 4 MiB
 *    window whose pages can be any physical pages, so that a virtually
 *    contiguous buffer can be physically scattered, as in a real kernel;
 *  - pages (ports/common/pages.c) from the RAM above the reserved first
 *    4 MiB (vectors, kernel, the scenario's name, the probe's page), and the
 *    size-class heap for the core's objects carved from them;
 *  - a lock that masks interrupts at the CPU (the CPSR I bit), restoring
 *    what it found: the PL080's interrupt handler calls into the core;
 *  - caches off (the MMU runs with the C bit clear everywhere), so the
 *    device and the CPU always agree: dma_sync is a no-op that counts its
 *    calls.
 * The C library functions the core needs are in ports/common/libc.c.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bm.h"
#include "freestanding.h"

/* ---- atomics: what GCC calls for C11 atomics on ARMv5TE --------------------------- */

/* The ARM926 has no exclusive loads and stores (ARMv6 brought them), so GCC
 * turns the core's C11 atomics into calls. One CPU, in order, memory
 * uncached: a barrier only has to stop the compiler, and a compare-exchange
 * is atomic with interrupts masked. */
void __sync_synchronize(void);
bool __atomic_compare_exchange_4(volatile void *ptr, void *expected, unsigned int desired, bool weak,
                                 int success, int failure);

void __sync_synchronize(void)
{
    __asm__ volatile("" : : : "memory");
}

bool __atomic_compare_exchange_4(volatile void *ptr, void *expected, unsigned int desired, bool weak,
                                 int success, int failure)
{
    (void)weak;
    (void)success;
    (void)failure;
    volatile unsigned int *p = ptr;
    unsigned int *e = expected;
    uint32_t s = irq_save();
    bool ok = *p == *e;
    if (ok)
        *p = desired;
    else
        *e = *p;
    irq_restore(s);
    return ok;
}

/* ---- physical pages ------------------------------------------------------------ */

#define PAGE 4096u

/* Pages and the heap come from ports/common/pages.c: RAM above the
 * reserved first 4 MiB, and a 1 MiB heap taken from it. */
#define HEAP_BYTES (1u << 20)

void bm_memory_init(void)
{
    bm_pages_init(BM_RAM_BYTES, BM_RESERVED_BYTES);
    uint32_t p = 0;
    bool ok = bm_pages_alloc(HEAP_BYTES, 0, 0, 0, PAGE, &p);
    bm_heap_init(ok ? (void *)(uintptr_t)p : NULL, HEAP_BYTES);
}

/* ---- the MMU: identity map plus a window for scattered buffers -------------------- */

/* First-level table: 4096 sections of 1 MiB, all identity-mapped, full
 * access, domain 0, C and B clear (uncached, unbuffered: devices and RAM
 * alike). The 4 MiB at WINDOW go through four coarse tables of 256 small
 * (4 KiB) pages each. */
#define WINDOW 0xC0000000u
#define WINDOW_PAGES 1024u
#define SECTION(base) ((base) | 0xC00u | 0x10u | 0x2u) /* AP=11, bit 4, section */
#define COARSE(table) ((table) | 0x10u | 0x1u)
#define SMALL_PAGE(base) ((base) | 0xFF0u | 0x2u)        /* AP0-3=11, small page */
static uint32_t l1[4096] __attribute__((aligned(16384)));
static uint32_t window_l2[WINDOW_PAGES] __attribute__((aligned(1024)));
static bool mmu_on;

static void tlb_flush(void)
{
    __asm__ volatile("mcr p15, 0, %0, c8, c7, 0" : : "r"(0) : "memory");
}

void bm_mmu_init(void)
{
    for (uint32_t k = 0; k < 4096; k++)
        l1[k] = SECTION(k << 20);
    for (uint32_t k = 0; k < WINDOW_PAGES; k++)
        window_l2[k] = 0; /* fault */
    for (uint32_t k = 0; k < WINDOW_PAGES / 256; k++)
        l1[(WINDOW >> 20) + k] = COARSE((uint32_t)(uintptr_t)&window_l2[256 * k]);
    __asm__ volatile("mcr p15, 0, %0, c2, c0, 0" : : "r"((uint32_t)(uintptr_t)l1)); /* TTBR */
    __asm__ volatile("mcr p15, 0, %0, c3, c0, 0" : : "r"(1u)); /* domain 0: client */
    tlb_flush();
    uint32_t sctlr;
    __asm__ volatile("mrc p15, 0, %0, c1, c0, 0" : "=r"(sctlr));
    sctlr |= 1u;                  /* M: MMU on */
    sctlr &= ~((1u << 2) | (1u << 13)); /* C: D-cache off; V: vectors at 0 */
    __asm__ volatile("mcr p15, 0, %0, c1, c0, 0" : : "r"(sctlr) : "memory");
    mmu_on = true;
}

/* A buffer of `bytes` at `offset` into its first page, each page taken on
 * its own and alternately from the lower and the upper half of RAM, never
 * two physical neighbours in a row. NULL when the window or RAM runs out
 * (the window is used once: a scenario maps one scattered buffer at a
 * time from where the last ended). */
static uint32_t window_used;

void *bm_map_scattered(uint32_t bytes, uint32_t offset)
{
    uint32_t n = (offset + bytes + PAGE - 1) / PAGE;
    if (!mmu_on || offset >= PAGE || n == 0 || n > WINDOW_PAGES - window_used)
        return NULL;
    uint32_t first = window_used, prev = 0;
    for (uint32_t k = 0; k < n; k++) {
        uint32_t phys = 0;
        bool low = k % 2 == 0, ok = false;
        for (int tries = 0; tries < 2 && !ok; tries++, low = !low) {
            uint64_t min = low ? 0 : BM_RAM_BYTES / 2, max = low ? BM_RAM_BYTES / 2 : 0;
            if (prev && prev + 2 * PAGE > min && (max == 0 || prev + 2 * PAGE < max))
                min = prev + 2 * PAGE; /* never adjacent to the previous page */
            ok = bm_pages_alloc(PAGE, min, max, 0, PAGE, &phys);
        }
        if (!ok)
            return NULL;
        window_l2[first + k] = SMALL_PAGE(phys);
        prev = phys;
    }
    window_used += n;
    tlb_flush();
    return (void *)(uintptr_t)(WINDOW + first * PAGE + offset);
}

/* ---- the platform table ---------------------------------------------------------- */

/* Objects up to a page from the heap, larger ones (a driver's tables) as
 * whole pages; the size given back at free tells which. */
static void *pf_alloc(void *ctx, size_t bytes)
{
    (void)ctx;
    uint32_t p;
    if (bytes <= PAGE)
        return bm_heap_alloc(bytes);
    if (bytes > BM_RAM_BYTES || !bm_pages_alloc((uint32_t)bytes, 0, 0, 0, PAGE, &p))
        return NULL;
    return (void *)(uintptr_t)p;
}

static void pf_free(void *ctx, void *p, size_t bytes)
{
    (void)ctx;
    if (bytes <= PAGE)
        bm_heap_free(p, bytes);
    else if (p)
        bm_pages_free((uint32_t)(uintptr_t)p, (uint32_t)bytes);
}

static sysdma_status pf_alloc_contig(void *ctx, size_t bytes, uint64_t max_phys, uint64_t boundary,
                                     uint64_t align, void **va, uint64_t *phys)
{
    (void)ctx;
    uint32_t p;
    if (bytes == 0 || bytes > BM_RAM_BYTES)
        return SYSDMA_E_INVALID_ARGUMENT;
    if (!bm_pages_alloc((uint32_t)bytes, 0, max_phys, boundary, align, &p))
        return SYSDMA_E_NO_MEMORY;
    *va = (void *)(uintptr_t)p;
    *phys = p;
    return SYSDMA_OK;
}

static void pf_free_contig(void *ctx, void *va, uint64_t phys, size_t bytes)
{
    (void)ctx;
    (void)va;
    bm_pages_free((uint32_t)phys, (uint32_t)bytes);
}

static bool pf_v2p(void *ctx, const void *va, uint64_t *phys)
{
    (void)ctx;
    uint32_t v = (uint32_t)(uintptr_t)va;
    if (v >= WINDOW && v < WINDOW + WINDOW_PAGES * PAGE) {
        uint32_t pte = window_l2[(v - WINDOW) / PAGE];
        *phys = (pte & ~(PAGE - 1)) | (v & (PAGE - 1));
        return (pte & 3u) != 0;
    }
    *phys = v; /* identity-mapped */
    return v < BM_RAM_BYTES;
}

bool bm_virt_to_phys(const void *va, uint32_t *phys)
{
    uint64_t p = 0;
    bool ok = pf_v2p(NULL, va, &p);
    *phys = (uint32_t)p;
    return ok;
}

/* The lock: mask IRQs, remember whether they were masked. One lock object
 * per lock; the core never nests its lock, and with IRQs masked the
 * interrupt handler cannot take it meanwhile. */
typedef struct bm_lock {
    uint32_t saved;
    bool held;
} bm_lock;

static void *pf_lock_create(void *ctx)
{
    (void)ctx;
    bm_lock *l = bm_heap_alloc(sizeof *l);
    if (l)
        l->held = false;
    return l;
}

static void pf_lock_acquire(void *ctx, void *lock)
{
    (void)ctx;
    bm_lock *l = lock;
    uint32_t s = irq_save();
    l->saved = s;
    l->held = true;
}

static void pf_lock_release(void *ctx, void *lock)
{
    (void)ctx;
    bm_lock *l = lock;
    l->held = false;
    irq_restore(l->saved);
}

static void pf_lock_destroy(void *ctx, void *lock)
{
    (void)ctx;
    bm_heap_free(lock, sizeof(bm_lock));
}

static uint32_t syncs;

static void pf_dma_sync(void *ctx, void *va, size_t bytes, sysdma_dma_sync op)
{
    (void)ctx;
    (void)va;
    (void)bytes;
    (void)op;
    syncs++; /* caches are off: memory is what the device sees */
}

uint32_t bm_dma_syncs(void)
{
    return syncs;
}

static const sysdma_platform_ops ops = {
    .size = sizeof(sysdma_platform_ops),
    .alloc = pf_alloc,
    .free = pf_free,
    .alloc_contig = pf_alloc_contig,
    .free_contig = pf_free_contig,
    .virt_to_phys = pf_v2p,
    .lock_create = pf_lock_create,
    .lock_acquire = pf_lock_acquire,
    .lock_release = pf_lock_release,
    .lock_destroy = pf_lock_destroy,
    .dma_sync = pf_dma_sync,
};

void bm_platform(sysdma_platform *out)
{
    out->ops = &ops;
    out->ctx = NULL;
}
