/* SPDX-License-Identifier: MIT */
/*
 * Scatter/gather support routines (GetScatterGatherList and company).
 *
 * A list is one block: a private header, then the public list (count,
 * reserved, elements inline). Get allocates the block, Build lays it out in
 * the caller's buffer; either way the elements are written in one walk over
 * the MDL's pages, O(pages), with nothing allocated per element.
 *
 * The walk. A page part (the bytes of the range inside one page) is taken
 * in place when the adapter reaches it, else it goes through the list's
 * next map register at the same offset inside the page. Neighbouring parts
 * join into one element while they are physically contiguous, both in
 * place or both bounced, inside one window (64 KiB / 128 KiB on the 8237)
 * and within the longest element. Because offsets inside pages are kept,
 * the list describes the buffer page for page. A single-element list
 * (a device that cannot scatter/gather) is the whole range in place when
 * it can be, else the whole range through a run of map registers.
 *
 * Resources. Get asks for the adapter with the registers the list needs
 * through the ordinary channel queue (sysdma__allocate_channel), so lists
 * wait FIFO like any request. When granted, the list is filled, bounce
 * pages loaded for a write to the device, the driver's routine called, and
 * the adapter released keeping the registers (DEALLOCATE_OBJECT_KEEP_
 * REGISTERS); Put copies back and frees them. A routine that puts its list
 * before returning is fine: the registers go back exactly once.
 *
 * MDL chains. A range starts at its CurrentVa in one MDL and may run on
 * into the MDLs chained after it; the walk steps from one MDL's last byte
 * to the next one's first. A single element through map registers then
 * holds the bytes of several MDLs one after the other.
 *
 * The chained runner that moves a list through a channel is in sg_run.c.
 */
#include "sg_internal.h"

/* Does the adapter reach [p, p + len)? */
static bool reaches(const sysdma_adapter *a, uint64_t p, uint32_t len)
{
    return a->limits.address_bits >= 64 || !((p + len - 1) >> a->limits.address_bits);
}

/* Can the adapter ever need map registers (memory beyond its reach)? */
static bool may_bounce(const sysdma_adapter *a)
{
    return a->limits.address_bits < 64;
}

static bool multi(const sysdma_adapter *a)
{
    return a->desc.scatter_gather;
}

uint32_t sysdma__sg_limit(const sysdma_adapter *a)
{
    if (!multi(a))
        return 1;
    if (!a->master)
        return 0xFFFFFFFFu; /* the chained runner takes one element at a time */
    /* A bus master's device takes what its longest transfer can span. */
    uint64_t n = ((uint64_t)a->desc.maximum_length + PAGE - 1) / PAGE + 1;
    return n < 0xFFFFFFFFu ? (uint32_t)n : 0xFFFFFFFFu;
}

/* Longest element: the channel's window for a system adapter. */
static uint32_t max_element(const sysdma_adapter *a)
{
    return a->master ? 0xFFFFF000u : a->max_transfer;
}

/*
 * A position in an MDL chain. A list's range starts at its CurrentVa in
 * one MDL and may run on into the following MDLs of the chain, each
 * continuing where the previous one ends (as a driver chains the MDLs of
 * one request); check_range has made sure the chain holds the range.
 */
typedef struct cursor {
    const sysdma_mdl *m;
    size_t off; /* from m->start_va */
} cursor;

static cursor cursor_at(const sysdma_mdl *m, const uint8_t *va)
{
    return (cursor){m, (size_t)(va - m->start_va)};
}

/* The next page part (the range's bytes inside one page of one MDL), at
 * most len bytes: its virtual address, physical address and length. */
