/* SPDX-License-Identifier: MIT */
/*
 * MDLs: a virtually contiguous buffer and the physical page under each of
 * its pages, taken through the platform's virtual→physical translation. One
 * allocation holds the MDL and its page array.
 */
#include "internal.h"

static sysdma_status build(sysdma_system *sys, void *va, size_t bytes, const sysdma_mdl *src,
                           sysdma_mdl **out)
{
    if (!sys || !out)
        return SYSDMA_E_INVALID_ARGUMENT;
    *out = NULL;
    if (!va || bytes == 0 || bytes > 0xFFFFFFFFu)
        return SYSDMA_E_LENGTH;
    if ((uintptr_t)va + bytes - 1 < (uintptr_t)va)
        return SYSDMA_E_OUT_OF_RANGE; /* wraps around the address space */
    uintptr_t start = (uintptr_t)va & ~(uintptr_t)(PAGE - 1);
    uint32_t offset = (uint32_t)((uintptr_t)va - start);
    uint32_t pages = sysdma_pages_spanned(va, bytes);
    size_t size = sizeof(sysdma_mdl) + (size_t)pages * sizeof(uint64_t);
    if (src) {
        uint8_t *lo = sysdma_mdl_virtual_address(src);
        if ((uint8_t *)va < lo || (size_t)((uint8_t *)va - lo) > src->byte_count ||
            bytes > src->byte_count - (size_t)((uint8_t *)va - lo))
            return SYSDMA_E_OUT_OF_RANGE;
    }
    sysdma_mdl *m = sysdma__alloc(sys, size);
    if (!m)
        return SYSDMA_E_NO_MEMORY;
    m->start_va = (uint8_t *)start;
    m->byte_offset = offset;
    m->byte_count = (uint32_t)bytes;
    m->pages = pages;
    m->pfn = (uint64_t *)(m + 1);
    m->alloc_bytes = (uint32_t)size;
    m->system = sys;
    m->next = NULL;
    for (uint32_t k = 0; k < pages; k++) {
        uint8_t *page = m->start_va + (size_t)k * PAGE;
        if (src) {
            size_t idx = (size_t)(page - src->start_va) / PAGE;
            m->pfn[k] = src->pfn[idx];
        } else if (!sys->pf.ops->virt_to_phys(sys->pf.ctx, page, &m->pfn[k]) ||
                   (m->pfn[k] & (PAGE - 1))) {
            sysdma__free(sys, m, size);
            return SYSDMA_E_OUT_OF_RANGE;
        } else {
            /* The MDL keeps what the device sees (the bus address). */
            m->pfn[k] = sysdma__bus(sys, m->pfn[k]);
            if (m->pfn[k] & (PAGE - 1)) {
                sysdma__free(sys, m, size);
                return SYSDMA_E_OUT_OF_RANGE;
            }
        }
    }
    *out = m;
    return SYSDMA_OK;
}

sysdma_status sysdma_mdl_create(sysdma_system *sys, void *va, size_t bytes, sysdma_mdl **out)
{
    return build(sys, va, bytes, NULL, out);
}

sysdma_status sysdma_mdl_create_partial(sysdma_system *sys, const sysdma_mdl *source, void *va,
                                        size_t bytes, sysdma_mdl **out)
{
    if (!source)
        return SYSDMA_E_INVALID_ARGUMENT;
    return build(sys, va, bytes, source, out);
}

void sysdma_mdl_free(sysdma_system *sys, sysdma_mdl *mdl)
{
    if (sys && mdl)
        sysdma__free(sys, mdl, mdl->alloc_bytes);
}
