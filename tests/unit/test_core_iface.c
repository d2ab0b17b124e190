/* SPDX-License-Identifier: MIT */
/*
 * Reach zones and bus addresses: the map-register pool is made below the
 * reach of the channels that need it, not below 16 MiB on every machine; a
 * buffer is bounced only when its device cannot reach it; every address the
 * core gives a device or a driver (the controller's fragments, MapTransfer's
 * logical address, a common buffer's, a scatter/gather element's) is the
 * bus address the platform's phys_to_bus gives, and reach is judged on it.
 * And what else a program carries: the adapter's request line and the
 * transfer shape set with SYSDMA_CONFIGURE_SHAPE. And several controllers
 * in one system, a description choosing one by number.
 *
 * The controller here is a recorder with the shape the test chooses (reach,
 * boundary); the platform is the fake one, with every alloc_contig's limit
 * recorded.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "support/fake_platform.h"

#define PG SYSDMA_PAGE_SIZE
#define GIB (1ull << 30)

typedef struct zctrl {
    sysdma_controller_ops ops;
    sysdma_controller ctrl;
    uint8_t bits[4];        /* address bits per channel (0: no such channel) */
    unsigned count;         /* channel_count's answer (0: 4) */
    long inits;
    uint32_t boundary;
    sysdma_fragment last;   /* last fragment programmed */
    sysdma_program last_prog;
    long programs;
    uint32_t configured;    /* last function number configure saw */
} zctrl;

typedef struct fx {
    fake_platform f;
    zctrl c;
    sysdma_system *sys;
    uint64_t bus_offset;    /* bus = phys - bus_offset (0: the same) */
    uint64_t limits[32];    /* max_phys of every alloc_contig */
    unsigned n_limits;
    sysdma_status (*inner_contig)(void *, size_t, uint64_t, uint64_t, uint64_t, void **,
                                  uint64_t *);
} fx;

static fx *g;

static sysdma_status z_limits(void *ctx, unsigned ch, sysdma_channel_limits *l)
{
    zctrl *c = ctx;
    if (ch >= 4 || !c->bits[ch])
        return SYSDMA_E_INVALID_CHANNEL;
    *l = (sysdma_channel_limits){.address_bits = c->bits[ch], .width = 1, .min_unit = 1,
                                 .boundary = c->boundary, .max_bytes = 0x10000,
                                 .max_fragments = 1};
    return SYSDMA_OK;
}

static unsigned z_count(void *ctx)
{
    zctrl *c = ctx;
    return c->count ? c->count : 4;
}

static sysdma_status z_init(void *ctx)
{
    zctrl *c = ctx;
    c->inits++;
    return SYSDMA_OK;
}

static sysdma_status z_program(void *ctx, unsigned ch, const sysdma_program *p)
{
    zctrl *c = ctx;
    (void)ch;
    c->last = p->fragments[0];
    c->last_prog = *p;
    c->programs++;
    return SYSDMA_OK;
}

static sysdma_status z_flush(void *ctx, unsigned ch)
{
    (void)ctx;
    (void)ch;
    return SYSDMA_OK;
}

static sysdma_status z_configure(void *ctx, unsigned ch, uint32_t function, void *data,
                                 size_t bytes)
{
    zctrl *c = ctx;
    (void)ch;
    (void)data;
    (void)bytes;
    c->configured = function;
    return SYSDMA_OK;
}

static uint32_t z_counter(void *ctx, unsigned ch)
{
    (void)ctx;
    (void)ch;
    return 0;
}

static sysdma_status rec_contig(void *ctx, size_t bytes, uint64_t max_phys, uint64_t boundary,
                                uint64_t align, void **va, uint64_t *phys)
{
    if (g->n_limits < 32)
        g->limits[g->n_limits++] = max_phys;
    /* With a bus offset the limit is a bus address (platform.h): this
     * platform's physical limit is the offset above it. */
    if (max_phys && g->bus_offset)
        max_phys += g->bus_offset;
    return g->inner_contig(ctx, bytes, max_phys, boundary, align, va, phys);
}

