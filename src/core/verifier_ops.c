/* SPDX-License-Identifier: MIT */
/*
 * The verifier's operations table: each call checked against the adapter's
 * record, refused with a report or passed to the table it wraps, and the
 * record updated from the result (see verifier.c).
 */
#include "verifier_internal.h"

static sysdma_status v_put_adapter(sysdma_adapter *h)
{
    sysdma_adapter *a = obj_of(h);
    verifier *v = V_OF(a);
    vrec *r = rec_of(h);
    site where = sysdma__vf_take_site();
    sysdma_system *sys = a->sys;
    /* This reference's requests still waiting (its own, not other drivers'). */
    sysdma__lock(sys);
    uint32_t queued = 0;
    for (tramp *t = v->outstanding; t; t = t->next)
        queued += t->rec == r;
    sysdma__unlock(sys);
    unsigned kinds = sysdma__vf_report_held(v, r, "sysdma_adapter_put", where,
                                            SYSDMA_VCHECK_PUT_WITH_RESOURCES);
    if (!kinds && queued) {
        sysdma__vf_report(v, SYSDMA_VCHECK_PUT_WITH_RESOURCES, a, "sysdma_adapter_put", where,
                          queued, "channel requests waiting");
        kinds++;
    }
    if (kinds)
        return SYSDMA_E_VERIFIER;
    sysdma_status st = r->inner->put_adapter(h);
    if (st == SYSDMA_OK)
        sysdma__vf_forget(v, r); /* the handle is dead: the core reports its later uses */
    return st;
}

static sysdma_allocation_action control_tramp(void *device, sysdma_map_registers *regs, void *ctx)
{
    tramp *t = ctx;
    vrec *r = t->rec;
    sysdma_adapter *a = r->a;
    verifier *v = V_OF(a);
    sysdma_system *sys = a->sys;
    sysdma__lock(sys);
    unlink_outstanding(v, t);
    r->holding = true;
    r->generation++;
    uint32_t gen = r->generation;
    r->in_control = true;
    r->regs_freed_in_control = false;
    r->holder = device;
    r->regs = regs;
    r->regs_count = t->count;
    sysdma_adapter_control_fn routine = t->routine;
    void *context = t->context;
    uint32_t count = t->count;
    kept_set *k = t->kset; /* allocated with the request */
    t->kset = NULL;
    tramp_give(v, t);
    sysdma__unlock(sys);

    sysdma__vf_control_enter(true);
    sysdma_allocation_action act = routine(device, regs, context);
    sysdma__vf_control_enter(false);

    sysdma__lock(sys);
    bool bad = act < SYSDMA_KEEP_OBJECT || act > SYSDMA_DEALLOCATE_OBJECT_KEEP_REGISTERS;
    bool ours = r->generation == gen; /* not freed meanwhile */
    if (ours)
        r->in_control = false;
    if (!bad && ours && act != SYSDMA_KEEP_OBJECT && r->mapped && r->system)
        bad = true; /* the core keeps the channel; the driver thinks it let go */
    if (ours && !bad && act != SYSDMA_KEEP_OBJECT) {
        r->holding = false;
        r->holder = NULL;
        r->generation++;
    }
    bool keep_set = ours && !bad && act == SYSDMA_DEALLOCATE_OBJECT_KEEP_REGISTERS && regs &&
                    !r->regs_freed_in_control;
    if (ours && !bad && act != SYSDMA_KEEP_OBJECT)
        r->regs = NULL;
    if (keep_set && k) {
        *k = (kept_set){r->kept, regs, count};
        r->kept = k;
        r->kept_sets++;
        k = NULL;
    }
    sysdma__unlock(sys);
    sysdma__free(sys, k, sizeof *k); /* not needed */
    if (bad)
        sysdma__vf_report(v, SYSDMA_VCHECK_BAD_ALLOCATION_ACTION, a, "AdapterControl", (site){NULL, 0}, 0,
               NULL);
    return act;
}

/* Is a channel request from `device` a misuse now? (lock held) */
static sysdma_verifier_check channel_request_check(verifier *v, vrec *r, void *device)
{
    if (sysdma__vf_in_control())
        return SYSDMA_VCHECK_ALLOCATE_IN_CONTROL;
    if (device && r->holding && r->a->granted && r->holder == device)
        return SYSDMA_VCHECK_ALLOCATE_OUTSTANDING;
    for (tramp *t = v->outstanding; t && device; t = t->next)
        if (t->device == device && t->rec == r && t->routine)
            return SYSDMA_VCHECK_ALLOCATE_OUTSTANDING;
    return SYSDMA_VCHECK_COUNT;
}

