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
#include "internal.h"
#include "sysdma/verifier.h"

#define GUARD_BYTES 64u
#define GUARD_BYTE 0xA7u

/* ---- call sites ------------------------------------------------------------------------ */

typedef struct site {
    const char *file;
    int line;
} site;

#ifdef SYSDMA_HAVE_TLS
static _Thread_local site next_site;
#else
static site next_site; /* one thread at a time without thread-local storage */
#endif

void sysdma_verifier_site(const char *file, int line)
{
    next_site.file = file;
    next_site.line = line;
}

static site take_site(void)
{
    site s = next_site;
    next_site.file = NULL;
    next_site.line = 0;
    return s;
}

/* ---- records --------------------------------------------------------------------------- */

typedef struct kept_set {
    struct kept_set *next;
    sysdma_map_registers *base;
    uint32_t count;
} kept_set;

typedef struct common_rec {
    struct common_rec *next;
    void *va;
    uint64_t logical;
    uint32_t length, inner_length;
    bool cached;
} common_rec;

typedef struct list_rec {
    struct list_rec *next;
    sysdma_sg_list *list;
    bool to_device;
    const uint8_t *va;
    uint32_t length;
    bool running;                  /* started on the controller, not yet done */
    sysdma_adapter *adapter;
    sysdma_sg_done_fn done;        /* the driver's */
    void *done_ctx;
} list_rec;

typedef struct vrec vrec;

/* One request through a trampoline (AdapterControl or list control). */
typedef struct tramp {
    struct tramp *next;            /* outstanding, or spare */
    vrec *rec;
    void *device, *context;
    sysdma_adapter_control_fn routine;
    sysdma_list_control_fn list_routine;
    uint32_t count;
    bool to_device;
    const uint8_t *va;
    uint32_t length;
} tramp;

struct vrec {
    vrec *next;
    sysdma_adapter *a;
    const sysdma_dma_operations *inner;
    uint32_t refs;                 /* the driver's references, as the verifier counts */
    bool dead;                     /* last put done: quarantined */
    bool system;                   /* a system adapter (channel), not a bus master */
    /* channel */
    bool holding;                  /* granted and not released */
    void *holder;                  /* ...by this device */
    uint32_t generation;           /* bumps on every grant and release */
    bool in_control;               /* its AdapterControl routine is running */
    bool regs_freed_in_control;
    sysdma_map_registers *regs;    /* held with the channel */
    uint32_t regs_count;
    kept_set *kept;
    uint32_t kept_sets;
    /* the mapped transfer */
    bool mapped;
    sysdma_mdl *map_mdl;
    const uint8_t *map_va;
    uint32_t map_len;
    bool map_to_device;
    sysdma_map_registers *map_regs;
    bool map_bounced;
    uint64_t map_sum;              /* bounced write: checksum of the buffer at map */
    uint8_t *guard;                /* bounced: guard bytes after the mapped bytes */
    uint32_t guard_len;
    common_rec *commons;
    uint32_t ncommons;
    list_rec *lists;
    uint32_t nlists;
    uint32_t pending_lists;        /* list requests not yet handed to their routine */
};

struct sysdma_verifier {
    sysdma_system *sys;
    sysdma_verifier_config cfg;
    vrec *recs;
    tramp *outstanding;            /* requests whose routine has not run yet */
    tramp *spare;
    uint64_t counts[SYSDMA_VCHECK_COUNT + 1];
};
typedef struct sysdma_verifier verifier;

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

/* Report (lock not held). */
static void report(verifier *v, sysdma_verifier_check c, sysdma_adapter *a, const char *call,
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
        .adapter = a,
        .channel = a ? a->channel : SYSDMA_NO_CHANNEL,
        .call = call,
        .file = where.file,
        .line = where.line,
        .count = count,
        .what = what,
    };
    if (v->cfg.report)
        v->cfg.report(v->cfg.report_ctx, &r);
    else
        default_sink(v, &r);
    if (v->cfg.mode == SYSDMA_VERIFIER_STOP) {
        if (sys->pf.ops->halt)
            sys->pf.ops->halt(sys->pf.ctx);
        __builtin_trap();
    }
}

/* ---- helpers --------------------------------------------------------------------------- */

static vrec *rec_of(sysdma_adapter *a)
{
    return a->decoration;
}

static tramp *tramp_take(verifier *v)
{
    tramp *t = v->spare;
    if (t) {
        v->spare = t->next;
        return t;
    }
    return NULL;
}

static void tramp_give(verifier *v, tramp *t)
{
    t->next = v->spare;
    v->spare = t;
}

static void unlink_outstanding(verifier *v, tramp *t)
{
    tramp **link = &v->outstanding;
    while (*link && *link != t)
        link = &(*link)->next;
    if (*link)
        *link = t->next;
}

static bool in_mdl(const sysdma_mdl *m, const uint8_t *va, uint32_t len)
{
    const uint8_t *lo = sysdma_mdl_virtual_address(m);
    return va >= lo && va < lo + m->byte_count && len <= (size_t)(lo + m->byte_count - va);
}