static uint64_t to_bus(void *ctx, uint64_t phys)
{
    (void)ctx;
    return phys - g->bus_offset;
}

/* A machine whose contiguous memory is [lo, hi), channels of `bits`. */
static fx *make(uint64_t lo, uint64_t hi, const uint8_t bits[4], uint64_t bus_offset)
{
    fx *x = calloc(1, sizeof *x);
    assert_non_null(x);
    g = x;
    fake_platform_init(&x->f, true);
    x->f.contig_lo = lo;
    x->f.contig_hi = hi;
    x->inner_contig = x->f.ops.alloc_contig;
    x->f.ops.alloc_contig = rec_contig;
    x->bus_offset = bus_offset;
    if (bus_offset)
        x->f.ops.phys_to_bus = to_bus;
    memcpy(x->c.bits, bits, 4);
    x->c.ops = (sysdma_controller_ops){.size = sizeof x->c.ops, .channel_limits = z_limits,
                                       .program = z_program, .flush = z_flush,
                                       .read_counter = z_counter, .channel_count = z_count,
                                       .configure = z_configure};
    x->c.ctrl = (sysdma_controller){&x->c.ops, &x->c};
    return x;
}

static void zctrl_init(zctrl *c, const uint8_t bits[4], unsigned count)
{
    memset(c, 0, sizeof *c);
    memcpy(c->bits, bits, 4);
    c->count = count;
    c->ops = (sysdma_controller_ops){.size = sizeof c->ops, .channel_limits = z_limits,
                                     .program = z_program, .flush = z_flush,
                                     .read_counter = z_counter, .channel_count = z_count,
                                     .configure = z_configure, .initialize = z_init};
    c->ctrl = (sysdma_controller){&c->ops, c};
}

static void done(fx *x)
{
    assert_int_equal(sysdma_system_destroy(x->sys), SYSDMA_OK);
    assert_true(fake_platform_clean(&x->f));
    fake_platform_destroy(&x->f);
    free(x);
}

static sysdma_adapter *get(fx *x, unsigned ch, uint32_t *n)
{
    sysdma_device_description d = {0};
    d.version = 2;
    d.channel = ch;
    d.width = SYSDMA_WIDTH_8;
    d.maximum_length = 4 * PG;
    sysdma_adapter *a;
    assert_int_equal(sysdma_adapter_get(x->sys, &d, &a, n), SYSDMA_OK);
    return a;
}

static sysdma_allocation_action keep(void *dev, sysdma_map_registers *regs, void *ctx)
{
    (void)dev;
    *(sysdma_map_registers **)ctx = regs;
    return SYSDMA_KEEP_OBJECT;
}

/* Map `pages` pages at `phys` for a write to the device on channel `ch`;
 * returns the logical address and whether it bounced. */
static uint64_t map_at(fx *x, unsigned ch, const uint64_t *phys, bool *bounced)
{
    uint32_t n;
    sysdma_adapter *a = get(x, ch, &n);
    uint8_t *buf = fake_buffer(&x->f, 2, phys);
    memset(buf, 0x3C, 2 * PG);
    sysdma_mdl *m;
    assert_int_equal(sysdma_mdl_create(x->sys, buf, 2 * PG, &m), SYSDMA_OK);
    sysdma_map_registers *regs = NULL;
    assert_int_equal(sysdma_channel_allocate(a, NULL, n, keep, &regs), SYSDMA_OK);
    sysdma_stats before, after;
    sysdma_stats_get(x->sys, NULL, &before);
    uint32_t len = 2 * PG;
    uint64_t logical = 0;
    assert_int_equal(sysdma_map_transfer(a, m, regs, buf, &len, true, &logical), SYSDMA_OK);
    assert_int_equal(len, 2 * PG);
    assert_int_equal(x->c.last.phys, logical); /* the controller got the same address */
    sysdma_stats_get(x->sys, NULL, &after);
    *bounced = after.bounced_transfers != before.bounced_transfers;
    assert_int_equal(sysdma_flush_adapter_buffers(a, m, regs, buf, len, true), SYSDMA_OK);
    assert_int_equal(sysdma_channel_free(a), SYSDMA_OK);
    sysdma_mdl_free(x->sys, m);
    fake_buffer_free(&x->f, buf);
    assert_int_equal(sysdma_adapter_put(a), SYSDMA_OK);
    return logical;
}