/* Put a request's record, filled from `init`, on the outstanding list:
 * `t` is a spare taken under the lock, or NULL to allocate one (lock not
 * held). NULL when there is no memory. */
tramp *sysdma__vf_tramp_post(verifier *v, tramp *t, const tramp *init)
{
    sysdma_system *sys = v->sys;
    if (!t && !(t = sysdma__alloc(sys, sizeof *t)))
        return NULL;
    list_rec *lrec = t->lrec;
    kept_set *kset = t->kset;
    if (init->list_routine && !lrec)
        lrec = sysdma__alloc(sys, sizeof *lrec);
    if (init->routine && init->count && !kset)
        kset = sysdma__alloc(sys, sizeof *kset);
    if ((init->list_routine && !lrec) || (init->routine && init->count && !kset)) {
        t->lrec = lrec; /* kept with the spare */
        t->kset = kset;
        sysdma__lock(sys);
        tramp_give(v, t);
        sysdma__unlock(sys);
        return NULL;
    }
    *t = *init;
    t->lrec = lrec;
    t->kset = kset;
    sysdma__lock(sys);
    t->next = v->outstanding;
    v->outstanding = t;
    if (t->list_routine)
        t->rec->pending_lists++;
    sysdma__unlock(sys);
    return t;
}

/* The request was refused: take its record back (lock not held). */
void sysdma__vf_tramp_unpost(verifier *v, tramp *t)
{
    sysdma__lock(v->sys);
    unlink_outstanding(v, t);
    if (t->list_routine)
        t->rec->pending_lists--;
    tramp_give(v, t);
    sysdma__unlock(v->sys);
}

static sysdma_status v_allocate_channel(sysdma_adapter *h, void *device, uint32_t count,
                                        sysdma_adapter_control_fn routine, void *context)
{
    sysdma_adapter *a = obj_of(h);
    verifier *v = V_OF(a);
    vrec *r = rec_of(h);
    site where = sysdma__vf_take_site();
    sysdma_system *sys = a->sys;
    const char *call = "sysdma_channel_allocate";
    if (!routine)
        return r->inner->allocate_channel(h, device, count, routine, context);
    if (count > a->max_map_registers)
        return sysdma__vf_refuse(v, SYSDMA_VCHECK_TOO_MANY_MAP_REGISTERS, a, call, where);
    sysdma__lock(sys);
    sysdma_verifier_check c = channel_request_check(v, r, device);
    tramp *t = c == SYSDMA_VCHECK_COUNT ? tramp_take(v) : NULL;
    sysdma__unlock(sys);
    if (c != SYSDMA_VCHECK_COUNT)
        return sysdma__vf_refuse(v, c, a, call, where);
    t = sysdma__vf_tramp_post(v, t, &(tramp){NULL, r, device, context, routine, NULL, count,
                                             NULL, false, NULL, NULL, 0, NULL, NULL});
    if (!t)
        return SYSDMA_E_NO_MEMORY;
    sysdma_status st = r->inner->allocate_channel(h, device, count, control_tramp, t);
    if (st != SYSDMA_OK && st != SYSDMA_PENDING)
        sysdma__vf_tramp_unpost(v, t);
    return st;
}

static sysdma_status v_free_channel(sysdma_adapter *h)
{
    sysdma_adapter *a = obj_of(h);
    verifier *v = V_OF(a);
    vrec *r = rec_of(h);
    site where = sysdma__vf_take_site();
    sysdma_system *sys = a->sys;
    sysdma__lock(sys);
    /* The core's own record of the grant (version-3 grants change it too),
     * and whether another reference (another driver) is the one holding. */
    sysdma_verifier_check c = !a->granted || held_by_other(v, r)
                                  ? SYSDMA_VCHECK_FREE_CHANNEL_NOT_OWNER
                              : r->mapped ? SYSDMA_VCHECK_FREE_CHANNEL_MAPPED
                                          : SYSDMA_VCHECK_COUNT;
    sysdma__unlock(sys);
    if (c != SYSDMA_VCHECK_COUNT)
        return sysdma__vf_refuse(v, c, a, "sysdma_channel_free", where);
    sysdma__lock(sys);
    r->holding = false;
    r->holder = NULL;
    r->generation++;
    r->in_control = false;
    r->regs = NULL;
    sysdma__unlock(sys);
    return r->inner->free_channel(h);
}

