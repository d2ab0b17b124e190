/* SPDX-License-Identifier: MIT */
/*
 * Map registers: the pool of bounce pages that makes any buffer reachable
 * by a system DMA channel.
 *
 * The pool is a list of chunks of 32 pages (128 KiB), each physically
 * contiguous and aligned to 128 KiB. Each chunk lies in a reach zone: it is
 * made below the reach of the adapter that needed it (16 MiB for the PC/AT's
 * 24-bit channels, 4 GiB for a 32-bit SoC controller, anywhere for a 64-bit
 * one), and serves every adapter whose reach it lies below — so a machine
 * whose channels reach all of memory never asks for low memory, and one with
 * no RAM below 16 MiB still gets a pool. The first chunks are made at
 * creation in the zone of the controller's narrowest channel. A map register base is a
 * run of pages inside one chunk: inside one 128 KiB window by construction,
 * and for 8-bit channels inside one half of the chunk, so inside one 64 KiB
 * window too. The pool starts with the configured number of pages and grows
 * a chunk at a time, through the platform, up to the cap; when the platform
 * refuses a chunk the pool stops trying until pages are freed again. Taking
 * pages never grows the pool: the callers that wait for pages grow it
 * (sysdma__pool_grow), with the lock dropped around the platform's calls.
 */
#include "internal.h"

#define CHUNK_BYTES (CHUNK_PAGES * PAGE)

/* Does chunk `c` lie below `reach` (0: no limit)? */
static bool in_zone(const pool_chunk *c, uint64_t reach)
{
    return !reach || (c->bus < reach && reach - c->bus >= CHUNK_BYTES);
}

/* A chunk from the platform below bus address `reach` (0: anywhere), or
 * NULL (lock not held). The platform is asked for physical memory below
 * `reach`; the chunk is kept only if its bus address is below it too. */
static pool_chunk *chunk_new(sysdma_system *sys, uint64_t reach)
{
    pool_chunk *c = sysdma__alloc(sys, sizeof *c);
    if (!c)
        return NULL;
    void *va = NULL;
    uint64_t phys = 0;
    sysdma_status st = sys->pf.ops->alloc_contig(sys->pf.ctx, CHUNK_BYTES, reach, CHUNK_BYTES,
                                                 CHUNK_BYTES, &va, &phys);
    if (st == SYSDMA_OK) {
        c->va = va;
        c->phys = phys;
        c->bus = sysdma__bus(sys, phys);
        c->used = 0;
    }
    if (st != SYSDMA_OK || (c->bus & (CHUNK_BYTES - 1)) || !in_zone(c, reach)) {
        if (st == SYSDMA_OK)
            sys->pf.ops->free_contig(sys->pf.ctx, va, phys, CHUNK_BYTES);
        sysdma__free(sys, c, sizeof *c);
        return NULL;
    }
    return c;
}

static void chunk_add(sysdma_system *sys, pool_chunk *c)
{
    c->next = sys->chunks;
    sys->chunks = c;
    sys->pool_pages += CHUNK_PAGES;
}

/*
 * Growth. The platform's allocator is never called with the lock held (a
 * kernel spinlock forbids it), so a grower reserves a chunk's worth of the
 * cap under the lock (pool_growing), drops the lock to allocate, and takes
 * it again to add the chunk. Anything may happen meanwhile: other threads
 * free or take pages, or grow too (the reservations keep the pool within
 * its cap), so the caller looks at the whole state again afterwards. A
 * chunk that is no longer needed when it arrives stays in the pool. A
 * refusal stops growth until pages are freed again, unless some were freed
 * while the platform was being asked.
 */
static bool grow(sysdma_system *sys, const sysdma_adapter *a, bool despite_refusal)
{
    uint64_t reach = sysdma__reach(a);
    if ((sys->growth_failed && !despite_refusal) ||
        sys->pool_pages + sys->pool_growing + CHUNK_PAGES > sys->cfg.map_registers_cap)
        return false;
    sys->pool_growing += CHUNK_PAGES;
    uint32_t gives = sys->pool_gives;
    sysdma__unlock(sys);
    pool_chunk *c = chunk_new(sys, reach);
    sysdma__lock(sys);
    sys->pool_growing -= CHUNK_PAGES;
    if (c)
        chunk_add(sys, c);
    else if (sys->pool_gives == gives)
        sys->growth_failed = true;
    return true;
}

bool sysdma__pool_grow(sysdma_system *sys, const sysdma_adapter *a)
{
    return grow(sys, a, false);
}

static bool zone_has_chunk(const sysdma_system *sys, uint64_t reach)
{
    for (const pool_chunk *c = sys->chunks; c; c = c->next)
        if (in_zone(c, reach))
            return true;
    return false;
}

/* The zone of the controller's narrowest channel: the reach the first
 * chunks are made below (0: every channel reaches everything). */