/* A SoC with no memory below 2 GiB and a 32-bit controller: the system is
 * made (the pool below 4 GiB, not 16 MiB); a buffer above 4 GiB bounces
 * into it, one below 4 GiB does not. */
static void test_no_low_memory(void **state)
{
    (void)state;
    static const uint8_t bits[4] = {32, 32, 32, 32};
    fx *x = make(2 * GIB, 2 * GIB + (64u << 20), bits, 0);
    assert_int_equal(sysdma_system_create(&x->f.pf, &x->c.ctrl, NULL, &x->sys), SYSDMA_OK);
    assert_true(x->n_limits >= 1);
    assert_int_equal(x->limits[0], 4 * GIB); /* the narrowest channel's reach */
    sysdma_stats st;
    sysdma_stats_get(x->sys, NULL, &st);
    assert_int_equal(st.pool_pages, 32);

    bool bounced;
    static const uint64_t high[2] = {5 * GIB, 5 * GIB + 0x3000};
    uint64_t l = map_at(x, 1, high, &bounced);
    assert_true(bounced);
    assert_true(l >= 2 * GIB && l < 4 * GIB);
    static const uint64_t mid[2] = {3 * GIB, 3 * GIB + PG};
    l = map_at(x, 1, mid, &bounced);
    assert_false(bounced);
    assert_int_equal(l, 3 * GIB);
    done(x);
}

/* The PC's 24-bit channels keep their pool below 16 MiB. */
static void test_pc_zone(void **state)
{
    (void)state;
    static const uint8_t bits[4] = {24, 24, 24, 24};
    fx *x = make(1u << 20, 12u << 20, bits, 0);
    assert_int_equal(sysdma_system_create(&x->f.pf, &x->c.ctrl, NULL, &x->sys), SYSDMA_OK);
    assert_int_equal(x->limits[0], 16u << 20);
    bool bounced;
    static const uint64_t high[2] = {0x1000000, 0x1001000};
    uint64_t l = map_at(x, 0, high, &bounced);
    assert_true(bounced);
    assert_true(l < (16u << 20));
    done(x);
}

/* Channels of different reach: the first chunks go where the narrowest
 * reaches; a wide channel uses them; a machine with no low memory for the
 * narrow one fails to make the pool (the narrow channel could never map). */
static void test_mixed_reach(void **state)
{
    (void)state;
    static const uint8_t bits[4] = {64, 32, 0, 30};
    fx *x = make(1u << 20, 8 * GIB, bits, 0);
    assert_int_equal(sysdma_system_create(&x->f.pf, &x->c.ctrl, NULL, &x->sys), SYSDMA_OK);
    assert_int_equal(x->limits[0], 1 * GIB);
    bool bounced;
    static const uint64_t scattered[2] = {6 * GIB, 2 * GIB}; /* not contiguous */
    uint64_t l = map_at(x, 0, scattered, &bounced);
    assert_true(bounced);
    assert_true(l < 1 * GIB);
    done(x);

    x = make(2 * GIB, 3 * GIB, bits, 0);
    assert_int_equal(sysdma_system_create(&x->f.pf, &x->c.ctrl, NULL, &x->sys),
                     SYSDMA_E_NO_MEMORY);
    assert_true(fake_platform_clean(&x->f));
    fake_platform_destroy(&x->f);
    free(x);
}

/* A channel whose zone has no chunk and whose pool is at its cap can never
 * get map registers: refused at once, not queued forever. */