static sysdma_status v_free_map_registers(sysdma_adapter *h, sysdma_map_registers *base,
                                          uint32_t count)
{
    sysdma_adapter *a = obj_of(h);
    verifier *v = V_OF(a);
    vrec *r = rec_of(h);
    site where = sysdma__vf_take_site();
    sysdma_system *sys = a->sys;
    sysdma__lock(sys);
    sysdma_verifier_check c = SYSDMA_VCHECK_FREE_REGISTERS_NOT_HELD;
    kept_set **link = &r->kept, *found = NULL;
    while (*link && (*link)->base != base)
        link = &(*link)->next;
    if (*link && (*link)->count == count && r->mapped && r->map_regs == base) {
        c = SYSDMA_VCHECK_FREE_REGISTERS_MAPPED; /* kept, and a transfer through them mapped */
    } else if (*link && (*link)->count == count) {
        found = *link;
        *link = found->next;
        r->kept_sets--;
        c = SYSDMA_VCHECK_COUNT;
    } else if (!*link && r->in_control && base && base == r->regs && count == r->regs_count &&
               !r->regs_freed_in_control) {
        /* Freed by the routine's completion before the routine returned. */
        c = r->mapped && r->map_regs == base ? SYSDMA_VCHECK_FREE_REGISTERS_MAPPED
                                             : SYSDMA_VCHECK_COUNT;
        if (c == SYSDMA_VCHECK_COUNT)
            r->regs_freed_in_control = true;
    }
    sysdma__unlock(sys);
    if (found)
        sysdma__free(sys, found, sizeof *found);
    if (c != SYSDMA_VCHECK_COUNT)
        return sysdma__vf_refuse(v, c, a, "sysdma_map_registers_free", where);
    return r->inner->free_map_registers(h, base, count);
}

static sysdma_status v_map_transfer(sysdma_adapter *h, sysdma_mdl *mdl,
                                    sysdma_map_registers *regs, void *current_va,
                                    uint32_t *length, bool to_device, uint64_t *logical)
{
    sysdma_adapter *a = obj_of(h);
    verifier *v = V_OF(a);
    vrec *r = rec_of(h);
    site where = sysdma__vf_take_site();
    sysdma_system *sys = a->sys;
    const uint8_t *va = current_va;
    uint32_t len = *length;
    uint32_t w = a->limits.width;
    sysdma__lock(sys);
    sysdma_verifier_check c = SYSDMA_VCHECK_COUNT;
    const sysdma_map_registers *held = sysdma__held_set(a, regs);
    if ((!a->granted && !held) || (a->granted && held_by_other(v, r)))
        c = SYSDMA_VCHECK_MAP_WITHOUT_CHANNEL;
    else if (regs && !held)
        c = SYSDMA_VCHECK_MAP_STALE_REGISTERS;
    else if (r->mapped || (a->run_head && sysdma__sg_running(a->run_head)))
        c = SYSDMA_VCHECK_MAP_WHILE_MAPPED;
    else if (len == 0)
        c = SYSDMA_VCHECK_ZERO_LENGTH;
    else if (!in_mdl(mdl, va, len))
        c = SYSDMA_VCHECK_OUT_OF_MDL;
    else if (!a->master && w > 1 && ((len | (uint32_t)sysdma__phys_at(mdl, va)) & (w - 1)))
        c = SYSDMA_VCHECK_ODD_16BIT;
    else if (len > a->max_transfer)
        c = SYSDMA_VCHECK_TOO_LONG;
    else if (overlaps(v, mdl, va, len, to_device))
        c = SYSDMA_VCHECK_OVERLAPPING_MAPPING;
    sysdma__unlock(sys);
    if (c == SYSDMA_VCHECK_COUNT) {
        uint64_t phys;
        uint32_t run = a->master && a->desc.scatter_gather
                           ? sysdma__master_run(a, mdl, va, len, regs ? regs->count * PAGE : 0)
                           : len;
        if (!sysdma__direct(a, mdl, va, run, &phys) && (!regs || run > regs->count * PAGE))
            c = SYSDMA_VCHECK_TOO_LONG; /* must bounce, and the registers cannot take it */
    }
    if (c != SYSDMA_VCHECK_COUNT)
        return sysdma__vf_refuse(v, c, a, "sysdma_map_transfer", where);
    uint64_t lg = 0;
    sysdma_status st = r->inner->map_transfer(h, mdl, regs, current_va, length, to_device, &lg);
    if (st != SYSDMA_OK)
        return st;
    if (logical)
        *logical = lg;
    len = *length;
    bool bounced = lg != sysdma__phys_at(mdl, va);
    uint8_t *guard = NULL;
    uint32_t guard_len = 0;
    uint64_t sum = 0;
    uint32_t front = 0;
    if (bounced && regs) {
        front = (uint32_t)(lg - sysdma__regs_phys(regs)); /* the lead left before the data */
        uint32_t room = regs->count * PAGE - front - len;
        guard_len = room < GUARD_BYTES ? room : GUARD_BYTES;
        guard = sysdma__regs_va(regs) + front + len;
        memset(guard - len - front, GUARD_BYTE, front);
        memset(guard, GUARD_BYTE, guard_len);
        if (to_device)
            sum = checksum(va, len);
    }
    sysdma__lock(sys);
    r->mapped = true;
    r->map_mdl = mdl;
    r->map_va = va;
    r->map_len = len;
    r->map_to_device = to_device;
    r->map_regs = regs;
    r->map_bounced = bounced;
    r->map_sum = sum;
    r->guard = guard;
    r->guard_len = guard_len;
    r->guard_front = front;
    sysdma__unlock(sys);
    return SYSDMA_OK;
}

