/* SPDX-License-Identifier: MIT */
/*
 * fuzz_core_api's harness state (included once, by fuzz_core_api.c): the
 * input reader, the status checks (each refusal a report under
 * FUZZ_VERIFIER), the slots that track what each channel's handles hold,
 * the lists, requests and completions in flight with their callbacks, and
 * the snapshot a refused call must leave unchanged.
 */
#ifndef SYSDMA_FUZZ_CORE_API_HARNESS_H
#define SYSDMA_FUZZ_CORE_API_HARNESS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

#endif /* SYSDMA_FUZZ_CORE_API_HARNESS_H */
