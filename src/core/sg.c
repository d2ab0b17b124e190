/*
 * Scatter/gather support routines (GetScatterGatherList and company) and
 * the chained runner that moves a list through a system DMA channel.
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
 * The runner. sysdma_sg_start programs element 0; sysdma_terminal_count,
 * called from whatever reports the channel's terminal count, programs the
 * next element and, after the last, stops the channel, starts the next
 * waiting list and calls the driver's done routine (outside the lock).
 */
#include "internal.h"

#define SG_MAGIC 0x5347u
#define SG_GONE 0xDEADu

typedef struct sg_header {
    uint32_t magic;
    uint32_t size;             /* bytes of the whole block */
    sysdma_adapter *adapter;
    sysdma_mdl *mdl;
    uint8_t *va;
    uint32_t length;
    uint32_t nregs;            /* map registers the list holds */
    sysdma_map_registers *regs;
    bool to_device;
    bool single;               /* one element, whole range */
    bool packed;               /* ...bounced from the registers' start (offsets not kept) */
    bool caller_buffer;        /* laid out in sysdma_sg_build's buffer */
    bool mdl_built;
    bool running, queued, finished;
    void *device;
    sysdma_list_control_fn routine;
    void *context;
    /* runner */
    struct sg_header *next_run;
    uint32_t element;
    uint64_t done_bytes;
    sysdma_sg_done_fn done;
    void *done_ctx;
} sg_header;

#define HDR_BYTES ((sizeof(sg_header) + 15u) & ~(size_t)15u)

static sysdma_sg_list *list_of(sg_header *h)
{
    return (sysdma_sg_list *)((uint8_t *)h + HDR_BYTES);
}

static sg_header *header_of(const sysdma_sg_list *l)
{
    return (sg_header *)((uint8_t *)(uintptr_t)l - HDR_BYTES);
}

static uint64_t list_bytes(uint32_t elements)
{
    return HDR_BYTES + sizeof(sysdma_sg_list) + (uint64_t)elements * sizeof(sysdma_sg_element);
}

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

/* Longest element: the channel's window for a system adapter. */
static uint32_t max_element(const sysdma_adapter *a)
{
    return a->master ? 0xFFFFF000u : a->max_transfer;
}

enum { WALK_COUNT, WALK_FILL, WALK_COPY_IN, WALK_COPY_OUT };

/*
 * The multi-element walk over [va, va + len). WALK_COUNT counts elements
 * and bounced parts; WALK_FILL writes the elements (bounced parts at
 * bounce_phys + their register page); WALK_COPY_IN/OUT copy the bounced
 * parts into/out of the registers at bounce_va. Returns the elements;
 * *bounced gets the bounced parts (= map registers used).
 */