static uint32_t next_part(cursor *c, uint32_t len, uint8_t **virt, uint64_t *phys)
{
    if (c->off == (size_t)c->m->byte_offset + c->m->byte_count) {
        c->m = c->m->next;
        c->off = c->m->byte_offset;
    }
    uint32_t in = (uint32_t)(c->off % PAGE);
    size_t left = (size_t)c->m->byte_offset + c->m->byte_count - c->off;
    uint32_t seg = PAGE - in;
    if (seg > left)
        seg = (uint32_t)left;
    if (seg > len)
        seg = len;
    *virt = c->m->start_va + c->off;
    *phys = c->m->pfn[c->off / PAGE] + in;
    c->off += seg;
    return seg;
}

enum { WALK_COUNT, WALK_FILL, WALK_COPY_IN, WALK_COPY_OUT, WALK_SYNC };

/*
 * The multi-element walk over the range. WALK_COUNT counts elements and
 * bounced parts; WALK_FILL writes the elements (bounced parts at
 * bounce_phys + their register page); WALK_COPY_IN/OUT copy the bounced
 * parts into/out of the registers at bounce_va; WALK_SYNC hands each page
 * part, where the device reaches it (in place or in the registers), to the
 * platform's dma_sync with `op`. Returns the elements;
 * *bounced gets the bounced parts (= map registers used).
 */
static uint32_t walk_op(const sysdma_adapter *a, const sysdma_mdl *mdl, const uint8_t *va,
                        uint32_t len, int mode, uint64_t bounce_phys, uint8_t *bounce_va,
                        sysdma_sg_element *out, uint32_t *bounced, sysdma_dma_sync op)
{
    const sysdma_mdl *m = mdl;
    size_t off = (size_t)(va - m->start_va);
    uint32_t n = 0, nb = 0, limit = max_element(a);
    uint64_t bmask = a->limits.boundary ? ~(uint64_t)(a->limits.boundary - 1) : 0;
    uint64_t cur = 0;
    uint32_t cur_len = 0;
    bool cur_bounced = false;
    while (len) {
        /* One MDL's share of the range, page part by page part. */
        size_t have = (size_t)m->byte_offset + m->byte_count - off;
        uint32_t share = have < len ? (uint32_t)have : len;
        len -= share;
        while (share) {
            uint32_t in = (uint32_t)(off % PAGE);
            uint32_t seg = PAGE - in < share ? PAGE - in : share;
            uint64_t p = m->pfn[off / PAGE] + in;
            bool b = !reaches(a, p, seg);
            if (mode == WALK_SYNC)
                a->sys->pf.ops->dma_sync(a->sys->pf.ctx,
                                         b ? bounce_va + (size_t)nb * PAGE + in : m->start_va + off,
                                         seg, op);
            if (b) {
                if (mode == WALK_COPY_IN)
                    memcpy(bounce_va + (size_t)nb * PAGE + in, m->start_va + off, seg);
                else if (mode == WALK_COPY_OUT)
                    memcpy(m->start_va + off, bounce_va + (size_t)nb * PAGE + in, seg);
                p = bounce_phys + (uint64_t)nb * PAGE + in;
                nb++;
            }
            if (mode <= WALK_FILL) {
                if (cur_len && b == cur_bounced && cur + cur_len == p && seg <= limit - cur_len &&
                    !((cur ^ (p + seg - 1)) & bmask)) {
                    cur_len += seg;
                } else {
                    if (cur_len) {
                        if (out)
                            out[n] = (sysdma_sg_element){cur, cur_len, 0};
                        n++;
                    }
                    cur = p;
                    cur_len = seg;
                    cur_bounced = b;
                }
            }
            off += seg;
            share -= seg;
        }
        if (len) {
            m = m->next; /* check_range made sure it is there */
            off = m->byte_offset;
        }
    }
    if (cur_len) {
        if (out)
            out[n] = (sysdma_sg_element){cur, cur_len, 0};
        n++;
    }
    *bounced = nb;
    return n;
}

