/*
 * libFuzzer target: random sequences of adapter-API calls, valid and
 * invalid, on the simulated PC — descriptions with any field values, gets
 * and puts, channel allocation with any register count and any allocation
 * action, map/flush with any CurrentVa, length and direction (inside and
 * outside the MDL, odd on 16-bit channels, before and after allocating),
 * frees of things not held, common buffers with wrong frees; bus-master
 * adapters; scatter/gather lists got, built into caller buffers, put in
 * either direction, run on the controller, cancelled, with spurious
 * terminal-count reports. Every call
 * must return a status and nothing may crash or leak; at the end everything
 * still held is released in order and the system must tear down cleanly.
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

typedef struct slot {
    sysdma_adapter *a;
    uint32_t refs;
    sysdma_map_registers *regs;
    uint32_t regs_count;             /* how many `regs` are */
    uint32_t grants;                 /* grants so far */
    bool granted;
    void *cb_va;
    uint64_t cb_phys;
    uint32_t cb_len;
    bool mapped;                     /* the last successful map, to flush it */
    sysdma_mdl *map_mdl;             /* the MDL of the chain it maps in */
    uint8_t *map_va;
    uint32_t map_len;
    bool map_dir;
    sysdma_map_registers *map_regs;
    bool master;
    sysdma_map_registers *kept[64];  /* sets kept after DEALLOCATE_OBJECT_KEEP_REGISTERS */
    uint32_t kept_count[64];
    unsigned nkept;
} slot;

#define NSLOTS 12 /* channels 0-7, then four bus masters */
static slot slots[NSLOTS];

/* Scatter/gather lists handed to the list-control routine and not yet put. */
typedef struct held {
    bool used, running, dir;
    slot *s;
    sysdma_sg_list *list;
    void *buffer; /* sysdma_sg_build's, freed after put */
} held;
static held lists[256];

typedef struct sg_request {
    slot *s;
    bool dir;
    void *buffer;
} sg_request;
static sg_request sg_requests[1024];
static unsigned nsg_requests;

static void list_control(void *device, sysdma_sg_list *list, void *ctx)
{
    (void)device;
    sg_request *q = ctx;
    for (unsigned k = 0; k < 256; k++)
        if (!lists[k].used) {
            lists[k] = (held){true, false, q->dir, q->s, list, q->buffer};
            return;
        }
    /* No room to keep it: give it back at once (allowed inside the routine). */
    if (sysdma_sg_put(q->s->a, list, q->dir) != SYSDMA_OK)
        abort();
    free(q->buffer);
}

static void list_done(sysdma_adapter *a, sysdma_sg_list *list, sysdma_status st, void *ctx)
{
    held *h = ctx;
    (void)st;
    if (!h->used || h->list != list || h->s->a != a || !h->running)
        abort(); /* a completion for a list that is not running */
    h->running = false;
}