static uint32_t walk(const sysdma_adapter *a, const sysdma_mdl *mdl, const uint8_t *va,
                     uint32_t len, int mode, uint64_t bounce_phys, uint8_t *bounce_va,
                     sysdma_sg_element *out, uint32_t *bounced)
{
    size_t off = (size_t)(va - mdl->start_va);
    uint32_t n = 0, nb = 0, limit = max_element(a);
    uint64_t bmask = a->limits.boundary ? ~(uint64_t)(a->limits.boundary - 1) : 0;
    uint64_t cur = 0;
    uint32_t cur_len = 0;
    bool cur_bounced = false;
    while (len) {
        uint32_t in = (uint32_t)(off % PAGE);
        uint32_t seg = PAGE - in < len ? PAGE - in : len;
        uint64_t p = mdl->pfn[off / PAGE] + in;
        bool b = !reaches(a, p, seg);
        if (b) {
            if (mode == WALK_COPY_IN)
                memcpy(bounce_va + (size_t)nb * PAGE + in, mdl->start_va + off, seg);
            else if (mode == WALK_COPY_OUT)
                memcpy(mdl->start_va + off, bounce_va + (size_t)nb * PAGE + in, seg);
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
        len -= seg;
    }
    if (cur_len) {
        if (out)
            out[n] = (sysdma_sg_element){cur, cur_len, 0};
        n++;
    }
    *bounced = nb;
    return n;
}

/* What a list for the range needs: elements and map registers. */
typedef struct sg_plan {
    uint32_t elements, regs;
    bool single, packed;
} sg_plan;

static sysdma_status check_range(const sysdma_adapter *a, const sysdma_mdl *mdl,
                                 const uint8_t *va, uint32_t len)
{
    const uint8_t *lo = sysdma_mdl_virtual_address(mdl);
    if (va < lo || va >= lo + mdl->byte_count)
        return SYSDMA_E_OUT_OF_RANGE;
    if (len == 0)
        return SYSDMA_E_LENGTH;
    if (len > (size_t)(lo + mdl->byte_count - va))
        return SYSDMA_E_OUT_OF_RANGE;
    if (a->master && len > a->desc.maximum_length)
        return SYSDMA_E_LENGTH;
    if (!multi(a) && len > max_element(a))
        return SYSDMA_E_LENGTH; /* one element cannot carry it */
    uint32_t w = a->limits.width;
    if (!a->master && w > 1 && ((len | (uintptr_t)va) & (w - 1)))
        return SYSDMA_E_ALIGNMENT;
    return SYSDMA_OK;
}

static sg_plan plan_for(const sysdma_adapter *a, const sysdma_mdl *mdl, const uint8_t *va,
                        uint32_t len)
{
    sg_plan p = {0, 0, !multi(a), false};
    if (p.single) {
        uint64_t phys;
        p.elements = 1;
        if (!sysdma__direct(a, mdl, va, len, &phys)) {
            /* Through registers, keeping the page offset when a run that
             * long fits the adapter's registers, else from their start. */
            p.regs = sysdma_pages_spanned(va, len);
            if (p.regs > sysdma__regs_limit(a)) {
                p.regs = (len + PAGE - 1) / PAGE;
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
        sysdma_status st = check_range(a, mdl, va, length);
        if (st != SYSDMA_OK)
            return st;
        p = plan_for(a, mdl, va, length);
    } else {
        /* Worst case: every page its own element, every page bounced. */
        if (length == 0)
            return SYSDMA_E_LENGTH;
        uint32_t pages = sysdma_pages_spanned(va, length);
        p.elements = multi(a) ? pages : 1;
        p.regs = may_bounce(a) ? pages : 0;
        if (!multi(a) && p.regs > sysdma__regs_limit(a))
            p.regs = (length + PAGE - 1) / PAGE;
    }
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
        if (!h->nregs && sysdma__direct(a, h->mdl, h->va, h->length, &phys)) {
            l->elements[0] = (sysdma_sg_element){phys, h->length, 0};
        } else {
            uint32_t in = h->packed ? 0 : (uint32_t)((uintptr_t)h->va % PAGE);
            l->elements[0] = (sysdma_sg_element){rphys + in, h->length, 0};
            if (h->to_device)
                memcpy(rva + in, h->va, h->length);
        }
        l->count = 1;
    } else {
        l->count = walk(a, h->mdl, h->va, h->length, WALK_FILL, rphys, NULL, l->elements, &nb);
        if (h->to_device && h->nregs)
            walk(a, h->mdl, h->va, h->length, WALK_COPY_IN, rphys, rva, NULL, &nb);
    }
    l->reserved = 0;
}

/* Bytes of the list that go through map registers. */
static uint32_t bounced_bytes(const sg_header *h)
{
    if (h->single)
        return h->nregs ? h->length : 0;
    const sysdma_adapter *a = h->adapter;
    size_t off = (size_t)(h->va - h->mdl->start_va);
    uint32_t len = h->length, bytes = 0;
    while (len) {
        uint32_t in = (uint32_t)(off % PAGE);
        uint32_t seg = PAGE - in < len ? PAGE - in : len;
        if (!reaches(a, h->mdl->pfn[off / PAGE] + in, seg))
            bytes += seg;
        off += seg;
        len -= seg;
    }
    return bytes;
}

static sysdma_allocation_action granted(void *device, sysdma_map_registers *regs, void *ctx)
{
    sg_header *h = ctx;
    sysdma_adapter *a = h->adapter;
    sysdma_system *sys = a->sys;
    h->regs = regs;
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
    sysdma_status st = check_range(a, mdl, va, length);
    if (st != SYSDMA_OK)
        return st;
    sg_plan p = plan_for(a, mdl, va, length);
    st = check_regs(a, p.regs);
    if (st != SYSDMA_OK)
        return st;
    uint64_t need = list_bytes(p.elements);
    if (need > 0xFFFFFFFFu)
        return SYSDMA_E_LENGTH;
    sg_header *h;
    if (buffer) {
        if ((uintptr_t)buffer % 8)
            return SYSDMA_E_INVALID_ARGUMENT;
        if (*buffer_size < need) {
            *buffer_size = (uint32_t)need;
            return SYSDMA_E_BUFFER_TOO_SMALL;
        }
        h = buffer;
    } else {
        h = sysdma__alloc(sys, (size_t)need);
        if (!h)
            return SYSDMA_E_NO_MEMORY;
    }
    *h = (sg_header){
        .magic = SG_MAGIC,
        .size = (uint32_t)need,
        .adapter = a,
        .mdl = mdl,
        .va = va,
        .length = length,
        .nregs = p.regs,
        .to_device = to_device,
        .single = p.single,
        .packed = p.packed,
        .caller_buffer = buffer != NULL,
        .device = device,
        .routine = routine,
        .context = context,
    };
    list_of(h)->count = p.elements;
    sysdma__lock(sys);
    a->lists++; /* before the routine can run (and put it) */
    sysdma__unlock(sys);
    st = sysdma__allocate_channel(a, device, p.regs, granted, h);
    if (st != SYSDMA_OK && st != SYSDMA_PENDING) {
        sysdma__lock(sys);
        a->lists--;
        sysdma__unlock(sys);
        h->magic = SG_GONE;
        if (!buffer)
            sysdma__free(sys, h, (size_t)need);
    }
    return st;
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

/* The header of a list this adapter handed out and not yet put. */
static sg_header *valid(sysdma_adapter *a, const sysdma_sg_list *l)
{
    sg_header *h = header_of(l);
    return h->magic == SG_MAGIC && h->adapter == a ? h : NULL;
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
    else {
        h->magic = SG_GONE; /* nobody else puts or starts it now */
        a->lists--;
    }
    sysdma__unlock(sys);
    if (st != SYSDMA_OK)
        return st;
    if (!to_device && h->nregs) {
        uint8_t *rva = sysdma__regs_va(h->regs);
        if (h->single) {
            uint32_t in = h->packed ? 0 : (uint32_t)((uintptr_t)h->va % PAGE);
            memcpy(h->va, rva + in, h->length);
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
    if (h->nregs)
        st = sysdma__free_map_registers(a, h->regs, h->nregs);
    if (!h->caller_buffer)
        sysdma__free(sys, h, h->size);
    return st;
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
    else if (h->packed)
        st = SYSDMA_E_NOT_SUPPORTED;
    else
        h->mdl_built = true;
    sysdma__unlock(sys);
    if (st != SYSDMA_OK)
        return st;
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

/* ---- the chained runner ------------------------------------------------------------- */

/* Program the run's current element (lock held). */
static sysdma_status program(sg_header *h)
{
    sysdma_adapter *a = h->adapter;
    sysdma_system *sys = a->sys;
    const sysdma_sg_element *e = &list_of(h)->elements[h->element];
    sysdma_fragment frag = {e->address, e->length};
    sysdma_program prog = {
        .fragments = &frag,
        .count = 1,
        .device_address = a->desc.device_address,
        .to_device = h->to_device,
        .loop = false,
        .mode = a->demand ? SYSDMA_XFER_DEMAND : SYSDMA_XFER_SINGLE,
    };
    sysdma_status st = sys->ctrl.ops->program(sys->ctrl.ctx, a->channel, &prog);
    if (st == SYSDMA_OK) {
        a->stats.transfers++;
        sys->stats.transfers++;
    }
    return st;
}

/* Finish the head run (lock held): stop the channel, take it off, start
 * the next waiting list. Returns the finished run. */
static sg_header *finish_head(sysdma_adapter *a)
{
    sysdma_system *sys = a->sys;
    sg_header *h = a->run_head;
    sys->ctrl.ops->flush(sys->ctrl.ctx, a->channel);
    h->running = false;
    a->run_head = h->next_run;
    if (!a->run_head)
        a->run_tail = NULL;
    h->next_run = NULL;
    return h;
}

typedef struct done_call {
    sysdma_sg_done_fn fn;
    sysdma_adapter *a;
    sysdma_sg_list *list;
    sysdma_status status;
    void *ctx;
} done_call;

/* Start waiting runs until one is on the channel (lock held); a run whose
 * programming fails finishes with that status, reported in `failed`. */
static unsigned start_next(sysdma_adapter *a, done_call *failed, unsigned room)
{
    unsigned n = 0;
    while (a->run_head && !a->run_head->running) {
        sg_header *h = a->run_head;
        h->queued = false;
        h->running = true;
        sysdma_status st = program(h);
        if (st == SYSDMA_OK)
            break;
        finish_head(a);
        if (n < room)
            failed[n++] = (done_call){h->done, a, list_of(h), st, h->done_ctx};
    }
    return n;
}

static void call_done(const done_call *c, unsigned n)
{
    for (unsigned k = 0; k < n; k++)
        if (c[k].fn)
            c[k].fn(c[k].a, c[k].list, c[k].status, c[k].ctx);
}

sysdma_status sysdma__sg_start(sysdma_adapter *a, sysdma_sg_list *list, bool to_device,
                               sysdma_sg_done_fn done, void *context)
{
    sysdma_system *sys = a->sys;
    sysdma__lock(sys);
    sg_header *h = valid(a, list);
    sysdma_status st = SYSDMA_OK;
    if (!h || h->to_device != to_device)
        st = SYSDMA_E_INVALID_ARGUMENT;
    else if (h->running || h->queued || a->map.active)
        st = SYSDMA_E_WRONG_STATE;
    if (st != SYSDMA_OK) {
        sysdma__unlock(sys);
        return st;
    }
    h->done = done;
    h->done_ctx = context;
    h->element = 0;
    h->done_bytes = 0;
    h->finished = false;
    h->next_run = NULL;
    if (a->run_head) {
        a->run_tail->next_run = h;
        a->run_tail = h;
        h->queued = true;
        sysdma__unlock(sys);
        return SYSDMA_PENDING;
    }
    h->running = true;
    st = program(h);
    if (st == SYSDMA_OK) {
        a->run_head = a->run_tail = h;
    } else {
        h->running = false;
    }
    sysdma__unlock(sys);
    return st;
}

void sysdma_terminal_count(sysdma_system *sys, uint32_t channels)
{
    if (!sys)
        return;
    for (unsigned ch = 0; ch < SYSDMA_MAX_CHANNELS; ch++) {
        if (!(channels & (1u << ch)))
            continue;
        done_call calls[4];
        unsigned n = 0;
        sysdma__lock(sys);
        sysdma_adapter *a = sys->adapters[ch];
        sg_header *h = a ? a->run_head : NULL;
        sysdma_transfer_complete_fn v3_fn = NULL;
        void *v3_ctx = NULL;
        if (!h && a)
            (void)sysdma__v3_terminal_count(a, &v3_fn, &v3_ctx);
        if (h && h->running) {
            sysdma_sg_list *l = list_of(h);
            h->done_bytes += l->elements[h->element].length;
            h->element++;
            sysdma_status st = SYSDMA_OK;
            if (h->element < l->count) {
                st = program(h);
                if (st == SYSDMA_OK)
                    h = NULL; /* still running */
            }
            if (h) {
                finish_head(a);
                h->finished = st == SYSDMA_OK;
                calls[n++] = (done_call){h->done, a, l, st, h->done_ctx};
                n += start_next(a, calls + n, 4 - n);
            }
        }
        sysdma__unlock(sys);
        call_done(calls, n);
        if (v3_fn)
            v3_fn(a, v3_ctx, SYSDMA_OK);
    }
}

sysdma_status sysdma__sg_cancel(sysdma_adapter *a, sysdma_sg_list *list)
{
    sysdma_system *sys = a->sys;
    done_call calls[4];
    unsigned n = 0;
    sysdma__lock(sys);
    sg_header *h = valid(a, list);
    if (!h || !(h->running || h->queued)) {
        sysdma__unlock(sys);
        return h ? SYSDMA_E_WRONG_STATE : SYSDMA_E_INVALID_ARGUMENT;
    }
    if (h->running) {
        finish_head(a);
        calls[n++] = (done_call){h->done, a, list, SYSDMA_E_CANCELLED, h->done_ctx};
        n += start_next(a, calls + n, 4 - n);
    } else {
        sg_header **link = &a->run_head;
        sg_header *prev = NULL;
        while (*link != h) {
            prev = *link;
            link = &(*link)->next_run;
        }
        *link = h->next_run;
        if (a->run_tail == h)
            a->run_tail = prev;
        h->queued = false;
        h->next_run = NULL;
        calls[n++] = (done_call){h->done, a, list, SYSDMA_E_CANCELLED, h->done_ctx};
    }
    sysdma__unlock(sys);
    call_done(calls, n);
    return SYSDMA_OK;
}

uint64_t sysdma__sg_progress(sysdma_adapter *a, const sysdma_sg_list *list)
{
    sysdma_system *sys = a->sys;
    sysdma__lock(sys);
    sg_header *h = valid(a, list);
    uint64_t moved = 0;
    if (h) {
        moved = h->done_bytes;
        if (h->running && h->element < list->count) {
            uint32_t len = list->elements[h->element].length;
            uint32_t left = a->limits.counter_available && sys->ctrl.ops->read_counter
                                ? sys->ctrl.ops->read_counter(sys->ctrl.ctx, a->channel)
                                : len;
            moved += left <= len ? len - left : 0;
        }
    }
    sysdma__unlock(sys);
    return moved;
}

bool sysdma__sg_running(const sg_header *h)
{
    return h->running;
}

const sg_header *sysdma__sg_next_run(const sg_header *h)
{
    return h->next_run;
}