static uint32_t walk(const sysdma_adapter *a, const sysdma_mdl *mdl, const uint8_t *va,
                     uint32_t len, int mode, uint64_t bounce_phys, uint8_t *bounce_va,
                     sysdma_sg_element *out, uint32_t *bounced)
{
    return walk_op(a, mdl, va, len, mode, bounce_phys, bounce_va, out, bounced,
                   SYSDMA_SYNC_PRE_WRITE);
}

/* The list's memory, where its device reaches it, to the platform's
 * dma_sync (a non-coherent machine; nothing when it has no hook). Runs
 * without the lock: the list and its registers are the caller's. */
static void sync_list(const sg_header *h, sysdma_dma_sync op)
{
    const sysdma_adapter *a = h->adapter;
    if (!a->sys->pf.ops->dma_sync)
        return;
    uint8_t *rva = h->regs ? sysdma__regs_va(h->regs) : NULL;
    if (h->single) {
        uint32_t in = h->packed ? 0 : (uint32_t)((uintptr_t)h->va % PAGE);
        a->sys->pf.ops->dma_sync(a->sys->pf.ctx, h->nregs ? rva + in : h->va, h->length, op);
        return;
    }
    uint32_t nb;
    walk_op(a, h->mdl, h->va, h->length, WALK_SYNC, 0, rva, NULL, &nb, op);
}

/* Copy the range to (in) or from a contiguous buffer: a single element
 * through map registers. */
static void gather(const sysdma_mdl *mdl, const uint8_t *va, uint32_t len, uint8_t *buf, bool in)
{
    cursor c = cursor_at(mdl, va);
    while (len) {
        uint8_t *v;
        uint64_t p;
        uint32_t seg = next_part(&c, len, &v, &p);
        if (in)
            memcpy(buf, v, seg);
        else
            memcpy(v, buf, seg);
        buf += seg;
        len -= seg;
    }
}

/* Is the range usable in place as one element (physically contiguous,
 * reachable, inside one window)? *phys gets its start. */
static bool direct(const sysdma_adapter *a, const sysdma_mdl *mdl, const uint8_t *va,
                   uint32_t len, bool spans, uint64_t *phys)
{
    if (!spans)
        return sysdma__direct(a, mdl, va, len, phys);
    cursor c = cursor_at(mdl, va);
    uint64_t start = 0, next = 0;
    for (uint32_t left = len; left;) {
        uint8_t *v;
        uint64_t p;
        uint32_t seg = next_part(&c, left, &v, &p);
        if (left == len)
            start = p;
        else if (p != next)
            return false;
        next = p + seg;
        left -= seg;
    }
    uint64_t end = start + len - 1;
    if (!reaches(a, start, len))
        return false;
    if (a->limits.boundary && ((start ^ end) & ~(uint64_t)(a->limits.boundary - 1)))
        return false;
    *phys = start;
    return true;
}

/* What a list for the range needs: elements and map registers. */
typedef struct sg_plan {
    uint32_t elements, regs;
    bool single, packed, spans;
} sg_plan;

/* The range: from va in mdl, len bytes, running on into the chain when
 * mdl's bytes end first. *spans says whether it does. */
