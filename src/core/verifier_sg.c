/* SPDX-License-Identifier: MIT */
/*
 * The verifier's scatter/gather operations (GetScatterGatherList and
 * company, and the chained runner): each list request checked and its
 * range recorded; the list's record made when its routine gets it (guard
 * bytes in its map registers, a checksum of a bounced write), checked at
 * put; runs on the controller followed so a running list is not put.
 * The table that holds them is in verifier_ops.c.
 */
#include "verifier_internal.h"
#include "sg_internal.h"

/* Fill (or check) the bytes of a list's map registers that no element
 * covers: bounced elements lie in the run in ascending order, each at its
 * part's offset inside a page, so the gaps are before, between and after
 * them. True when all of them are intact. */
static bool list_guard(const list_rec *l, const sysdma_sg_list *list, bool fill)
{
    uint64_t pos = l->run_phys, end = l->run_phys + l->run_bytes;
    bool ok = true;
    for (uint32_t e = 0; e <= list->count; e++) {
        uint64_t at = end, len = 0;
        if (e < list->count) {
            at = list->elements[e].address;
            len = list->elements[e].length;
            if (at < pos || at + len > end)
                continue; /* in place, or not in ascending order */
        }
        uint8_t *g = l->run_va + (pos - l->run_phys);
        if (fill)
            memset(g, GUARD_BYTE, (size_t)(at - pos));
        else if (!guard_intact(g, (uint32_t)(at - pos)))
            ok = false;
        pos = at + len;
    }
    return ok;
}

static void list_tramp(void *device, sysdma_sg_list *list, void *ctx)
{
    tramp *t = ctx;
    vrec *r = t->rec;
    sysdma_adapter *a = r->a;
    verifier *v = V_OF(a);
    sysdma_system *sys = a->sys;
    sysdma__lock(sys);
    list_rec *l = t->lrec; /* allocated with the request */
    t->lrec = NULL;
    unlink_outstanding(v, t);
    r->pending_lists--;
    if (l) {
        *l = (list_rec){r->lists, list, t->to_device, t->mdl, t->va, t->length, false, a, NULL, NULL,
                        NULL, 0, 0, 0};
        r->lists = l;
        r->nlists++;
    }
    const sg_header *h = valid(r->a, list);
    if (l && h && h->nregs && h->regs) {
        /* The list is ours until the routine runs: guard its registers' slack. */
        l->run_va = sysdma__regs_va(h->regs);
        l->run_phys = sysdma__regs_phys(h->regs);
        l->run_bytes = h->nregs * PAGE;
        list_guard(l, list, true);
        if (l->to_device)
            l->sum = chain_checksum(l->mdl, l->va, l->length);
    }
    sysdma_list_control_fn routine = t->list_routine;
    void *context = t->context;
    tramp_give(v, t);
    sysdma__unlock(sys);
    routine(device, list, context);
}

/* A list's range: it may run on from mdl into the MDLs chained after it. */
static sysdma_verifier_check range_check(sysdma_adapter *a, const sysdma_mdl *mdl,
                                         const uint8_t *va, uint32_t len)
{
    uint32_t w = a->limits.width;
    if (len == 0)
        return SYSDMA_VCHECK_ZERO_LENGTH;
    sysdma_verifier_check c = chain_range_check(mdl, va, len, !a->master && w > 1 ? w - 1 : 0);
    if (c != SYSDMA_VCHECK_COUNT)
        return c;
    if ((a->master && len > a->desc.maximum_length) ||
        (!a->master && !a->desc.scatter_gather && len > a->max_transfer))
        return SYSDMA_VCHECK_TOO_LONG;
    return SYSDMA_VCHECK_COUNT;
}