static sysdma_status v_flush(sysdma_adapter *h, sysdma_mdl *mdl, sysdma_map_registers *regs,
                             void *current_va, uint32_t length, bool to_device)
{
    sysdma_adapter *a = obj_of(h);
    verifier *v = V_OF(a);
    vrec *r = rec_of(h);
    site where = sysdma__vf_take_site();
    sysdma_system *sys = a->sys;
    const char *call = "sysdma_flush_adapter_buffers";
    sysdma__lock(sys);
    sysdma_verifier_check c = SYSDMA_VCHECK_COUNT;
    if (!r->mapped)
        c = SYSDMA_VCHECK_FLUSH_WITHOUT_MAP;
    else if (r->map_to_device != to_device)
        c = SYSDMA_VCHECK_FLUSH_DIRECTION;
    else if (r->map_mdl != mdl || r->map_va != (const uint8_t *)current_va ||
             r->map_len != length || (r->map_bounced && r->map_regs != regs))
        c = SYSDMA_VCHECK_FLUSH_MISMATCH;
    else if (a->v3_pending && !a->master)
        c = SYSDMA_VCHECK_FLUSH_BEFORE_COMPLETION; /* a MapTransferEx's, by the version-1 flush */
    vrec m = *r;
    sysdma__unlock(sys);
    if (c != SYSDMA_VCHECK_COUNT)
        return sysdma__vf_refuse(v, c, a, call, where);
    bool touched = m.map_bounced && m.map_to_device && checksum(m.map_va, m.map_len) != m.map_sum;
    bool overrun = m.guard && (!guard_intact(m.guard, m.guard_len) ||
                               !guard_intact(m.guard - m.map_len - m.guard_front, m.guard_front));
    sysdma_status st = r->inner->flush_adapter_buffers(h, mdl, regs, current_va, length, to_device);
    if (st == SYSDMA_OK) {
        sysdma__lock(sys);
        r->mapped = false;
        r->guard = NULL;
        sysdma__unlock(sys);
    }
    if (touched)
        sysdma__vf_report(v, SYSDMA_VCHECK_BOUNCED_WRITE_TOUCHED, a, call, where, 0, NULL);
    if (overrun)
        sysdma__vf_report(v, SYSDMA_VCHECK_BOUNCE_GUARD, a, call, where, 0, NULL);
    return st == SYSDMA_OK && (touched || overrun) ? SYSDMA_E_VERIFIER : st;
}

static uint32_t v_read_counter(sysdma_adapter *h)
{
    sysdma_adapter *a = obj_of(h);
    (void)a;
    vrec *r = rec_of(h);
    return r->inner->read_dma_counter ? r->inner->read_dma_counter(h) : 0;
}

