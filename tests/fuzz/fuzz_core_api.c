/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target: random sequences of adapter-API calls, valid and
 * invalid, on the simulated PC — descriptions with any field values, gets
 * and puts, channel allocation with any register count and any allocation
 * action, map/flush with any CurrentVa, length and direction (inside and
 * outside the MDL, odd on 16-bit channels, before and after allocating),
 * frees of things not held, common buffers with wrong frees; bus-master
 * adapters; scatter/gather lists got, built into caller buffers, put in
 * either direction, run on the controller, cancelled, with spurious
 * terminal-count reports; version-3 MapTransferEx with completion routines,
 * terminal counts and cancels (of a mapped transfer, of a run, of a queued
 * request) between everything else. Every sysdma_adapter_get gives a handle
 * of its own: a channel's slot keeps all of them and the calls use one of
 * them (the current one, which a step can change); handles that were put,
 * forged handles and stale, foreign or forged list pointers are handed in
 * on purpose and must be refused with the documented status, changing
 * nothing. Every call must return a status and nothing may crash or leak;
 * every AdapterControl, list-control, run and MapTransferEx completion runs
 * exactly once, with the handle that started it; at the end everything
 * still held is released in order and the system must tear down cleanly.
 *
 * Bytes: per step a channel byte and an operation byte (value % 15 selects
 * the basic calls; 240-254 the handle and version-3 steps added later, so
 * older seeds keep their meaning). SYSDMA_FUZZ_TRACE=1 prints each step.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <stdio.h>

#include "sysdma/sim.h"
#include "sysdma/sysdma.h"

static const uint8_t *cur;
static size_t left;

static uint32_t next8(void)
{
    if (!left)
        return 0;
    left--;
    return *cur++;
}

static uint32_t next32(void)
{
    return next8() | next8() << 8 | next8() << 16 | next8() << 24;
}

/*
 * Built a second time as fuzz_verifier (FUZZ_VERIFIER): the same calls go
 * through the DMA verifier, and every call must be either accepted by the
 * core or reported by the verifier — a misuse the core refuses that the
 * verifier let through, or a refusal without a report, is a finding.
 */
static sysdma_system *fuzz_sys;
static int trace_on; /* SYSDMA_FUZZ_TRACE: each step, and each checked call's status by line */
#ifdef FUZZ_VERIFIER
#include "sysdma/verifier.h"
static uint64_t reports_seen;

static bool misuse(sysdma_status st)
{
    switch (st) {
    case SYSDMA_E_INVALID_ARGUMENT:
    case SYSDMA_E_INVALID_DESCRIPTION:
    case SYSDMA_E_UNKNOWN_VERSION:
    case SYSDMA_E_INVALID_CHANNEL:
    case SYSDMA_E_WIDTH_MISMATCH:
    case SYSDMA_E_LENGTH:
    case SYSDMA_E_ALIGNMENT:
    case SYSDMA_E_OUT_OF_RANGE:
    case SYSDMA_E_WRONG_STATE:
    case SYSDMA_E_NOT_OWNER:
    case SYSDMA_E_BUSY:
        return true;
    default:
        return false;
    }
}

static sysdma_status seen_at(sysdma_status st, int line)
{
    uint64_t now = sysdma_verifier_reports(fuzz_sys, SYSDMA_VCHECK_COUNT);
    bool reported = now != reports_seen;
    reports_seen = now;
    if (trace_on)
        fprintf(stderr, "  call at line %d: %s%s\n", line, sysdma_status_name(st),
                reported ? " (reported)" : "");
    if ((st == SYSDMA_E_VERIFIER || misuse(st)) && !reported) {
        fprintf(stderr, "call at line %d: %s without a verifier report\n", line,
                sysdma_status_name(st));
        abort();
    }
    return st;
}
/* After calls not checked this way: their reports are not the next call's. */
static void seen_sync(void)
{
    reports_seen = sysdma_verifier_reports(fuzz_sys, SYSDMA_VCHECK_COUNT);
}
#else
static sysdma_status seen_at(sysdma_status st, int line)
{
    if (trace_on)
        fprintf(stderr, "  call at line %d: %s\n", line, sysdma_status_name(st));
    return st;
}
static void seen_sync(void) {}
#endif
#define seen(x) seen_at((x), __LINE__)

#define NHANDLES 6 /* reference handles kept per channel */

typedef struct slot {
    sysdma_adapter *a;               /* the current handle (one of h[]), NULL when none */
    sysdma_adapter *h[NHANDLES];     /* live reference handles to the adapter, oldest first */
    unsigned nh;
    sysdma_device_description desc; /* a description the last get accepted */
    sysdma_adapter *grant_h;         /* the handle whose request got the latest grant */
    sysdma_map_registers *regs;
    uint32_t regs_count;             /* how many `regs` are */
    uint32_t grants;                 /* grants so far */
    bool granted;
    void *cb_va;
    uint64_t cb_phys;
    uint32_t cb_len;
    sysdma_adapter *cb_h;
    bool mapped;                     /* the last successful map, to flush it */
    sysdma_adapter *map_h;           /* ...made with this handle */
    sysdma_mdl *map_mdl;             /* the MDL of the chain it maps in */
    uint8_t *map_va;
    uint32_t map_len;
    bool map_dir;
    sysdma_map_registers *map_regs;
    bool master;
    sysdma_map_registers *kept[64];  /* sets kept after DEALLOCATE_OBJECT_KEEP_REGISTERS */
    uint32_t kept_count[64];
    sysdma_adapter *kept_h[64];
    unsigned nkept;
    /* MapTransferEx with a completion routine */
    bool v3_arming;                  /* inside sysdma_map_transfer_ex */
    bool v3_due;                     /* accepted, completion not yet run */
    sysdma_adapter *v3_h;            /* the handle it was mapped with */
    struct request *ctx_q;           /* the request made with this slot's transfer context */
} slot;

#define NSLOTS 12 /* channels 0-7, then four bus masters */
static slot slots[NSLOTS];

/* Handles put in this run (they must stay dead), and some of an earlier
 * run's system (destroyed since). */