static sysdma_status check_range(const sysdma_adapter *a, const sysdma_mdl *mdl,
                                 const uint8_t *va, uint32_t len, bool *spans)
{
    const uint8_t *lo = sysdma_mdl_virtual_address(mdl);
    if (va < lo || va >= lo + mdl->byte_count)
        return SYSDMA_E_OUT_OF_RANGE;
    if (len == 0)
        return SYSDMA_E_LENGTH;
    if (a->master && len > a->desc.maximum_length)
        return SYSDMA_E_LENGTH;
    if (!multi(a) && len > max_element(a))
        return SYSDMA_E_LENGTH; /* one element cannot carry it */
    uint32_t w = a->limits.width;
    uint32_t odd = !a->master && w > 1 ? w - 1 : 0;
    /* Each MDL's share must be whole words on a 16-bit channel. */
    size_t have = (size_t)(lo + mdl->byte_count - va);
    uint32_t share = have < len ? (uint32_t)have : len;
    if ((share | (uintptr_t)va) & odd)
        return SYSDMA_E_ALIGNMENT;
    *spans = have < len;
    for (const sysdma_mdl *m = mdl; have < len;) {
        m = m->next;
        if (!m)
            return SYSDMA_E_OUT_OF_RANGE; /* the chain ends first */
        if (m->byte_count == 0 || m->system != mdl->system)
            return SYSDMA_E_INVALID_ARGUMENT; /* not an MDL sysdma built */
        share = len - have < m->byte_count ? (uint32_t)(len - have) : m->byte_count;
        if ((share | m->byte_offset | (uintptr_t)m->start_va) & odd)
            return SYSDMA_E_ALIGNMENT;
        have += m->byte_count;
    }
    return SYSDMA_OK;
}

static sg_plan plan_for(const sysdma_adapter *a, const sysdma_mdl *mdl, const uint8_t *va,
                        uint32_t len, bool spans)
{
    sg_plan p = {0, 0, !multi(a), false, spans};
    if (p.single) {
        uint64_t phys;
        p.elements = 1;
        if (!direct(a, mdl, va, len, spans, &phys)) {
            /* Through registers, keeping the page offset when a run that
             * long fits the adapter's registers, else from their start. */
            p.regs = sysdma_pages_spanned(va, len);
            if (p.regs > sysdma__regs_limit(a)) {
                p.regs = (uint32_t)(((uint64_t)len + PAGE - 1) / PAGE);
                p.packed = true;
            }
        }
        return p;
    }
    p.elements = walk(a, mdl, va, len, WALK_COUNT, 0, NULL, NULL, &p.regs);
    return p;
}

/* The registers a list may hold: none for a list that needs none. */
static sysdma_status check_regs(sysdma_adapter *a, uint32_t regs)
{
    if (regs > sysdma__regs_limit(a))
        return SYSDMA_E_TOO_MANY_MAP_REGISTERS;
    return SYSDMA_OK;
}

sysdma_status sysdma__sg_calculate(sysdma_adapter *a, sysdma_mdl *mdl, void *va, uint32_t length,
                                   uint32_t *list_size, uint32_t *map_registers)
{
    sg_plan p;
    if (mdl) {
        bool spans;
        sysdma_status st = check_range(a, mdl, va, length, &spans);
        if (st != SYSDMA_OK)
            return st;
        p = plan_for(a, mdl, va, length, spans);
    } else {
        /* Worst case: every page its own element, every page bounced. The
         * lengths sysdma_sg_get refuses for any buffer are refused here. */
        if (length == 0 || (a->master && length > a->desc.maximum_length) ||
            (!multi(a) && length > max_element(a)))
            return SYSDMA_E_LENGTH;
        uint32_t pages = sysdma_pages_spanned(va, length);
        p.elements = multi(a) ? pages : 1;
        p.regs = may_bounce(a) ? pages : 0;
        if (!multi(a) && p.regs > sysdma__regs_limit(a))
            p.regs = (uint32_t)(((uint64_t)length + PAGE - 1) / PAGE);
    }
    if (p.elements > sysdma__sg_limit(a))
        return SYSDMA_E_TOO_MANY_ELEMENTS;
    uint64_t bytes = list_bytes(p.elements);
    if (bytes > 0xFFFFFFFFu)
        return SYSDMA_E_LENGTH;
    *list_size = (uint32_t)bytes;
    if (map_registers)
        *map_registers = p.regs;
    return SYSDMA_OK;
}

/* Fill the list's elements (registers granted) and load bounce pages for a
 * write to the device. Runs without the lock: the list and its registers
 * are the request's own. */
