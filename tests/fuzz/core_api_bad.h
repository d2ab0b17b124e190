/* SPDX-License-Identifier: MIT */
/*
 * fuzz_core_api's hostile steps (included once, by fuzz_core_api.c, after
 * core_api_harness.h): stale, doubled and forged adapter handles and stale,
 * foreign and forged list pointers handed to every call, each refused with
 * its documented status and nothing changed.
 */
#ifndef SYSDMA_FUZZ_CORE_API_BAD_H
#define SYSDMA_FUZZ_CORE_API_BAD_H

/* ---- stale, doubled and forged handles -------------------------------------------------- */

static sysdma_allocation_action never_control(void *device, sysdma_map_registers *regs, void *ctx)
{
    (void)device, (void)regs, (void)ctx;
    abort(); /* a request made with a dead handle was queued */
}

static void never_list(void *device, sysdma_sg_list *list, void *ctx)
{
    (void)device, (void)list, (void)ctx;
    abort();
}

static void never_done(sysdma_adapter *a, sysdma_sg_list *list, sysdma_status st, void *ctx)
{
    (void)a, (void)list, (void)st, (void)ctx;
    abort();
}

static void never_complete(sysdma_adapter *a, void *ctx, sysdma_status st)
{
    (void)a, (void)ctx, (void)st;
    abort();
}

static held *some_list(const slot *s)
{
    unsigned k = next8();
    for (unsigned n = 0; n < 256; n++) {
        held *h = &lists[(k + n) % 256];
        if (h->used && (!s || h->s == s))
            return h;
    }
    return NULL;
}

/* Every call with a handle that was put (or never was one): refused with
 * SYSDMA_E_INVALID_ARGUMENT — SYSDMA_E_VERIFIER and a USE_AFTER_PUT report
 * when the verifier is on and the handle names its system — 0 or false
 * from the calls that give a figure, and nothing changes. */