static uint64_t narrowest_reach(sysdma_system *sys)
{
    uint64_t reach = 0;
    const sysdma_controller_ops *co = sys->ctrl.ops;
    unsigned n = co->channel_count ? co->channel_count(sys->ctrl.ctx) : 8;
    if (n > SYSDMA_MAX_CHANNELS)
        n = SYSDMA_MAX_CHANNELS;
    for (unsigned ch = 0; ch < n; ch++) {
        sysdma_channel_limits l;
        if (co->channel_limits(sys->ctrl.ctx, ch, &l) != SYSDMA_OK || l.address_bits >= 64)
            continue;
        uint64_t r = 1ull << l.address_bits;
        if (!reach || r < reach)
            reach = r;
    }
    return reach;
}

sysdma_status sysdma__pool_init(sysdma_system *sys)
{
    /* Before the system is handed out: no lock is needed. */
    uint64_t reach = narrowest_reach(sys);
    while (sys->pool_pages < sys->cfg.map_registers_initial &&
           sys->pool_pages + CHUNK_PAGES <= sys->cfg.map_registers_cap) {
        pool_chunk *c = chunk_new(sys, reach);
        if (!c)
            return SYSDMA_E_NO_MEMORY;
        chunk_add(sys, c);
    }
    return SYSDMA_OK;
}

void sysdma__pool_destroy(sysdma_system *sys)
{
    pool_chunk *c = sys->chunks;
    while (c) {
        pool_chunk *next = c->next;
        sys->pf.ops->free_contig(sys->pf.ctx, c->va, c->phys, CHUNK_BYTES);
        sysdma__free(sys, c, sizeof *c);
        c = next;
    }
    sys->chunks = NULL;
    sys->pool_pages = 0;
}

/* Pages in a chunk a run for this adapter may use: a 16-page half for
 * windows of 64 KiB, the whole chunk for 128 KiB. */
static uint32_t span_for(const sysdma_adapter *a)
{
    uint32_t w = a->limits.boundary ? a->limits.boundary / PAGE : CHUNK_PAGES;
    return w < CHUNK_PAGES ? w : CHUNK_PAGES;
}

uint32_t sysdma__regs_limit(const sysdma_adapter *a)
{
    uint32_t span = span_for(a);
    return a->max_map_registers < span ? a->max_map_registers : span;
}

static bool take_from(pool_chunk *c, uint32_t count, uint32_t span, uint32_t *first)
{
    for (uint32_t base = 0; base + span <= CHUNK_PAGES; base += span) {
        for (uint32_t f = base; f + count <= base + span; f++) {
            uint32_t mask = (count == 32 ? 0xFFFFFFFFu : ((1u << count) - 1u)) << f;
            if (!(c->used & mask)) {
                c->used |= mask;
                *first = f;
                return true;
            }
        }
    }
    return false;
}

bool sysdma__pool_never(sysdma_system *sys, sysdma_adapter *a, uint32_t count)
{
    if (count > span_for(a))
        return true;
    /* Any run that fits a chunk is had once the chunk's pages are free
     * (chunks are never given back to the platform); so only a pool with
     * no chunk in the adapter's zone can never serve. Then one is asked for
     * now, whatever the platform refused for other zones before: none (no
     * room under the cap, or no memory the device reaches) means never. */
    uint64_t reach = sysdma__reach(a);
    if (zone_has_chunk(sys, reach))
        return false;
    return !grow(sys, a, true) || !zone_has_chunk(sys, reach);
}

bool sysdma__pool_take(sysdma_system *sys, sysdma_adapter *a, sysdma_map_registers *regs,
                       uint32_t count)
{
    uint32_t span = span_for(a);
    if (count == 0 || count > span)
        return false;
    uint64_t reach = sysdma__reach(a);
    for (pool_chunk *c = sys->chunks; c; c = c->next) {
        uint32_t first;
        if (in_zone(c, reach) && take_from(c, count, span, &first)) {
            regs->chunk = c;
            regs->first = first;
            regs->count = count;
            regs->adapter = a;
            sys->pool_in_use += count;
            a->stats.pool_in_use += count;
            if (a->stats.pool_in_use > a->stats.pool_high_water)
                a->stats.pool_high_water = a->stats.pool_in_use;
            if (sys->pool_in_use > sys->pool_high_water)
                sys->pool_high_water = sys->pool_in_use;
            return true;
        }
    }
    return false;
}

void sysdma__pool_give(sysdma_system *sys, sysdma_map_registers *regs)
{
    if (!regs->chunk)
        return;
    uint32_t mask = (regs->count == 32 ? 0xFFFFFFFFu : ((1u << regs->count) - 1u)) << regs->first;
    /* Register ownership: every page given back was held, by this set's
     * adapter; nobody else's pages are freed with them. */
    SYSDMA_ASSERT((regs->chunk->used & mask) == mask);
    SYSDMA_ASSERT(sys->pool_in_use >= regs->count);
    SYSDMA_ASSERT(regs->adapter->stats.pool_in_use >= regs->count);
    SYSDMA_ASSERT(!regs->list);
    regs->chunk->used &= ~mask;
    sys->pool_in_use -= regs->count;
    regs->adapter->stats.pool_in_use -= regs->count;
    sys->growth_failed = false;
    sys->pool_gives++;
    regs->chunk = NULL;
}