static void test_zone_never(void **state)
{
    (void)state;
    static const uint8_t bits[4] = {64, 64, 64, 64};
    fx *x = make(5 * GIB, 6 * GIB, bits, 0);
    sysdma_config cfg = {.map_registers_initial = 32, .map_registers_cap = 32};
    assert_int_equal(sysdma_system_create(&x->f.pf, &x->c.ctrl, &cfg, &x->sys), SYSDMA_OK);
    assert_int_equal(x->limits[0], 0); /* no limit: every channel reaches all */
    /* Channel 1 now narrows to 32 bits: the one chunk (above 4 GiB) is out of
     * its zone and the cap leaves no room for another. */
    x->c.bits[1] = 32;
    uint32_t n;
    sysdma_adapter *a = get(x, 1, &n);
    sysdma_map_registers *regs = NULL;
    assert_int_equal(sysdma_channel_allocate(a, NULL, n, keep, &regs),
                     SYSDMA_E_INSUFFICIENT_RESOURCES);
    assert_null(regs);
    assert_int_equal(sysdma_adapter_put(a), SYSDMA_OK);
    done(x);

    /* Room under the cap, but no memory the device reaches (a bus master
     * of 20 address bits on a machine whose memory is above 4 GiB):
     * refused at once, not queued for ever. */
    x = make(5 * GIB, 6 * GIB, bits, 0);
    assert_int_equal(sysdma_system_create(&x->f.pf, &x->c.ctrl, NULL, &x->sys), SYSDMA_OK);
    sysdma_device_description d = {0};
    d.version = 3;
    d.master = true;
    d.address_width = 20;
    d.maximum_length = 4 * PG;
    assert_int_equal(sysdma_adapter_get(x->sys, &d, &a, &n), SYSDMA_OK);
    regs = NULL;
    assert_int_equal(sysdma_channel_allocate(a, NULL, n, keep, &regs),
                     SYSDMA_E_INSUFFICIENT_RESOURCES);
    assert_null(regs);
    /* A 32-bit one gets a chunk made for it (none was below 4 GiB). */
    x->f.contig_lo = 3 * GIB;
    d.address_width = 32;
    sysdma_adapter *b;
    assert_int_equal(sysdma_adapter_get(x->sys, &d, &b, &n), SYSDMA_OK);
    assert_int_equal(sysdma_channel_allocate(b, NULL, n, keep, &regs), SYSDMA_OK);
    assert_non_null(regs);
    assert_int_equal(sysdma_channel_free(b), SYSDMA_OK); /* and its registers */
    assert_int_equal(sysdma_adapter_put(b), SYSDMA_OK);
    assert_int_equal(sysdma_adapter_put(a), SYSDMA_OK);
    done(x);
}

static uint64_t g_first_element;
static void list_routine(void *dev, sysdma_sg_list *l, void *ctx)
{
    (void)dev;
    *(sysdma_sg_list **)ctx = l;
    g_first_element = l->elements[0].address;
}

/* Bus addresses: RAM at 2 GiB that the device sees at 256 MiB. Everything
 * the core hands out is the bus address, and reach is judged on it: a
 * 30-bit channel reaches this RAM in place. */
