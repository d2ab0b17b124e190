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

#include "sysdma/ctrl_i8237.h"
#include "sysdma/sim.h"
#include "sysdma/sysdma.h"

#include "core_api_harness.h"
#include "core_api_bad.h"

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
            if (next8() % 8 == 0) { /* a controller the PC has not, or a request line */
                d.controller = next8() % 3;
                d.request_line = next8() % 20;
            }
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
                    /* a transfer shape of any bytes and size */
                    uint8_t shape[sizeof(sysdma_transfer_shape) + 4];
                    for (size_t k = 0; k < sizeof shape; k++)
                        shape[k] = next8();
                    (void)sysdma_adapter_configure(s->a, SYSDMA_CONFIGURE_SHAPE, shape,
                                                   sizeof(sysdma_transfer_shape) - 2 +
                                                       next8() % 5);
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
            if (next8() % 4 == 0) {
                /* the controller's interrupt entry: the 8237 driver's
                 * handle_interrupt; a controller the PC has not: nothing */
                in_tc++;
                uint32_t got = sysdma_controller_interrupt(tc_sys, next8() % 3);
                in_tc--;
                if (trace)
                    fprintf(stderr, "  controller interrupt: %#x\n", (unsigned)got);
            } else {
                terminal_count(ch < 8 ? 1u << ch : next8());
            }
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