static sysdma_adapter *dead[64];
static unsigned ndead;
static sysdma_adapter *dead_before[8];
static unsigned ndead_before;

/* Completions: how many are due and how many ran. Each must run once. */
static uint64_t runs_started, runs_done, v3_started, v3_done, controls_due, controls_run;
static int in_tc, in_cancel_mapped, in_flush; /* where an OK / CANCELLED completion may come from */

static bool is_live(const slot *s, const sysdma_adapter *h)
{
    for (unsigned k = 0; k < s->nh; k++)
        if (s->h[k] == h)
            return true;
    return false;
}

static bool any_live(const sysdma_adapter *h)
{
    for (unsigned k = 0; k < NSLOTS; k++)
        if (is_live(&slots[k], h))
            return true;
    return false;
}

/* The handle to use for something `hint` did: hint while it lives, else
 * the slot's current one (every handle names the same adapter). */
static sysdma_adapter *use(const slot *s, sysdma_adapter *hint)
{
    return hint && is_live(s, hint) ? hint : s->a;
}

static void add_handle(slot *s, sysdma_adapter *h)
{
    s->h[s->nh++] = h;
    if (!s->a)
        s->a = h;
}

/* `h` was put: it is dead from now on. */
static void drop_handle(slot *s, sysdma_adapter *h)
{
    unsigned k = 0;
    while (k < s->nh && s->h[k] != h)
        k++;
    if (k == s->nh)
        abort();
    s->h[k] = s->h[--s->nh];
    if (ndead < sizeof dead / sizeof dead[0])
        dead[ndead++] = h;
    else
        dead[h == dead[0] ? 1 : 0] = h;
    if (s->a == h)
        s->a = s->nh ? s->h[0] : NULL;
}

/* Scatter/gather lists handed to the list-control routine and not yet put. */
typedef struct held {
    bool used, running, dir;
    slot *s;
    sysdma_adapter *h;       /* the handle that asked for it */
    sysdma_adapter *start_h; /* ...and the one that started its run */
    sysdma_sg_list *list;
    void *buffer; /* sysdma_sg_build's, freed after put */
} held;
static held lists[256];

/* Lists put lately: a second put of one must be refused. */
typedef struct gone {
    slot *s;
    sysdma_sg_list *list;
    bool dir;
} gone;
static gone put_lists[16];
static unsigned nput_lists;

typedef struct sg_request {
    slot *s;
    sysdma_adapter *h;
    bool dir;
    void *buffer;
    bool ran;
} sg_request;
static sg_request sg_requests[1024];
static unsigned nsg_requests;

static bool list_held(const sysdma_sg_list *list)
{
    for (unsigned k = 0; k < 256; k++)
        if (lists[k].used && lists[k].list == list)
            return true;
    return false;
}

static void note_put(held *h)
{
    put_lists[nput_lists++ % 16] = (gone){h->s, h->list, h->dir};
    free(h->buffer);
    h->used = false;
}

static void list_control(void *device, sysdma_sg_list *list, void *ctx)
{
    (void)device;
    sg_request *q = ctx;
    if (q->ran || !list)
        abort(); /* a list-control routine runs once per request, with a list */
    q->ran = true;
    for (unsigned k = 0; k < 256; k++)
        if (!lists[k].used) {
            if (list_held(list))
                abort(); /* the same list twice */
            lists[k] = (held){true, false, q->dir, q->s, q->h, NULL, list, q->buffer};
            return;
        }
    /* No room to keep it: give it back at once (allowed inside the routine). */
    if (sysdma_sg_put(use(q->s, q->h), list, q->dir) != SYSDMA_OK)
        abort();
    free(q->buffer);
}

static void list_done(sysdma_adapter *a, sysdma_sg_list *list, sysdma_status st, void *ctx)
{
    held *h = ctx;
    (void)st;
    if (!h->used || h->list != list || h->start_h != a || !h->running)
        abort(); /* a completion for a list that is not running, or with another handle */
    h->running = false;
    runs_done++;
}

static void put_list(held *h)
{
    sysdma_adapter *a = use(h->s, h->h);
    if (h->running && seen(sysdma_sg_cancel(use(h->s, h->start_h), h->list)) != SYSDMA_OK)
        abort();
    if (h->running)
        abort(); /* cancelled: no longer running */
    sysdma_status st = sysdma_sg_put(a, h->list, h->dir);
#ifdef FUZZ_VERIFIER
    /* What the verifier sees only at put (guard bytes, a bounced write's
     * buffer changed meanwhile) is reported, and the list is still put. */
    if (st == SYSDMA_E_VERIFIER)
        st = SYSDMA_OK;
#endif
    if (st != SYSDMA_OK) {
        fprintf(stderr, "put of a list that is not running: %s\n", sysdma_status_name(st));
        abort(); /* a list that is not running must go back */
    }
    seen_sync();
    note_put(h);
}

/* A driver buffer of 1..max bytes, anywhere, at any offset, and its MDL
 * (NULL and no MDL when the machine has no room). */
static uint8_t *fuzz_buffer(sysdma_sim *sim, sysdma_system *sys, uint32_t max, uint32_t *len,
                            sysdma_mdl **mdl)
{
    *len = 1 + next32() % max;
    uint8_t *buf = sysdma_sim_buffer_alloc(sim, *len, next8() % 4096,
                                           (sysdma_sim_placement)(next8() % 6));
    if (buf && sysdma_mdl_create(sys, buf, *len, mdl) != SYSDMA_OK)
        abort();
    return buf;
}

static sysdma_system *tc_sys;
static void terminal_count(uint32_t channels)
{
    in_tc++;
    sysdma_terminal_count(tc_sys, channels);
    in_tc--;
}

static void tc_isr(void *ctx, unsigned irq)
{
    (void)irq;
    terminal_count(sysdma_sim_tc_ack(ctx));
}

/* One AllocateAdapterChannel request: what it asked and will answer. */
typedef struct request {
    slot *s;
    sysdma_adapter *h; /* the handle that asked */
    uint32_t want;
    sysdma_allocation_action action;
    bool ran;          /* its routine ran (once) */
    bool withdrawn;    /* sysdma_channel_cancel took it back: it never runs */
} request;

