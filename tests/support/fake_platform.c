/* SPDX-License-Identifier: MIT */
/* Fake platform and ideal controller for the core's unit tests (see fake_platform.h). */
#include "fake_platform.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PAGE SYSDMA_PAGE_SIZE

static bool fail_now(fake_platform *f)
{
    long n = ++f->calls;
    bool fail = f->fail_at && (n == f->fail_at || (f->fail_persist && n > f->fail_at));
    if (fail)
        f->failed++;
    return fail;
}

/* The allocator is never called with the core's lock held (a kernel
 * spinlock forbids it; sysdma/platform.h): a call that is fails the test
 * on the spot, whichever test it is. */
static void check_unlocked(fake_platform *f, const char *call)
{
    if (f->lock_depth == 0)
        return;
    f->locked_calls++;
    fprintf(stderr, "fake_platform: %s called with the core lock held\n", call);
    abort();
}

/* Core objects carry their size in front so that a free with a wrong size
 * is caught. */
typedef struct obj_head {
    size_t bytes;
    size_t magic;
} obj_head;
#define OBJ_MAGIC ((size_t)0x5D3A0B1Eu)

static void *p_alloc(void *ctx, size_t bytes)
{
    fake_platform *f = ctx;
    check_unlocked(f, "alloc");
    if (fail_now(f))
        return NULL;
    obj_head *h = malloc(sizeof *h + bytes);
    if (!h)
        return NULL;
    h->bytes = bytes;
    h->magic = OBJ_MAGIC;
    memset(h + 1, 0xA5, bytes); /* the core must not rely on zeroed memory */
    f->allocs++;
    f->bytes_out += (long long)bytes;
    return h + 1;
}

static void p_free(void *ctx, void *p, size_t bytes)
{
    fake_platform *f = ctx;
    check_unlocked(f, "free");
    if (!p) {
        f->bad_frees++;
        return;
    }
    obj_head *h = (obj_head *)p - 1;
    if (h->magic != OBJ_MAGIC || h->bytes != bytes) {
        f->bad_frees++;
        return;
    }
    h->magic = 0;
    f->frees++;
    f->bytes_out -= (long long)bytes;
    free(h);
}

static bool phys_busy(const fake_platform *f, uint64_t lo, uint64_t hi)
{
    for (size_t k = 0; k < f->n_contig; k++)
        if (f->contig[k].va && lo < f->contig[k].phys + f->contig[k].bytes && f->contig[k].phys < hi)
            return true;
    for (size_t k = 0; k < f->n_pages; k++)
        if (f->pages[k].phys != FAKE_UNMAPPED && lo < f->pages[k].phys + PAGE && f->pages[k].phys < hi)
            return true;
    return false;
}

static sysdma_status p_alloc_contig(void *ctx, size_t bytes, uint64_t max_phys, uint64_t boundary,
                                    uint64_t align, void **va, uint64_t *phys)
{
    fake_platform *f = ctx;
    check_unlocked(f, "alloc_contig");
    if (f->contig_hook)
        f->contig_hook(f->contig_hook_arg);
    if (fail_now(f))
        return SYSDMA_E_NO_MEMORY;
    if (bytes == 0 || bytes % PAGE || align < PAGE || (align & (align - 1)))
        return SYSDMA_E_INVALID_ARGUMENT;
    uint64_t limit = max_phys && max_phys < f->contig_hi ? max_phys : f->contig_hi;
    for (uint64_t p = (f->contig_lo + align - 1) & ~(align - 1); p + bytes <= limit; p += align) {
        if (boundary && ((p ^ (p + bytes - 1)) & ~(boundary - 1)))
            continue;
        if (phys_busy(f, p, p + bytes))
            continue;
        size_t slot = 0;
        while (slot < f->n_contig && f->contig[slot].va)
            slot++;
        if (slot == FAKE_MAX_CONTIG)
            return SYSDMA_E_NO_MEMORY;
        void *host = malloc(bytes + PAGE);
        if (!host)
            return SYSDMA_E_NO_MEMORY;
        uint8_t *v = (uint8_t *)(((uintptr_t)host + PAGE - 1) & ~(uintptr_t)(PAGE - 1));
        memset(v, 0x5A, bytes);
        f->contig[slot] = (fake_contig){v, host, p, bytes};
        if (slot == f->n_contig)
            f->n_contig++;
        f->contig_allocs++;
        *va = v;
        *phys = p;
        return SYSDMA_OK;
    }
    return SYSDMA_E_NO_MEMORY;
}

