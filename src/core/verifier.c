/* SPDX-License-Identifier: MIT */
/*
 * The DMA verifier (include/sysdma/verifier.h): a decorator over adapters'
 * operations tables.
 *
 * For each adapter it wraps, a record keeps the table it replaced (the
 * inner one, which it calls) and what the driver holds as the API has told
 * it: references, the channel, its map registers and kept sets, the mapped
 * transfer, common buffers, scatter/gather lists. Each wrapped call takes
 * the platform lock, checks the call against the record, releases the lock
 * and either refuses (continue mode) or passes the call on; the record is
 * updated from the result. The core's own locking is untouched, and no
 * lock is held while a driver routine or the inner call runs.
 *
 * AdapterControl and list-control routines are called through trampolines
 * that see the grant (and the routine's answer) as it happens. The last put
 * of an adapter is kept back: the adapter stays, quarantined, with a table
 * that reports every use, until it is got again or the system is destroyed
 * — so a use after put is a report, not a read of freed memory.
 *
 * Guard bytes: after the mapped bytes in the map registers, and after a
 * common buffer's length in its last page, a pattern is written when the
 * memory is handed out and checked when it comes back.
 */
#include "verifier_internal.h"

/* ---- call sites ------------------------------------------------------------------------ */

#ifdef SYSDMA_HAVE_TLS
static _Thread_local site next_site;
static _Thread_local unsigned control_depth;
#else
static site next_site; /* one thread at a time without thread-local storage */
static unsigned control_depth;
#endif

/* Is this thread inside an AdapterControl routine? */
bool sysdma__vf_in_control(void)
{
    return control_depth != 0;
}

void sysdma__vf_control_enter(bool enter)
{
    if (enter)
        control_depth++;
    else
        control_depth--;
}

void sysdma_verifier_site(const char *file, int line)
{
    next_site.file = file;
    next_site.line = line;
}

site sysdma__vf_take_site(void)
{
    site s = next_site;
    next_site.file = NULL;
    next_site.line = 0;
    return s;
}

static const char *const check_names[] = {
#define SYSDMA_X(name, text) #name,
    SYSDMA_VERIFIER_CHECKS(SYSDMA_X)
#undef SYSDMA_X
};
static const char *const check_texts[] = {
#define SYSDMA_X(name, text) text,
    SYSDMA_VERIFIER_CHECKS(SYSDMA_X)
#undef SYSDMA_X
};

const char *sysdma_verifier_check_name(sysdma_verifier_check c)
{
    return (unsigned)c < SYSDMA_VCHECK_COUNT ? check_names[c] : "UNKNOWN";
}

static verifier *of_system(sysdma_system *sys)
{
    return sys && sys->hook_destroying ? (verifier *)sys->hook_ctx : NULL;
}

uint64_t sysdma_verifier_reports(sysdma_system *sys, sysdma_verifier_check check)
{
    verifier *v = of_system(sys);
    if (!v || (unsigned)check > SYSDMA_VCHECK_COUNT)
        return 0;
    sysdma__lock(sys);
    uint64_t n = v->counts[check];
    sysdma__unlock(sys);
    return n;
}

/* ---- reporting ------------------------------------------------------------------------- */

/* A small formatter for the default sink (no libc in the core). */
typedef struct line {
    char buf[320];
    size_t n;
} line;

static void put_s(line *l, const char *s)
{
    while (s && *s && l->n + 1 < sizeof l->buf)
        l->buf[l->n++] = *s++;
    l->buf[l->n] = 0;
}