static request requests[4096];
static unsigned nrequests;

static sysdma_allocation_action control(void *device, sysdma_map_registers *regs, void *ctx)
{
    (void)device;
    request *q = ctx;
    slot *s = q->s;
    if (q->ran || q->withdrawn)
        abort(); /* an AdapterControl routine twice, or after its request was withdrawn */
    q->ran = true;
    controls_run++;
    s->grant_h = q->h;
    s->regs = regs;
    s->regs_count = q->want;
    s->granted = true;
    s->grants++;
    if (q->action == SYSDMA_DEALLOCATE_OBJECT_KEEP_REGISTERS && regs) {
        if (s->nkept < 64) {
            s->kept[s->nkept] = regs;
            s->kept_h[s->nkept] = q->h;
            s->kept_count[s->nkept++] = q->want;
        } else if (sysdma_map_registers_free(use(s, q->h), regs, q->want) != SYSDMA_OK) {
            abort(); /* no room to remember them: given back before the routine returns */
        }
    }
    return q->action;
}


/* ---- MapTransferEx completions ---------------------------------------------------------- */

static bool v3_fired; /* the completion ran inside sysdma_map_transfer_ex */

static void v3_complete(sysdma_adapter *a, void *ctx, sysdma_status st)
{
    slot *s = ctx;
    if (a != s->v3_h || !(s->v3_arming || s->v3_due))
        abort(); /* with another handle, twice, or for a transfer that was refused */
    /* OK at terminal count (a bus master's at its flush); CANCELLED from a cancel. */
    if (st == SYSDMA_E_CANCELLED ? !in_cancel_mapped
                                 : st != SYSDMA_OK || !(s->master ? in_flush : in_tc)) {
        fprintf(stderr, "MapTransferEx completion %s from the wrong place (tc %d flush %d cancel %d)\n",
                sysdma_status_name(st), in_tc, in_flush, in_cancel_mapped);
        abort();
    }
    if (s->v3_arming)
        v3_fired = true;
    s->v3_due = false;
    v3_done++;
}

/* MapTransferEx with a completion routine; the mapping is flushed like a
 * MapTransfer's. */
static void map_ex(slot *s, sysdma_mdl *mdl, sysdma_mdl *mdl2, uint8_t *buf, uint32_t buf_len,
                   uint8_t *buf2, int trace)
{
    uint32_t off = next32() % (buf_len + 10);
    uint32_t len = next32() % 140000;
    bool dir = next8() & 1;
    sysdma_map_registers *r = next8() & 1 ? s->regs : NULL;
    sysdma_adapter *a = s->a;
    bool was_due = s->v3_due;
    s->v3_arming = true;
    v3_fired = false;
    sysdma_adapter *prev_h = s->v3_h;
    if (!was_due)
        s->v3_h = a;
    in_tc += s->master; /* (a bus master's completion never comes at terminal count) */
    sysdma_status st =
        seen(sysdma_map_transfer_ex(a, mdl, off, &len, dir, r, v3_complete, s, NULL));
    in_tc -= s->master;
    s->v3_arming = false;
    if (trace)
        fprintf(stderr, "  map ex offset %u length %u %s, %s registers, with completion: %s%s\n",
                off, len, dir ? "to device" : "from device", r ? "the held" : "no",
                sysdma_status_name(st), v3_fired ? " (completed at once)" : "");
    if (st != SYSDMA_OK) {
        if (v3_fired)
            abort(); /* a refused call records nothing */
        if (!was_due)
            s->v3_h = prev_h;
        return;
    }
    if (was_due)
        abort(); /* mapped while the previous completion was due */
    v3_started++;
    s->v3_due = !v3_fired;
    s->mapped = true;
    s->map_h = a;
    s->map_mdl = off < buf_len ? mdl : mdl2;
    s->map_va = off < buf_len ? buf + off : buf2 + (off - buf_len);
    s->map_len = len;
    s->map_dir = dir;
    s->map_regs = r;
}

/* sysdma_transfer_cancel_mapped: a due completion runs now, CANCELLED. */
static sysdma_status cancel_mapped(slot *s, sysdma_adapter *a, int trace)
{
    bool due = s->v3_due;
    in_cancel_mapped++;
    sysdma_status st = sysdma_transfer_cancel_mapped(a);
    in_cancel_mapped--;
    if (trace)
        fprintf(stderr, "  cancel mapped transfer (completion due %d): %s\n", due,
                sysdma_status_name(st));
    if (st == SYSDMA_OK && (!due || s->v3_due))
        abort(); /* cancelled nothing, or the completion did not run */
    if (st != SYSDMA_OK && due && st != SYSDMA_E_NOT_SUPPORTED)
        abort(); /* a due completion must be cancellable (NOT_SUPPORTED: a later
                  * description made the adapter an older version) */
    return st;
}

/* ---- what a refused call must leave unchanged ------------------------------------------ */

typedef struct snapshot {
    uint64_t v[NSLOTS * 8 + 16];
} snapshot;

static void snap(sysdma_system *sys, snapshot *out)
{
    unsigned n = 0;
    memset(out, 0, sizeof *out);
    sysdma_stats st;
    sysdma_stats_get(sys, NULL, &st);
    out->v[n++] = st.pool_pages;
    out->v[n++] = st.pool_in_use;
    out->v[n++] = st.transfers;
    out->v[n++] = st.deferred;
    out->v[n++] = st.granted;
    out->v[n++] = st.common_buffers;
    out->v[n++] = runs_done + 1000 * v3_done;
    out->v[n++] = controls_run;
    for (unsigned k = 0; k < NSLOTS; k++) {
        sysdma_adapter_state as;
        sysdma_adapter_state_get(slots[k].a, &as);
        out->v[n++] = as.channel_held | (uint64_t)as.mapped << 1 | (uint64_t)as.list_running << 2;
        out->v[n++] = as.waiting;
        out->v[n++] = as.lists_waiting;
        out->v[n++] = as.map_registers;
        out->v[n++] = as.kept_sets;
        out->v[n++] = as.common_buffers;
        out->v[n++] = slots[k].v3_due;
    }
}

