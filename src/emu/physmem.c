/* SPDX-License-Identifier: MIT */
/*
 * Bounded guest physical memory for the emulated hardware. Every access the
 * emulated devices make to guest RAM goes through here (or through a span
 * this file has checked), so no guest-chosen address can reach host memory
 * outside the RAM the embedder gave us.
 */
#include <string.h>

#include "sysdma/emu.h"

void sysdma_emu_physmem_init(sysdma_emu_physmem *m, void *ram, uint64_t size)
{
    m->ram = ram;
    m->size = ram ? size : 0;
}

/* Bytes of [addr, addr + n) that lie in RAM, counted from addr. */
static size_t in_ram(const sysdma_emu_physmem *m, uint64_t addr, size_t n)
{
    if (addr >= m->size)
        return 0;
    uint64_t room = m->size - addr;
    return room < n ? (size_t)room : n;
}

void sysdma_emu_physmem_read(const sysdma_emu_physmem *m, uint64_t addr,
                             void *dst, size_t n)
{
    size_t k = in_ram(m, addr, n);
    if (k)
        memcpy(dst, m->ram + addr, k);
    if (k < n)
        memset((uint8_t *)dst + k, 0xFF, n - k);
}

void sysdma_emu_physmem_write(sysdma_emu_physmem *m, uint64_t addr,
                              const void *src, size_t n)
{
    size_t k = in_ram(m, addr, n);
    if (k)
        memcpy(m->ram + addr, src, k);
}

uint8_t *sysdma_emu_physmem_span(const sysdma_emu_physmem *m, uint64_t addr,
                                 size_t n)
{
    if (n == 0 || in_ram(m, addr, n) != n)
        return NULL;
    return m->ram + addr;
}