static void bad_handle_step(sysdma_system *sys, slot *s, sysdma_mdl *mdl, uint8_t *buf,
                            uint32_t buf_len, int trace)
{
    /* Every byte is read first, whatever the step then does: an input
     * decodes the same alone and after others (whose handles it may use). */
    unsigned kind = next8() % 5, pick = next8();
    uint32_t forged = next32();
    held *h = some_list(s);
    uint32_t off = next32() % (buf_len + 10), len = 1 + next32() % 70000, size = 4096, need, regs;
    unsigned call = next8() % 30;
    sysdma_adapter *bad = NULL;
    bool put_here = false; /* put in this system: the verifier must report it */
    if (kind == 0 && ndead) {
        bad = dead[pick % ndead];
        put_here = true;
    } else if (kind == 1 && ndead_before) {
        bad = dead_before[pick % ndead_before]; /* of a system destroyed since */
    } else if (kind == 2) {
        bad = (sysdma_adapter *)(uintptr_t)(forged & ~1u); /* not a handle at all */
    } else if (kind == 3 && s->a) {
        /* a live handle with its highest bit flipped: never issued */
        bad = (sysdma_adapter *)((uintptr_t)s->a ^ (UINTPTR_MAX ^ (UINTPTR_MAX >> 1)));
    } else if (kind == 4 && s->a && !s->master) {
        /* The adapter's own handle: live, but no reference to put. */
        sysdma_adapter *own = sysdma_system_channel_adapter(sys, sysdma_adapter_channel(s->a));
        if (!own || any_live(own))
            abort(); /* a live reference's adapter has its own handle, never a reference */
        snapshot b;
        snap(sys, &b);
        if (sysdma_adapter_put(own) != SYSDMA_E_INVALID_ARGUMENT)
            abort();
        same(sys, &b, "put of the adapter's own handle", 0);
        seen_sync();
        return;
    }
    if (!bad || any_live(bad))
        return;
    for (unsigned c = 0; c < 8; c++)
        if (bad == sysdma_system_channel_adapter(sys, c))
            return;
    static request dummy;
    static sysdma_transfer_context tctx;
    static uint64_t fake_list[8];
    sysdma_sg_list *list = h ? h->list : (sysdma_sg_list *)fake_list;
    uint8_t *va = buf ? buf + off : (uint8_t *)fake_list;
    void *cva = NULL;
    uint64_t phys = 0;
    sysdma_map_registers *base = NULL;
    sysdma_mdl *out = NULL;
    sysdma_adapter_info ai;
    sysdma_transfer_info ti;
    static uint64_t build[512];
    if (trace)
        fprintf(stderr, "  bad handle %p (kind %u), call %u\n", (void *)bad, kind, call);
    snapshot before;
    snap(sys, &before);
    seen_sync();
#ifdef FUZZ_VERIFIER
    uint64_t uap_before = sysdma_verifier_reports(sys, SYSDMA_VCHECK_USE_AFTER_PUT);
#endif
    sysdma_status st = SYSDMA_E_INVALID_ARGUMENT;
    switch (call) {
    case 0: st = sysdma_adapter_put(bad); break;
    case 1: st = sysdma_channel_allocate(bad, &dummy, 1, never_control, &dummy); break;
    case 2: st = sysdma_channel_free(bad); break;
    case 3: st = sysdma_map_registers_free(bad, s->regs, s->regs_count); break;
    case 4:
        if (!mdl)
            return;
        st = sysdma_map_transfer(bad, mdl, s->regs, va, &len, true, NULL);
        break;
    case 5:
        if (!mdl)
            return;
        st = sysdma_flush_adapter_buffers(bad, s->mapped ? s->map_mdl : mdl, s->map_regs,
                                          s->mapped ? s->map_va : va, s->mapped ? s->map_len : len,
                                          s->map_dir);
        break;
    case 6:
        if (sysdma_read_dma_counter(bad) != 0)
            abort();
        break;
    case 7: st = sysdma_common_buffer_allocate(bad, len, true, &cva, &phys); break;
    case 8: st = sysdma_common_buffer_free(bad, s->cb_len, s->cb_phys, s->cb_va, true); break;
    case 9:
        if (!mdl)
            return;
        st = sysdma_sg_get(bad, &dummy, mdl, va, len, never_list, NULL, true);
        break;
    case 10:
        if (!mdl)
            return;
        st = sysdma_sg_build(bad, &dummy, mdl, va, len, never_list, NULL, false, build, &size);
        break;
    case 11: st = sysdma_sg_put(bad, list, h ? h->dir : false); break;
    case 12: st = sysdma_sg_start(bad, list, h ? h->dir : false, never_done, NULL); break;
    case 13: st = sysdma_sg_cancel(bad, list); break;
    case 14:
        if (sysdma_sg_progress(bad, list) != 0)
            abort();
        break;
    case 15: st = sysdma_sg_calculate(bad, mdl, va, len, &need, &regs); break;
    case 16: st = sysdma_transfer_context_init(bad, &tctx); break;
    case 17:
        st = sysdma_channel_allocate_ex(bad, &dummy, &tctx, 0, next8() & 1, never_control, NULL,
                                        &base);
        break;
    case 18:
        if (sysdma_channel_cancel(bad, &tctx))
            abort();
        break;
    case 19: st = sysdma_adapter_free_object(bad, SYSDMA_DEALLOCATE_OBJECT); break;
    case 20:
        if (!mdl)
            return;
        st = sysdma_map_transfer_ex(bad, mdl, off, &len, false, s->regs, never_complete, NULL, NULL);
        break;
    case 21:
        if (!mdl)
            return;
        st = sysdma_flush_adapter_buffers_ex(bad, mdl, s->regs, off, len, false);
        break;
    case 22: st = sysdma_transfer_cancel_mapped(bad); break;
    case 23: st = sysdma_adapter_info_get(bad, &ai); break;
    case 24: st = sysdma_transfer_info_get(bad, mdl, off, len, true, &ti); break;
    case 25: st = sysdma_adapter_configure(bad, 0, NULL, 0); break;
    case 26: st = sysdma_common_buffer_allocate_ex(bad, 0, len, false, &cva, &phys); break;
    case 27:
        if (!mdl)
            return;
        st = sysdma_sg_get_ex(bad, &dummy, mdl, off, len, never_list, NULL, true, NULL, NULL);
        break;
    case 28: st = sysdma_sg_build_mdl(bad, list, mdl, &out); break;
    default: {
        sysdma_adapter_state as;
        sysdma_adapter_state_get(bad, &as);
        if (as.channel_held || as.waiting || as.mapped || as.list_running || as.lists_waiting ||
            as.map_registers || as.kept_sets || as.common_buffers)
            abort(); /* zeros for a dead handle */
        break;
    }
    }
#ifdef FUZZ_VERIFIER
    bool uap_new = sysdma_verifier_reports(sys, SYSDMA_VCHECK_USE_AFTER_PUT) != uap_before;
    bool reported = sysdma_verifier_reports(sys, SYSDMA_VCHECK_COUNT) != reports_seen;
    bool figure = call == 6 || call == 14 || call == 18 || call >= 29;
    (void)reported;
    if (figure ? put_here && call < 29 && !uap_new
               : (st == SYSDMA_E_VERIFIER ? !uap_new : st != SYSDMA_E_INVALID_ARGUMENT) ||
                     (put_here && st != SYSDMA_E_VERIFIER)) {
        fprintf(stderr, "bad handle (kind %u), call %u: %s, use-after-put reported %d\n", kind,
                call, sysdma_status_name(st), uap_new);
        abort();
    }
#else
    (void)put_here;
    if (st != SYSDMA_E_INVALID_ARGUMENT) {
        fprintf(stderr, "bad handle (kind %u), call %u: %s\n", kind, call, sysdma_status_name(st));
        abort();
    }
#endif
    if (cva || out)
        abort(); /* refused but handed out */
    same(sys, &before, "bad handle", call);
    seen_sync();
}

