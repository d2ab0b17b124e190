/* SPDX-License-Identifier: MIT */
/*
 * Memory for the bare-metal ports (ports/common/pages.c): a page allocator
 * over identity-mapped RAM below 4 GiB (a bitmap, first fit, honouring
 * a range, an alignment and a boundary, in 32-bit arithmetic only: a kernel
 * has no 64-bit division helpers) and a size-class heap for the core's
 * objects. One CPU; the callers keep interrupts from re-entering them.
 */
#ifndef SYSDMA_PORTS_PAGES_H
#define SYSDMA_PORTS_PAGES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Up to 1 GiB of RAM (at most that much is used); the first
 * `reserved_bytes` (vectors, BIOS area, kernel...) are never handed out. */
void bm_pages_init(uint32_t ram_bytes, uint32_t reserved_bytes);
uint32_t bm_ram_bytes(void);
/* First run of pages for `bytes` in [min, max) (max 0: all RAM), starting
 * at a multiple of `align`, not crossing a multiple of `boundary` (0:
 * none). False when none fits. */
bool bm_pages_alloc(uint32_t bytes, uint64_t min, uint64_t max, uint64_t boundary, uint64_t align,
                    uint32_t *phys);
void bm_pages_free(uint32_t phys, uint32_t bytes);
uint32_t bm_pages_free_count(void);

/* The heap: `bytes` of memory at `mem` carved into size classes of 32
 * bytes (objects of up to a page), one free list each. */
void bm_heap_init(void *mem, size_t bytes);
void *bm_heap_alloc(size_t bytes);
void bm_heap_free(void *p, size_t bytes);

#endif /* SYSDMA_PORTS_PAGES_H */
