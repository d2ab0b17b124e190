/* SPDX-License-Identifier: MIT */
/* The bare-metal x86 port's shared declarations (platform.c, kmain.c). */
#ifndef SYSDMA_BM_H
#define SYSDMA_BM_H

#include <stdbool.h>
#include <stdint.h>

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

void bm_pages_init(uint32_t ram_bytes, uint32_t first_free);
uint32_t bm_ram_bytes(void);
bool bm_pages_alloc(uint32_t bytes, uint64_t min, uint64_t max, uint64_t boundary, uint64_t align,
                    uint32_t *phys);
void bm_pages_free(uint32_t phys, uint32_t bytes);
void bm_platform(sysdma_platform *out);
void bm_paging_init(void);
void *bm_map_scattered(uint32_t bytes, uint32_t offset);

#endif