static void same(sysdma_system *sys, const snapshot *before, const char *what, unsigned call)
{
    snapshot now;
    snap(sys, &now);
    if (memcmp(before, &now, sizeof now)) {
        fprintf(stderr, "%s, call %u: refused but something changed\n", what, call);
        abort();
    }
}

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

static sysdma_transfer_context ctx[NSLOTS]; /* one per slot, for its version-3 requests */

/* sysdma_channel_cancel: true exactly when the slot's request still
 * waited, and then its routine never runs. Returns 1 when withdrawn. */
static unsigned channel_cancel(slot *s, sysdma_transfer_context *c, int trace)
{
    request *q = s->ctx_q;
    bool waiting = q && !q->ran && !q->withdrawn;
    sysdma_adapter_info ai;
    bool v3 = sysdma_adapter_info_get(s->a, &ai) == SYSDMA_OK;
    bool withdrawn = sysdma_channel_cancel(s->a, c);
    if (trace)
        fprintf(stderr, "  cancel: %s\n", withdrawn ? "withdrawn" : "nothing");
    if (withdrawn != (waiting && v3)) {
        fprintf(stderr, "channel cancel: %d, request waiting %d (version 3: %d)\n", withdrawn,
                waiting, v3);
        abort();
    }
    if (withdrawn)
        q->withdrawn = true;
    seen_sync();
    return withdrawn;
}

/* Put handle `h` of slot `s`; when it was the last, the adapter went and
 * must have held nothing. */