static uint32_t v_alignment(sysdma_adapter *h)
{
    sysdma_adapter *a = obj_of(h);
    (void)a;
    vrec *r = rec_of(h);
    return r->inner->get_dma_alignment ? r->inner->get_dma_alignment(h) : 1;
}

/* A common buffer is handed out from inside a larger one: `front` guard
 * bytes before it (a multiple of the adapter's alignment, which is all the
 * API promises) and up to GUARD_BYTES after it, where the window allows.
 * max_address: ~0 for plain AllocateCommonBuffer (no Ex). */
static sysdma_status common_allocate(sysdma_adapter *h, const char *call, uint64_t max_address,
                                     uint32_t length, bool cached, void **va, uint64_t *logical)
{
    sysdma_adapter *a = obj_of(h);
    vrec *r = rec_of(h);
    sysdma_system *sys = a->sys;
    site where = sysdma__vf_take_site();
    uint32_t window = a->master ? 0 : a->limits.boundary ? a->limits.boundary : a->max_transfer;
    if (length == 0)
        return sysdma__vf_refuse(V_OF(a), SYSDMA_VCHECK_ZERO_LENGTH, a, call, where);
    if ((window && length > window) || length > 0x80000000u)
        return sysdma__vf_refuse(V_OF(a), SYSDMA_VCHECK_TOO_LONG, a, call, where);
    if (!a->master && a->limits.width > 1 && length % a->limits.width)
        return sysdma__vf_refuse(V_OF(a), SYSDMA_VCHECK_ODD_16BIT, a, call, where);
    uint32_t align = r->inner->get_dma_alignment ? r->inner->get_dma_alignment(h) : 1;
    uint32_t front = GUARD_BYTES;
    if (align > 1 && align <= PAGE)
        front = (GUARD_BYTES + align - 1) & ~(align - 1);
    uint32_t limit = window ? window : 0x80000000u;
    uint32_t back = limit - length < GUARD_BYTES ? limit - length : GUARD_BYTES;
    if (align > PAGE || front > limit - length - back)
        front = 0; /* no room before it: a guard after it only */
    uint32_t inner = front + length + back;
    common_rec *c = sysdma__alloc(sys, sizeof *c);
    if (!c)
        return SYSDMA_E_NO_MEMORY;
    void *iva = NULL;
    uint64_t ilogical = 0;
    sysdma_status st =
        max_address == ~(uint64_t)0
            ? r->inner->allocate_common_buffer(h, inner, cached, &iva, &ilogical)
            : r->inner->allocate_common_buffer_ex(h, max_address, inner, cached, &iva, &ilogical);
    if (st != SYSDMA_OK) {
        sysdma__free(sys, c, sizeof *c);
        return st;
    }
    memset(iva, GUARD_BYTE, front);
    memset((uint8_t *)iva + front + length, GUARD_BYTE, back);
    *c = (common_rec){NULL, (uint8_t *)iva + front, ilogical + front, length, inner, front, cached};
    sysdma__lock(sys);
    c->next = r->commons;
    r->commons = c;
    r->ncommons++;
    sysdma__unlock(sys);
    *va = c->va;
    *logical = c->logical;
    return SYSDMA_OK;
}

static sysdma_status v_allocate_common(sysdma_adapter *h, uint32_t length, bool cached,
                                       void **va, uint64_t *logical)
{
    sysdma_adapter *a = obj_of(h);
    (void)a;
    return common_allocate(h, "sysdma_common_buffer_allocate", ~(uint64_t)0, length, cached, va,
                           logical);
}

static sysdma_status v_allocate_common_ex(sysdma_adapter *h, uint64_t max_address,
                                          uint32_t length, bool cached, void **va,
                                          uint64_t *logical)
{
    sysdma_adapter *a = obj_of(h);
    (void)a;
    /* ~0 and 0 both mean "anywhere the adapter reaches" to the core. */
    return common_allocate(h, "sysdma_common_buffer_allocate_ex",
                           max_address == ~(uint64_t)0 ? 0 : max_address, length, cached, va,
                           logical);
}

/* Both guards intact: nothing wrote before or after the buffer. */
static bool common_guard_ok(const common_rec *c)
{
    const uint8_t *base = (const uint8_t *)c->va - c->front;
    return guard_intact(base, c->front) &&
           guard_intact((const uint8_t *)c->va + c->length, c->inner_length - c->front - c->length);
}