static void test_bus_addresses(void **state)
{
    (void)state;
    static const uint8_t bits[4] = {30, 30, 30, 30};
    uint64_t off = 2 * GIB - (256u << 20);
    fx *x = make(2 * GIB, 2 * GIB + (64u << 20), bits, off);
    assert_int_equal(sysdma_system_create(&x->f.pf, &x->c.ctrl, NULL, &x->sys), SYSDMA_OK);

    bool bounced;
    static const uint64_t ram[2] = {2 * GIB + 0x200000, 2 * GIB + 0x201000};
    uint64_t l = map_at(x, 2, ram, &bounced);
    assert_false(bounced);                      /* phys is beyond 1 GiB, bus is not */
    assert_int_equal(l, ram[0] - off);

    static const uint64_t apart[2] = {2 * GIB + 0x300000, 2 * GIB + 0x500000};
    l = map_at(x, 2, apart, &bounced);
    assert_true(bounced);                       /* not contiguous: the pool, as bus */
    assert_true(l >= (256u << 20) && l < (256u << 20) + (64u << 20));

    uint32_t n;
    sysdma_adapter *a = get(x, 2, &n);
    void *va;
    uint64_t logical;
    assert_int_equal(sysdma_common_buffer_allocate(a, PG, false, &va, &logical), SYSDMA_OK);
    assert_true(logical >= (256u << 20) && logical < (256u << 20) + (64u << 20));
    assert_int_equal(sysdma_common_buffer_free(a, PG, logical, va, false), SYSDMA_OK);

    /* A scatter/gather list's elements. */
    uint8_t *buf = fake_buffer(&x->f, 2, ram);
    sysdma_mdl *m;
    assert_int_equal(sysdma_mdl_create(x->sys, buf, 2 * PG, &m), SYSDMA_OK);
    sysdma_sg_list *list = NULL;
    assert_int_equal(sysdma_sg_get(a, NULL, m, buf, 2 * PG, list_routine, &list, true),
                     SYSDMA_OK);
    assert_non_null(list);
    assert_int_equal(g_first_element, ram[0] - off);
    assert_int_equal(sysdma_sg_put(a, list, true), SYSDMA_OK);
    sysdma_mdl_free(x->sys, m);
    fake_buffer_free(&x->f, buf);
    assert_int_equal(sysdma_adapter_put(a), SYSDMA_OK);
    done(x);
}

/* The request line and the shape reach the controller with every program;
 * a bad shape is refused; other function numbers go to the controller. */
static void test_shape_and_line(void **state)
{
    (void)state;
    static const uint8_t bits[4] = {32, 32, 32, 32};
    fx *x = make(1u << 20, 64u << 20, bits, 0);
    assert_int_equal(sysdma_system_create(&x->f.pf, &x->c.ctrl, NULL, &x->sys), SYSDMA_OK);
    sysdma_device_description d = {0};
    d.version = 3;
    d.channel = 3;
    d.request_line = 11;
    d.device_address = 0x101F1000;
    d.width = SYSDMA_WIDTH_8;
    d.maximum_length = 4 * PG;
    sysdma_adapter *a;
    uint32_t n;
    assert_int_equal(sysdma_adapter_get(x->sys, &d, &a, &n), SYSDMA_OK);

    sysdma_transfer_shape s = {.memory_width = 4, .device_width = 1, .memory_burst = 4,
                               .device_burst = 1, .flow = SYSDMA_FLOW_MEMORY,
                               .device_increment = false};
    assert_int_equal(sysdma_adapter_configure(a, SYSDMA_CONFIGURE_SHAPE, &s, sizeof s - 1),
                     SYSDMA_E_INVALID_ARGUMENT);
    assert_int_equal(sysdma_adapter_configure(a, SYSDMA_CONFIGURE_SHAPE, NULL, sizeof s),
                     SYSDMA_E_INVALID_ARGUMENT);
    sysdma_transfer_shape bad = s;
    bad.device_width = 3;
    assert_int_equal(sysdma_adapter_configure(a, SYSDMA_CONFIGURE_SHAPE, &bad, sizeof bad),
                     SYSDMA_E_INVALID_ARGUMENT);
    bad = s;
    bad.flow = (sysdma_flow)7;
    assert_int_equal(sysdma_adapter_configure(a, SYSDMA_CONFIGURE_SHAPE, &bad, sizeof bad),
                     SYSDMA_E_INVALID_ARGUMENT);
    assert_int_equal(x->c.configured, 0); /* none of that reached the controller */
    assert_int_equal(sysdma_adapter_configure(a, SYSDMA_CONFIGURE_SHAPE, &s, sizeof s),
                     SYSDMA_OK);
    assert_int_equal(x->c.configured, 0);
    assert_int_equal(sysdma_adapter_configure(a, 7, NULL, 0), SYSDMA_OK);
    assert_int_equal(x->c.configured, 7);

    static const uint64_t ram[2] = {0x200000, 0x201000};
    uint8_t *buf = fake_buffer(&x->f, 2, ram);
    sysdma_mdl *m;
    assert_int_equal(sysdma_mdl_create(x->sys, buf, 2 * PG, &m), SYSDMA_OK);
    sysdma_map_registers *regs = NULL;
    assert_int_equal(sysdma_channel_allocate(a, NULL, n, keep, &regs), SYSDMA_OK);
    uint32_t len = 2 * PG;
    uint64_t logical;
    assert_int_equal(sysdma_map_transfer(a, m, regs, buf, &len, true, &logical), SYSDMA_OK);
    const sysdma_program *p = &x->c.last_prog;
    assert_int_equal(p->request_line, 11);
    assert_int_equal(p->device_address, 0x101F1000);
    assert_int_equal(p->shape.memory_width, 4);
    assert_int_equal(p->shape.device_width, 1);
    assert_int_equal(p->shape.memory_burst, 4);
    assert_int_equal(p->shape.flow, SYSDMA_FLOW_MEMORY);
    assert_false(p->shape.device_increment);
    assert_int_equal(sysdma_flush_adapter_buffers(a, m, regs, buf, len, true), SYSDMA_OK);
    assert_int_equal(sysdma_channel_free(a), SYSDMA_OK);
    sysdma_mdl_free(x->sys, m);
    fake_buffer_free(&x->f, buf);
    assert_int_equal(sysdma_adapter_put(a), SYSDMA_OK);

    /* An older description: the channel is the line, the shape all 0. */
    bool bounced;
    (void)map_at(x, 1, ram, &bounced);
    assert_int_equal(x->c.last_prog.request_line, 1);
    assert_int_equal(x->c.last_prog.shape.memory_width, 0);
    assert_int_equal(x->c.last_prog.shape.flow, SYSDMA_FLOW_CONTROLLER);
    done(x);
}