static sysdma_status sg_request(sysdma_adapter *h, void *device, sysdma_mdl *mdl, void *va,
                                uint32_t length, sysdma_list_control_fn routine, void *context,
                                bool to_device, void *buffer, uint32_t *buffer_size,
                                const char *call)
{
    sysdma_adapter *a = obj_of(h);
    verifier *v = V_OF(a);
    vrec *r = rec_of(h);
    site where = sysdma__vf_take_site();
    sysdma_system *sys = a->sys;
    sysdma__lock(sys);
    sysdma_verifier_check c = range_check(a, mdl, va, length);
    if (c == SYSDMA_VCHECK_COUNT && sysdma__vf_in_control())
        c = SYSDMA_VCHECK_ALLOCATE_IN_CONTROL;
    if (c == SYSDMA_VCHECK_COUNT && overlaps(v, mdl, va, length, to_device))
        c = SYSDMA_VCHECK_OVERLAPPING_MAPPING;
    tramp *t = c == SYSDMA_VCHECK_COUNT ? tramp_take(v) : NULL;
    sysdma__unlock(sys);
    if (c != SYSDMA_VCHECK_COUNT)
        return sysdma__vf_refuse(v, c, a, call, where);
    t = sysdma__vf_tramp_post(v, t, &(tramp){NULL, r, device, context, NULL, routine, 0, NULL,
                                             to_device, mdl, va, length, NULL, NULL});
    if (!t)
        return SYSDMA_E_NO_MEMORY;
    sysdma_status st =
        buffer ? r->inner->build_scatter_gather_list(h, device, mdl, va, length, list_tramp, t,
                                                     to_device, buffer, buffer_size)
               : r->inner->get_scatter_gather_list(h, device, mdl, va, length, list_tramp, t,
                                                   to_device);
    if (st != SYSDMA_OK && st != SYSDMA_PENDING)
        sysdma__vf_tramp_unpost(v, t);
    return st;
}

sysdma_status sysdma__vf_sg_get(sysdma_adapter *h, void *device, sysdma_mdl *mdl, void *va,
                                uint32_t length, sysdma_list_control_fn routine, void *context,
                                bool to_device)
{
    sysdma_adapter *a = obj_of(h);
    (void)a;
    return sg_request(h, device, mdl, va, length, routine, context, to_device, NULL, NULL,
                      "sysdma_sg_get");
}

sysdma_status sysdma__vf_sg_build(sysdma_adapter *h, void *device, sysdma_mdl *mdl, void *va,
                                  uint32_t length, sysdma_list_control_fn routine, void *context,
                                  bool to_device, void *buffer, uint32_t *buffer_size)
{
    sysdma_adapter *a = obj_of(h);
    (void)a;
    return sg_request(h, device, mdl, va, length, routine, context, to_device, buffer,
                      buffer_size, "sysdma_sg_build");
}

/* The list's record (lock held), or NULL. */
static list_rec **find_list(vrec *r, const sysdma_sg_list *list)
{
    list_rec **link = &r->lists;
    while (*link && (*link)->list != list)
        link = &(*link)->next;
    return *link ? link : NULL;
}

/* Is the list one this adapter handed out and not yet put? */
static bool known_list(vrec *r, const sysdma_sg_list *list)
{
    sysdma__lock(r->a->sys);
    bool known = find_list(r, list) != NULL;
    sysdma__unlock(r->a->sys);
    return known;
}

sysdma_status sysdma__vf_sg_put(sysdma_adapter *h, sysdma_sg_list *list, bool to_device)
{
    sysdma_adapter *a = obj_of(h);
    verifier *v = V_OF(a);
    vrec *r = rec_of(h);
    site where = sysdma__vf_take_site();
    sysdma_system *sys = a->sys;
    sysdma__lock(sys);
    list_rec **link = find_list(r, list);
    sysdma_verifier_check c = !link                        ? SYSDMA_VCHECK_LIST_PUT_UNKNOWN
                              : (*link)->to_device != to_device ? SYSDMA_VCHECK_LIST_DIRECTION
                              : (*link)->running               ? SYSDMA_VCHECK_LIST_PUT_RUNNING
                                                                : SYSDMA_VCHECK_COUNT;
    list_rec m = c == SYSDMA_VCHECK_COUNT ? **link : (list_rec){0};
    sysdma__unlock(sys);
    if (c != SYSDMA_VCHECK_COUNT)
        return sysdma__vf_refuse(v, c, a, "sysdma_sg_put", where);
    /* What can only be seen now: the device wrote around its elements in the
     * map registers; the CPU changed a bounced write's buffer meanwhile. */
    bool overrun = m.run_bytes && !list_guard(&m, list, false);
    bool touched = m.run_bytes && m.to_device && chain_checksum(m.mdl, m.va, m.length) != m.sum;
    sysdma_status st = r->inner->put_scatter_gather_list(h, list, to_device);
    if (st == SYSDMA_OK) {
        sysdma__lock(sys);
        link = find_list(r, list);
        list_rec *l = link ? *link : NULL;
        if (l) {
            *link = l->next;
            r->nlists--;
        }
        sysdma__unlock(sys);
        if (l)
            sysdma__free(sys, l, sizeof *l);
    }
    if (touched)
        sysdma__vf_report(v, SYSDMA_VCHECK_BOUNCED_WRITE_TOUCHED, a, "sysdma_sg_put", where, 0, NULL);
    if (overrun)
        sysdma__vf_report(v, SYSDMA_VCHECK_BOUNCE_GUARD, a, "sysdma_sg_put", where, 0, NULL);
    return st == SYSDMA_OK && (touched || overrun) ? SYSDMA_E_VERIFIER : st;
}