/* ---- stale, foreign and forged list pointers ------------------------------------------- */

/* A list put twice, another adapter's list, or a pointer that never was a
 * list: SYSDMA_E_INVALID_ARGUMENT (or a verifier report), nothing changes. */
static void bad_list_step(sysdma_system *sys, slot *s, sysdma_mdl *mdl, int trace)
{
    sysdma_sg_list *list = NULL;
    bool dir = next8() & 1;
    unsigned kind = next8() % 3;
    static uint64_t fake[64];
    if (kind == 0 && nput_lists) {
        gone *g = &put_lists[next8() % (nput_lists < 16 ? nput_lists : 16)];
        s = g->s;
        list = g->list;
        dir = next8() % 4 ? g->dir : !g->dir;
    } else if (kind == 1) {
        held *h = some_list(NULL);
        if (!h || h->s == s)
            return;
        list = h->list; /* another adapter's */
    } else {
        held *h = some_list(NULL);
        if (h && next8() & 1) {
            memcpy(fake, h->list, 8 + 16 * (h->list->count < 3 ? h->list->count : 3));
            list = (sysdma_sg_list *)fake; /* a copy of a list is not the list */
        } else {
            list = (sysdma_sg_list *)(h ? (uint8_t *)h->list + 16 : (uint8_t *)fake);
        }
    }
    if (!s->a || (list_held(list) && kind != 1))
        return;
    unsigned call = next8() % 5;
    if (trace)
        fprintf(stderr, "  bad list %p (kind %u), call %u\n", (void *)list, kind, call);
    snapshot before;
    snap(sys, &before);
    seen_sync();
    sysdma_status st = SYSDMA_E_INVALID_ARGUMENT;
    sysdma_mdl *out = NULL;
    switch (call) {
    case 0: st = seen(sysdma_sg_put(s->a, list, dir)); break;
    case 1: st = seen(sysdma_sg_start(s->a, list, dir, never_done, NULL)); break;
    case 2: st = seen(sysdma_sg_cancel(s->a, list)); break;
    case 3:
        if (sysdma_sg_progress(s->a, list) != 0)
            abort();
        break;
    default:
        if (!mdl)
            return;
        st = seen(sysdma_sg_build_mdl(s->a, list, mdl, &out));
        break;
    }
    if (st != SYSDMA_E_INVALID_ARGUMENT && st != SYSDMA_E_VERIFIER &&
        !(st == SYSDMA_E_NOT_SUPPORTED && (call == 1 || call == 2) && s->master) && /* no runner */
        !(st == SYSDMA_E_NOT_SUPPORTED && call == 4)) {
        fprintf(stderr, "bad list (kind %u), call %u: %s\n", kind, call, sysdma_status_name(st));
        abort();
    }
    if (out)
        abort();
    same(sys, &before, "bad list", call);
    seen_sync();
}

#endif /* SYSDMA_FUZZ_CORE_API_BAD_H */