/* Two controllers: a description names one by number; each programs only
 * its own channels; bad numbers and too many controllers are refused. */
static void test_two_controllers(void **state)
{
    (void)state;
    static const uint8_t pc[4] = {24, 24, 24, 24};
    static const uint8_t soc[4] = {32, 32, 32, 0};
    fx *x = make(1u << 20, 12u << 20, pc, 0);
    assert_int_equal(sysdma_system_create(&x->f.pf, &x->c.ctrl, NULL, &x->sys), SYSDMA_OK);
    zctrl *second = calloc(1, sizeof *second);
    assert_non_null(second);
    zctrl_init(second, soc, 3);
    uint32_t index = 99;
    assert_int_equal(sysdma_system_add_controller(x->sys, &second->ctrl, &index), SYSDMA_OK);
    assert_int_equal(index, 1);
    assert_int_equal(second->inits, 1);
    assert_int_equal(sysdma_system_add_controller(x->sys, &second->ctrl, &index),
                     SYSDMA_E_INVALID_ARGUMENT); /* the same one again */
    assert_int_equal(sysdma_system_add_controller(x->sys, &x->c.ctrl, &index),
                     SYSDMA_E_INVALID_ARGUMENT);
    assert_int_equal(second->inits, 1);

    sysdma_device_description d = {0};
    d.version = 3;
    d.controller = 1;
    d.channel = 2;
    d.width = SYSDMA_WIDTH_8;
    d.maximum_length = 4 * PG;
    sysdma_adapter *a, *b;
    uint32_t n;
    assert_int_equal(sysdma_adapter_get(x->sys, &d, &a, &n), SYSDMA_OK);
    assert_int_equal(sysdma_adapter_channel(a), 2);
    d.controller = 0;
    assert_int_equal(sysdma_adapter_get(x->sys, &d, &b, &n), SYSDMA_OK);
    assert_ptr_not_equal(sysdma_adapter_operations(a), NULL);
    static const uint64_t ram[2] = {0x200000, 0x201000};
    uint8_t *buf = fake_buffer(&x->f, 2, ram);
    sysdma_mdl *m;
    assert_int_equal(sysdma_mdl_create(x->sys, buf, 2 * PG, &m), SYSDMA_OK);
    for (int k = 0; k < 2; k++) {
        sysdma_adapter *h = k ? b : a;
        zctrl *on = k ? &x->c : second, *off = k ? second : &x->c;
        long on0 = on->programs, off0 = off->programs;
        sysdma_map_registers *regs = NULL;
        assert_int_equal(sysdma_channel_allocate(h, NULL, 2, keep, &regs), SYSDMA_OK);
        uint32_t len = 2 * PG;
        uint64_t logical;
        assert_int_equal(sysdma_map_transfer(h, m, regs, buf, &len, true, &logical), SYSDMA_OK);
        assert_int_equal(on->programs, on0 + 1);
        assert_int_equal(off->programs, off0);
        assert_int_equal(sysdma_flush_adapter_buffers(h, m, regs, buf, len, true), SYSDMA_OK);
        assert_int_equal(sysdma_channel_free(h), SYSDMA_OK);
    }
    sysdma_mdl_free(x->sys, m);
    fake_buffer_free(&x->f, buf);

    /* Bad numbers. */
    sysdma_adapter *bad;
    d.controller = 2;
    assert_int_equal(sysdma_adapter_get(x->sys, &d, &bad, &n), SYSDMA_E_INVALID_CHANNEL);
    d.controller = 1;
    d.channel = 3; /* it has three */
    assert_int_equal(sysdma_adapter_get(x->sys, &d, &bad, &n), SYSDMA_E_INVALID_CHANNEL);
    d.version = 2;
    d.channel = 1;
    assert_int_equal(sysdma_adapter_get(x->sys, &d, &bad, &n), SYSDMA_E_INVALID_DESCRIPTION);

    /* A controller of 40 channels; then more than four controllers, and
     * more than 64 channels in all. */
    zctrl *more = calloc(3, sizeof *more);
    assert_non_null(more);
    zctrl_init(&more[0], soc, 40);
    assert_int_equal(sysdma_system_add_controller(x->sys, &more[0].ctrl, &index),
                     SYSDMA_E_INVALID_ARGUMENT);
    assert_int_equal(sysdma_system_add_controller(x->sys, NULL, &index),
                     SYSDMA_E_INVALID_ARGUMENT);
    zctrl_init(&more[0], soc, 32);
    zctrl_init(&more[1], soc, 32);
    assert_int_equal(sysdma_system_add_controller(x->sys, &more[0].ctrl, &index), SYSDMA_OK);
    assert_int_equal(index, 2); /* 4 + 3 + 32 channels */
    assert_int_equal(sysdma_system_add_controller(x->sys, &more[1].ctrl, &index),
                     SYSDMA_E_INSUFFICIENT_RESOURCES); /* 71 */
    zctrl_init(&more[1], soc, 3);
    assert_int_equal(sysdma_system_add_controller(x->sys, &more[1].ctrl, &index), SYSDMA_OK);
    assert_int_equal(index, 3);
    zctrl_init(&more[2], soc, 1);
    assert_int_equal(sysdma_system_add_controller(x->sys, &more[2].ctrl, &index),
                     SYSDMA_E_INSUFFICIENT_RESOURCES); /* a fifth */
    /* The last controller's channels are the system's 42-44: its channel 2
     * works. */
    d.version = 3;
    d.controller = 3;
    d.channel = 2;
    assert_int_equal(sysdma_adapter_get(x->sys, &d, &bad, &n), SYSDMA_OK);
    assert_int_equal(sysdma_adapter_channel(bad), 2);
    assert_int_equal(sysdma_adapter_put(bad), SYSDMA_OK);

    assert_int_equal(sysdma_adapter_put(a), SYSDMA_OK);
    assert_int_equal(sysdma_adapter_put(b), SYSDMA_OK);
    done(x);
    free(second);
    free(more);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_no_low_memory), cmocka_unit_test(test_pc_zone),
        cmocka_unit_test(test_mixed_reach),   cmocka_unit_test(test_zone_never),
        cmocka_unit_test(test_bus_addresses), cmocka_unit_test(test_shape_and_line),
        cmocka_unit_test(test_two_controllers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