static void p_free_contig(void *ctx, void *va, uint64_t phys, size_t bytes)
{
    fake_platform *f = ctx;
    check_unlocked(f, "free_contig");
    for (size_t k = 0; k < f->n_contig; k++) {
        fake_contig *c = &f->contig[k];
        if (c->va == va) {
            if (c->phys != phys || c->bytes != bytes) {
                f->bad_frees++;
                return;
            }
            free(c->host);
            memset(c, 0, sizeof *c);
            f->contig_frees++;
            return;
        }
    }
    f->bad_frees++;
}

static bool p_virt_to_phys(void *ctx, const void *va, uint64_t *phys)
{
    fake_platform *f = ctx;
    uintptr_t v = (uintptr_t)va;
    uintptr_t page = v & ~(uintptr_t)(PAGE - 1);
    for (size_t k = 0; k < f->n_pages; k++) {
        if (f->pages[k].va == page) {
            if (f->pages[k].phys == FAKE_UNMAPPED)
                return false;
            *phys = f->pages[k].phys + (v - page);
            return true;
        }
    }
    for (size_t k = 0; k < f->n_contig; k++) {
        const fake_contig *c = &f->contig[k];
        if (c->va && v >= (uintptr_t)c->va && v < (uintptr_t)c->va + c->bytes) {
            *phys = c->phys + (v - (uintptr_t)c->va);
            return true;
        }
    }
    return false;
}

static uint8_t p_inb(void *ctx, uint16_t port)
{
    fake_platform *f = ctx;
    (void)port;
    f->port_reads++;
    return 0xFF;
}

static void p_outb(void *ctx, uint16_t port, uint8_t v)
{
    fake_platform *f = ctx;
    (void)port;
    (void)v;
    f->port_writes++;
}

static void *p_lock_create(void *ctx)
{
    fake_platform *f = ctx;
    if (fail_now(f))
        return NULL;
    return f;
}

static void p_lock_acquire(void *ctx, void *lock)
{
    fake_platform *f = ctx;
    if (lock != f || f->lock_depth != 0)
        f->lock_errors++;
    f->lock_depth++;
    f->lock_acquires++;
}

static void p_lock_release(void *ctx, void *lock)
{
    fake_platform *f = ctx;
    if (lock != f || f->lock_depth != 1)
        f->lock_errors++;
    f->lock_depth--;
}

static void p_lock_destroy(void *ctx, void *lock)
{
    fake_platform *f = ctx;
    if (lock != f || f->lock_depth != 0)
        f->lock_errors++;
}

static void p_flush_io(void *ctx, const void *va, size_t bytes, bool read_operation)
{
    fake_platform *f = ctx;
    (void)va;
    (void)bytes;
    (void)read_operation;
    f->cache_flushes++;
}

void fake_platform_init(fake_platform *f, bool with_lock)
{
    memset(f, 0, sizeof *f);
    f->ops.size = sizeof f->ops;
    f->ops.alloc = p_alloc;
    f->ops.free = p_free;
    f->ops.alloc_contig = p_alloc_contig;
    f->ops.free_contig = p_free_contig;
    f->ops.virt_to_phys = p_virt_to_phys;
    f->ops.inb = p_inb;
    f->ops.outb = p_outb;
    if (with_lock) {
        f->ops.lock_create = p_lock_create;
        f->ops.lock_acquire = p_lock_acquire;
        f->ops.lock_release = p_lock_release;
        f->ops.lock_destroy = p_lock_destroy;
    }
    f->ops.flush_io_buffers = p_flush_io;
    f->pf.ops = &f->ops;
    f->pf.ctx = f;
    f->contig_lo = 1u << 20;
    f->contig_hi = 12u << 20;
}

