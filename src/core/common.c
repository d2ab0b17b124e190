/* SPDX-License-Identifier: MIT */
/*
 * Common-buffer DMA: AllocateCommonBuffer / FreeCommonBuffer, and the
 * position tracker drivers use while the controller cycles over a common
 * buffer in auto-initialize mode.
 *
 * A common buffer satisfies the channel's limits once and for all
 * (contiguous, reachable, inside one window, aligned), so mapping it never
 * bounces: the driver maps it once and the controller, programmed with
 * auto-initialize from the description, reloads address and count at each
 * terminal count for as long as the device requests.
 */
#include "internal.h"

sysdma_status sysdma__allocate_common(sysdma_adapter *a, uint32_t length, bool cached, void **va,
                                      uint64_t *logical)
{
    return sysdma__allocate_common_below(a, length, cached, 0, va, logical);
}

sysdma_status sysdma__allocate_common_below(sysdma_adapter *a, uint32_t length, bool cached,
                                            uint64_t limit, void **va, uint64_t *logical)
{
    sysdma_system *sys = a->sys;
    /* A bus master's buffer only has to be within its address width. */
    uint32_t window = a->master ? 0 : a->limits.boundary ? a->limits.boundary : a->limits.max_bytes;
    if (length == 0 || (window && length > window) || length > 0x80000000u)
        return SYSDMA_E_LENGTH;
    uint32_t bytes = (length + PAGE - 1) & ~(PAGE - 1);
    common_buffer *cb = sysdma__alloc(sys, sizeof *cb);
    if (!cb)
        return SYSDMA_E_NO_MEMORY;
    uint64_t max_phys = a->limits.address_bits < 64 ? 1ull << a->limits.address_bits : 0;
    if (limit && (!max_phys || limit < max_phys))
        max_phys = limit;
    void *v = NULL;
    uint64_t phys = 0;
    sysdma_status st = sys->pf.ops->alloc_contig(sys->pf.ctx, bytes, max_phys, window, PAGE, &v,
                                                 &phys);
    uint64_t bus = st == SYSDMA_OK ? sysdma__bus(sys, phys) : 0;
    if (st == SYSDMA_OK &&
        ((max_phys && (bus >= max_phys || max_phys - bus < bytes)) ||
         (a->limits.boundary &&
          ((bus ^ (bus + bytes - 1)) & ~((uint64_t)a->limits.boundary - 1))))) {
        /* Below the limit in physical terms, not as the device sees it. */
        sys->pf.ops->free_contig(sys->pf.ctx, v, phys, bytes);
        st = SYSDMA_E_NO_MEMORY;
    }
    if (st != SYSDMA_OK) {
        sysdma__free(sys, cb, sizeof *cb);
        return st == SYSDMA_E_NO_MEMORY ? st : SYSDMA_E_NO_MEMORY;
    }
    if (sys->pf.ops->set_caching)
        sys->pf.ops->set_caching(sys->pf.ctx, v, bytes, cached);
    *cb = (common_buffer){NULL, v, phys, sysdma__bus(sys, phys), length, bytes, cached};
    sysdma__lock(sys);
    cb->next = a->commons;
    a->commons = cb;
    a->stats.common_buffers++;
    a->stats.common_bytes += bytes;
    sys->stats.common_buffers++;
    sys->stats.common_bytes += bytes;
    sysdma__unlock(sys);
    *va = v;
    *logical = cb->logical;
    return SYSDMA_OK;
}

sysdma_status sysdma__free_common(sysdma_adapter *a, uint32_t length, uint64_t logical, void *va,
                                  bool cached)
{
    sysdma_system *sys = a->sys;
    sysdma__lock(sys);
    common_buffer **link = &a->commons;
    while (*link && ((*link)->va != va || (*link)->logical != logical))
        link = &(*link)->next;
    common_buffer *cb = *link;
    if (!cb || cb->length != length || cb->cached != cached) {
        sysdma__unlock(sys);
        return SYSDMA_E_INVALID_ARGUMENT;
    }
    *link = cb->next;
    a->stats.common_buffers--;
    a->stats.common_bytes -= cb->bytes;
    sys->stats.common_buffers--;
    sys->stats.common_bytes -= cb->bytes;
    sysdma__unlock(sys);
    sys->pf.ops->free_contig(sys->pf.ctx, cb->va, cb->phys, cb->bytes);
    sysdma__free(sys, cb, sizeof *cb);
    return SYSDMA_OK;
}

void sysdma_position_init(sysdma_position *p, uint32_t buffer_bytes)
{
    p->buffer_bytes = buffer_bytes;
    p->last_offset = 0;
    p->position = 0;
    p->wraps = 0;
}

uint64_t sysdma_position_update(sysdma_position *p, uint32_t residue)
{
    uint32_t n = p->buffer_bytes;
    if (n == 0)
        return p->position;
    /* Bytes left in the pass → offset into the buffer; a residue of 0 (the
     * instant of terminal count) and of n (just reloaded) both mean the
     * start of the buffer. */
    uint32_t offset = residue >= n ? 0 : n - residue;
    uint32_t delta = offset >= p->last_offset ? offset - p->last_offset
                                              : n - p->last_offset + offset;
    if (offset < p->last_offset)
        p->wraps++;
    p->position += delta;
    p->last_offset = offset;
    return p->position;
}