static uint64_t checksum(const uint8_t *p, uint32_t n)
{
    uint64_t h = 1469598103934665603ull;
    for (uint32_t k = 0; k < n; k++)
        h = (h ^ p[k]) * 1099511628211ull;
    return h;
}

static bool guard_intact(const uint8_t *g, uint32_t n)
{
    for (uint32_t k = 0; k < n; k++)
        if (g[k] != GUARD_BYTE)
            return false;
    return true;
}

/* Does [va, va + len) overlap a live mapping or list of any verified
 * adapter, where one of the two moves data into memory? (lock held) */
static bool overlaps(verifier *v, const uint8_t *va, uint32_t len, bool to_device)
{
    for (vrec *r = v->recs; r; r = r->next) {
        if (r->mapped && (!to_device || !r->map_to_device) && va < r->map_va + r->map_len &&
            r->map_va < va + len)
            return true;
        for (list_rec *l = r->lists; l; l = l->next)
            if ((!to_device || !l->to_device) && va < l->va + l->length && l->va < va + len)
                return true;
    }
    return false;
}

/* ---- the verifying table --------------------------------------------------------------- */

static const sysdma_dma_operations verify_ops;
static const sysdma_dma_operations dead_ops;

#define V_OF(a) ((verifier *)(a)->sys->hook_ctx)

static sysdma_status refuse(verifier *v, sysdma_verifier_check c, sysdma_adapter *a,
                            const char *call, site where)
{
    report(v, c, a, call, where, 0, NULL);
    return SYSDMA_E_VERIFIER;
}

/* What the adapter still holds, as reports; returns how many kinds. */
static unsigned report_held(verifier *v, vrec *r, const char *call, site where,
                            sysdma_verifier_check c)
{
    unsigned kinds = 0;
    struct {
        uint64_t n;
        const char *what;
    } held[] = {
        {r->holding, "channel held"},
        {r->mapped, "transfer mapped and not flushed"},
        {r->kept_sets, "map register sets kept"},
        {r->ncommons, "common buffers"},
        {r->nlists + r->pending_lists, "scatter/gather lists"},
    };
    for (unsigned k = 0; k < sizeof held / sizeof held[0]; k++)
        if (held[k].n) {
            report(v, c, r->a, call, where, held[k].n, held[k].what);
            kinds++;
        }
    return kinds;
}

static sysdma_status v_put_adapter(sysdma_adapter *a)
{
    verifier *v = V_OF(a);
    vrec *r = rec_of(a);
    site where = take_site();
    sysdma_system *sys = a->sys;
    sysdma__lock(sys);
    bool last = r->refs == 1;
    uint32_t queued = a->queued;
    sysdma__unlock(sys);
    if (last) {
        unsigned kinds = report_held(v, r, "sysdma_adapter_put", where,
                                     SYSDMA_VCHECK_PUT_WITH_RESOURCES);
        if (!kinds && queued) {
            report(v, SYSDMA_VCHECK_PUT_WITH_RESOURCES, a, "sysdma_adapter_put", where, queued,
                   "channel requests waiting");
            kinds++;
        }
        if (kinds)
            return SYSDMA_E_VERIFIER;
        /* Keep the adapter, quarantined, so later uses are reports. */
        sysdma__lock(sys);
        r->refs = 0;
        r->dead = true;
        a->ops = &dead_ops;
        sysdma__unlock(sys);
        return SYSDMA_OK;
    }
    sysdma_status st = r->inner->put_adapter(a);
    if (st == SYSDMA_OK) {
        sysdma__lock(sys);
        r->refs--;
        sysdma__unlock(sys);
    }
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
    tramp_give(v, t);
    sysdma__unlock(sys);

    sysdma_allocation_action act = routine(device, regs, context);

    sysdma__lock(sys);
    bool bad = act < SYSDMA_KEEP_OBJECT || act > SYSDMA_DEALLOCATE_OBJECT_KEEP_REGISTERS;
    bool ours = r->generation == gen; /* not freed meanwhile */
    if (ours)
        r->in_control = false;
    if (!bad && ours && act != SYSDMA_KEEP_OBJECT && r->mapped && r->system)
        bad = true; /* the core keeps the channel; the driver thinks it let go */
    if (ours && !bad && act != SYSDMA_KEEP_OBJECT) {
        r->holding = false;
        r->generation++;
    }
    bool keep_set = ours && !bad && act == SYSDMA_DEALLOCATE_OBJECT_KEEP_REGISTERS && regs &&
                    !r->regs_freed_in_control;
    if (ours && !bad && act != SYSDMA_KEEP_OBJECT)
        r->regs = NULL;
    sysdma__unlock(sys);
    if (keep_set) {
        kept_set *k = sysdma__alloc(sys, sizeof *k);
        sysdma__lock(sys);
        if (k) {
            *k = (kept_set){r->kept, regs, count};
            r->kept = k;
            r->kept_sets++;
        }
        sysdma__unlock(sys);
    }
    if (bad)
        report(v, SYSDMA_VCHECK_BAD_ALLOCATION_ACTION, a, "AdapterControl", (site){NULL, 0}, 0,
               NULL);
    return act;
}