void fake_platform_destroy(fake_platform *f)
{
    for (size_t k = 0; k < FAKE_MAX_BUFFERS; k++)
        if (f->buffers[k].host)
            fake_buffer_free(f, f->buffers[k].va);
    for (size_t k = 0; k < f->n_contig; k++)
        free(f->contig[k].host);
    f->n_contig = 0;
}

bool fake_platform_clean(const fake_platform *f)
{
    return f->allocs == f->frees && f->bytes_out == 0 && f->contig_allocs == f->contig_frees &&
           f->bad_frees == 0 && f->lock_depth == 0 && f->lock_errors == 0 && f->locked_calls == 0;
}

uint8_t *fake_buffer(fake_platform *f, size_t pages, const uint64_t *phys)
{
    size_t slot = 0;
    while (slot < FAKE_MAX_BUFFERS && f->buffers[slot].host)
        slot++;
    if (slot == FAKE_MAX_BUFFERS || f->n_pages + pages > FAKE_MAX_PAGES)
        return NULL;
    for (size_t k = 0; k < pages; k++)
        if (phys && phys[k] != FAKE_UNMAPPED &&
            ((phys[k] & (PAGE - 1)) || phys_busy(f, phys[k], phys[k] + PAGE)))
            return NULL;
    void *host = malloc((pages + 1) * PAGE);
    if (!host)
        return NULL;
    uint8_t *va = (uint8_t *)(((uintptr_t)host + PAGE - 1) & ~(uintptr_t)(PAGE - 1));
    memset(va, 0, pages * PAGE);
    for (size_t k = 0; k < pages; k++)
        f->pages[f->n_pages++] = (fake_page){(uintptr_t)va + k * PAGE,
                                             phys ? phys[k] : FAKE_UNMAPPED};
    f->buffers[slot] = (fake_buffer_rec){host, va, pages};
    return va;
}

void fake_buffer_free(fake_platform *f, uint8_t *buf)
{
    for (size_t s = 0; s < FAKE_MAX_BUFFERS; s++) {
        fake_buffer_rec *b = &f->buffers[s];
        if (!b->host || b->va != buf)
            continue;
        uintptr_t lo = (uintptr_t)b->va, hi = lo + b->pages * PAGE;
        size_t out = 0;
        for (size_t k = 0; k < f->n_pages; k++)
            if (f->pages[k].va < lo || f->pages[k].va >= hi)
                f->pages[out++] = f->pages[k];
        f->n_pages = out;
        free(b->host);
        memset(b, 0, sizeof *b);
        return;
    }
}

uint8_t *fake_phys_to_host(const fake_platform *f, uint64_t phys)
{
    uint64_t page = phys & ~(uint64_t)(PAGE - 1);
    for (size_t k = 0; k < f->n_pages; k++)
        if (f->pages[k].phys == page)
            return (uint8_t *)f->pages[k].va + (phys - page);
    for (size_t k = 0; k < f->n_contig; k++) {
        const fake_contig *c = &f->contig[k];
        if (c->va && phys >= c->phys && phys < c->phys + c->bytes)
            return (uint8_t *)c->va + (phys - c->phys);
    }
    return NULL;
}

/* ---- the ideal controller -------------------------------------------------------- */

static bool ch_ok(const fake_ctrl *c, unsigned ch)
{
    if (c->shaped)
        return ch < c->shape.channels && ch < FAKE_MAX_CHANNELS;
    return ch < 8 && ch != 4;
}

static void check_locked(fake_ctrl *c)
{
    if (c->pf->ops.lock_acquire && c->pf->lock_depth != 1)
        c->unlocked++;
}

static sysdma_status c_initialize(void *ctx)
{
    fake_ctrl *c = ctx;
    c->initialized++;
    return SYSDMA_OK;
}