static sysdma_status v_free_common(sysdma_adapter *h, uint32_t length, uint64_t logical, void *va,
                                   bool cached)
{
    sysdma_adapter *a = obj_of(h);
    verifier *v = V_OF(a);
    vrec *r = rec_of(h);
    site where = sysdma__vf_take_site();
    sysdma_system *sys = a->sys;
    const char *call = "sysdma_common_buffer_free";
    sysdma__lock(sys);
    common_rec **link = &r->commons;
    while (*link && ((*link)->va != va || (*link)->logical != logical))
        link = &(*link)->next;
    common_rec *c = *link;
    bool ok = c && c->length == length && c->cached == cached;
    if (ok) {
        *link = c->next;
        r->ncommons--;
    }
    sysdma__unlock(sys);
    if (!ok)
        return sysdma__vf_refuse(v, SYSDMA_VCHECK_COMMON_BAD_FREE, a, call, where);
    bool guard = common_guard_ok(c);
    sysdma_status st = r->inner->free_common_buffer(h, c->inner_length, logical - c->front,
                                                    (uint8_t *)va - c->front, cached);
    sysdma__free(sys, c, sizeof *c);
    if (!guard) {
        sysdma__vf_report(v, SYSDMA_VCHECK_COMMON_GUARD, a, call, where, 0, NULL);
        return st == SYSDMA_OK ? SYSDMA_E_VERIFIER : st;
    }
    return st;
}

/* ---- version 3 ------------------------------------------------------------------------- */

static sysdma_status v_allocate_ex(sysdma_adapter *h, void *device, sysdma_transfer_context *ctx,
                                   uint32_t count, uint32_t flags,
                                   sysdma_adapter_control_fn routine, void *context,
                                   sysdma_map_registers **base)
{
    sysdma_adapter *a = obj_of(h);
    verifier *v = V_OF(a);
    vrec *r = rec_of(h);
    site where = sysdma__vf_take_site();
    sysdma_system *sys = a->sys;
    const char *call = "sysdma_channel_allocate_ex";
    if (count > a->max_map_registers)
        return sysdma__vf_refuse(v, SYSDMA_VCHECK_TOO_MANY_MAP_REGISTERS, a, call, where);
    sysdma__lock(sys);
    sysdma_verifier_check c = channel_request_check(v, r, device);
    tramp *t = c == SYSDMA_VCHECK_COUNT && routine ? tramp_take(v) : NULL;
    sysdma__unlock(sys);
    if (c != SYSDMA_VCHECK_COUNT)
        return sysdma__vf_refuse(v, c, a, call, where);
    if (!routine) {
        /* Synchronous, to the caller itself: it holds what it got. */
        sysdma_status st = r->inner->allocate_channel_ex(h, device, ctx, count, flags, NULL, NULL,
                                                         base);
        if (st == SYSDMA_OK) {
            sysdma__lock(sys);
            r->holding = true;
            r->holder = device;
            r->generation++;
            r->regs = base ? *base : NULL;
            r->regs_count = count;
            sysdma__unlock(sys);
        }
        return st;
    }
    t = sysdma__vf_tramp_post(v, t, &(tramp){NULL, r, device, context, routine, NULL, count,
                                             ctx, false, NULL, NULL, 0, NULL, NULL});
    if (!t)
        return SYSDMA_E_NO_MEMORY;
    sysdma_status st =
        r->inner->allocate_channel_ex(h, device, ctx, count, flags, control_tramp, t, base);
    if (st != SYSDMA_OK && st != SYSDMA_PENDING)
        sysdma__vf_tramp_unpost(v, t);
    return st;
}

static bool v_cancel_channel(sysdma_adapter *h, sysdma_transfer_context *ctx)
{
    sysdma_adapter *a = obj_of(h);
    verifier *v = V_OF(a);
    vrec *r = rec_of(h);
    (void)sysdma__vf_take_site();
    bool withdrawn = r->inner->cancel_channel(h, ctx);
    if (withdrawn) {
        sysdma__lock(a->sys);
        tramp *t = v->outstanding;
        while (t && !(t->rec == r && t->tag == ctx))
            t = t->next;
        sysdma__unlock(a->sys);
        if (t)
            sysdma__vf_tramp_unpost(v, t);
    }
    return withdrawn;
}

