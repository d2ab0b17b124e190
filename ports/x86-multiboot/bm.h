/* SPDX-License-Identifier: MIT */
/* The bare-metal x86 port's shared declarations (platform.c, kmain.c). */
#ifndef SYSDMA_BM_H
#define SYSDMA_BM_H

#include <stdbool.h>
#include <stdint.h>

#include "pages.h" /* ports/common */
#include "sysdma/sysdma.h"

static inline void bm_outb(uint16_t port, uint8_t v)
{
    __asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline uint8_t bm_inb(uint16_t port)
{
    uint8_t v;
    __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}

/* Pages and the heap (ports/common/pages.c) over the RAM the loader
 * reported, all below `first_free` kept back. */
void bm_memory_init(uint32_t ram_bytes, uint32_t first_free);
void bm_platform(sysdma_platform *out);
void bm_paging_init(void);
void *bm_map_scattered(uint32_t bytes, uint32_t offset);

#endif