static sysdma_status c_limits(void *ctx, unsigned ch, sysdma_channel_limits *l)
{
    fake_ctrl *c = ctx;
    if (!ch_ok(c, ch))
        return SYSDMA_E_INVALID_CHANNEL;
    memset(l, 0, sizeof *l);
    if (c->shaped) {
        const fake_shape *s = &c->shape;
        l->address_bits = s->address_bits;
        l->width = s->width ? s->width : 1;
        l->min_unit = l->width;
        l->counter_available = !s->no_counter;
        l->interrupts = !s->no_interrupt;
        l->boundary = s->boundary;
        l->max_bytes = s->max_bytes;
        l->max_fragments = s->max_fragments;
        return SYSDMA_OK;
    }
    bool wide = ch >= 4;
    l->address_bits = 24;
    l->width = wide ? 2 : 1;
    l->min_unit = l->width;
    l->counter_available = true;
    l->boundary = wide ? 0x20000u : 0x10000u;
    l->max_bytes = l->boundary;
    l->max_fragments = 1;
    return SYSDMA_OK;
}

static bool fragment_fits(const sysdma_channel_limits *l, const sysdma_fragment *fr)
{
    uint64_t end = fr->phys + fr->length - 1;
    return fr->length && fr->length <= l->max_bytes && end >= fr->phys &&
           (l->address_bits >= 64 || !(end >> l->address_bits)) &&
           (!l->boundary || !((fr->phys ^ end) & ~(uint64_t)(l->boundary - 1))) &&
           !((fr->phys | fr->length) & (l->width - 1u));
}

static unsigned c_query_fragments(void *ctx, unsigned ch)
{
    fake_ctrl *c = ctx;
    check_locked(c);
    (void)ch;
    return c->shape.query_fragments;
}

static sysdma_status c_program(void *ctx, unsigned ch, const sysdma_program *p)
{
    fake_ctrl *c = ctx;
    check_locked(c);
    if (!ch_ok(c, ch) || !p || p->count == 0 || p->count > FAKE_MAX_FRAGS)
        return SYSDMA_E_INVALID_ARGUMENT;
    if (c->program_result != SYSDMA_OK)
        return c->program_result;
    sysdma_channel_limits l;
    c_limits(ctx, ch, &l);
    unsigned most = l.max_fragments;
    if (c->shaped && c->shape.query_fragments && c->shape.query_fragments < most)
        most = c->shape.query_fragments;
    if (p->count > most) {
        c->bad_programs++;
        return SYSDMA_E_INVALID_ARGUMENT;
    }
    uint64_t total = 0;
    for (unsigned k = 0; k < p->count; k++) {
        if (!fragment_fits(&l, &p->fragments[k])) {
            c->bad_programs++;
            return SYSDMA_E_OUT_OF_REACH;
        }
        total += p->fragments[k].length;
    }
    if (total > UINT32_MAX) {
        c->bad_programs++;
        return SYSDMA_E_LENGTH;
    }
    fake_channel *k = &c->ch[ch];
    k->running = true;
    k->frag = p->fragments[0];
    memcpy(k->frags, p->fragments, p->count * sizeof *p->fragments);
    k->count = p->count;
    k->to_device = p->to_device;
    k->loop = p->loop;
    k->mode = p->mode;
    k->device_address = p->device_address;
    k->request_line = p->request_line;
    k->shape = p->shape;
    k->residue = (uint32_t)total;
    k->done = 0;
    k->cur = 0;
    k->off = 0;
    k->completed_pending = k->failed_pending = false; /* the last one's, unreported */
    k->failed = false;
    k->programs++;
    return SYSDMA_OK;
}

static sysdma_status c_flush(void *ctx, unsigned ch)
{
    fake_ctrl *c = ctx;
    check_locked(c);
    if (!ch_ok(c, ch))
        return SYSDMA_E_INVALID_CHANNEL;
    c->ch[ch].running = false;
    c->ch[ch].flushes++;
    return SYSDMA_OK;
}

static uint32_t c_read_counter(void *ctx, unsigned ch)
{
    fake_ctrl *c = ctx;
    check_locked(c);
    if (!ch_ok(c, ch))
        return 0;
    c->ch[ch].counter_reads++;
    return c->ch[ch].residue;
}

static bool c_handle_interrupt(void *ctx, uint32_t *completed, uint32_t *failed)
{
    fake_ctrl *c = ctx;
    check_locked(c);
    c->interrupts++;
    *completed = *failed = 0;
    for (unsigned ch = 0; ch < c->shape.channels && ch < FAKE_MAX_CHANNELS; ch++) {
        fake_channel *k = &c->ch[ch];
        if (k->failed_pending)
            *failed |= 1u << ch;
        else if (k->completed_pending)
            *completed |= 1u << ch;
        k->failed_pending = k->completed_pending = false;
    }
    return (*completed | *failed) != 0;
}

