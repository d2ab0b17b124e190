/* SPDX-License-Identifier: MIT */
/*
 * Memory for the bare-metal ports: pages and a heap (see pages.h), shared
 * by the x86 and the ARM kernels.
 */
#include "pages.h"

#define PAGE 4096u
#define MAX_PAGES (256u * 1024u) /* 1 GiB */

static uint32_t bitmap[MAX_PAGES / 32]; /* 1 = used */
static uint32_t total_pages;

static bool used(uint32_t p)
{
    return (bitmap[p / 32] >> (p % 32)) & 1u;
}

static void mark(uint32_t p, uint32_t n, bool u)
{
    for (uint32_t k = p; k < p + n && k < total_pages; k++) {
        if (u)
            bitmap[k / 32] |= 1u << (k % 32);
        else
            bitmap[k / 32] &= ~(1u << (k % 32));
    }
}

void bm_pages_init(uint32_t ram_bytes, uint32_t reserved_bytes)
{
    total_pages = ram_bytes / PAGE;
    if (total_pages > MAX_PAGES)
        total_pages = MAX_PAGES;
    mark(0, total_pages, false);
    mark(0, (reserved_bytes + PAGE - 1) / PAGE, true);
}

uint32_t bm_ram_bytes(void)
{
    return total_pages * PAGE;
}

uint32_t bm_pages_free_count(void)
{
    uint32_t n = 0;
    for (uint32_t p = 0; p < total_pages; p++)
        n += !used(p);
    return n;
}

bool bm_pages_alloc(uint32_t bytes, uint64_t min64, uint64_t max64, uint64_t boundary64,
                    uint64_t align64, uint32_t *phys)
{
    uint32_t ram = total_pages * PAGE;
    if (bytes == 0 || bytes > ram || min64 >= ram)
        return false;
    uint32_t n = (bytes + PAGE - 1) / PAGE;
    uint32_t maxp = max64 == 0 || max64 >= ram ? total_pages : (uint32_t)(max64 >> 12);
    uint32_t minp = (uint32_t)(min64 >> 12) + ((min64 & (PAGE - 1)) != 0);
    uint32_t boundary = boundary64 >= (1ull << 32) ? 0 : (uint32_t)boundary64;
    /* An alignment beyond RAM leaves page 0 only, as total_pages does. */
    uint64_t a64 = align64 >= PAGE ? align64 >> 12 : 1;
    uint32_t a = a64 > total_pages ? total_pages : (uint32_t)a64;
    for (uint32_t p = (minp + a - 1) / a * a; p + n <= maxp; p += a) {
        uint32_t first = p * PAGE, last = (p + n) * PAGE - 1;
        if (boundary && (first & ~(boundary - 1)) != (last & ~(boundary - 1)))
            continue;
        bool ok = true;
        for (uint32_t k = 0; k < n && ok; k++)
            ok = !used(p + k);
        if (ok) {
            mark(p, n, true);
            *phys = first;
            return true;
        }
    }
    return false;
}

void bm_pages_free(uint32_t phys, uint32_t bytes)
{
    mark(phys / PAGE, (bytes + PAGE - 1) / PAGE, false);
}

/* ---- the heap: size classes of 32 bytes, one free list each ------------------- */

#define CLASSES (PAGE / 32)
static uint8_t *heap;
static size_t heap_bytes, heap_top;
static void *free_list[CLASSES + 1];

void bm_heap_init(void *mem, size_t bytes)
{
    heap = mem;
    heap_bytes = mem ? bytes : 0;
    heap_top = 0;
    for (size_t k = 0; k <= CLASSES; k++)
        free_list[k] = NULL;
}

void *bm_heap_alloc(size_t bytes)
{
    size_t cls = (bytes + 31) / 32;
    if (cls == 0 || cls > CLASSES)
        return NULL; /* the core never asks for more than a page */
    if (free_list[cls]) {
        void *p = free_list[cls];
        free_list[cls] = *(void **)p;
        return p;
    }
    if (heap_top + cls * 32 > heap_bytes)
        return NULL;
    void *p = heap + heap_top;
    heap_top += cls * 32;
    return p;
}

void bm_heap_free(void *p, size_t bytes)
{
    size_t cls = (bytes + 31) / 32;
    if (!p || cls == 0 || cls > CLASSES)
        return;
    *(void **)p = free_list[cls];
    free_list[cls] = p;
}