static void fill(sg_header *h)
{
    sysdma_adapter *a = h->adapter;
    sysdma_sg_list *l = list_of(h);
    uint64_t rphys = h->regs ? sysdma__regs_phys(h->regs) : 0;
    uint8_t *rva = h->regs ? sysdma__regs_va(h->regs) : NULL;
    uint32_t nb = 0;
    if (h->single) {
        uint64_t phys;
        if (!h->nregs && direct(a, h->mdl, h->va, h->length, h->spans, &phys)) {
            l->elements[0] = (sysdma_sg_element){phys, h->length, 0};
        } else {
            uint32_t in = h->packed ? 0 : (uint32_t)((uintptr_t)h->va % PAGE);
            l->elements[0] = (sysdma_sg_element){rphys + in, h->length, 0};
            if (h->to_device)
                gather(h->mdl, h->va, h->length, rva + in, true);
        }
        l->count = 1;
    } else {
        l->count = walk(a, h->mdl, h->va, h->length, WALK_FILL, rphys, NULL, l->elements, &nb);
        if (h->to_device && h->nregs)
            walk(a, h->mdl, h->va, h->length, WALK_COPY_IN, rphys, rva, NULL, &nb);
    }
    l->reserved = 0;
    sync_list(h, h->to_device ? SYSDMA_SYNC_PRE_WRITE : SYSDMA_SYNC_PRE_READ);
}

/* Bytes of the list that go through map registers. */
static uint32_t bounced_bytes(const sg_header *h)
{
    if (h->single)
        return h->nregs ? h->length : 0;
    cursor c = cursor_at(h->mdl, h->va);
    uint32_t len = h->length, bytes = 0;
    while (len) {
        uint8_t *v;
        uint64_t p;
        uint32_t seg = next_part(&c, len, &v, &p);
        if (!reaches(h->adapter, p, seg))
            bytes += seg;
        len -= seg;
    }
    return bytes;
}

/* The adapter's live lists (lock held). */
static void link_live(sysdma_adapter *a, sg_header *h)
{
    h->live_prev = NULL;
    h->live_next = a->live_lists;
    if (a->live_lists)
        a->live_lists->live_prev = h;
    a->live_lists = h;
}

static void unlink_live(sysdma_adapter *a, sg_header *h)
{
    if (h->live_prev)
        h->live_prev->live_next = h->live_next;
    else
        a->live_lists = h->live_next;
    if (h->live_next)
        h->live_next->live_prev = h->live_prev;
    h->live_next = h->live_prev = NULL;
}

static sysdma_allocation_action granted(void *device, sysdma_map_registers *regs, void *ctx)
{
    sg_header *h = ctx;
    sysdma_adapter *a = h->adapter;
    sysdma_system *sys = a->sys;
    h->regs = regs;
    if (regs) {
        sysdma__lock(sys);
        regs->list = true; /* kept for the list: freed by its put alone */
        sysdma__unlock(sys);
    }
    fill(h);
    if (h->to_device && h->nregs) {
        uint32_t bytes = bounced_bytes(h);
        sysdma__lock(sys);
        a->stats.bytes_bounced += bytes;
        sys->stats.bytes_bounced += bytes;
        sysdma__unlock(sys);
    }
    bool keep = h->nregs != 0;
    sysdma_list_control_fn routine = h->routine;
    void *context = h->context;
    /* From here the list is the driver's: it may even be put (and freed)
     * before the routine returns. */
    routine(device, list_of(h), context);
    return keep ? SYSDMA_DEALLOCATE_OBJECT_KEEP_REGISTERS : SYSDMA_DEALLOCATE_OBJECT;
}

