/* SPDX-License-Identifier: MIT */
/*
 * The native half of sysdma/wdm.h: what its inline calls cannot do alone.
 * The WDK's port I/O (READ_PORT_UCHAR ...), IoAllocateMdl and HalGetAdapter
 * name no device, so they reach "the" system: the one bound here with
 * sysdma_wdm_system_set (destroying it unbinds it). WDK objects the header
 * hands out (DMA_ADAPTERs) come from that system's platform allocator, and
 * the MDLs it makes carry the WDK's page-frame array after sysdma's own
 * page array, for MmGetMdlPfnArray.
 */
#include "internal.h"
#include "sysdma/wdm.h"

/* Bound once by the code that brings the machine up, before drivers run;
 * read by every WDK call that names no device. */
static sysdma_system *wdm_system;

void sysdma_wdm_system_set(sysdma_system *sys)
{
    wdm_system = sys;
}

sysdma_system *sysdma_wdm_system(void)
{
    return wdm_system;
}

void sysdma__wdm_forget(sysdma_system *sys)
{
    if (wdm_system == sys)
        wdm_system = NULL;
}

uint32_t sysdma_wdm_port_read(uint16_t port, unsigned bytes)
{
    sysdma_system *sys = wdm_system;
    if (!sys || !sys->pf.ops->inb)
        return bytes == 1 ? 0xFFu : bytes == 2 ? 0xFFFFu : 0xFFFFFFFFu; /* nothing answers */
    const sysdma_platform_ops *o = sys->pf.ops;
    if (bytes == 2 && o->inw)
        return o->inw(sys->pf.ctx, port);
    if (bytes == 4 && o->inl)
        return o->inl(sys->pf.ctx, port);
    uint32_t v = 0;
    for (unsigned k = 0; k < bytes && k < 4; k++)
        v |= (uint32_t)o->inb(sys->pf.ctx, (uint16_t)(port + k)) << (8 * k);
    return v;
}

void sysdma_wdm_port_write(uint16_t port, unsigned bytes, uint32_t value)
{
    sysdma_system *sys = wdm_system;
    if (!sys || !sys->pf.ops->outb)
        return;
    const sysdma_platform_ops *o = sys->pf.ops;
    if (bytes == 2 && o->outw) {
        o->outw(sys->pf.ctx, port, (uint16_t)value);
        return;
    }
    if (bytes == 4 && o->outl) {
        o->outl(sys->pf.ctx, port, value);
        return;
    }
    for (unsigned k = 0; k < bytes && k < 4; k++)
        o->outb(sys->pf.ctx, (uint16_t)(port + k), (uint8_t)(value >> (8 * k)));
}

void *sysdma_wdm_object_alloc(sysdma_system *sys, size_t bytes)
{
    if (!sys || bytes == 0)
        return NULL;
    void *p = sysdma__alloc(sys, bytes);
    if (p)
        memset(p, 0, bytes);
    return p;
}

void sysdma_wdm_object_free(sysdma_system *sys, void *p, size_t bytes)
{
    if (sys && p)
        sysdma__free(sys, p, bytes);
}

/* The size of an MDL of `pages` pages with the frame array behind it. */
static size_t framed_size(uint32_t pages)
{
    return sizeof(sysdma_mdl) + (size_t)pages * (sizeof(uint64_t) + sizeof(uintptr_t));
}

sysdma_status sysdma_wdm_mdl_create(sysdma_system *sys, void *va, size_t bytes, sysdma_mdl **out)
{
    if (!out)
        return SYSDMA_E_INVALID_ARGUMENT;
    *out = NULL;
    sysdma_mdl *plain = NULL;
    sysdma_status st = sysdma_mdl_create(sys, va, bytes, &plain); /* checks everything */
    if (st != SYSDMA_OK)
        return st;
    size_t size = framed_size(plain->pages);
    sysdma_mdl *m = sysdma__alloc(sys, size);
    if (!m) {
        sysdma_mdl_free(sys, plain);
        return SYSDMA_E_NO_MEMORY;
    }
    *m = *plain;
    m->pfn = (uint64_t *)(m + 1);
    m->alloc_bytes = (uint32_t)size;
    uintptr_t *frames = (uintptr_t *)(m->pfn + m->pages);
    for (uint32_t k = 0; k < m->pages; k++) {
        m->pfn[k] = plain->pfn[k];
        frames[k] = (uintptr_t)(plain->pfn[k] / PAGE);
    }
    sysdma_mdl_free(sys, plain);
    *out = m;
    return SYSDMA_OK;
}

uintptr_t *sysdma_wdm_mdl_frames(sysdma_mdl *m)
{
    if (!m || m->pfn != (uint64_t *)(m + 1) || m->alloc_bytes != framed_size(m->pages))
        return NULL; /* not one of sysdma_wdm_mdl_create's */
    return (uintptr_t *)(m->pfn + m->pages);
}