static sysdma_status v_allocate_channel(sysdma_adapter *a, void *device, uint32_t count,
                                        sysdma_adapter_control_fn routine, void *context)
{
    verifier *v = V_OF(a);
    vrec *r = rec_of(a);
    site where = take_site();
    sysdma_system *sys = a->sys;
    const char *call = "sysdma_channel_allocate";
    if (!routine)
        return r->inner->allocate_channel(a, device, count, routine, context);
    if (count > a->max_map_registers)
        return refuse(v, SYSDMA_VCHECK_TOO_MANY_MAP_REGISTERS, a, call, where);
    sysdma__lock(sys);
    sysdma_verifier_check c = SYSDMA_VCHECK_COUNT;
    if (r->in_control)
        c = SYSDMA_VCHECK_ALLOCATE_IN_CONTROL;
    else if (device && r->holding && r->holder == device)
        c = SYSDMA_VCHECK_ALLOCATE_OUTSTANDING;
    for (tramp *t = v->outstanding; t && c == SYSDMA_VCHECK_COUNT && device; t = t->next)
        if (t->device == device && t->rec == r && t->routine)
            c = SYSDMA_VCHECK_ALLOCATE_OUTSTANDING;
    tramp *t = c == SYSDMA_VCHECK_COUNT ? tramp_take(v) : NULL;
    sysdma__unlock(sys);
    if (c != SYSDMA_VCHECK_COUNT)
        return refuse(v, c, a, call, where);
    if (!t) {
        t = sysdma__alloc(sys, sizeof *t);
        if (!t)
            return SYSDMA_E_NO_MEMORY;
    }
    *t = (tramp){NULL, r, device, context, routine, NULL, count, false, NULL, 0};
    sysdma__lock(sys);
    t->next = v->outstanding;
    v->outstanding = t;
    sysdma__unlock(sys);
    sysdma_status st = r->inner->allocate_channel(a, device, count, control_tramp, t);
    if (st != SYSDMA_OK && st != SYSDMA_PENDING) {
        sysdma__lock(sys);
        unlink_outstanding(v, t);
        tramp_give(v, t);
        sysdma__unlock(sys);
    }
    return st;
}

static sysdma_status v_free_channel(sysdma_adapter *a)
{
    verifier *v = V_OF(a);
    vrec *r = rec_of(a);
    site where = take_site();
    sysdma_system *sys = a->sys;
    sysdma__lock(sys);
    sysdma_verifier_check c = !r->holding  ? SYSDMA_VCHECK_FREE_CHANNEL_NOT_OWNER
                              : r->mapped ? SYSDMA_VCHECK_FREE_CHANNEL_MAPPED
                                          : SYSDMA_VCHECK_COUNT;
    sysdma__unlock(sys);
    if (c != SYSDMA_VCHECK_COUNT)
        return refuse(v, c, a, "sysdma_channel_free", where);
    sysdma__lock(sys);
    r->holding = false;
    r->generation++;
    r->in_control = false;
    r->regs = NULL;
    sysdma__unlock(sys);
    return r->inner->free_channel(a);
}