static sysdma_status request(sysdma_adapter *a, void *device, sysdma_mdl *mdl, void *va,
                             uint32_t length, sysdma_list_control_fn routine, void *context,
                             bool to_device, void *buffer, uint32_t *buffer_size)
{
    sysdma_system *sys = a->sys;
    bool spans;
    sysdma_status st = check_range(a, mdl, va, length, &spans);
    if (st != SYSDMA_OK)
        return st;
    sg_plan p = plan_for(a, mdl, va, length, spans);
    if (p.elements > sysdma__sg_limit(a))
        return SYSDMA_E_TOO_MANY_ELEMENTS;
    st = check_regs(a, p.regs);
    if (st != SYSDMA_OK)
        return st;
    uint64_t need = list_bytes(p.elements);
    if (need > 0xFFFFFFFFu)
        return SYSDMA_E_LENGTH;
    sg_header *h;
    sysdma_sg_list *list;
    if (buffer) {
        if ((uintptr_t)buffer % 8)
            return SYSDMA_E_INVALID_ARGUMENT;
        if (*buffer_size < need) {
            *buffer_size = (uint32_t)need;
            return SYSDMA_E_BUFFER_TOO_SMALL;
        }
        h = sysdma__alloc(sys, sizeof *h);
        if (!h)
            return SYSDMA_E_NO_MEMORY;
        list = buffer;
    } else {
        h = sysdma__alloc(sys, (size_t)need);
        if (!h)
            return SYSDMA_E_NO_MEMORY;
        list = (sysdma_sg_list *)((uint8_t *)h + HDR_BYTES);
    }
    *h = (sg_header){
        .list = list,
        .size = buffer ? (uint32_t)sizeof *h : (uint32_t)need,
        .elements = p.elements,
        .adapter = a,
        .caller = a->self,
        .mdl = mdl,
        .va = va,
        .length = length,
        .nregs = p.regs,
        .to_device = to_device,
        .single = p.single,
        .spans = p.spans,
        .packed = p.packed,
        .caller_buffer = buffer != NULL,
        .device = device,
        .routine = routine,
        .context = context,
    };
    list->count = p.elements;
    sysdma__lock(sys);
    a->lists++; /* before the routine can run (and put it) */
    link_live(a, h);
    sysdma__unlock(sys);
    st = sysdma__allocate_channel(a, device, p.regs, granted, h);
    if (st != SYSDMA_OK && st != SYSDMA_PENDING) {
        sysdma__lock(sys);
        a->lists--;
        unlink_live(a, h);
        sysdma__unlock(sys);
        sysdma__free(sys, h, h->size);
    }
    return st;
}

/* Let a put list's block go (lock held): it waits in the quarantine; the
 * block it pushes out is returned, for the caller to free unlocked. */
static void *quarantine(sysdma_system *sys, sg_header *h, uint32_t *size)
{
    /* List state: a list goes only once put, not running, not queued,
     * and off its adapter's live list. */
    SYSDMA_ASSERT(h->putting && !h->running && !h->queued);
    SYSDMA_ASSERT(!h->live_next && !h->live_prev && h->adapter->live_lists != h);
    *size = 0;
    if (h->caller_buffer) { /* the record only; the list is the caller's */
        *size = h->size;
        return h;
    }
    uint32_t k = sys->sg_quarantine_next;
    void *out = sys->sg_quarantine[k].block;
    *size = sys->sg_quarantine[k].size;
    sys->sg_quarantine[k].block = h;
    sys->sg_quarantine[k].size = h->size;
    sys->sg_quarantine_next = (k + 1) % SG_QUARANTINE;
    return out;
}

void sysdma__sg_quarantine_destroy(sysdma_system *sys)
{
    for (uint32_t k = 0; k < SG_QUARANTINE; k++)
        sysdma__free(sys, sys->sg_quarantine[k].block, sys->sg_quarantine[k].size);
}

sysdma_status sysdma__sg_get(sysdma_adapter *a, void *device, sysdma_mdl *mdl, void *va,
                             uint32_t length, sysdma_list_control_fn routine, void *context,
                             bool to_device)
{
    return request(a, device, mdl, va, length, routine, context, to_device, NULL, NULL);
}