static void put_list(held *h)
{
    if (h->running && sysdma_sg_cancel(h->s->a, h->list) != SYSDMA_OK)
        abort();
    if (h->running)
        abort(); /* cancelled: no longer running */
    sysdma_status st = sysdma_sg_put(h->s->a, h->list, h->dir);
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
    free(h->buffer);
    h->used = false;
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
static void tc_isr(void *ctx, unsigned irq)
{
    (void)irq;
    sysdma_terminal_count(tc_sys, sysdma_sim_tc_ack(ctx));
}

/* One AllocateAdapterChannel request: what it asked and will answer. */
typedef struct request {
    slot *s;
    uint32_t want;
    sysdma_allocation_action action;
} request;

static request requests[4096];
static unsigned nrequests;

static sysdma_allocation_action control(void *device, sysdma_map_registers *regs, void *ctx)
{
    (void)device;
    request *q = ctx;
    slot *s = q->s;
    s->regs = regs;
    s->regs_count = q->want;
    s->granted = true;
    s->grants++;
    if (q->action == SYSDMA_DEALLOCATE_OBJECT_KEEP_REGISTERS && regs) {
        if (s->nkept < 64) {
            s->kept[s->nkept] = regs;
            s->kept_count[s->nkept++] = q->want;
        } else if (sysdma_map_registers_free(s->a, regs, q->want) != SYSDMA_OK) {
            abort(); /* no room to remember them: given back before the routine returns */
        }
    }
    return q->action;
}

/*
 * Built a second time as fuzz_verifier (FUZZ_VERIFIER): the same calls go
 * through the DMA verifier, and every call must be either accepted by the
 * core or reported by the verifier — a misuse the core refuses that the
 * verifier let through, or a refusal without a report, is a finding.
 */
static sysdma_system *fuzz_sys;
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
    (void)line;
    return st;
}
static void seen_sync(void) {}
#endif
#define seen(x) seen_at((x), __LINE__)

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
    nrequests = 0;
    nsg_requests = 0;
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
    while (left) {
        unsigned ch = next8() % NSLOTS;
        slot *s = &slots[ch];
        unsigned op = next8() % 15;
        if (trace)
            fprintf(stderr, "op %u on channel %u (adapter %p refs %u owned-granted %d mapped %d)\n", op,
                    ch, (void *)s->a, s->refs, s->granted, s->mapped);
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
            if (seen(sysdma_adapter_get(sys, &d, &a, &n)) == SYSDMA_OK) {
                if (!a || (!d.master && d.channel >= 8))
                    abort();
                if (d.master) {
                    /* A new adapter each time: keep it in a free master slot. */
                    slot *m = &slots[8 + next8() % 4];
                    if (m->a) {
                        if (sysdma_adapter_put(a) != SYSDMA_OK)
                            abort();
                    } else {
                        m->a = a;
                        m->refs = 1;
                        m->master = true;
                    }
                } else {
                    slots[d.channel].a = a;
                    slots[d.channel].refs++;
                }
            } else if (a) {
                abort(); /* refused but handed out */
            }
            break;
        }
        case 1:
            if (s->a && seen(sysdma_adapter_put(s->a)) == SYSDMA_OK && --s->refs == 0)
                s->a = NULL;
            break;
        case 2:
            if (s->a && nrequests < sizeof requests / sizeof requests[0]) {
                request *q = &requests[nrequests++];
                q->s = s;
                q->action = (sysdma_allocation_action)(1 + next8() % 3);
                q->want = next8() % 40;
                sysdma_status st = seen(sysdma_channel_allocate(s->a, s, q->want, control, q));
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
                if (s->mapped && next8() % 2 == 0) {
                    if (seen(sysdma_flush_adapter_buffers(s->a, s->map_mdl, s->map_regs, s->map_va,
                                                          s->map_len, s->map_dir)) == SYSDMA_OK)
                        s->mapped = false;
                } else {
                    uint32_t off = next32() % (buf_len + 10);
                    if (seen(sysdma_flush_adapter_buffers(s->a, mdl, s->regs, buf + off,
                                                          next32() % 140000, next8() & 1)) ==
                        SYSDMA_OK)
                        s->mapped = false;
                }
            }
            break;
        case 6:
            if (s->a && s->regs)
                (void)seen(sysdma_map_registers_free(s->a, s->regs, next8() % 40));
            if (s->a && s->nkept) {
                unsigned k = next8() % s->nkept;
                if (seen(sysdma_map_registers_free(s->a, s->kept[k], s->kept_count[k])) == SYSDMA_OK) {
                    s->kept[k] = s->kept[--s->nkept];
                    s->kept_count[k] = s->kept_count[s->nkept];
                }
            }
            break;
        case 7:
            if (s->a) {
                if (!s->cb_va) {
                    uint32_t len = next32() % 200000;
                    if (seen(sysdma_common_buffer_allocate(s->a, len, next8() & 1, &s->cb_va,
                                                           &s->cb_phys)) == SYSDMA_OK)
                        s->cb_len = len;
                    else
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
                *q = (sg_request){s, next8() & 1, NULL};
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
                    free(q->buffer);
                    q->buffer = NULL;
                }
            }
            break;
        case 11: { /* put a list, sometimes in the wrong direction */
            held *h = &lists[next8() % 256];
            if (h->used) {
                bool dir = next8() % 4 == 0 ? !h->dir : h->dir;
                sysdma_status st = seen(sysdma_sg_put(h->s->a, h->list, dir));
                if (st == SYSDMA_OK) {
                    if (dir != h->dir || h->running)
                        abort();
                    free(h->buffer);
                    h->used = false;
                }
            }
            break;
        }
        case 12: { /* run a list on the controller, cancel it, or report a terminal count */
            held *h = &lists[next8() % 256];
            unsigned what = next8() % 3;
            if (what == 0 && h->used && !h->running) {
                h->running = true;
                sysdma_status st = seen(sysdma_sg_start(h->s->a, h->list, h->dir, list_done, h));
                if (st != SYSDMA_OK && st != SYSDMA_PENDING)
                    h->running = false;
            } else if (what == 1 && h->used) {
                (void)sysdma_sg_cancel(h->s->a, h->list);
                (void)sysdma_sg_progress(h->s->a, h->list);
            } else {
                sysdma_terminal_count(sys, next8()); /* perhaps spurious */
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
        case 14: /* version-3 calls, any arguments (not checked against the verifier) */
            if (s->a) {
                static sysdma_transfer_context ctx[NSLOTS];
                sysdma_map_registers *base = NULL;
                uint32_t len = next32() % 140000;
                unsigned call = next8() % 8;
                if (trace)
                    fprintf(stderr, "  version-3 call %u\n", call);
                switch (call) {
                case 0:
                    (void)sysdma_transfer_context_init(s->a, &ctx[ch]);
                    break;
                case 1:
                    if (nrequests < sizeof requests / sizeof requests[0]) {
                        request *q = &requests[nrequests++];
                        q->s = s;
                        q->action = (sysdma_allocation_action)(1 + next8() % 3);
                        q->want = next8() % 40;
                        bool sync = next8() & 1;
                        bool routine = !sync || (next8() & 1);
                        sysdma_status st = sysdma_channel_allocate_ex(
                            s->a, s, &ctx[ch], q->want, sync ? SYSDMA_ALLOCATE_SYNCHRONOUS : 0,
                            routine ? control : NULL, q, &base);
                        if (trace)
                            fprintf(stderr, "  allocate ex %u registers%s: %s\n", q->want,
                                    routine ? "" : ", no routine", sysdma_status_name(st));
                        /* Without a routine the grant is the caller's at once
                         * (with no registers when it asked for none). */
                        if (st == SYSDMA_OK && !routine) {
                            s->regs = base;
                            s->regs_count = q->want;
                            s->granted = true;
                            s->grants++;
                        }
                    }
                    break;
                case 2: {
                    bool withdrawn = sysdma_channel_cancel(s->a, &ctx[ch]);
                    if (trace)
                        fprintf(stderr, "  cancel: %s\n", withdrawn ? "withdrawn" : "nothing");
                    break;
                }
                case 3: {
                    sysdma_allocation_action act = (sysdma_allocation_action)(next8() % 5);
                    /* A waiting request may be granted inside the call: what is
                     * held now is what the action applies to. */
                    sysdma_map_registers *regs = s->regs; /* the grant's (OK: there was one) */
                    uint32_t count = s->regs_count, grants = s->grants;
                    sysdma_status st = sysdma_adapter_free_object(s->a, act);
                    if (trace)
                        fprintf(stderr, "  free object, action %d: %s\n", (int)act,
                                sysdma_status_name(st));
                    if (st == SYSDMA_OK) {
                        /* Registers kept are the driver's to free later. */
                        if (act == SYSDMA_DEALLOCATE_OBJECT_KEEP_REGISTERS && regs &&
                            s->nkept < 64) {
                            s->kept[s->nkept] = regs;
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
                    if (mdl && sysdma_map_transfer_ex(s->a, mdl, off, &len, dir, r, NULL, NULL,
                                                      NULL) == SYSDMA_OK) {
                        /* the same mapping as a MapTransfer: flushed like one */
                        s->mapped = true;
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
                    if (mdl)
                        (void)sysdma_flush_adapter_buffers_ex(s->a, mdl, s->regs,
                                                              next32() % (buf_len + 10), len,
                                                              next8() & 1);
                    break;
                case 6:
                    (void)sysdma_transfer_cancel_mapped(s->a);
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
            if (s->mapped && sysdma_flush_adapter_buffers(s->a, s->map_mdl, s->map_regs, s->map_va,
                                                          s->map_len, s->map_dir) == SYSDMA_OK)
                s->mapped = false;
            sysdma_status fs = sysdma_channel_free(s->a);
            if (trace) {
                sysdma_stats st;
                sysdma_stats_get(sys, NULL, &st);
                fprintf(stderr, "  cleanup %u: free channel %s, %u kept; pool %u in use %u\n", k,
                        sysdma_status_name(fs), s->nkept, st.pool_pages, st.pool_in_use);
            }
            while (s->nkept) {
                s->nkept--;
                sysdma_status ks = sysdma_map_registers_free(s->a, s->kept[s->nkept], s->kept_count[s->nkept]);
                if (trace)
                    fprintf(stderr, "  free kept %u: %s\n", s->kept_count[s->nkept], sysdma_status_name(ks));
            }
            if (s->cb_va) {
                (void)sysdma_common_buffer_free(s->a, s->cb_len, s->cb_phys, s->cb_va, true);
                (void)sysdma_common_buffer_free(s->a, s->cb_len, s->cb_phys, s->cb_va, false);
                s->cb_va = NULL;
            }
            /* BUSY: a waiting request was just granted; a later round frees it. */
            sysdma_status ps = sysdma_adapter_put(s->a);
            if (trace && ps != SYSDMA_OK) {
                sysdma_adapter_state as;
                sysdma_adapter_state_get(s->a, &as);
                fprintf(stderr,
                        "  put: %s (held %d, waiting %u, mapped %d, list running %d, lists waiting "
                        "%u, registers %u, kept %u, common %u)\n",
                        sysdma_status_name(ps), as.channel_held, as.waiting, as.mapped,
                        as.list_running, as.lists_waiting, as.map_registers, as.kept_sets,
                        as.common_buffers);
            }
            /* Every reference in one round (a long run may have taken many). */
            while (ps == SYSDMA_OK && --s->refs != 0)
                ps = sysdma_adapter_put(s->a);
            if (ps == SYSDMA_OK)
                s->a = NULL;
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
                        slots[k].refs, slots[k].mapped, slots[k].nkept);
        abort();
    }
    sysdma_sim_destroy(sim);
    return 0;
}