static sysdma_status put_handle(slot *s, sysdma_adapter *h)
{
    bool last = s->nh == 1;
    sysdma_status st = seen(sysdma_adapter_put(h));
    if (trace_on)
        fprintf(stderr, "  put handle %p (%u held): %s\n", (void *)h, s->nh, sysdma_status_name(st));
    if (st != SYSDMA_OK)
        return st;
    drop_handle(s, h);
    if (last) {
        for (unsigned k = 0; k < 256; k++)
            if (lists[k].used && lists[k].s == s)
                abort(); /* freed with lists not put */
        if (s->cb_va || s->v3_due || s->nkept)
            abort(); /* freed with a common buffer, a completion due or kept registers */
        memset(s, 0, sizeof *s);
    }
    return st;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    cur = data;
    left = size;
    sysdma_sim *sim;
    sysdma_sim_config sc = {.ram_bytes = 32u << 20, .seed = 1};
    if (sysdma_sim_create(&sc, &sim) != SYSDMA_OK)
        abort();
    sysdma_platform pf;
    sysdma_i8237_driver drv;
    sysdma_controller ctrl;
    sysdma_system *sys;
    sysdma_sim_platform(sim, &pf, NULL);
    sysdma_i8237_driver_init(&drv, &pf, &ctrl);
    sysdma_config cfg = {.map_registers_initial = next8(), .map_registers_cap = next8() * 4};
    if (sysdma_system_create(&pf, &ctrl, &cfg, &sys) != SYSDMA_OK) {
        sysdma_sim_destroy(sim);
        return 0;
    }
    fuzz_sys = sys;
#ifdef FUZZ_VERIFIER
    sysdma_verifier_config vc = {SYSDMA_VERIFIER_CONTINUE, NULL, NULL, true};
    if (sysdma_verifier_enable(sys, &vc) != SYSDMA_OK)
        abort();
    reports_seen = 0;
#endif
    memset(slots, 0, sizeof slots);
    memset(lists, 0, sizeof lists);
    memset(ctx, 0, sizeof ctx); /* a new driver's contexts (an old run's would name its adapters) */
    nrequests = 0;
    nsg_requests = 0;
    /* The last run's handles are of a system destroyed since. */
    for (unsigned k = 0; k < ndead && k < 8; k++)
        dead_before[k] = dead[ndead - 1 - k];
    if (ndead)
        ndead_before = ndead < 8 ? ndead : 8;
    ndead = 0;
    nput_lists = 0;
    runs_started = runs_done = v3_started = v3_done = controls_due = controls_run = 0;
    uint64_t withdrawn = 0, lists_due = 0;
    in_tc = in_cancel_mapped = in_flush = 0;
    tc_sys = sys;
    sysdma_sim_set_tc_irq(sim, 10);
    sysdma_sim_irq_connect(sim, 10, tc_isr, sim);
    uint32_t buf_len, buf2_len;
    sysdma_mdl *mdl = NULL, *mdl2 = NULL;
    uint8_t *buf = fuzz_buffer(sim, sys, 300 * 1024, &buf_len, &mdl);
    /* Sometimes a second MDL chained after it: list ranges may run on into it. */
    uint8_t *buf2 = fuzz_buffer(sim, sys, 64 * 1024, &buf2_len, &mdl2);
    uint32_t chain_len = buf_len;
    if (mdl && mdl2 && next8() & 1) {
        mdl->next = mdl2;
        chain_len += buf2_len;
    }

    static int trace = -1;
    if (trace < 0)
        trace = getenv("SYSDMA_FUZZ_TRACE") != NULL;
    trace_on = trace;
    while (left) {
        unsigned ch = next8() % NSLOTS;
        slot *s = &slots[ch];
        uint32_t opb = next8();
        unsigned op = opb >= 240 && opb < 255 ? 15 + (opb - 240) : opb % 15;
        if (trace)
            fprintf(stderr, "op %u on channel %u (handle %p of %u, granted %d mapped %d due %d)\n",
                    op, ch, (void *)s->a, s->nh, s->granted, s->mapped, s->v3_due);
        switch (op) {
        case 0: { /* get with an arbitrary description */
            sysdma_device_description d = {0};
            d.version = next8() % 6;
            d.master = next8() % 8 == 0;
            d.ignore_count = next8() & 1;
            d.demand_mode = next8() & 1;
            d.auto_initialize = next8() & 1;
            d.channel = next8() % 10;
            d.width = next8() % 4;
            d.interface_type = next8() % 3;
            d.maximum_length = next32() % (1u << 20);
            d.address_width = next8() % 70;
            d.scatter_gather = next8() & 1;
            d.dma32 = next8() % 4 == 0;
            sysdma_adapter *a = NULL;
            uint32_t n = 0;
            if (!d.master && d.channel < 8 && slots[d.channel].nh == NHANDLES)
                break; /* (no room to keep another handle) */
            sysdma_status gst = seen(sysdma_adapter_get(sys, &d, &a, &n));
            if (trace)
                fprintf(stderr, "  get version %u %s channel %u width %u: %s, handle %p\n", d.version,
                        d.master ? "master" : "system", d.channel, d.width, sysdma_status_name(gst),
                        (void *)a);
            if (gst == SYSDMA_OK) {
                if (!a || (!d.master && d.channel >= 8))
                    abort();
                /* A handle of its own: none alive or put is the same. */
                if (any_live(a))
                    abort();
                for (unsigned k = 0; k < ndead; k++)
                    if (dead[k] == a)
                        abort();
                if (d.master) {
                    /* A new adapter each time: keep it in a free master slot. */
                    slot *m = &slots[8 + next8() % 4];
                    if (m->a) {
                        if (sysdma_adapter_put(a) != SYSDMA_OK)
                            abort();
                    } else {
                        add_handle(m, a);
                        m->master = true;
                        m->desc = d;
                    }
                } else {
                    slot *t = &slots[d.channel];
                    if (sysdma_adapter_channel(a) != d.channel)
                        abort();
                    if (t->nh && sysdma_adapter_channel(t->h[0]) != d.channel)
                        abort();
                    add_handle(t, a);
                    t->desc = d;
                }
            } else if (a) {
                abort(); /* refused but handed out */
            }
            break;
        }
        case 1:
            if (s->a)
                (void)put_handle(s, s->a);
            break;
        case 2:
            if (s->a && nrequests < sizeof requests / sizeof requests[0]) {
                request *q = &requests[nrequests++];
                *q = (request){s, s->a, 0, 0, false, false};
                q->action = (sysdma_allocation_action)(1 + next8() % 3);
                q->want = next8() % 40;
                sysdma_status st = seen(sysdma_channel_allocate(s->a, s, q->want, control, q));
                if (st == SYSDMA_OK || st == SYSDMA_PENDING)
                    controls_due++;
                else if (q->ran)
                    abort(); /* refused, yet its routine ran */
                if (trace)
                    fprintf(stderr, "  allocate %u registers, action %d: %s\n", q->want, q->action,
                            sysdma_status_name(st));
            }
            break;
        case 3:
            if (s->a) {
                /* A waiting request may be granted inside the call. */
                uint32_t grants = s->grants;
                if (seen(sysdma_channel_free(s->a)) == SYSDMA_OK && s->grants == grants)
                    s->granted = false;
            }
            break;
        case 4:
            if (s->a && mdl) {
                uint32_t off = next32() % (buf_len + 10);
                uint32_t len = next32() % 140000, asked = len;
                sysdma_map_registers *r = next8() & 1 ? s->regs : NULL;
                bool dir = next8() & 1;
                if (seen(sysdma_map_transfer(s->a, mdl, r, buf + off, &len, dir, NULL)) == SYSDMA_OK) {
                    if (len != asked && !s->master)
                        abort(); /* a system adapter never shrinks a piece */
                    if (len == 0 || len > asked)
                        abort();
                    s->mapped = true;
                    s->map_h = s->a;
                    s->map_mdl = mdl;
                    s->map_va = buf + off;
                    s->map_len = len;
                    s->map_dir = dir;
                    s->map_regs = r;
                }
            }
            break;
        case 5:
            if (s->a && mdl) {
                sysdma_status st;
                in_flush++;
                if (s->mapped && next8() % 2 == 0) {
                    st = seen(sysdma_flush_adapter_buffers(s->a, s->map_mdl, s->map_regs,
                                                           s->map_va, s->map_len, s->map_dir));
                } else {
                    uint32_t off = next32() % (buf_len + 10);
                    st = seen(sysdma_flush_adapter_buffers(s->a, mdl, s->regs, buf + off,
                                                           next32() % 140000, next8() & 1));
                }
                in_flush--;
                if (st == SYSDMA_OK) {
                    s->mapped = false;
                    if (s->v3_due)
                        abort(); /* flushed, completion neither run nor refused for */
                }
            }
            break;
        case 6:
            if (s->a && s->regs) {
                uint32_t count = next8() % 40;
                sysdma_map_registers *regs = s->regs; /* (a waiter may be granted inside) */
                if (seen(sysdma_map_registers_free(s->a, regs, count)) == SYSDMA_OK)
                    for (unsigned k = 0; k < s->nkept; k++)
                        if (s->kept[k] == regs && s->kept_count[k] == count) {
                            /* the grant's registers were a kept set */
                            s->kept[k] = s->kept[--s->nkept];
                            s->kept_count[k] = s->kept_count[s->nkept];
                            s->kept_h[k] = s->kept_h[s->nkept];
                            break;
                        }
            }
            if (s->a && s->nkept) {
                unsigned k = next8() % s->nkept;
                if (seen(sysdma_map_registers_free(s->a, s->kept[k], s->kept_count[k])) == SYSDMA_OK) {
                    s->kept[k] = s->kept[--s->nkept];
                    s->kept_count[k] = s->kept_count[s->nkept];
                    s->kept_h[k] = s->kept_h[s->nkept];
                }
            }
            break;
        case 7:
            if (s->a) {
                if (!s->cb_va) {
                    uint32_t len = next32() % 200000;
                    if (seen(sysdma_common_buffer_allocate(s->a, len, next8() & 1, &s->cb_va,
                                                           &s->cb_phys)) == SYSDMA_OK) {
                        s->cb_len = len;
                        s->cb_h = s->a;
                    } else
                        s->cb_va = NULL;
                } else if (seen(sysdma_common_buffer_free(s->a, s->cb_len + next8() % 2,
                                                          s->cb_phys, s->cb_va, false)) ==
                               SYSDMA_OK ||
                           seen(sysdma_common_buffer_free(s->a, s->cb_len, s->cb_phys, s->cb_va,
                                                          true)) == SYSDMA_OK) {
                    s->cb_va = NULL;
                }
            }
            break;
        case 8:
            if (s->a)
                (void)sysdma_read_dma_counter(s->a);
            sysdma_sim_run(sim, next8() * 1000);
            break;
        case 10: /* scatter/gather list: get, or build into a caller buffer */
            if (s->a && mdl && nsg_requests < sizeof sg_requests / sizeof sg_requests[0]) {
                uint32_t off = next32() % (buf_len + 10);
                uint32_t len = next32() % (chain_len + 10);
                sg_request *q = &sg_requests[nsg_requests++];
                *q = (sg_request){s, s->a, next8() & 1, NULL, false};
                sysdma_status st;
                if (next8() & 1) {
                    uint32_t need = 0;
                    if (sysdma_sg_calculate(s->a, mdl, buf + off, len, &need, NULL) != SYSDMA_OK)
                        need = 64;
                    uint32_t have = need - (next8() % 4 == 0 ? 8 : 0);
                    q->buffer = malloc(have + 8);
                    st = seen(sysdma_sg_build(s->a, s, mdl, buf + off, len, list_control, q,
                                              q->dir, q->buffer, &have));
                    if (st == SYSDMA_E_BUFFER_TOO_SMALL && have <= need - 8)
                        abort(); /* the size needed must cover it */
                } else {
                    st = seen(sysdma_sg_get(s->a, s, mdl, buf + off, len, list_control, q, q->dir));
                }
                if (st != SYSDMA_OK && st != SYSDMA_PENDING) {
                    if (q->ran)
                        abort(); /* refused, yet its routine ran */
                    free(q->buffer);
                    q->buffer = NULL;
                } else {
                    lists_due++;
                }
            }
            break;
        case 11: { /* put a list, sometimes in the wrong direction */
            held *h = &lists[next8() % 256];
            if (h->used) {
                bool dir = next8() % 4 == 0 ? !h->dir : h->dir;
                sysdma_status st = seen(sysdma_sg_put(use(h->s, h->h), h->list, dir));
                if (st == SYSDMA_OK) {
                    if (dir != h->dir || h->running)
                        abort();
                    note_put(h);
                }
            }
            break;
        }
        case 12: { /* run a list on the controller, cancel it, or report a terminal count */
            held *h = &lists[next8() % 256];
            unsigned what = next8() % 3;
            if (what == 0 && h->used && !h->running) {
                h->running = true;
                h->start_h = use(h->s, h->h);
                sysdma_status st = seen(sysdma_sg_start(h->start_h, h->list, h->dir, list_done, h));
                if (st != SYSDMA_OK && st != SYSDMA_PENDING)
                    h->running = false;
                else
                    runs_started++;
            } else if (what == 1 && h->used) {
                bool running = h->running;
                /* (not checked against the verifier, which has no check for
                 * the cancel of a list that does not run) */
                sysdma_status st = sysdma_sg_cancel(use(h->s, h->start_h), h->list);
                if (st == SYSDMA_OK && (!running || h->running))
                    abort(); /* cancelled what did not run, or done did not come */
                if (running && st != SYSDMA_OK && st != SYSDMA_E_VERIFIER)
                    abort(); /* a running list must be cancellable */
                (void)sysdma_sg_progress(use(h->s, h->h), h->list);
            } else {
                terminal_count(next8()); /* perhaps spurious */
            }
            seen_sync();
            break;
        }
        case 13: /* calculate, with or without the MDL */
            if (s->a) {
                uint32_t need, regs;
                uint32_t off = next32() % (buf_len + 10);
                (void)sysdma_sg_calculate(s->a, next8() & 1 ? mdl : NULL,
                                          buf ? buf + off : (uint8_t *)(uintptr_t)0x1000,
                                          next32(), &need, &regs);
            }
            break;
        case 14: /* version-3 calls, any arguments (the information calls pass by the verifier) */
            if (s->a) {
                sysdma_map_registers *base = NULL;
                uint32_t len = next32() % 140000;
                unsigned call = next8() % 8;
                if (trace)
                    fprintf(stderr, "  version-3 call %u\n", call);
                switch (call) {
                case 0:
                    /* (a context whose request waits stays as it is: another
                     * init would make the waiting request's context another's) */
                    if (!s->ctx_q || s->ctx_q->ran || s->ctx_q->withdrawn)
                        (void)sysdma_transfer_context_init(s->a, &ctx[ch]);
                    break;
                case 1:
                    if (nrequests < sizeof requests / sizeof requests[0]) {
                        request *q = &requests[nrequests++];
                        *q = (request){s, s->a, 0, 0, false, false};
                        q->action = (sysdma_allocation_action)(1 + next8() % 3);
                        q->want = next8() % 40;
                        bool sync = next8() & 1;
                        bool routine = !sync || (next8() & 1);
                        sysdma_status st = seen(sysdma_channel_allocate_ex(
                            s->a, s, &ctx[ch], q->want, sync ? SYSDMA_ALLOCATE_SYNCHRONOUS : 0,
                            routine ? control : NULL, q, &base));
                        if (routine && (st == SYSDMA_OK || st == SYSDMA_PENDING)) {
                            controls_due++;
                            s->ctx_q = q;
                        } else if (q->ran) {
                            abort(); /* refused, yet its routine ran */
                        }
                        if (trace)
                            fprintf(stderr, "  allocate ex %u registers%s: %s\n", q->want,
                                    routine ? "" : ", no routine", sysdma_status_name(st));
                        /* Without a routine the grant is the caller's at once
                         * (with no registers when it asked for none). */
                        if (st == SYSDMA_OK && !routine) {
                            s->grant_h = s->a;
                            s->regs = base;
                            s->regs_count = q->want;
                            s->granted = true;
                            s->grants++;
                        }
                    }
                    break;
                case 2:
                    withdrawn += channel_cancel(s, &ctx[ch], trace);
                    break;
                case 3: {
                    sysdma_allocation_action act = (sysdma_allocation_action)(next8() % 5);
                    /* A waiting request may be granted inside the call: what is
                     * held now is what the action applies to. */
                    sysdma_map_registers *regs = s->regs; /* the grant's (OK: there was one) */
                    uint32_t count = s->regs_count, grants = s->grants;
                    sysdma_status st = seen(sysdma_adapter_free_object(s->a, act));
                    if (trace)
                        fprintf(stderr, "  free object, action %d: %s\n", (int)act,
                                sysdma_status_name(st));
                    if (st == SYSDMA_OK) {
                        /* Registers kept are the driver's to free later. */
                        if (act == SYSDMA_DEALLOCATE_OBJECT_KEEP_REGISTERS && regs &&
                            s->nkept < 64) {
                            s->kept[s->nkept] = regs;
                            s->kept_h[s->nkept] = s->a;
                            s->kept_count[s->nkept++] = count;
                        }
                        if (act != SYSDMA_KEEP_OBJECT && s->grants == grants)
                            s->granted = false; /* not granted again meanwhile */
                    }
                    break;
                }
                case 4: {
                    uint32_t off = next32() % (buf_len + 10);
                    bool dir = next8() & 1;
                    sysdma_map_registers *r = next8() & 1 ? s->regs : NULL;
                    if (mdl && seen(sysdma_map_transfer_ex(s->a, mdl, off, &len, dir, r, NULL, NULL,
                                                           NULL)) == SYSDMA_OK) {
                        /* the same mapping as a MapTransfer: flushed like one */
                        if (s->v3_due)
                            abort(); /* mapped while a completion was due */
                        s->mapped = true;
                        s->map_h = s->a;
                        /* An offset past the first MDL maps in the second. */
                        s->map_mdl = off < buf_len ? mdl : mdl2;
                        s->map_va = off < buf_len ? buf + off : buf2 + (off - buf_len);
                        s->map_len = len;
                        s->map_dir = dir;
                        s->map_regs = r;
                    }
                    break;
                }
                case 5:
                    if (mdl) {
                        in_flush++;
                        sysdma_status st = seen(sysdma_flush_adapter_buffers_ex(
                            s->a, mdl, s->regs, next32() % (buf_len + 10), len, next8() & 1));
                        in_flush--;
                        if (st == SYSDMA_OK) {
                            s->mapped = false;
                            if (s->v3_due)
                                abort(); /* flushed, completion neither run nor refused for */
                        }
                    }
                    break;
                case 6:
                    (void)cancel_mapped(s, s->a, trace); /* (not a call the verifier checks) */
                    break;
                default: {
                    sysdma_transfer_info ti;
                    sysdma_adapter_info ai;
                    (void)sysdma_adapter_info_get(s->a, &ai);
                    (void)sysdma_transfer_info_get(s->a, next8() & 1 ? mdl : NULL,
                                                   next32() % (chain_len + 10), len, true, &ti);
                    (void)sysdma_adapter_configure(s->a, next8(), NULL, 0);
                    break;
                }
                }
            }
            seen_sync();
            break;
        case 15: /* a handle that was put, or never was one */
        case 16:
        case 17:
            bad_handle_step(sys, s, mdl, buf, buf_len, trace);
            break;
        case 18: /* a list pointer put already, another adapter's, or forged */
        case 19:
            bad_list_step(sys, s, mdl, trace);
            break;
        case 20: /* another handle to the channel: its own, the same adapter */
        case 21:
            if (s->nh && s->nh < NHANDLES && !s->master) {
                sysdma_adapter *a = NULL;
                uint32_t n = 0;
                sysdma_device_description d = s->desc;
                if (seen(sysdma_adapter_get(sys, &d, &a, &n)) == SYSDMA_OK) {
                    if (!a || any_live(a) || sysdma_adapter_channel(a) != d.channel)
                        abort();
                    for (unsigned k = 0; k < ndead; k++)
                        if (dead[k] == a)
                            abort();
                    add_handle(s, a);
                }
            }
            break;
        case 22: /* the calls go on with another of the channel's handles */
            if (s->nh)
                s->a = s->h[next8() % s->nh];
            break;
        case 23: /* put any of the channel's handles */
            if (s->nh)
                (void)put_handle(s, s->h[next8() % s->nh]);
            break;
        case 24: /* MapTransferEx with a completion routine */
        case 25:
            if (s->a && mdl)
                map_ex(s, mdl, mdl2, buf, buf_len, buf2, trace);
            break;
        case 26: /* the channel's terminal count, after some time */
            sysdma_sim_run(sim, next8() * 100);
            if (trace)
                fprintf(stderr, "  terminal count\n");
            terminal_count(ch < 8 ? 1u << ch : next8());
            break;
        case 27: /* cancel: the mapped transfer, or a queued request */
            if (s->a) {
                if (next8() & 1)
                    (void)cancel_mapped(s, s->a, trace);
                else
                    withdrawn += channel_cancel(s, &ctx[ch], trace);
            }
            break;
        case 28: /* FlushAdapterBuffersEx of what is mapped, by offset */
            if (s->a && s->mapped) {
                bool due = s->v3_due;
                in_flush++;
                sysdma_status st = seen(sysdma_flush_adapter_buffers_ex(
                    s->a, s->map_mdl, s->map_regs,
                    (uint64_t)(s->map_va - (uint8_t *)sysdma_mdl_virtual_address(s->map_mdl)),
                    s->map_len, s->map_dir));
                in_flush--;
                if (trace)
                    fprintf(stderr, "  flush ex of the mapping (completion was due %d): %s\n", due,
                            sysdma_status_name(st));
                if (st == SYSDMA_OK) {
                    s->mapped = false;
                    if (s->v3_due)
                        abort(); /* flushed, completion neither run nor refused for */
                } else if (st == SYSDMA_E_WRONG_STATE && !(due && !s->master)) {
                    abort(); /* the flush of what is mapped, nothing due: refused */
                }
            }
            break;
        default: { /* raw port writes from a hostile guest, between the calls */
            uint16_t port = (uint16_t)next8();
            sysdma_sim_outb(sim, port < 0x10 ? port : (uint16_t)(0x80 + (port & 0x0F)), (uint8_t)next8());
            break;
        }
        }
    }

    /* Release everything. A request still waiting is granted by some later
     * free (perhaps of another channel's registers), so go round all the
     * channels until every reference is gone. */
    for (int round = 0; round < 64; round++) {
        bool any = false;
        for (unsigned k = 0; k < 256; k++)
            if (lists[k].used)
                put_list(&lists[k]);
        for (unsigned k = 0; k < NSLOTS; k++) {
            slot *s = &slots[k];
            if (!s->a)
                continue;
            any = true;
            /* A completion still due: cancel it (or, when the adapter is no
             * longer version 3, its end delivers it: no device moved the
             * bytes here, so the device's count stands in for the terminal
             * count the controller never saw). */
            if (s->v3_due && !s->master &&
                cancel_mapped(s, use(s, s->v3_h), trace) != SYSDMA_OK && k < 8) {
                in_tc++;
                (void)sysdma_channel_device_done(tc_sys, k, s->map_len);
                in_tc--;
            }
            if (s->mapped) {
                in_flush++;
                sysdma_status fl = sysdma_flush_adapter_buffers(
                    use(s, s->map_h), s->map_mdl, s->map_regs, s->map_va, s->map_len, s->map_dir);
                in_flush--;
                if (fl == SYSDMA_OK || fl == SYSDMA_E_VERIFIER)
                    s->mapped = false;
                if (s->v3_due)
                    abort(); /* a bus master's completion comes with its flush */
            }
            sysdma_status fs = sysdma_channel_free(use(s, s->grant_h));
            if (trace) {
                sysdma_stats st;
                sysdma_stats_get(sys, NULL, &st);
                fprintf(stderr, "  cleanup %u: free channel %s, %u kept; pool %u in use %u\n", k,
                        sysdma_status_name(fs), s->nkept, st.pool_pages, st.pool_in_use);
            }
            while (s->nkept) {
                s->nkept--;
                sysdma_status ks = sysdma_map_registers_free(use(s, s->kept_h[s->nkept]),
                                                             s->kept[s->nkept],
                                                             s->kept_count[s->nkept]);
                if (trace)
                    fprintf(stderr, "  free kept %u: %s\n", s->kept_count[s->nkept],
                            sysdma_status_name(ks));
            }
            if (s->cb_va) {
                (void)sysdma_common_buffer_free(use(s, s->cb_h), s->cb_len, s->cb_phys, s->cb_va,
                                                true);
                (void)sysdma_common_buffer_free(use(s, s->cb_h), s->cb_len, s->cb_phys, s->cb_va,
                                                false);
                s->cb_va = NULL;
            }
            /* Every reference in one round, the current handle last (a long
             * run may have taken many). BUSY at the last: a waiting request
             * was just granted; a later round frees it. */
            for (unsigned n = s->nh; n-- > 0 && s->nh;) {
                sysdma_adapter *h = s->h[n];
                if (h == s->a && s->nh > 1)
                    continue;
                bool last = s->nh == 1;
                sysdma_status ps = sysdma_adapter_put(h);
                if (trace && ps != SYSDMA_OK) {
                    sysdma_adapter_state as;
                    sysdma_adapter_state_get(h, &as);
                    fprintf(stderr,
                            "  put: %s (held %d, waiting %u, mapped %d, list running %d, lists "
                            "waiting %u, registers %u, kept %u, common %u)\n",
                            sysdma_status_name(ps), as.channel_held, as.waiting, as.mapped,
                            as.list_running, as.lists_waiting, as.map_registers, as.kept_sets,
                            as.common_buffers);
                }
                if (ps == SYSDMA_OK) {
                    drop_handle(s, h);
                    if (last)
                        memset(s, 0, sizeof *s);
                }
            }
            if (s->nh == 1) {
                if (sysdma_adapter_put(s->a) == SYSDMA_OK) {
                    drop_handle(s, s->a);
                    memset(s, 0, sizeof *s);
                }
            }
        }
        if (!any)
            break;
    }
    if (mdl)
        sysdma_mdl_free(sys, mdl);
    if (buf)
        sysdma_sim_buffer_free(sim, buf);
    if (mdl2)
        sysdma_mdl_free(sys, mdl2);
    if (buf2)
        sysdma_sim_buffer_free(sim, buf2);
    /* Everything the calls handed out was released through the API: the
     * system must now tear down. If it cannot, some resource has no way
     * back — a finding. */
    if (sysdma_system_destroy(sys) != SYSDMA_OK) {
        for (unsigned k = 0; k < NSLOTS; k++)
            if (slots[k].a)
                fprintf(stderr, "still held: channel %u refs %u mapped %d kept %u\n", k,
                        slots[k].nh, slots[k].mapped, slots[k].nkept);
        abort();
    }
    /* Every completion ran exactly once (twice aborts where it happens). */
    uint64_t lists_ran = 0;
    for (unsigned k = 0; k < nsg_requests; k++)
        lists_ran += sg_requests[k].ran;
    if (runs_done != runs_started || v3_done != v3_started || controls_run + withdrawn != controls_due ||
        lists_ran != lists_due) {
        fprintf(stderr,
                "completions: runs %llu of %llu, MapTransferEx %llu of %llu, AdapterControl %llu "
                "(+%llu withdrawn) of %llu, list control %llu of %llu\n",
                (unsigned long long)runs_done, (unsigned long long)runs_started,
                (unsigned long long)v3_done, (unsigned long long)v3_started,
                (unsigned long long)controls_run, (unsigned long long)withdrawn,
                (unsigned long long)controls_due, (unsigned long long)lists_ran,
                (unsigned long long)lists_due);
        abort();
    }
    sysdma_sim_destroy(sim);
    return 0;
}
