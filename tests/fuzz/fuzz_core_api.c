/*
 * libFuzzer target: random sequences of adapter-API calls, valid and
 * invalid, on the simulated PC — descriptions with any field values, gets
 * and puts, channel allocation with any register count and any allocation
 * action, map/flush with any CurrentVa, length and direction (inside and
 * outside the MDL, odd on 16-bit channels, before and after allocating),
 * frees of things not held, common buffers with wrong frees. Every call
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
    bool granted;
    void *cb_va;
    uint64_t cb_phys;
    uint32_t cb_len;
    bool mapped;                     /* the last successful map, to flush it */
    uint32_t map_off, map_len;
    bool map_dir;
    sysdma_map_registers *map_regs;
    sysdma_map_registers *kept[64];  /* sets kept after DEALLOCATE_OBJECT_KEEP_REGISTERS */
    uint32_t kept_count[64];
    unsigned nkept;
} slot;

static slot slots[8];

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
    s->granted = true;
    if (q->action == SYSDMA_DEALLOCATE_OBJECT_KEEP_REGISTERS && regs && s->nkept < 64) {
        s->kept[s->nkept] = regs;
        s->kept_count[s->nkept++] = q->want;
    }
    return q->action;
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
    memset(slots, 0, sizeof slots);
    nrequests = 0;
    uint32_t buf_len = 1 + next32() % (300 * 1024);
    uint8_t *buf = sysdma_sim_buffer_alloc(sim, buf_len, next8() % 4096,
                                           (sysdma_sim_placement)(next8() % 6));
    sysdma_mdl *mdl = NULL;
    if (buf && sysdma_mdl_create(sys, buf, buf_len, &mdl) != SYSDMA_OK)
        abort();

    static int trace = -1;
    if (trace < 0)
        trace = getenv("SYSDMA_FUZZ_TRACE") != NULL;
    while (left) {
        unsigned ch = next8() % 8;
        slot *s = &slots[ch];
        unsigned op = next8() % 10;
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
            sysdma_adapter *a = NULL;
            uint32_t n = 0;
            if (sysdma_adapter_get(sys, &d, &a, &n) == SYSDMA_OK) {
                if (!a || d.channel >= 8)
                    abort();
                slots[d.channel].a = a;
                slots[d.channel].refs++;
            } else if (a) {
                abort(); /* refused but handed out */
            }
            break;
        }
        case 1:
            if (s->a && sysdma_adapter_put(s->a) == SYSDMA_OK && --s->refs == 0)
                s->a = NULL;
            break;
        case 2:
            if (s->a && nrequests < sizeof requests / sizeof requests[0]) {
                request *q = &requests[nrequests++];
                q->s = s;
                q->action = (sysdma_allocation_action)(1 + next8() % 3);
                q->want = next8() % 40;
                sysdma_status st = sysdma_channel_allocate(s->a, s, q->want, control, q);
                if (trace)
                    fprintf(stderr, "  allocate %u registers, action %d: %s\n", q->want, q->action,
                            sysdma_status_name(st));
            }
            break;
        case 3:
            if (s->a && sysdma_channel_free(s->a) == SYSDMA_OK)
                s->granted = false;
            break;
        case 4:
            if (s->a && mdl) {
                uint32_t off = next32() % (buf_len + 10);
                uint32_t len = next32() % 140000, asked = len;
                sysdma_map_registers *r = next8() & 1 ? s->regs : NULL;
                bool dir = next8() & 1;
                if (sysdma_map_transfer(s->a, mdl, r, buf + off, &len, dir, NULL) == SYSDMA_OK) {
                    if (len != asked)
                        abort(); /* a system adapter never shrinks a piece */
                    s->mapped = true;
                    s->map_off = off;
                    s->map_len = len;
                    s->map_dir = dir;
                    s->map_regs = r;
                }
            }
            break;
        case 5:
            if (s->a && mdl) {
                if (s->mapped && next8() % 2 == 0) {
                    if (sysdma_flush_adapter_buffers(s->a, mdl, s->map_regs, buf + s->map_off,
                                                     s->map_len, s->map_dir) == SYSDMA_OK)
                        s->mapped = false;
                } else {
                    uint32_t off = next32() % (buf_len + 10);
                    if (sysdma_flush_adapter_buffers(s->a, mdl, s->regs, buf + off, next32() % 140000,
                                                     next8() & 1) == SYSDMA_OK)
                        s->mapped = false;
                }
            }
            break;
        case 6:
            if (s->a && s->regs)
                (void)sysdma_map_registers_free(s->a, s->regs, next8() % 40);
            if (s->a && s->nkept) {
                unsigned k = next8() % s->nkept;
                if (sysdma_map_registers_free(s->a, s->kept[k], s->kept_count[k]) == SYSDMA_OK) {
                    s->kept[k] = s->kept[--s->nkept];
                    s->kept_count[k] = s->kept_count[s->nkept];
                }
            }
            break;
        case 7:
            if (s->a) {
                if (!s->cb_va) {
                    uint32_t len = next32() % 200000;
                    if (sysdma_common_buffer_allocate(s->a, len, next8() & 1, &s->cb_va,
                                                      &s->cb_phys) == SYSDMA_OK)
                        s->cb_len = len;
                    else
                        s->cb_va = NULL;
                } else if (sysdma_common_buffer_free(s->a, s->cb_len + next8() % 2, s->cb_phys,
                                                     s->cb_va, false) == SYSDMA_OK ||
                           sysdma_common_buffer_free(s->a, s->cb_len, s->cb_phys, s->cb_va,
                                                     true) == SYSDMA_OK) {
                    s->cb_va = NULL;
                }
            }
            break;
        case 8:
            if (s->a)
                (void)sysdma_read_dma_counter(s->a);
            sysdma_sim_run(sim, next8() * 1000);
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
        for (unsigned k = 0; k < 8; k++) {
            slot *s = &slots[k];
            if (!s->a)
                continue;
            any = true;
            if (s->mapped && sysdma_flush_adapter_buffers(s->a, mdl, s->map_regs, buf + s->map_off,
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
            if (sysdma_adapter_put(s->a) == SYSDMA_OK && --s->refs == 0)
                s->a = NULL;
        }
        if (!any)
            break;
    }
    if (mdl)
        sysdma_mdl_free(sys, mdl);
    if (buf)
        sysdma_sim_buffer_free(sim, buf);
    /* Everything the calls handed out was released through the API: the
     * system must now tear down. If it cannot, some resource has no way
     * back — a finding. */
    if (sysdma_system_destroy(sys) != SYSDMA_OK) {
        for (unsigned k = 0; k < 8; k++)
            if (slots[k].a)
                fprintf(stderr, "still held: channel %u refs %u mapped %d kept %u\n", k,
                        slots[k].refs, slots[k].mapped, slots[k].nkept);
        abort();
    }
    sysdma_sim_destroy(sim);
    return 0;
}
