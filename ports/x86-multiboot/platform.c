/* SPDX-License-Identifier: MIT */
/*
 * The sysdma platform for the bare-metal x86 port: identity-mapped RAM (so
 * virtual = physical), pages and a size-class heap for the core's objects
 * from ports/common/pages.c, real in/out instructions, no lock
 * (one CPU, interrupts off: the kernel polls). The C library functions
 * the core needs are in ports/common/libc.c.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bm.h"
#include "freestanding.h"

#define PAGE 4096u

/* ---- paging: identity map plus a window for scattered buffers --------------------- */

/* All RAM is identity-mapped with 4 MiB pages; the 4 MiB at WINDOW map, page
 * by page, whatever physical pages a scattered buffer is made of, so that a
 * virtually contiguous buffer can sit on pages all over RAM, as on a real
 * kernel. virt_to_phys walks that table. */
#define WINDOW 0xC0000000u
static uint32_t page_dir[1024] __attribute__((aligned(4096)));
static uint32_t window_table[1024] __attribute__((aligned(4096)));
static bool paging_on;

void bm_paging_init(void)
{
    uint32_t ram = bm_ram_bytes();
    for (uint32_t k = 0; k < 1024; k++)
        page_dir[k] = 0;
    for (uint32_t k = 0; k * (4u << 20) < ram && k < 768; k++)
        page_dir[k] = k * (4u << 20) | 0x83; /* present, writable, 4 MiB */
    for (uint32_t k = 0; k < 1024; k++)
        window_table[k] = 0;
    page_dir[WINDOW >> 22] = (uint32_t)(uintptr_t)window_table | 0x03;
    uint32_t cr;
    __asm__ volatile("mov %%cr4, %0" : "=r"(cr));
    __asm__ volatile("mov %0, %%cr4" : : "r"(cr | 0x10)); /* PSE */
    __asm__ volatile("mov %0, %%cr3" : : "r"((uint32_t)(uintptr_t)page_dir));
    __asm__ volatile("mov %%cr0, %0" : "=r"(cr));
    __asm__ volatile("mov %0, %%cr0" : : "r"(cr | 0x80000000u)); /* PG */
    paging_on = true;
}

/* A buffer of `bytes` at `offset` into its first page, each page taken
 * separately and alternately from below and above 16 MiB, never two
 * physical neighbours in a row. NULL when the window or RAM runs out. */
void *bm_map_scattered(uint32_t bytes, uint32_t offset)
{
    uint32_t n = (offset + bytes + PAGE - 1) / PAGE;
    if (!paging_on || n > 1024)
        return NULL;
    uint32_t prev = 0;
    for (uint32_t k = 0; k < n; k++) {
        uint32_t phys = 0;
        bool low = k % 2 == 0, ok = false;
        for (int tries = 0; tries < 2 && !ok; tries++, low = !low) {
            uint64_t min = low ? 0x100000 : 16u << 20, max = low ? 16u << 20 : 0;
            /* Skip past the previous page so neighbours are never adjacent. */
            if (prev && prev + 2 * PAGE > min && (max == 0 || prev + 2 * PAGE < max))
                min = prev + 2 * PAGE;
            ok = bm_pages_alloc(PAGE, min, max, 0, PAGE, &phys);
        }
        if (!ok)
            return NULL;
        window_table[k] = phys | 0x03;
        prev = phys;
    }
    __asm__ volatile("mov %%cr3, %%eax; mov %%eax, %%cr3" : : : "eax", "memory"); /* flush TLB */
    return (void *)(uintptr_t)(WINDOW + offset);
}

/* ---- the platform table ---------------------------------------------------------- */

/* The heap for core objects (ports/common/pages.c), 1 MiB inside the kernel. */
#define HEAP_BYTES (1u << 20)
static uint8_t heap[HEAP_BYTES] __attribute__((aligned(16)));

static void *pf_alloc(void *ctx, size_t bytes)
{
    (void)ctx;
    return bm_heap_alloc(bytes);
}

static void pf_free(void *ctx, void *p, size_t bytes)
{
    (void)ctx;
    bm_heap_free(p, bytes);
}

static sysdma_status pf_alloc_contig(void *ctx, size_t bytes, uint64_t max_phys, uint64_t boundary,
                                     uint64_t align, void **va, uint64_t *phys)
{
    (void)ctx;
    uint32_t p;
    if (bytes == 0 || bytes > 0x10000000u)
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
    if (v >= WINDOW && v < WINDOW + (4u << 20)) {
        uint32_t pte = window_table[(v - WINDOW) / PAGE];
        *phys = (pte & ~(PAGE - 1)) | (v & (PAGE - 1));
        return (pte & 1) != 0;
    }
    *phys = v; /* identity-mapped */
    return v < bm_ram_bytes();
}

static uint8_t pf_inb(void *ctx, uint16_t port)
{
    (void)ctx;
    return bm_inb(port);
}

static void pf_outb(void *ctx, uint16_t port, uint8_t v)
{
    (void)ctx;
    bm_outb(port, v);
}

static const sysdma_platform_ops ops = {
    .size = sizeof(sysdma_platform_ops),
    .alloc = pf_alloc,
    .free = pf_free,
    .alloc_contig = pf_alloc_contig,
    .free_contig = pf_free_contig,
    .virt_to_phys = pf_v2p,
    .inb = pf_inb,
    .outb = pf_outb,
};

void bm_memory_init(uint32_t ram_bytes, uint32_t first_free)
{
    bm_pages_init(ram_bytes, first_free); /* BIOS area, kernel (with the heap) */
    bm_heap_init(heap, HEAP_BYTES);
}

void bm_platform(sysdma_platform *out)
{
    out->ops = &ops;
    out->ctx = NULL;
}