sysdma_status sysdma__sg_build(sysdma_adapter *a, void *device, sysdma_mdl *mdl, void *va,
                               uint32_t length, sysdma_list_control_fn routine, void *context,
                               bool to_device, void *buffer, uint32_t *buffer_size)
{
    return request(a, device, mdl, va, length, routine, context, to_device, buffer, buffer_size);
}

sysdma_status sysdma__sg_put(sysdma_adapter *a, sysdma_sg_list *list, bool to_device)
{
    sysdma_system *sys = a->sys;
    sysdma__lock(sys);
    sg_header *h = valid(a, list);
    sysdma_status st = SYSDMA_OK;
    if (!h || h->to_device != to_device)
        st = SYSDMA_E_INVALID_ARGUMENT;
    else if (h->running || h->queued)
        st = SYSDMA_E_WRONG_STATE;
    else
        h->putting = true; /* nobody else puts or starts it now */
    sysdma__unlock(sys);
    if (st != SYSDMA_OK)
        return st;
    /* The registers are the list's until this put: no routine or stale
     * handle can have given them back (see sysdma__free_map_registers). */
    SYSDMA_ASSERT(!h->nregs || (h->regs && h->regs->chunk && h->regs->list));
    if (!to_device)
        sync_list(h, SYSDMA_SYNC_POST_READ); /* what the device wrote, before it is read */
    if (!to_device && h->nregs) {
        uint8_t *rva = sysdma__regs_va(h->regs);
        if (h->single) {
            uint32_t in = h->packed ? 0 : (uint32_t)((uintptr_t)h->va % PAGE);
            gather(h->mdl, h->va, h->length, rva + in, false);
        } else {
            uint32_t nb;
            walk(a, h->mdl, h->va, h->length, WALK_COPY_OUT, 0, rva, NULL, &nb);
        }
        uint32_t bytes = bounced_bytes(h);
        sysdma__lock(sys);
        a->stats.bytes_bounced += bytes;
        sys->stats.bytes_bounced += bytes;
        a->stats.bounced_transfers++;
        sys->stats.bounced_transfers++;
        sysdma__unlock(sys);
    }
    if (h->nregs) {
        sysdma__lock(sys);
        h->regs->list = false;
        sysdma__unlock(sys);
        st = sysdma__free_map_registers(a, h->regs, h->nregs);
        if (st != SYSDMA_OK) {
            /* Not expected (the registers are the list's); keep the list
             * as it was so that nothing is freed twice. */
            sysdma__lock(sys);
            h->regs->list = true;
            h->putting = false;
            sysdma__unlock(sys);
            return st;
        }
    }
    sysdma__lock(sys);
    a->lists--;
    unlink_live(a, h);
    uint32_t size;
    void *gone = quarantine(sys, h, &size);
    sysdma__unlock(sys);
    sysdma__free(sys, gone, size);
    return SYSDMA_OK;
}

/* BuildMdl for a list whose range runs across MDLs: one MDL per MDL of
 * the chain it covers, chained the same way, each page the list's page for
 * that page of the buffer (each page part is one page of its MDL). */