static sysdma_status c_cancel(void *ctx, unsigned ch, sysdma_cancel_result *result)
{
    fake_ctrl *c = ctx;
    check_locked(c);
    if (!ch_ok(c, ch))
        return SYSDMA_E_INVALID_CHANNEL;
    fake_channel *k = &c->ch[ch];
    k->cancels++;
    if (c->cancel_status != SYSDMA_OK)
        return c->cancel_status;
    bool ended = k->failed || (!k->loop && k->residue == 0);
    if (!k->running && !ended)
        *result = SYSDMA_CANCEL_IDLE;
    else if (ended)
        *result = SYSDMA_CANCEL_TOO_LATE;
    else
        *result = SYSDMA_CANCEL_DONE;
    k->running = false;
    if (c->cancel_forced)
        *result = c->cancel_result;
    return SYSDMA_OK;
}

static unsigned c_channel_count(void *ctx)
{
    fake_ctrl *c = ctx;
    return c->shape.channels;
}

void fake_ctrl_init(fake_ctrl *c, fake_platform *f)
{
    memset(c, 0, sizeof *c);
    c->pf = f;
    c->ops.size = sizeof c->ops;
    c->ops.initialize = c_initialize;
    c->ops.channel_limits = c_limits;
    c->ops.program = c_program;
    c->ops.flush = c_flush;
    c->ops.read_counter = c_read_counter;
    c->ctrl.ops = &c->ops;
    c->ctrl.ctx = c;
}

void fake_ctrl_init_shape(fake_ctrl *c, fake_platform *f, const fake_shape *shape)
{
    fake_ctrl_init(c, f);
    c->shaped = true;
    c->shape = *shape;
    if (!c->shape.channels || c->shape.channels > FAKE_MAX_CHANNELS)
        c->shape.channels = 8;
    if (c->shape.max_fragments > FAKE_MAX_FRAGS)
        c->shape.max_fragments = FAKE_MAX_FRAGS;
    c->ops.channel_count = c_channel_count;
    if (shape->query_fragments)
        c->ops.query_fragments = c_query_fragments;
    if (!shape->no_interrupt)
        c->ops.handle_interrupt = c_handle_interrupt;
    if (!shape->no_cancel)
        c->ops.cancel = c_cancel;
}

void fake_ctrl_fail(fake_ctrl *c, unsigned channel)
{
    if (!ch_ok(c, channel))
        return;
    fake_channel *k = &c->ch[channel];
    k->running = false;
    k->failed = true;
    k->failed_pending = true;
    k->completed_pending = false;
}

uint32_t fake_ctrl_run(fake_ctrl *c, unsigned channel, uint8_t *dev, uint32_t n)
{
    if (!ch_ok(c, channel))
        return 0;
    fake_channel *k = &c->ch[channel];
    uint32_t moved = 0;
    if (k->running && n && c->shaped && (c->shape.fail_channels >> channel) & 1u) {
        fake_ctrl_fail(c, channel); /* the bus faults at the first beat */
        return 0;
    }
    while (k->running && moved < n) {
        if (k->residue == 0) {
            if (!k->loop)
                break;
            /* auto-initialize: reload */
            uint32_t total = 0;
            for (unsigned f = 0; f < k->count; f++)
                total += k->frags[f].length;
            k->residue = total;
            k->done = 0;
            k->cur = 0;
            k->off = 0;
        }
        uint8_t *mem = fake_phys_to_host(c->pf, k->frags[k->cur].phys + k->off);
        if (!mem)
            break; /* nothing behind the address: the device stalls */
        if (k->to_device)
            dev[moved] = *mem;
        else
            *mem = dev[moved];
        moved++;
        k->done++;
        k->residue--;
        if (++k->off == k->frags[k->cur].length) {
            k->cur++;
            k->off = 0;
        }
        if (k->residue == 0)
            k->completed_pending = true; /* the program (or a pass) completed */
    }
    return moved;
}