sysdma_status sysdma__vf_sg_calculate(sysdma_adapter *h, sysdma_mdl *mdl, void *va,
                                      uint32_t length, uint32_t *size, uint32_t *regs)
{
    (void)sysdma__vf_take_site();
    return rec_of(h)->inner->calculate_scatter_gather_list(h, mdl, va, length, size, regs);
}

sysdma_status sysdma__vf_sg_build_mdl(sysdma_adapter *h, sysdma_sg_list *list,
                                      const sysdma_mdl *original, sysdma_mdl **out)
{
    sysdma_adapter *a = obj_of(h);
    verifier *v = V_OF(a);
    vrec *r = rec_of(h);
    site where = sysdma__vf_take_site();
    if (!known_list(r, list))
        return sysdma__vf_refuse(v, SYSDMA_VCHECK_LIST_PUT_UNKNOWN, a, "sysdma_sg_build_mdl", where);
    return r->inner->build_mdl_from_scatter_gather_list(h, list, original, out);
}

/* A run is over: the list may be put again; then the driver's routine. */
static void v_done(sysdma_adapter *a, sysdma_sg_list *list, sysdma_status st, void *ctx)
{
    list_rec *l = ctx;
    sysdma_system *sys = l->adapter->sys; /* `a` is the driver's handle */
    sysdma__lock(sys);
    l->running = false;
    sysdma_sg_done_fn done = l->done;
    void *done_ctx = l->done_ctx;
    sysdma__unlock(sys);
    if (done)
        done(a, list, st, done_ctx);
}

sysdma_status sysdma__vf_sg_start(sysdma_adapter *h, sysdma_sg_list *list, bool to_device,
                                  sysdma_sg_done_fn done, void *context)
{
    sysdma_adapter *a = obj_of(h);
    verifier *v = V_OF(a);
    vrec *r = rec_of(h);
    site where = sysdma__vf_take_site();
    sysdma__lock(a->sys);
    list_rec **link = find_list(r, list);
    sysdma_verifier_check c = !link                        ? SYSDMA_VCHECK_LIST_PUT_UNKNOWN
                              : (*link)->to_device != to_device ? SYSDMA_VCHECK_LIST_DIRECTION
                              : (*link)->running               ? SYSDMA_VCHECK_LIST_PUT_RUNNING
                              : r->mapped                        ? SYSDMA_VCHECK_MAP_WHILE_MAPPED
                                                                 : SYSDMA_VCHECK_COUNT;
    list_rec *l = link ? *link : NULL;
    if (c == SYSDMA_VCHECK_COUNT) {
        l->running = true;
        l->done = done;
        l->done_ctx = context;
    }
    sysdma__unlock(a->sys);
    if (c != SYSDMA_VCHECK_COUNT)
        return sysdma__vf_refuse(v, c, a, "sysdma_sg_start", where);
    sysdma_status st = r->inner->sg_start(h, list, to_device, v_done, l);
    if (st != SYSDMA_OK && st != SYSDMA_PENDING) {
        sysdma__lock(a->sys);
        l->running = false;
        sysdma__unlock(a->sys);
    }
    return st;
}

sysdma_status sysdma__vf_sg_cancel(sysdma_adapter *h, sysdma_sg_list *list)
{
    sysdma_adapter *a = obj_of(h);
    verifier *v = V_OF(a);
    vrec *r = rec_of(h);
    site where = sysdma__vf_take_site();
    if (!known_list(r, list))
        return sysdma__vf_refuse(v, SYSDMA_VCHECK_LIST_PUT_UNKNOWN, a, "sysdma_sg_cancel", where);
    return r->inner->sg_cancel(h, list);
}

uint64_t sysdma__vf_sg_progress(sysdma_adapter *h, const sysdma_sg_list *list)
{
    sysdma_adapter *a = obj_of(h);
    (void)a;
    vrec *r = rec_of(h);
    return known_list(r, list) && r->inner->sg_progress ? r->inner->sg_progress(h, list) : 0;
}