static sysdma_status build_chain(const sg_header *h, sysdma_mdl **out)
{
    sysdma_system *sys = h->adapter->sys;
    uint64_t rphys = h->regs ? sysdma__regs_phys(h->regs) : 0;
    sysdma_mdl *head = NULL, **tail = &head, *m = NULL;
    const sysdma_mdl *piece = NULL;
    cursor c = cursor_at(h->mdl, h->va);
    uint32_t len = h->length, nb = 0, k = 0;
    while (len) {
        uint8_t *v;
        uint64_t p;
        uint32_t seg = next_part(&c, len, &v, &p);
        if (c.m != piece) {
            piece = c.m;
            size_t left = (size_t)(piece->start_va + piece->byte_offset + piece->byte_count - v);
            uint32_t share = left < len ? (uint32_t)left : len;
            uint32_t pages = sysdma_pages_spanned(v, share);
            size_t size = sizeof(sysdma_mdl) + (size_t)pages * sizeof(uint64_t);
            m = sysdma__alloc(sys, size);
            if (!m) {
                while (head) {
                    sysdma_mdl *next = head->next;
                    sysdma__free(sys, head, head->alloc_bytes);
                    head = next;
                }
                return SYSDMA_E_NO_MEMORY;
            }
            *m = (sysdma_mdl){
                .start_va = (uint8_t *)((uintptr_t)v & ~(uintptr_t)(PAGE - 1)),
                .byte_offset = (uint32_t)((uintptr_t)v % PAGE),
                .byte_count = share,
                .pages = pages,
                .pfn = (uint64_t *)(m + 1),
                .alloc_bytes = (uint32_t)size,
                .system = sys,
            };
            *tail = m;
            tail = &m->next;
            k = 0;
        }
        if (!h->single && !reaches(h->adapter, p, seg))
            p = rphys + (uint64_t)nb++ * PAGE + p % PAGE;
        m->pfn[k++] = p & ~(uint64_t)(PAGE - 1);
        len -= seg;
    }
    *out = head;
    return SYSDMA_OK;
}

sysdma_status sysdma__sg_build_mdl(sysdma_adapter *a, sysdma_sg_list *list,
                                   const sysdma_mdl *original, sysdma_mdl **out)
{
    sysdma_system *sys = a->sys;
    *out = NULL;
    sysdma__lock(sys);
    sg_header *h = valid(a, list);
    sysdma_status st = SYSDMA_OK;
    if (!h || original != h->mdl)
        st = SYSDMA_E_INVALID_ARGUMENT;
    else if (h->mdl_built)
        st = SYSDMA_E_WRONG_STATE;
    else if (h->packed || (h->spans && h->single && h->nregs))
        st = SYSDMA_E_NOT_SUPPORTED; /* offsets inside pages not kept */
    else
        h->mdl_built = true;
    sysdma__unlock(sys);
    if (st != SYSDMA_OK)
        return st;
    if (h->spans) {
        st = build_chain(h, out);
        if (st != SYSDMA_OK) {
            sysdma__lock(sys);
            h->mdl_built = false;
            sysdma__unlock(sys);
        }
        return st;
    }
    uint32_t pages = sysdma_pages_spanned(h->va, h->length);
    size_t size = sizeof(sysdma_mdl) + (size_t)pages * sizeof(uint64_t);
    sysdma_mdl *m = sysdma__alloc(sys, size);
    if (!m) {
        sysdma__lock(sys);
        h->mdl_built = false;
        sysdma__unlock(sys);
        return SYSDMA_E_NO_MEMORY;
    }
    m->next = NULL;
    m->start_va = (uint8_t *)((uintptr_t)h->va & ~(uintptr_t)(PAGE - 1));
    m->byte_offset = (uint32_t)((uintptr_t)h->va % PAGE);
    m->byte_count = h->length;
    m->pages = pages;
    m->pfn = (uint64_t *)(m + 1);
    m->alloc_bytes = (uint32_t)size;
    m->system = sys;
    /* Offsets inside pages are kept, so each element's pages are the
     * buffer's next pages; a page split between two elements appears once. */
    uint32_t k = 0;
    uint64_t last = ~(uint64_t)0;
    for (uint32_t e = 0; e < list->count; e++) {
        uint64_t first = list->elements[e].address & ~(uint64_t)(PAGE - 1);
        uint64_t end = list->elements[e].address + list->elements[e].length - 1;
        for (uint64_t pg = first; pg <= end; pg += PAGE) {
            if (pg == last)
                continue;
            if (k < pages)
                m->pfn[k] = pg;
            k++;
            last = pg;
        }
    }
    SYSDMA_ASSERT(k == pages);
    *out = m;
    return SYSDMA_OK;
}