static sysdma_status v_free_object(sysdma_adapter *h, sysdma_allocation_action action)
{
    sysdma_adapter *a = obj_of(h);
    verifier *v = V_OF(a);
    vrec *r = rec_of(h);
    site where = sysdma__vf_take_site();
    sysdma_system *sys = a->sys;
    const char *call = "sysdma_adapter_free_object";
    sysdma__lock(sys);
    sysdma_verifier_check c = SYSDMA_VCHECK_COUNT;
    if (action < SYSDMA_KEEP_OBJECT || action > SYSDMA_DEALLOCATE_OBJECT_KEEP_REGISTERS)
        c = SYSDMA_VCHECK_BAD_ALLOCATION_ACTION;
    else if (!a->granted || held_by_other(v, r))
        c = SYSDMA_VCHECK_FREE_CHANNEL_NOT_OWNER;
    else if (action != SYSDMA_KEEP_OBJECT && r->mapped && !a->master)
        c = SYSDMA_VCHECK_FREE_CHANNEL_MAPPED;
    sysdma_map_registers *regs = r->regs;
    uint32_t count = r->regs_count;
    sysdma__unlock(sys);
    if (c != SYSDMA_VCHECK_COUNT)
        return sysdma__vf_refuse(v, c, a, call, where);
    /* The record first: once the core let go, it must not be lost. */
    kept_set *k = NULL;
    if (action == SYSDMA_DEALLOCATE_OBJECT_KEEP_REGISTERS && regs &&
        !(k = sysdma__alloc(sys, sizeof *k)))
        return SYSDMA_E_NO_MEMORY;
    sysdma_status st = r->inner->free_object(h, action);
    if (st != SYSDMA_OK || action == SYSDMA_KEEP_OBJECT) {
        sysdma__free(sys, k, sizeof *k);
        return st;
    }
    sysdma__lock(sys);
    r->holding = false;
    r->holder = NULL;
    r->generation++;
    r->regs = NULL;
    if (k) {
        *k = (kept_set){r->kept, regs, count};
        r->kept = k;
        r->kept_sets++;
    }
    sysdma__unlock(sys);
    return st;
}

static sysdma_status v_flush_ex(sysdma_adapter *h, sysdma_mdl *mdl, sysdma_map_registers *regs,
                                uint64_t offset, uint32_t length, bool to_device)
{
    sysdma_adapter *a = obj_of(h);
    verifier *v = V_OF(a);
    vrec *r = rec_of(h);
    site where = sysdma__vf_take_site();
    sysdma__lock(a->sys);
    bool pending = a->v3_pending && !a->master; /* a bus master's flush completes it */
    sysdma__unlock(a->sys);
    if (pending)
        return sysdma__vf_refuse(v, SYSDMA_VCHECK_FLUSH_BEFORE_COMPLETION, a,
                                 "sysdma_flush_adapter_buffers_ex", where);
    sysdma_verifier_site(where.file, where.line); /* for the flush it makes */
    return r->inner->flush_adapter_buffers_ex(h, mdl, regs, offset, length, to_device);
}

const sysdma_dma_operations sysdma__vf_ops = {
    .size = sizeof(sysdma_dma_operations),
    .put_adapter = v_put_adapter,
    .allocate_channel = v_allocate_channel,
    .free_channel = v_free_channel,
    .free_map_registers = v_free_map_registers,
    .map_transfer = v_map_transfer,
    .flush_adapter_buffers = v_flush,
    .read_dma_counter = v_read_counter,
    .get_dma_alignment = v_alignment,
    .allocate_common_buffer = v_allocate_common,
    .free_common_buffer = v_free_common,
    .get_scatter_gather_list = sysdma__vf_sg_get,
    .put_scatter_gather_list = sysdma__vf_sg_put,
    .calculate_scatter_gather_list = sysdma__vf_sg_calculate,
    .build_scatter_gather_list = sysdma__vf_sg_build,
    .build_mdl_from_scatter_gather_list = sysdma__vf_sg_build_mdl,
    .sg_start = sysdma__vf_sg_start,
    .sg_cancel = sysdma__vf_sg_cancel,
    .sg_progress = sysdma__vf_sg_progress,
    .allocate_channel_ex = v_allocate_ex,
    .cancel_channel = v_cancel_channel,
    .free_object = v_free_object,
    .flush_adapter_buffers_ex = v_flush_ex,
    .allocate_common_buffer_ex = v_allocate_common_ex,
};