static void put_u(line *l, uint64_t u)
{
    char tmp[24];
    int k = 0;
    do {
        tmp[k++] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    char out[24];
    for (int j = 0; j < k; j++)
        out[j] = tmp[k - 1 - j];
    out[k] = 0;
    put_s(l, out);
}

static void default_sink(verifier *v, const sysdma_verifier_report *r)
{
    const sysdma_platform *pf = &v->sys->pf;
    if (!pf->ops->log)
        return;
    line l = {{0}, 0};
    put_s(&l, "sysdma verifier: ");
    put_s(&l, r->check_name);
    put_s(&l, " in ");
    put_s(&l, r->call);
    if (r->file) {
        put_s(&l, " at ");
        put_s(&l, r->file);
        put_s(&l, ":");
        put_u(&l, (uint64_t)r->line);
    }
    if (r->channel != SYSDMA_NO_CHANNEL) {
        put_s(&l, " (channel ");
        put_u(&l, r->channel);
        put_s(&l, ")");
    }
    put_s(&l, ": ");
    put_s(&l, r->message);
    if (r->what) {
        put_s(&l, " [");
        put_u(&l, r->count);
        put_s(&l, " ");
        put_s(&l, r->what);
        put_s(&l, "]");
    }
    pf->ops->log(pf->ctx, l.buf);
}

static void deliver(verifier *v, const sysdma_verifier_report *r);

void sysdma__vf_report(verifier *v, sysdma_verifier_check c, sysdma_adapter *a, const char *call,
                   site where, uint64_t count, const char *what)
{
    sysdma_system *sys = v->sys;
    sysdma__lock(sys);
    v->counts[c]++;
    v->counts[SYSDMA_VCHECK_COUNT]++;
    sysdma__unlock(sys);
    sysdma_verifier_report r = {
        .check = c,
        .check_name = check_names[c],
        .message = check_texts[c],
        .adapter = a ? a->self : NULL,
        .channel = a ? a->channel : SYSDMA_NO_CHANNEL,
        .call = call,
        .file = where.file,
        .line = where.line,
        .count = count,
        .what = what,
    };
    deliver(v, &r);
}

static void deliver(verifier *v, const sysdma_verifier_report *r)
{
    sysdma_system *sys = v->sys;
    if (v->cfg.report)
        v->cfg.report(v->cfg.report_ctx, r);
    else
        default_sink(v, r);
    if (v->cfg.mode == SYSDMA_VERIFIER_STOP) {
        if (sys->pf.ops->halt)
            sys->pf.ops->halt(sys->pf.ctx);
        __builtin_trap();
    }
}

sysdma_status sysdma__vf_refuse(verifier *v, sysdma_verifier_check c, sysdma_adapter *a,
                            const char *call, site where)
{
    sysdma__vf_report(v, c, a, call, where, 0, NULL);
    return SYSDMA_E_VERIFIER;
}

/* What the adapter still holds, as reports; returns how many kinds. */
unsigned sysdma__vf_report_held(verifier *v, vrec *r, const char *call, site where,
                            sysdma_verifier_check c)
{
    sysdma__lock(v->sys);
    bool held_now = r->a->granted && !held_by_other(v, r);
    sysdma__unlock(v->sys);
    unsigned kinds = 0;
    struct {
        uint64_t n;
        const char *what;
    } held[] = {
        {held_now, "channel held"},
        {r->mapped, "transfer mapped and not flushed"},
        {r->kept_sets, "map register sets kept"},
        {r->ncommons, "common buffers"},
        {r->nlists + r->pending_lists, "scatter/gather lists"},
    };
    for (unsigned k = 0; k < sizeof held / sizeof held[0]; k++)
        if (held[k].n) {
            sysdma__vf_report(v, c, r->a, call, where, held[k].n, held[k].what);
            kinds++;
        }
    return kinds;
}

/* ---- switching on, hooks, teardown ----------------------------------------------------- */

/* Wrap the reference handle `h` (to adapter object `a`): calls made with
 * it go through a table of the verifier's and a record of its own. */
static sysdma_status wrap(verifier *v, sysdma_adapter *h, sysdma_adapter *a)
{
    sysdma_system *sys = v->sys;
    vrec *r = sysdma__alloc(sys, sizeof *r);
    if (!r)
        return SYSDMA_E_NO_MEMORY;
    memset(r, 0, sizeof *r);
    const sysdma_dma_operations *in = NULL;
    sysdma__lock(sys);
    if (!sysdma__resolve_ops(h, &in) || rec_of(h)) { /* put, or wrapped meanwhile */
        sysdma__unlock(sys);
        sysdma__free(sys, r, sizeof *r);
        return SYSDMA_OK;
    }
    r->handle = h;
    r->a = a;
    r->inner = in;
    /* What the adapter cannot do stays NOT_SUPPORTED (a NULL member). */
    r->ops = sysdma__vf_ops;
#define KEEP_NULL(m)      \
    if (!in->m)           \
        r->ops.m = NULL;
    KEEP_NULL(put_adapter)
    KEEP_NULL(allocate_channel)
    KEEP_NULL(free_channel)
    KEEP_NULL(free_map_registers)
    KEEP_NULL(map_transfer)
    KEEP_NULL(flush_adapter_buffers)
    KEEP_NULL(read_dma_counter)
    KEEP_NULL(get_dma_alignment)
    KEEP_NULL(allocate_common_buffer)
    KEEP_NULL(free_common_buffer)
    KEEP_NULL(get_scatter_gather_list)
    KEEP_NULL(put_scatter_gather_list)
    KEEP_NULL(calculate_scatter_gather_list)
    KEEP_NULL(build_scatter_gather_list)
    KEEP_NULL(build_mdl_from_scatter_gather_list)
    KEEP_NULL(sg_start)
    KEEP_NULL(sg_cancel)
    KEEP_NULL(sg_progress)
    KEEP_NULL(allocate_channel_ex)
    KEEP_NULL(cancel_channel)
    KEEP_NULL(free_object)
    KEEP_NULL(flush_adapter_buffers_ex)
    KEEP_NULL(allocate_common_buffer_ex)
#undef KEEP_NULL
    r->system = !a->master;
    r->next = v->recs;
    v->recs = r;
    sysdma__handle_decorate(sys, h, &r->ops, r);
    a->bounce_lead = GUARD_BYTES; /* room for guard bytes before bounced data */
    sysdma__unlock(sys);
    return SYSDMA_OK;
}

void sysdma__vf_forget(verifier *v, vrec *r)
{
    sysdma_system *sys = v->sys;
    sysdma__lock(sys);
    for (vrec **link = &v->recs; *link; link = &(*link)->next)
        if (*link == r) {
            *link = r->next;
            break;
        }
    sysdma__unlock(sys);
    while (r->kept) {
        kept_set *k = r->kept;
        r->kept = k->next;
        sysdma__free(sys, k, sizeof *k);
    }
    sysdma__free(sys, r, sizeof *r);
}

/* A get: report a bad description; wrap the new reference (when every
 * adapter is verified). A failure to wrap fails the get. */
static sysdma_status on_adapter_got(void *ctx, sysdma_adapter *h,
                                    const sysdma_device_description *d, sysdma_status st)
{
    verifier *v = ctx;
    site where = sysdma__vf_take_site();
    if (st == SYSDMA_E_UNKNOWN_VERSION || st == SYSDMA_E_INVALID_DESCRIPTION ||
        st == SYSDMA_E_INVALID_CHANNEL || st == SYSDMA_E_WIDTH_MISMATCH) {
        sysdma__vf_report(v, SYSDMA_VCHECK_INVALID_DESCRIPTION, NULL, "sysdma_adapter_get", where, 0, NULL);
        return SYSDMA_OK;
    }
    (void)d;
    if (st != SYSDMA_OK || !h || !v->cfg.all_adapters)
        return SYSDMA_OK;
    sysdma_adapter *a = sysdma__resolve(h, NULL);
    return a ? wrap(v, h, a) : SYSDMA_OK;
}

/* A call with a handle that was put (or never was one of this system's). */
static sysdma_status on_stale(void *ctx, uint32_t channel, const char *call)
{
    verifier *v = ctx;
    sysdma_system *sys = v->sys;
    sysdma__lock(sys);
    v->counts[SYSDMA_VCHECK_USE_AFTER_PUT]++;
    v->counts[SYSDMA_VCHECK_COUNT]++;
    sysdma__unlock(sys);
    site where = sysdma__vf_take_site();
    sysdma_verifier_report r = {
        .check = SYSDMA_VCHECK_USE_AFTER_PUT,
        .check_name = sysdma_verifier_check_name(SYSDMA_VCHECK_USE_AFTER_PUT),
        .message = check_texts[SYSDMA_VCHECK_USE_AFTER_PUT],
        .channel = channel,
        .call = call,
        .file = where.file,
        .line = where.line,
    };
    deliver(v, &r);
    return SYSDMA_E_VERIFIER;
}

/* A call the core refused before the handle's table saw it (the version-3
 * calls' own checks): a report, as if the verifier had refused it. */
static sysdma_status on_refused(void *ctx, sysdma_adapter *h, const char *call, sysdma_status st)
{
    verifier *v = ctx;
    vrec *r = rec_of(h);
    sysdma_verifier_check c = st == SYSDMA_E_OUT_OF_RANGE ? SYSDMA_VCHECK_OUT_OF_MDL
                              : st == SYSDMA_E_LENGTH     ? SYSDMA_VCHECK_ZERO_LENGTH
                              : st == SYSDMA_E_WRONG_STATE ? SYSDMA_VCHECK_MAP_WHILE_MAPPED
                                                           : SYSDMA_VCHECK_V3_ARGUMENTS;
    return sysdma__vf_refuse(v, c, r ? r->a : NULL, call, sysdma__vf_take_site());
}

/* Destroy refused (drivers still hold adapters): report what they hold,
 * change nothing. */
static void on_destroy_refused(void *ctx)
{
    verifier *v = ctx;
    site none = {NULL, 0};
    for (vrec *r = v->recs; r; r = r->next) {
        sysdma__vf_report(v, SYSDMA_VCHECK_LEAK, r->a, "sysdma_system_destroy", none, 1,
                          "adapter references");
        sysdma__vf_report_held(v, r, "sysdma_system_destroy", none, SYSDMA_VCHECK_LEAK);
    }
}

static void free_tramp(sysdma_system *sys, tramp *t)
{
    sysdma__free(sys, t->lrec, sizeof *t->lrec);
    sysdma__free(sys, t->kset, sizeof *t->kset);
    sysdma__free(sys, t, sizeof *t);
}

static void on_destroying(void *ctx)
{
    verifier *v = ctx;
    sysdma_system *sys = v->sys;
    site none = {NULL, 0};
    /* No reference is held any more (the core refuses to destroy while
     * one is): what is left are records to free. */
    for (unsigned ch = 0; ch < SYSDMA_MAX_CHANNELS; ch++)
        if (sys->adapters[ch])
            sys->adapters[ch]->bounce_lead = 0;
    for (sysdma_adapter *m = sys->masters; m; m = m->next_master)
        m->bounce_lead = 0;
    while (v->recs) {
        vrec *r = v->recs;
        v->recs = r->next;
        while (r->kept) {
            kept_set *k = r->kept;
            r->kept = k->next;
            sysdma__free(sys, k, sizeof *k);
        }
        while (r->commons) {
            common_rec *c = r->commons;
            r->commons = c->next;
            sysdma__free(sys, c, sizeof *c);
        }
        while (r->lists) {
            list_rec *l = r->lists;
            r->lists = l->next;
            sysdma__free(sys, l, sizeof *l);
        }
        sysdma__free(sys, r, sizeof *r);
    }
    if (v->outstanding)
        sysdma__vf_report(v, SYSDMA_VCHECK_LEAK, NULL, "sysdma_system_destroy", none, 1,
               "requests never granted");
    while (v->outstanding) {
        tramp *t = v->outstanding;
        v->outstanding = t->next;
        free_tramp(sys, t);
    }
    while (v->spare) {
        tramp *t = v->spare;
        v->spare = t->next;
        free_tramp(sys, t);
    }
    sysdma__free(sys, v, sizeof *v);
}

/* Undo a verifier_enable that could not wrap every reference: nothing was
 * checked yet, so the records only go. */
static void disable(verifier *v)
{
    sysdma_system *sys = v->sys;
    sysdma__lock(sys);
    for (vrec *r = v->recs; r; r = r->next)
        sysdma__handle_decorate(sys, r->handle, NULL, NULL);
    sys->hook_adapter_got = NULL;
    sys->hook_destroying = NULL;
    sys->hook_stale = NULL;
    sys->hook_refused = NULL;
    sys->hook_destroy_refused = NULL;
    sys->hook_ctx = NULL;
    sysdma__unlock(sys);
    on_destroying(v);
}

/* sysdma__handle_each_ref's visitor: up to 64 references not yet wrapped. */
static void collect_unwrapped(void *ctx, sysdma_adapter *h, sysdma_adapter *obj)
{
    struct {
        sysdma_adapter **hs, **os;
        unsigned n;
        verifier *v;
    } *c = ctx;
    if (c->n < 64 && !rec_of(h)) {
        c->hs[c->n] = h;
        c->os[c->n] = obj;
        c->n++;
    }
}

sysdma_status sysdma_verifier_enable(sysdma_system *sys, const sysdma_verifier_config *config)
{
    if (!sys)
        return SYSDMA_E_INVALID_ARGUMENT;
    if (sys->hook_destroying)
        return SYSDMA_E_WRONG_STATE;
    verifier *v = sysdma__alloc(sys, sizeof *v);
    if (!v)
        return SYSDMA_E_NO_MEMORY;
    memset(v, 0, sizeof *v);
    v->sys = sys;
    if (config)
        v->cfg = *config;
    else
        v->cfg.all_adapters = true;
    sys->hook_ctx = v;
    sys->hook_adapter_got = on_adapter_got;
    sys->hook_destroying = on_destroying;
    sys->hook_stale = on_stale;
    sys->hook_refused = on_refused;
    sys->hook_destroy_refused = on_destroy_refused;
    if (v->cfg.all_adapters) {
        /* References got before: wrap each (allocating, so outside the lock). */
        sysdma_adapter *hs[64];
        sysdma_adapter *os[64];
        for (;;) {
            struct {
                sysdma_adapter **hs, **os;
                unsigned n;
                verifier *v;
            } c = {hs, os, 0, v};
            sysdma__lock(sys);
            sysdma__handle_each_ref(sys, collect_unwrapped, &c);
            sysdma__unlock(sys);
            for (unsigned k = 0; k < c.n; k++)
                if (wrap(v, hs[k], os[k]) != SYSDMA_OK) {
                    disable(v); /* as it was: not verifying */
                    return SYSDMA_E_NO_MEMORY;
                }
            if (c.n < 64)
                break;
        }
    }
    return SYSDMA_OK;
}

sysdma_status sysdma_verifier_wrap(sysdma_adapter *h)
{
    sysdma_adapter *a = sysdma__resolve(h, NULL);
    if (!a)
        return SYSDMA_E_INVALID_ARGUMENT;
    verifier *v = of_system(a->sys);
    if (!v)
        return SYSDMA_E_WRONG_STATE;
    return wrap(v, h, a);
}