static sysdma_status v_free_map_registers(sysdma_adapter *a, sysdma_map_registers *base,
                                          uint32_t count)
{
    verifier *v = V_OF(a);
    vrec *r = rec_of(a);
    site where = take_site();
    sysdma_system *sys = a->sys;
    sysdma__lock(sys);
    sysdma_verifier_check c = SYSDMA_VCHECK_FREE_REGISTERS_NOT_HELD;
    kept_set **link = &r->kept, *found = NULL;
    while (*link && (*link)->base != base)
        link = &(*link)->next;
    if (*link && (*link)->count == count) {
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
        return refuse(v, c, a, "sysdma_map_registers_free", where);
    return r->inner->free_map_registers(a, base, count);
}

static sysdma_status v_map_transfer(sysdma_adapter *a, sysdma_mdl *mdl,
                                    sysdma_map_registers *regs, void *current_va,
                                    uint32_t *length, bool to_device, uint64_t *logical)
{
    verifier *v = V_OF(a);
    vrec *r = rec_of(a);
    site where = take_site();
    sysdma_system *sys = a->sys;
    const uint8_t *va = current_va;
    uint32_t len = *length;
    uint32_t w = a->limits.width;
    sysdma__lock(sys);
    sysdma_verifier_check c = SYSDMA_VCHECK_COUNT;
    if (!r->holding)
        c = SYSDMA_VCHECK_MAP_WITHOUT_CHANNEL;
    else if (regs && regs != r->regs)
        c = SYSDMA_VCHECK_MAP_STALE_REGISTERS;
    else if (r->mapped || a->run_head)
        c = SYSDMA_VCHECK_MAP_WHILE_MAPPED;
    else if (len == 0)
        c = SYSDMA_VCHECK_ZERO_LENGTH;
    else if (!in_mdl(mdl, va, len))
        c = SYSDMA_VCHECK_OUT_OF_MDL;
    else if (!a->master && w > 1 && ((len | (uint32_t)sysdma__phys_at(mdl, va)) & (w - 1)))
        c = SYSDMA_VCHECK_ODD_16BIT;
    else if (len > a->max_transfer)
        c = SYSDMA_VCHECK_TOO_LONG;
    else if (overlaps(v, va, len, to_device))
        c = SYSDMA_VCHECK_OVERLAPPING_MAPPING;
    sysdma__unlock(sys);
    if (c == SYSDMA_VCHECK_COUNT && !(a->master && a->desc.scatter_gather)) {
        uint64_t phys;
        if (!sysdma__direct(a, mdl, va, len, &phys) &&
            (!regs || len > regs->count * PAGE))
            c = SYSDMA_VCHECK_TOO_LONG; /* must bounce, and the registers cannot take it */
    }
    if (c != SYSDMA_VCHECK_COUNT)
        return refuse(v, c, a, "sysdma_map_transfer", where);
    uint64_t lg = 0;
    sysdma_status st = r->inner->map_transfer(a, mdl, regs, current_va, length, to_device, &lg);
    if (st != SYSDMA_OK)
        return st;
    if (logical)
        *logical = lg;
    len = *length;
    bool bounced = lg != sysdma__phys_at(mdl, va);
    uint8_t *guard = NULL;
    uint32_t guard_len = 0;
    uint64_t sum = 0;
    if (bounced && regs) {
        uint32_t room = regs->count * PAGE - len;
        guard_len = room < GUARD_BYTES ? room : GUARD_BYTES;
        guard = sysdma__regs_va(regs) + len;
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
    sysdma__unlock(sys);
    return SYSDMA_OK;
}

static sysdma_status v_flush(sysdma_adapter *a, sysdma_mdl *mdl, sysdma_map_registers *regs,
                             void *current_va, uint32_t length, bool to_device)
{
    verifier *v = V_OF(a);
    vrec *r = rec_of(a);
    site where = take_site();
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
    vrec m = *r;
    sysdma__unlock(sys);
    if (c != SYSDMA_VCHECK_COUNT)
        return refuse(v, c, a, call, where);
    bool touched = m.map_bounced && m.map_to_device && checksum(m.map_va, m.map_len) != m.map_sum;
    bool overrun = m.guard && !guard_intact(m.guard, m.guard_len);
    sysdma_status st = r->inner->flush_adapter_buffers(a, mdl, regs, current_va, length, to_device);
    if (st == SYSDMA_OK) {
        sysdma__lock(sys);
        r->mapped = false;
        r->guard = NULL;
        sysdma__unlock(sys);
    }
    if (touched)
        report(v, SYSDMA_VCHECK_BOUNCED_WRITE_TOUCHED, a, call, where, 0, NULL);
    if (overrun)
        report(v, SYSDMA_VCHECK_BOUNCE_GUARD, a, call, where, 0, NULL);
    return st == SYSDMA_OK && (touched || overrun) ? SYSDMA_E_VERIFIER : st;
}

static uint32_t v_read_counter(sysdma_adapter *a)
{
    vrec *r = rec_of(a);
    return r->inner->read_dma_counter ? r->inner->read_dma_counter(a) : 0;
}

static uint32_t v_alignment(sysdma_adapter *a)
{
    vrec *r = rec_of(a);
    return r->inner->get_dma_alignment ? r->inner->get_dma_alignment(a) : 1;
}

static sysdma_status v_allocate_common(sysdma_adapter *a, uint32_t length, bool cached,
                                       void **va, uint64_t *logical)
{
    vrec *r = rec_of(a);
    sysdma_system *sys = a->sys;
    (void)take_site();
    /* Room for guard bytes: the slack of the last page, or a little more
     * when the length fills its pages and the window allows. */
    uint32_t inner = length;
    uint32_t window = a->master ? 0 : a->limits.boundary ? a->limits.boundary : a->max_transfer;
    if (length && (length % PAGE == 0 || PAGE - length % PAGE < GUARD_BYTES) &&
        (!window || length + GUARD_BYTES <= window) && length <= 0x80000000u - GUARD_BYTES)
        inner = length + GUARD_BYTES;
    common_rec *c = sysdma__alloc(sys, sizeof *c);
    if (!c)
        return SYSDMA_E_NO_MEMORY;
    sysdma_status st = r->inner->allocate_common_buffer(a, inner, cached, va, logical);
    if (st != SYSDMA_OK) {
        sysdma__free(sys, c, sizeof *c);
        return st;
    }
    uint32_t bytes = (inner + PAGE - 1) & ~(PAGE - 1);
    uint32_t slack = bytes - length;
    memset((uint8_t *)*va + length, GUARD_BYTE, slack < GUARD_BYTES ? slack : GUARD_BYTES);
    *c = (common_rec){NULL, *va, *logical, length, inner, cached};
    sysdma__lock(sys);
    c->next = r->commons;
    r->commons = c;
    r->ncommons++;
    sysdma__unlock(sys);
    return SYSDMA_OK;
}

static bool common_guard_ok(const common_rec *c)
{
    uint32_t bytes = (c->inner_length + PAGE - 1) & ~(PAGE - 1);
    uint32_t slack = bytes - c->length;
    return guard_intact((const uint8_t *)c->va + c->length, slack < GUARD_BYTES ? slack : GUARD_BYTES);
}

static sysdma_status v_free_common(sysdma_adapter *a, uint32_t length, uint64_t logical, void *va,
                                   bool cached)
{
    verifier *v = V_OF(a);
    vrec *r = rec_of(a);
    site where = take_site();
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
        return refuse(v, SYSDMA_VCHECK_COMMON_BAD_FREE, a, call, where);
    bool guard = common_guard_ok(c);
    sysdma_status st = r->inner->free_common_buffer(a, c->inner_length, logical, va, cached);
    sysdma__free(sys, c, sizeof *c);
    if (!guard) {
        report(v, SYSDMA_VCHECK_COMMON_GUARD, a, call, where, 0, NULL);
        return st == SYSDMA_OK ? SYSDMA_E_VERIFIER : st;
    }
    return st;
}

/* ---- scatter/gather -------------------------------------------------------------------- */

static void list_tramp(void *device, sysdma_sg_list *list, void *ctx)
{
    tramp *t = ctx;
    vrec *r = t->rec;
    sysdma_adapter *a = r->a;
    verifier *v = V_OF(a);
    sysdma_system *sys = a->sys;
    list_rec *l = sysdma__alloc(sys, sizeof *l);
    sysdma__lock(sys);
    unlink_outstanding(v, t);
    r->pending_lists--;
    if (l) {
        *l = (list_rec){r->lists, list, t->to_device, t->va, t->length, false, a, NULL, NULL};
        r->lists = l;
        r->nlists++;
    }
    sysdma_list_control_fn routine = t->list_routine;
    void *context = t->context;
    tramp_give(v, t);
    sysdma__unlock(sys);
    routine(device, list, context);
}

static sysdma_verifier_check range_check(sysdma_adapter *a, const sysdma_mdl *mdl,
                                         const uint8_t *va, uint32_t len)
{
    uint32_t w = a->limits.width;
    if (len == 0)
        return SYSDMA_VCHECK_ZERO_LENGTH;
    if (!in_mdl(mdl, va, len))
        return SYSDMA_VCHECK_OUT_OF_MDL;
    if (!a->master && w > 1 && ((len | (uintptr_t)va) & (w - 1)))
        return SYSDMA_VCHECK_ODD_16BIT;
    if ((a->master && len > a->desc.maximum_length) ||
        (!a->master && !a->desc.scatter_gather && len > a->max_transfer))
        return SYSDMA_VCHECK_TOO_LONG;
    return SYSDMA_VCHECK_COUNT;
}

static sysdma_status sg_request(sysdma_adapter *a, void *device, sysdma_mdl *mdl, void *va,
                                uint32_t length, sysdma_list_control_fn routine, void *context,
                                bool to_device, void *buffer, uint32_t *buffer_size,
                                const char *call)
{
    verifier *v = V_OF(a);
    vrec *r = rec_of(a);
    site where = take_site();
    sysdma_system *sys = a->sys;
    sysdma__lock(sys);
    sysdma_verifier_check c = range_check(a, mdl, va, length);
    if (c == SYSDMA_VCHECK_COUNT && r->in_control)
        c = SYSDMA_VCHECK_ALLOCATE_IN_CONTROL;
    if (c == SYSDMA_VCHECK_COUNT && overlaps(v, va, length, to_device))
        c = SYSDMA_VCHECK_OVERLAPPING_MAPPING;
    tramp *t = c == SYSDMA_VCHECK_COUNT ? tramp_take(v) : NULL;
    sysdma__unlock(sys);
    if (c != SYSDMA_VCHECK_COUNT)
        return refuse(v, c, a, call, where);
    if (!t) {
        t = sysdma__alloc(sys, sizeof *t);
        if (!t)
            return SYSDMA_E_NO_MEMORY;
    }
    *t = (tramp){NULL, r, device, context, NULL, routine, 0, to_device, va, length};
    sysdma__lock(sys);
    t->next = v->outstanding;
    v->outstanding = t;
    r->pending_lists++;
    sysdma__unlock(sys);
    sysdma_status st =
        buffer ? r->inner->build_scatter_gather_list(a, device, mdl, va, length, list_tramp, t,
                                                     to_device, buffer, buffer_size)
               : r->inner->get_scatter_gather_list(a, device, mdl, va, length, list_tramp, t,
                                                   to_device);
    if (st != SYSDMA_OK && st != SYSDMA_PENDING) {
        sysdma__lock(sys);
        unlink_outstanding(v, t);
        r->pending_lists--;
        tramp_give(v, t);
        sysdma__unlock(sys);
    }
    return st;
}

static sysdma_status v_sg_get(sysdma_adapter *a, void *device, sysdma_mdl *mdl, void *va,
                              uint32_t length, sysdma_list_control_fn routine, void *context,
                              bool to_device)
{
    return sg_request(a, device, mdl, va, length, routine, context, to_device, NULL, NULL,
                      "sysdma_sg_get");
}

static sysdma_status v_sg_build(sysdma_adapter *a, void *device, sysdma_mdl *mdl, void *va,
                                uint32_t length, sysdma_list_control_fn routine, void *context,
                                bool to_device, void *buffer, uint32_t *buffer_size)
{
    return sg_request(a, device, mdl, va, length, routine, context, to_device, buffer,
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

static sysdma_status v_sg_put(sysdma_adapter *a, sysdma_sg_list *list, bool to_device)
{
    verifier *v = V_OF(a);
    vrec *r = rec_of(a);
    site where = take_site();
    sysdma_system *sys = a->sys;
    sysdma__lock(sys);
    list_rec **link = find_list(r, list);
    sysdma_verifier_check c = !link                        ? SYSDMA_VCHECK_LIST_PUT_UNKNOWN
                              : (*link)->to_device != to_device ? SYSDMA_VCHECK_LIST_DIRECTION
                              : (*link)->running               ? SYSDMA_VCHECK_LIST_PUT_RUNNING
                                                                : SYSDMA_VCHECK_COUNT;
    sysdma__unlock(sys);
    if (c != SYSDMA_VCHECK_COUNT)
        return refuse(v, c, a, "sysdma_sg_put", where);
    sysdma_status st = r->inner->put_scatter_gather_list(a, list, to_device);
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
    return st;
}

static sysdma_status v_sg_calculate(sysdma_adapter *a, sysdma_mdl *mdl, void *va, uint32_t length,
                                    uint32_t *size, uint32_t *regs)
{
    (void)take_site();
    return rec_of(a)->inner->calculate_scatter_gather_list(a, mdl, va, length, size, regs);
}

static sysdma_status v_sg_build_mdl(sysdma_adapter *a, sysdma_sg_list *list,
                                    const sysdma_mdl *original, sysdma_mdl **out)
{
    verifier *v = V_OF(a);
    vrec *r = rec_of(a);
    site where = take_site();
    sysdma__lock(a->sys);
    bool known = find_list(r, list) != NULL;
    sysdma__unlock(a->sys);
    if (!known)
        return refuse(v, SYSDMA_VCHECK_LIST_PUT_UNKNOWN, a, "sysdma_sg_build_mdl", where);
    return r->inner->build_mdl_from_scatter_gather_list(a, list, original, out);
}

/* A run is over: the list may be put again; then the driver's routine. */
static void v_done(sysdma_adapter *a, sysdma_sg_list *list, sysdma_status st, void *ctx)
{
    list_rec *l = ctx;
    sysdma__lock(a->sys);
    l->running = false;
    sysdma_sg_done_fn done = l->done;
    void *done_ctx = l->done_ctx;
    sysdma__unlock(a->sys);
    if (done)
        done(a, list, st, done_ctx);
}

static sysdma_status v_sg_start(sysdma_adapter *a, sysdma_sg_list *list, bool to_device,
                                sysdma_sg_done_fn done, void *context)
{
    verifier *v = V_OF(a);
    vrec *r = rec_of(a);
    site where = take_site();
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
        return refuse(v, c, a, "sysdma_sg_start", where);
    sysdma_status st = r->inner->sg_start(a, list, to_device, v_done, l);
    if (st != SYSDMA_OK && st != SYSDMA_PENDING) {
        sysdma__lock(a->sys);
        l->running = false;
        sysdma__unlock(a->sys);
    }
    return st;
}

static sysdma_status v_sg_cancel(sysdma_adapter *a, sysdma_sg_list *list)
{
    verifier *v = V_OF(a);
    vrec *r = rec_of(a);
    site where = take_site();
    sysdma__lock(a->sys);
    bool known = find_list(r, list) != NULL;
    sysdma__unlock(a->sys);
    if (!known)
        return refuse(v, SYSDMA_VCHECK_LIST_PUT_UNKNOWN, a, "sysdma_sg_cancel", where);
    return r->inner->sg_cancel(a, list);
}

static uint64_t v_sg_progress(sysdma_adapter *a, const sysdma_sg_list *list)
{
    vrec *r = rec_of(a);
    sysdma__lock(a->sys);
    bool known = find_list(r, list) != NULL;
    sysdma__unlock(a->sys);
    return known && r->inner->sg_progress ? r->inner->sg_progress(a, list) : 0;
}

static const sysdma_dma_operations verify_ops = {
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
    .get_scatter_gather_list = v_sg_get,
    .put_scatter_gather_list = v_sg_put,
    .calculate_scatter_gather_list = v_sg_calculate,
    .build_scatter_gather_list = v_sg_build,
    .build_mdl_from_scatter_gather_list = v_sg_build_mdl,
    .sg_start = v_sg_start,
    .sg_cancel = v_sg_cancel,
    .sg_progress = v_sg_progress,
};

/* ---- the quarantine: every use of a put adapter is a report ----------------------------- */

static sysdma_status dead(sysdma_adapter *a, const char *call)
{
    return refuse(V_OF(a), SYSDMA_VCHECK_USE_AFTER_PUT, a, call, take_site());
}
static sysdma_status d_put(sysdma_adapter *a) { return dead(a, "sysdma_adapter_put"); }
static sysdma_status d_alloc(sysdma_adapter *a, void *d, uint32_t n, sysdma_adapter_control_fn f,
                             void *c)
{
    (void)d, (void)n, (void)f, (void)c;
    return dead(a, "sysdma_channel_allocate");
}
static sysdma_status d_free(sysdma_adapter *a) { return dead(a, "sysdma_channel_free"); }
static sysdma_status d_free_regs(sysdma_adapter *a, sysdma_map_registers *b, uint32_t n)
{
    (void)b, (void)n;
    return dead(a, "sysdma_map_registers_free");
}
static sysdma_status d_map(sysdma_adapter *a, sysdma_mdl *m, sysdma_map_registers *r, void *va,
                           uint32_t *len, bool dir, uint64_t *lg)
{
    (void)m, (void)r, (void)va, (void)len, (void)dir, (void)lg;
    return dead(a, "sysdma_map_transfer");
}
static sysdma_status d_flush(sysdma_adapter *a, sysdma_mdl *m, sysdma_map_registers *r, void *va,
                             uint32_t len, bool dir)
{
    (void)m, (void)r, (void)va, (void)len, (void)dir;
    return dead(a, "sysdma_flush_adapter_buffers");
}
static uint32_t d_counter(sysdma_adapter *a)
{
    (void)dead(a, "sysdma_read_dma_counter");
    return 0;
}
static uint32_t d_alignment(sysdma_adapter *a)
{
    (void)dead(a, "sysdma_get_dma_alignment");
    return 1;
}
static sysdma_status d_common(sysdma_adapter *a, uint32_t len, bool c, void **va, uint64_t *lg)
{
    (void)len, (void)c, (void)va, (void)lg;
    return dead(a, "sysdma_common_buffer_allocate");
}
static sysdma_status d_common_free(sysdma_adapter *a, uint32_t len, uint64_t lg, void *va, bool c)
{
    (void)len, (void)lg, (void)va, (void)c;
    return dead(a, "sysdma_common_buffer_free");
}
static sysdma_status d_sg_get(sysdma_adapter *a, void *d, sysdma_mdl *m, void *va, uint32_t len,
                              sysdma_list_control_fn f, void *c, bool dir)
{
    (void)d, (void)m, (void)va, (void)len, (void)f, (void)c, (void)dir;
    return dead(a, "sysdma_sg_get");
}
static sysdma_status d_sg_put(sysdma_adapter *a, sysdma_sg_list *l, bool dir)
{
    (void)l, (void)dir;
    return dead(a, "sysdma_sg_put");
}
static sysdma_status d_sg_calc(sysdma_adapter *a, sysdma_mdl *m, void *va, uint32_t len,
                               uint32_t *s, uint32_t *n)
{
    (void)m, (void)va, (void)len, (void)s, (void)n;
    return dead(a, "sysdma_sg_calculate");
}
static sysdma_status d_sg_build(sysdma_adapter *a, void *d, sysdma_mdl *m, void *va, uint32_t len,
                                sysdma_list_control_fn f, void *c, bool dir, void *b, uint32_t *s)
{
    (void)d, (void)m, (void)va, (void)len, (void)f, (void)c, (void)dir, (void)b, (void)s;
    return dead(a, "sysdma_sg_build");
}
static sysdma_status d_sg_mdl(sysdma_adapter *a, sysdma_sg_list *l, const sysdma_mdl *m,
                              sysdma_mdl **o)
{
    (void)l, (void)m, (void)o;
    return dead(a, "sysdma_sg_build_mdl");
}
static sysdma_status d_sg_start(sysdma_adapter *a, sysdma_sg_list *l, bool dir, sysdma_sg_done_fn f,
                                void *c)
{
    (void)l, (void)dir, (void)f, (void)c;
    return dead(a, "sysdma_sg_start");
}
static sysdma_status d_sg_cancel(sysdma_adapter *a, sysdma_sg_list *l)
{
    (void)l;
    return dead(a, "sysdma_sg_cancel");
}
static uint64_t d_sg_progress(sysdma_adapter *a, const sysdma_sg_list *l)
{
    (void)l;
    (void)dead(a, "sysdma_sg_progress");
    return 0;
}

static const sysdma_dma_operations dead_ops = {
    .size = sizeof(sysdma_dma_operations),
    .put_adapter = d_put,
    .allocate_channel = d_alloc,
    .free_channel = d_free,
    .free_map_registers = d_free_regs,
    .map_transfer = d_map,
    .flush_adapter_buffers = d_flush,
    .read_dma_counter = d_counter,
    .get_dma_alignment = d_alignment,
    .allocate_common_buffer = d_common,
    .free_common_buffer = d_common_free,
    .get_scatter_gather_list = d_sg_get,
    .put_scatter_gather_list = d_sg_put,
    .calculate_scatter_gather_list = d_sg_calc,
    .build_scatter_gather_list = d_sg_build,
    .build_mdl_from_scatter_gather_list = d_sg_mdl,
    .sg_start = d_sg_start,
    .sg_cancel = d_sg_cancel,
    .sg_progress = d_sg_progress,
};

/* ---- switching on, hooks, teardown ----------------------------------------------------- */

/* Wrap `a` (it has `refs` references). */
static sysdma_status wrap(verifier *v, sysdma_adapter *a, uint32_t refs)
{
    sysdma_system *sys = v->sys;
    vrec *r = sysdma__alloc(sys, sizeof *r);
    if (!r)
        return SYSDMA_E_NO_MEMORY;
    memset(r, 0, sizeof *r);
    sysdma__lock(sys);
    if (a->decoration) { /* wrapped meanwhile */
        sysdma__unlock(sys);
        sysdma__free(sys, r, sizeof *r);
        return SYSDMA_OK;
    }
    r->a = a;
    r->inner = a->ops;
    r->refs = refs;
    r->system = !a->master;
    r->holding = a->granted;
    r->regs = a->owner_regs;
    r->next = v->recs;
    v->recs = r;
    a->decoration = r;
    a->ops = &verify_ops;
    sysdma__unlock(sys);
    return SYSDMA_OK;
}

static void on_adapter_got(void *ctx, sysdma_adapter *a, const sysdma_device_description *d,
                           sysdma_status st)
{
    verifier *v = ctx;
    site where = take_site();
    if (st == SYSDMA_E_UNKNOWN_VERSION || st == SYSDMA_E_INVALID_DESCRIPTION ||
        st == SYSDMA_E_INVALID_CHANNEL || st == SYSDMA_E_WIDTH_MISMATCH) {
        report(v, SYSDMA_VCHECK_INVALID_DESCRIPTION, NULL, "sysdma_adapter_get", where, 0, NULL);
        return;
    }
    (void)d;
    if (st != SYSDMA_OK || !a)
        return;
    sysdma_system *sys = v->sys;
    vrec *r = rec_of(a);
    if (!r) {
        if (v->cfg.all_adapters)
            (void)wrap(v, a, 1);
        return;
    }
    sysdma__lock(sys);
    bool revive = r->dead;
    if (revive) {
        r->dead = false;
        r->refs = 1;
        a->ops = &verify_ops;
    } else {
        r->refs++;
    }
    sysdma__unlock(sys);
    if (revive)
        (void)r->inner->put_adapter(a); /* the quarantine's reference */
}

static void on_destroying(void *ctx)
{
    verifier *v = ctx;
    sysdma_system *sys = v->sys;
    site none = {NULL, 0};
    for (vrec *r = v->recs; r; r = r->next) {
        if (r->dead) {
            r->a->ops = r->inner;
            r->a->decoration = NULL;
            (void)r->inner->put_adapter(r->a); /* frees it */
            continue;
        }
        report(v, SYSDMA_VCHECK_LEAK, r->a, "sysdma_system_destroy", none, r->refs,
               "adapter references");
        report_held(v, r, "sysdma_system_destroy", none, SYSDMA_VCHECK_LEAK);
        /* The adapter lives on without the verifier. */
        r->a->ops = r->inner;
        r->a->decoration = NULL;
    }
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
        report(v, SYSDMA_VCHECK_LEAK, NULL, "sysdma_system_destroy", none, 1,
               "requests never granted");
    while (v->outstanding) {
        tramp *t = v->outstanding;
        v->outstanding = t->next;
        sysdma__free(sys, t, sizeof *t);
    }
    while (v->spare) {
        tramp *t = v->spare;
        v->spare = t->next;
        sysdma__free(sys, t, sizeof *t);
    }
    sysdma__free(sys, v, sizeof *v);
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
    if (v->cfg.all_adapters) {
        for (unsigned ch = 0; ch < SYSDMA_MAX_CHANNELS; ch++)
            if (sys->adapters[ch])
                (void)wrap(v, sys->adapters[ch], sys->adapters[ch]->refs);
        for (sysdma_adapter *m = sys->masters; m; m = m->next_master)
            (void)wrap(v, m, m->refs);
    }
    return SYSDMA_OK;
}

sysdma_status sysdma_verifier_wrap(sysdma_adapter *a)
{
    if (!a)
        return SYSDMA_E_INVALID_ARGUMENT;
    verifier *v = of_system(a->sys);
    if (!v)
        return SYSDMA_E_WRONG_STATE;
    if (a->decoration)
        return SYSDMA_OK;
    return wrap(v, a, a->refs);
}
