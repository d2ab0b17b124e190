/* SPDX-License-Identifier: MIT */
/*
 * Scatter/gather support routines on the simulated PC: lists for buffers of
 * 1 byte to 64 MiB, every offset class, every placement, on system adapters
 * (8- and 16-bit, with and without scatter/gather) and bus masters (24-,
 * 32-, 64-bit); each list checked element by element against the MDL by an
 * independent oracle, its data byte-exact both ways through the physical
 * view; Calculate against Get; Build with a short buffer; the MDL built
 * from a list; lists waiting for map registers; statuses for bad input.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "support/rig.h"
#include "support/sg_kinds.h"

#define PAGE SYSDMA_PAGE_SIZE

static const kind kinds[] = {
    {"ch1 8-bit", false, false, 1, 24},       {"ch2 8-bit s/g", false, true, 2, 24},
    {"ch5 16-bit", false, false, 5, 24},      {"ch6 16-bit s/g", false, true, 6, 24},
    {"master 24 s/g", true, true, 0, 24},     {"master 24", true, false, 0, 24},
    {"master 32 s/g", true, true, 0, 32},     {"master 64 s/g", true, true, 0, 64},
    {"master 64", true, false, 0, 64},
};

/* The list-control routine: keep the list. */
typedef struct got {
    sysdma_sg_list *list;
    int calls;
    void *device;
} got;

static void keep(void *device, sysdma_sg_list *list, void *ctx)
{
    got *g = ctx;
    g->list = list;
    g->device = device;
    g->calls++;
}

static uint64_t rng = 88172645463325252ull;
static uint32_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)rng;
}

/*
 * The oracle: does `l` describe [va, va + len) of `m` as this adapter kind
 * must? Returns NULL or why not. *bounced gets the page parts that went
 * through map registers.
 */
static const char *check_list(const kind *k, const sysdma_mdl *m, const uint8_t *va,
                              uint32_t len, const sysdma_sg_list *l, uint32_t *bounced)
{
    uint64_t reach = k->bits >= 64 ? ~0ull : (1ull << k->bits) - 1;
    uint64_t window = k->master ? 0 : k->channel >= 4 ? 131072 : 65536;
    uint64_t max_el = k->master ? 0xFFFFF000u : window;
    bool wide = !k->master && k->channel >= 4;
    if (l->count == 0)
        return "empty list";
    if (!k->sg && l->count != 1)
        return "a device without scatter/gather got more than one element";
    size_t off = (size_t)(va - m->start_va);
    uint32_t left = len;
    *bounced = 0;
    bool prev_direct = false;
    uint64_t prev_end = 0, prev_start = 0;
    for (uint32_t e = 0; e < l->count; e++) {
        const sysdma_sg_element *el = &l->elements[e];
        if (el->length == 0 || el->length > left)
            return "element length 0 or past the range";
        if (el->address + el->length - 1 > reach)
            return "element beyond the adapter's reach";
        if (window && ((el->address ^ (el->address + el->length - 1)) & ~(window - 1)))
            return "element crosses a 64/128 KiB window";
        if (el->length > max_el)
            return "element longer than the controller takes";
        if (wide && ((el->address | el->length) & 1))
            return "odd element on a 16-bit channel";
        /* Walk the element's bytes page part by page part. */
        uint64_t a = el->address;
        uint32_t n = el->length;
        int direct = -1;
        while (n) {
            uint32_t in = (uint32_t)(off % PAGE);
            uint32_t seg = PAGE - in < n ? PAGE - in : n;
            uint64_t p = m->pfn[off / PAGE] + in;
            bool d = a == p;
            if (d && p + seg - 1 > reach)
                return "unreachable part used in place";
            if (!d && p + seg - 1 <= reach && k->sg)
                return "reachable part bounced on a scatter/gather adapter";
            if (!d && (k->sg || l->count > 1) && a % PAGE != in)
                return "bounced part lost its page offset";
            if (k->sg && direct >= 0 && direct != d)
                return "element mixes in-place and bounced parts";
            direct = d;
            if (!d)
                (*bounced)++;
            a += seg;
            n -= seg;
            off += seg;
        }
        /* Neighbouring in-place elements must not have been joinable. */
        if (k->sg && e && prev_direct && direct && prev_end == el->address) {
            uint64_t last = el->address + el->length - 1;
            bool crosses = window && ((prev_start ^ last) & ~(window - 1));
            if (!crosses && (prev_end - prev_start) + el->length <= max_el)
                return "two joinable in-place elements left apart";
        }
        prev_direct = direct;
        prev_start = el->address;
        prev_end = el->address + el->length;
        left -= el->length;
    }
    if (left)
        return "elements shorter than the range";
    return NULL;
}

/* Page parts of the range beyond reach (what must bounce on s/g adapters). */
static uint32_t unreachable_parts(const kind *k, const sysdma_mdl *m, const uint8_t *va,
                                  uint32_t len)
{
    uint64_t reach = k->bits >= 64 ? ~0ull : (1ull << k->bits) - 1;
    size_t off = (size_t)(va - m->start_va);
    uint32_t n = 0;
    while (len) {
        uint32_t in = (uint32_t)(off % PAGE);
        uint32_t seg = PAGE - in < len ? PAGE - in : len;
        n += m->pfn[off / PAGE] + in + seg - 1 > reach;
        off += seg;
        len -= seg;
    }
    return n;
}

/* Can the whole range be one in-place element (contiguous, reachable,
 * inside one window)? */
static bool in_place(const kind *k, const sysdma_mdl *m, const uint8_t *va, uint32_t len)
{
    size_t off = (size_t)(va - m->start_va);
    size_t first = off / PAGE, last = (off + len - 1) / PAGE;
    for (size_t p = first; p < last; p++)
        if (m->pfn[p + 1] != m->pfn[p] + PAGE)
            return false;
    uint64_t start = m->pfn[first] + off % PAGE, end = start + len - 1;
    uint64_t window = k->master ? 0 : k->channel >= 4 ? 131072 : 65536;
    if (window && (start ^ end) & ~(window - 1))
        return false;
    return k->bits >= 64 || !(end >> k->bits);
}

/* Data through the list: to the device, the bytes at the logical
 * addresses are the buffer's; from the device, bytes written there land
 * in the buffer after Put. */
static int check_data(rig *r, sysdma_adapter *a, sysdma_sg_list *l, uint8_t *buf, uint32_t len,
                      bool to_device)
{
    uint8_t *phys = sysdma_sim_phys_view(r->sim);
    uint32_t pos = 0;
    int bad = 0;
    for (uint32_t e = 0; e < l->count; e++) {
        uint8_t *at = phys + l->elements[e].address;
        if (to_device) {
            if (memcmp(at, buf + pos, l->elements[e].length) != 0)
                bad = 1;
        } else {
            for (uint32_t b = 0; b < l->elements[e].length; b++)
                at[b] = (uint8_t)((pos + b) * 7u + 1u);
        }
        pos += l->elements[e].length;
    }
    assert_int_equal(sysdma_sg_put(a, l, to_device), SYSDMA_OK);
    if (!to_device)
        for (uint32_t b = 0; b < len && !bad; b++)
            bad = buf[b] != (uint8_t)(b * 7u + 1u);
    return bad;
}

static int one(rig *r, const kind *k, sysdma_sim_placement how, uint32_t len, uint32_t offset,
               bool to_device, bool data)
{
    uint8_t *buf = sysdma_sim_buffer_alloc(r->sim, len, offset, how);
    if (!buf)
        fail_msg("no buffer: %u bytes placement %d", len, (int)how);
    if (data)
        for (uint32_t b = 0; b < len; b++)
            buf[b] = (uint8_t)(b * 13u + 5u);
    sysdma_mdl *m;
    assert_int_equal(sysdma_mdl_create(r->sys, buf, len, &m), SYSDMA_OK);
    uint32_t nregs;
    sysdma_adapter *a = get_adapter(r, k, k->master ? 0x7FFFFFFFu : 65536, &nregs);
    uint32_t size = 0, regs = 0;
    sysdma_status cs = sysdma_sg_calculate(a, m, buf, len, &size, &regs);
    got g = {0};
    sysdma_status st = sysdma_sg_get(a, r, m, buf, len, keep, &g, to_device);
    int bad = 0;
    /* What the oracle expects of the status. */
    uint64_t window = k->master ? 0 : k->channel >= 4 ? 131072 : 65536;
    uint32_t limit = nregs < 32 ? nregs : 32;
    sysdma_status want = SYSDMA_OK;
    if (!k->master && k->channel >= 4 && ((len | offset) & 1))
        want = SYSDMA_E_ALIGNMENT;
    else if (!k->sg && window && len > window)
        want = SYSDMA_E_LENGTH;
    else if (k->sg && unreachable_parts(k, m, buf, len) > limit)
        want = SYSDMA_E_TOO_MANY_MAP_REGISTERS;
    else if (!k->sg && (len + PAGE - 1) / PAGE > limit && !in_place(k, m, buf, len))
        want = SYSDMA_E_TOO_MANY_MAP_REGISTERS;
    if (st != want) {
        print_message("status %s, expected %s\n", sysdma_status_name(st), sysdma_status_name(want));
        bad = 1;
    } else if (st == SYSDMA_OK) {
        uint32_t bounced = 0;
        const char *why = g.calls == 1 ? check_list(k, m, buf, len, g.list, &bounced)
                                       : "routine not called exactly once";
        if (why) {
            print_message("%s\n", why);
            bad = 1;
        } else {
            /* Calculate agrees with Get: the size of exactly this many
             * elements (a one-byte list has one), the registers it holds. */
            uint32_t size1 = 0;
            sysdma_sg_calculate(a, m, buf, !k->master && k->channel >= 4 ? 2 : 1, &size1, NULL);
            if (cs != SYSDMA_OK || size != size1 + 16u * (g.list->count - 1)) {
                print_message("calculate: %s, size %u for %u elements (one: %u)\n",
                              sysdma_status_name(cs), size, g.list->count, size1);
                bad = 1;
            }
            if (k->sg && regs != bounced) {
                print_message("calculate says %u registers, the list bounced %u parts\n", regs,
                              bounced);
                bad = 1;
            }
            if (!k->sg && (regs != 0) != (bounced != 0)) {
                print_message("calculate says %u registers for a %s element\n", regs,
                              bounced ? "bounced" : "direct");
                bad = 1;
            }
        }
        if (data && !bad) {
            bad = check_data(r, a, g.list, buf, len, to_device);
            if (bad)
                print_message("data not byte-exact\n");
        } else {
            assert_int_equal(sysdma_sg_put(a, g.list, to_device), SYSDMA_OK);
        }
    }
    sysdma_stats s;
    sysdma_stats_get(r->sys, a, &s);
    if (s.pool_in_use) {
        print_message("%u map registers still held\n", s.pool_in_use);
        bad = 1;
    }
    if (bad)
        print_message("  case: %s placement %d len %u offset %u %s\n", k->name, (int)how, len,
                      offset, to_device ? "to device" : "from device");
    assert_int_equal(sysdma_adapter_put(a), SYSDMA_OK);
    sysdma_mdl_free(r->sys, m);
    sysdma_sim_buffer_free(r->sim, buf);
    return bad;
}

static int setup(void **state)
{
    rig *r = malloc(sizeof *r);
    sysdma_config cfg = {.map_registers_initial = 64, .map_registers_cap = 256};
    if (!r || rig_init(r, 160u << 20, 4096, &cfg) != SYSDMA_OK)
        return -1;
    *state = r;
    return 0;
}

static int teardown(void **state)
{
    rig_destroy(*state);
    free(*state);
    return 0;
}

/* The matrix: every kind × placement × size × offset class × direction. */
static void test_lists_match_the_mdl(void **state)
{
    rig *r = *state;
    static const uint32_t sizes[] = {1, 2, 100, 4094, 4096, 4098, 8192, 65536, 65538, 131072,
                                     200000, 1u << 20};
    static const uint32_t offsets[] = {0, 2, 1000, 4094};
    int failures = 0, cases = 0;
    for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++)
        for (int how = SYSDMA_SIM_LOW; how <= SYSDMA_SIM_STRADDLE_128K; how++)
            for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++)
                for (size_t o = 0; o < sizeof offsets / sizeof offsets[0]; o++) {
                    bool dir = (s + o + k) & 1;
                    bool data = sizes[s] <= 200000 || how == SYSDMA_SIM_SCATTERED;
                    failures += one(r, &kinds[k], (sysdma_sim_placement)how, sizes[s],
                                    offsets[o], dir, data);
                    cases++;
                }
    /* Odd offsets and lengths on 8-bit channels and masters. */
    for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++)
        for (int c = 0; c < 8; c++)
            failures += one(r, &kinds[k], (sysdma_sim_placement)(c % 4), 1 + rnd() % 70000,
                            1 + 2 * (rnd() % 2047), c & 1, true);
    print_message("%d cases\n", cases);
    assert_int_equal(failures, 0);
}

/* 64 MiB: a list per page for scattered memory, direct on the 64-bit
 * master and on a scatter/gather system channel below 16 MiB... */
static void test_64_mib(void **state)
{
    (void)state;
    rig r;
    sysdma_config cfg = {0};
    assert_int_equal(rig_init(&r, 200u << 20, 4096, &cfg), SYSDMA_OK);
    uint32_t len = 64u << 20;
    int failures = 0;
    failures += one(&r, &kinds[7], SYSDMA_SIM_SCATTERED, len, 100, true, false);
    failures += one(&r, &kinds[7], SYSDMA_SIM_HIGH, len, 0, false, true);
    failures += one(&r, &kinds[6], SYSDMA_SIM_HIGH, len, 4000, false, false);
    /* ...and refused with the right status where it would bounce. */
    failures += one(&r, &kinds[4], SYSDMA_SIM_HIGH, len, 0, true, false);
    failures += one(&r, &kinds[1], SYSDMA_SIM_SCATTERED, len, 0, true, false);
    assert_int_equal(failures, 0);
    rig_destroy(&r);
}

/* Bus masters over RAM above their address width: everything bounced,
 * byte-exact after Put, both directions. */
static void test_masters_bounce_above_their_width(void **state)
{
    (void)state;
    rig r;
    sysdma_config cfg = {0};
    assert_int_equal(rig_init(&r, (4ull << 30) + (8u << 20), 4096, &cfg), SYSDMA_OK);
    int failures = 0;
    for (int dir = 0; dir < 2; dir++) {
        failures += one(&r, &kinds[4], SYSDMA_SIM_HIGH, 100000, 123, dir, true);      /* 24 s/g */
        failures += one(&r, &kinds[5], SYSDMA_SIM_HIGH, 90000, 4000, dir, true);      /* 24 */
        failures += one(&r, &kinds[6], SYSDMA_SIM_ABOVE_4G, 100000, 7, dir, true);    /* 32 s/g */
        failures += one(&r, &kinds[7], SYSDMA_SIM_ABOVE_4G, 100000, 7, dir, true);    /* 64 */
    }
    assert_int_equal(failures, 0);
    /* The 32-bit master's list really went through map registers. */
    uint8_t *buf = sysdma_sim_buffer_alloc(r.sim, 8192, 0, SYSDMA_SIM_ABOVE_4G);
    sysdma_mdl *m;
    assert_int_equal(sysdma_mdl_create(r.sys, buf, 8192, &m), SYSDMA_OK);
    assert_true(m->pfn[0] >= (4ull << 30));
    uint32_t n;
    sysdma_adapter *a = get_adapter(&r, &kinds[6], 1u << 20, &n);
    got g = {0};
    assert_int_equal(sysdma_sg_get(a, NULL, m, buf, 8192, keep, &g, true), SYSDMA_OK);
    assert_int_equal(g.list->count, 1); /* two bounce pages, contiguous: one element */
    assert_true(g.list->elements[0].address < (16u << 20));
    sysdma_stats s;
    sysdma_stats_get(r.sys, a, &s);
    assert_int_equal(s.pool_in_use, 2);
    assert_int_equal(sysdma_sg_put(a, g.list, true), SYSDMA_OK);
    assert_int_equal(sysdma_adapter_put(a), SYSDMA_OK);
    sysdma_mdl_free(r.sys, m);
    rig_destroy(&r);
}

/* Calculate without an MDL: the worst case for the length. */
static void test_calculate_worst_case(void **state)
{
    rig *r = *state;
    uint32_t n;
    uint8_t *va = (uint8_t *)(uintptr_t)0x100000 + 100;
    uint32_t size, regs;
    sysdma_adapter *a = get_adapter(r, &kinds[1], 65536, &n); /* ch2 s/g */
    assert_int_equal(sysdma_sg_calculate(a, NULL, va, 8192, &size, &regs), SYSDMA_OK);
    assert_int_equal(regs, 3);
    uint32_t size1;
    assert_int_equal(sysdma_sg_calculate(a, NULL, va, 1, &size1, NULL), SYSDMA_OK);
    assert_int_equal(size - size1, 2 * sizeof(sysdma_sg_element));
    assert_int_equal(sysdma_sg_calculate(a, NULL, va, 0, &size, &regs), SYSDMA_E_LENGTH);
    assert_int_equal(sysdma_adapter_put(a), SYSDMA_OK);
    a = get_adapter(r, &kinds[0], 65536, &n); /* ch1: one element */
    assert_int_equal(sysdma_sg_calculate(a, NULL, va, 8192, &size, &regs), SYSDMA_OK);
    assert_int_equal(size, size1);
    assert_int_equal(regs, 3);
    assert_int_equal(sysdma_adapter_put(a), SYSDMA_OK);
    a = get_adapter(r, &kinds[7], 1u << 30, &n); /* 64-bit master: never bounces */
    assert_int_equal(sysdma_sg_calculate(a, NULL, va, 1u << 30, &size, &regs), SYSDMA_OK);
    assert_int_equal(regs, 0);
    assert_int_equal(size - size1, ((1u << 30) / PAGE) * sizeof(sysdma_sg_element));
    assert_int_equal(sysdma_adapter_put(a), SYSDMA_OK);
}

/* Build into the caller's buffer: too small → the size needed; then exact. */
static void test_build_short_buffer(void **state)
{
    rig *r = *state;
    uint32_t len = 10 * PAGE;
    uint8_t *buf = sysdma_sim_buffer_alloc(r->sim, len, 512, SYSDMA_SIM_SCATTERED_LOW);
    for (uint32_t b = 0; b < len; b++)
        buf[b] = (uint8_t)b;
    sysdma_mdl *m;
    assert_int_equal(sysdma_mdl_create(r->sys, buf, len, &m), SYSDMA_OK);
    uint32_t n;
    sysdma_adapter *a = get_adapter(r, &kinds[1], 65536, &n);
    uint32_t size;
    assert_int_equal(sysdma_sg_calculate(a, m, buf, len, &size, NULL), SYSDMA_OK);
    uint64_t *space = calloc(1, size + 64);
    got g = {0};
    uint32_t have = size - 1;
    assert_int_equal(sysdma_sg_build(a, NULL, m, buf, len, keep, &g, true, space, &have),
                     SYSDMA_E_BUFFER_TOO_SMALL);
    assert_int_equal(have, size);
    assert_int_equal(g.calls, 0);
    have = 0;
    assert_int_equal(sysdma_sg_build(a, NULL, m, buf, len, keep, &g, true, space, &have),
                     SYSDMA_E_BUFFER_TOO_SMALL);
    assert_int_equal(have, size);
    /* Misaligned buffer. */
    have = size + 8;
    assert_int_equal(
        sysdma_sg_build(a, NULL, m, buf, len, keep, &g, true, (uint8_t *)space + 4, &have),
        SYSDMA_E_INVALID_ARGUMENT);
    have = size;
    assert_int_equal(sysdma_sg_build(a, NULL, m, buf, len, keep, &g, true, space, &have),
                     SYSDMA_OK);
    assert_int_equal(g.calls, 1);
    assert_true((uint8_t *)g.list >= (uint8_t *)space && (uint8_t *)g.list < (uint8_t *)space + size);
    assert_int_equal(g.list->count, 10 + 1); /* scattered: one element per page part */
    uint32_t bounced;
    assert_null(check_list(&kinds[1], m, buf, len, g.list, &bounced));
    /* A list in the caller's buffer: a second put is refused, nothing freed twice. */
    assert_int_equal(sysdma_sg_put(a, g.list, false), SYSDMA_E_INVALID_ARGUMENT);
    assert_int_equal(sysdma_sg_put(a, g.list, true), SYSDMA_OK);
    assert_int_equal(sysdma_sg_put(a, g.list, true), SYSDMA_E_INVALID_ARGUMENT);
    free(space);
    assert_int_equal(sysdma_adapter_put(a), SYSDMA_OK);
    sysdma_mdl_free(r->sys, m);
    sysdma_sim_buffer_free(r->sim, buf);
}

/* BuildMdlFromScatterGatherList: the list's pages, once. */
static void test_build_mdl(void **state)
{
    rig *r = *state;
    static const sysdma_sim_placement hows[] = {SYSDMA_SIM_SCATTERED, SYSDMA_SIM_HIGH,
                                                SYSDMA_SIM_LOW};
    for (int h = 0; h < 3; h++)
        for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
            uint32_t len = 5 * PAGE + 2;
            uint8_t *buf = sysdma_sim_buffer_alloc(r->sim, len, 2048, hows[h]);
            sysdma_mdl *m, *built;
            assert_int_equal(sysdma_mdl_create(r->sys, buf, len, &m), SYSDMA_OK);
            uint32_t n;
            sysdma_adapter *a = get_adapter(r, &kinds[k], 65536, &n);
            got g = {0};
            assert_int_equal(sysdma_sg_get(a, NULL, m, buf, len, keep, &g, false), SYSDMA_OK);
            assert_int_equal(sysdma_sg_build_mdl(a, g.list, m, &built), SYSDMA_OK);
            sysdma_mdl *again = (sysdma_mdl *)0x1;
            assert_int_equal(sysdma_sg_build_mdl(a, g.list, m, &again), SYSDMA_E_WRONG_STATE);
            assert_null(again);
            assert_ptr_equal(sysdma_mdl_virtual_address(built), buf);
            assert_int_equal(sysdma_mdl_byte_count(built), len);
            assert_int_equal(built->pages, m->pages);
            /* Byte b of the buffer sits at the built MDL's page + offset. */
            uint32_t pos = 0;
            for (uint32_t e = 0; e < g.list->count; e++) {
                for (uint32_t b = 0; b < g.list->elements[e].length; b += 509) {
                    size_t off = built->byte_offset + pos + b;
                    assert_int_equal(built->pfn[off / PAGE] + off % PAGE,
                                     g.list->elements[e].address + b);
                }
                pos += g.list->elements[e].length;
            }
            assert_int_equal(pos, len);
            sysdma_mdl_free(r->sys, built);
            assert_int_equal(sysdma_sg_put(a, g.list, false), SYSDMA_OK);
            assert_int_equal(sysdma_adapter_put(a), SYSDMA_OK);
            sysdma_mdl_free(r->sys, m);
            sysdma_sim_buffer_free(r->sim, buf);
        }
}

/* Lists wait for map registers FIFO and run when they free up; a routine
 * that puts its list at once is fine. */
typedef struct q {
    int *order, *n, id;
    sysdma_adapter *a;
    bool put_now;
    sysdma_sg_list *list;
} q;

static void queued(void *device, sysdma_sg_list *list, void *ctx)
{
    (void)device;
    q *x = ctx;
    x->order[(*x->n)++] = x->id;
    x->list = list;
    if (x->put_now)
        assert_int_equal(sysdma_sg_put(x->a, list, true), SYSDMA_OK);
}

static void test_lists_wait_for_registers(void **state)
{
    (void)state;
    rig r;
    sysdma_config cfg = {.map_registers_initial = 32, .map_registers_cap = 32};
    assert_int_equal(rig_init(&r, 64u << 20, 4096, &cfg), SYSDMA_OK);
    uint32_t n;
    sysdma_adapter *a = get_adapter(&r, &kinds[5], 1u << 20, &n); /* 24-bit master, one element */
    assert_int_equal(n, 32);
    uint32_t len = 20 * PAGE;
    uint8_t *buf = sysdma_sim_buffer_alloc(r.sim, len, 0, SYSDMA_SIM_HIGH);
    sysdma_mdl *m;
    assert_int_equal(sysdma_mdl_create(r.sys, buf, len, &m), SYSDMA_OK);
    int order[8], count = 0;
    q x[4];
    for (int k = 0; k < 4; k++) {
        x[k] = (q){order, &count, k, a, k == 3, NULL};
        assert_int_equal(sysdma_sg_get(a, NULL, m, buf, len, queued, &x[k], true),
                         k == 0 ? SYSDMA_OK : SYSDMA_PENDING);
    }
    assert_int_equal(count, 1);
    assert_int_equal(sysdma_sg_put(a, x[0].list, true), SYSDMA_OK);
    assert_int_equal(count, 2);
    assert_int_equal(sysdma_sg_put(a, x[1].list, true), SYSDMA_OK);
    assert_int_equal(count, 3);
    assert_int_equal(sysdma_sg_put(a, x[2].list, true), SYSDMA_OK);
    assert_int_equal(count, 4); /* the last put its own list inside its routine */
    for (int k = 0; k < 4; k++)
        assert_int_equal(order[k], k);
    sysdma_stats s;
    sysdma_stats_get(r.sys, NULL, &s);
    assert_int_equal(s.pool_in_use, 0);
    /* More registers than the pool can ever hold: refused at once. */
    got g = {0};
    sysdma_mdl *big;
    uint8_t *bb = sysdma_sim_buffer_alloc(r.sim, 40 * PAGE, 0, SYSDMA_SIM_HIGH);
    assert_int_equal(sysdma_mdl_create(r.sys, bb, 40 * PAGE, &big), SYSDMA_OK);
    assert_int_equal(sysdma_sg_get(a, NULL, big, bb, 40 * PAGE, keep, &g, true),
                     SYSDMA_E_TOO_MANY_MAP_REGISTERS);
    assert_int_equal(g.calls, 0);
    sysdma_mdl_free(r.sys, big);
    assert_int_equal(sysdma_adapter_put(a), SYSDMA_OK);
    sysdma_mdl_free(r.sys, m);
    rig_destroy(&r);
}

/* Bad input: statuses, nothing called, nothing held. */
static void test_bad_input(void **state)
{
    rig *r = *state;
    uint8_t *buf = sysdma_sim_buffer_alloc(r->sim, 8192, 0, SYSDMA_SIM_LOW);
    sysdma_mdl *m;
    assert_int_equal(sysdma_mdl_create(r->sys, buf, 8192, &m), SYSDMA_OK);
    uint32_t n;
    sysdma_adapter *a = get_adapter(r, &kinds[3], 65536, &n); /* ch6 s/g */
    got g = {0};
    assert_int_equal(sysdma_sg_get(a, NULL, m, buf, 0, keep, &g, true), SYSDMA_E_LENGTH);
    assert_int_equal(sysdma_sg_get(a, NULL, m, buf - 2, 2, keep, &g, true), SYSDMA_E_OUT_OF_RANGE);
    assert_int_equal(sysdma_sg_get(a, NULL, m, buf + 8190, 4, keep, &g, true),
                     SYSDMA_E_OUT_OF_RANGE);
    assert_int_equal(sysdma_sg_get(a, NULL, m, buf + 1, 2, keep, &g, true), SYSDMA_E_ALIGNMENT);
    assert_int_equal(sysdma_sg_get(a, NULL, m, buf, 3, keep, &g, true), SYSDMA_E_ALIGNMENT);
    assert_int_equal(sysdma_sg_get(a, NULL, m, buf, 2, NULL, &g, true), SYSDMA_E_INVALID_ARGUMENT);
    assert_int_equal(sysdma_sg_get(a, NULL, NULL, buf, 2, keep, &g, true),
                     SYSDMA_E_INVALID_ARGUMENT);
    assert_int_equal(sysdma_sg_get(NULL, NULL, m, buf, 2, keep, &g, true),
                     SYSDMA_E_INVALID_ARGUMENT);
    assert_int_equal(g.calls, 0);
    /* A list of another adapter, or the wrong direction, is refused. */
    sysdma_adapter *b = get_adapter(r, &kinds[0], 65536, &n);
    assert_int_equal(sysdma_sg_get(a, NULL, m, buf, 4096, keep, &g, true), SYSDMA_OK);
    assert_int_equal(sysdma_sg_put(b, g.list, true), SYSDMA_E_INVALID_ARGUMENT);
    assert_int_equal(sysdma_sg_put(a, g.list, false), SYSDMA_E_INVALID_ARGUMENT);
    assert_int_equal(sysdma_sg_start(b, g.list, true, NULL, NULL), SYSDMA_E_INVALID_ARGUMENT);
    assert_int_equal(sysdma_sg_cancel(a, g.list), SYSDMA_E_WRONG_STATE);
    assert_int_equal(sysdma_sg_put(a, g.list, true), SYSDMA_OK);
    assert_int_equal(sysdma_adapter_put(b), SYSDMA_OK);
    assert_int_equal(sysdma_adapter_put(a), SYSDMA_OK);
    /* A bus master has no chained runner. */
    a = get_adapter(r, &kinds[7], 65536, &n);
    assert_int_equal(sysdma_sg_get(a, NULL, m, buf, 4096, keep, &g, true), SYSDMA_OK);
    assert_int_equal(sysdma_sg_start(a, g.list, true, NULL, NULL), SYSDMA_E_NOT_SUPPORTED);
    assert_int_equal(sysdma_sg_put(a, g.list, true), SYSDMA_OK);
    /* ...and a master refuses more than its maximum length. */
    assert_int_equal(sysdma_adapter_put(a), SYSDMA_OK);
    a = get_adapter(r, &kinds[7], 4096, &n);
    assert_int_equal(sysdma_sg_get(a, NULL, m, buf, 4097, keep, &g, true), SYSDMA_E_LENGTH);
    assert_int_equal(sysdma_adapter_put(a), SYSDMA_OK);
    sysdma_mdl_free(r->sys, m);
    sysdma_sim_buffer_free(r->sim, buf);
}

/* Packet-based MapTransfer on bus masters: nothing programmed; a
 * scatter/gather master's length shrinks to one contiguous run; a master
 * that cannot reach the buffer bounces through its registers. */
typedef struct hold {
    sysdma_map_registers *regs;
} hold;
static sysdma_allocation_action keep_channel(void *device, sysdma_map_registers *regs, void *ctx)
{
    (void)device;
    ((hold *)ctx)->regs = regs;
    return SYSDMA_KEEP_OBJECT;
}

static void test_master_map_transfer(void **state)
{
    rig *r = *state;
    uint32_t len = 6 * PAGE;
    uint8_t *buf = sysdma_sim_buffer_alloc(r->sim, len, 0, SYSDMA_SIM_SCATTERED);
    for (uint32_t b = 0; b < len; b++)
        buf[b] = (uint8_t)(b ^ 0x5A);
    sysdma_mdl *m;
    assert_int_equal(sysdma_mdl_create(r->sys, buf, len, &m), SYSDMA_OK);
    uint32_t n;
    sysdma_adapter *a = get_adapter(r, &kinds[7], len, &n); /* 64-bit s/g */
    hold h = {0};
    uint64_t ports = sysdma_sim_port_accesses(r->sim);
    assert_int_equal(sysdma_channel_allocate(a, NULL, n, keep_channel, &h), SYSDMA_OK);
    uint32_t done = 0;
    while (done < len) {
        uint32_t piece = len - done;
        uint64_t logical;
        assert_int_equal(sysdma_map_transfer(a, m, h.regs, buf + done, &piece, true, &logical),
                         SYSDMA_OK);
        assert_int_equal(piece, PAGE); /* scattered: one page per run */
        assert_int_equal(logical, m->pfn[done / PAGE]);
        assert_int_equal(sysdma_flush_adapter_buffers(a, m, h.regs, buf + done, piece, true),
                         SYSDMA_OK);
        done += piece;
    }
    assert_int_equal(sysdma_sim_port_accesses(r->sim), ports); /* no controller touched */
    assert_int_equal(sysdma_read_dma_counter(a), 0);
    assert_int_equal(sysdma_channel_free(a), SYSDMA_OK);
    assert_int_equal(sysdma_adapter_put(a), SYSDMA_OK);
    /* 24-bit master without s/g, buffer above 16 MiB: whole piece bounced. */
    uint8_t *hi = sysdma_sim_buffer_alloc(r->sim, len, 0, SYSDMA_SIM_HIGH);
    sysdma_mdl *mh;
    assert_int_equal(sysdma_mdl_create(r->sys, hi, len, &mh), SYSDMA_OK);
    a = get_adapter(r, &kinds[5], len, &n);
    assert_int_equal(sysdma_channel_allocate(a, NULL, n, keep_channel, &h), SYSDMA_OK);
    uint32_t piece = len;
    uint64_t logical;
    assert_int_equal(sysdma_map_transfer(a, mh, h.regs, hi, &piece, false, &logical), SYSDMA_OK);
    assert_int_equal(piece, len);
    assert_true(logical + len <= (16u << 20));
    uint8_t *phys = sysdma_sim_phys_view(r->sim);
    for (uint32_t b = 0; b < len; b++)
        phys[logical + b] = (uint8_t)(b * 3u);
    assert_int_equal(sysdma_flush_adapter_buffers(a, mh, h.regs, hi, len, false), SYSDMA_OK);
    for (uint32_t b = 0; b < len; b++)
        assert_int_equal(hi[b], (uint8_t)(b * 3u));
    assert_int_equal(sysdma_channel_free(a), SYSDMA_OK);
    assert_int_equal(sysdma_adapter_put(a), SYSDMA_OK);
    sysdma_mdl_free(r->sys, mh);
    sysdma_mdl_free(r->sys, m);
    sysdma_sim_buffer_free(r->sim, hi);
    sysdma_sim_buffer_free(r->sim, buf);
}

/* The runner's refusals, on the core alone (no device: the run stays on
 * the channel until cancelled). */
static void run_done(sysdma_adapter *a, sysdma_sg_list *l, sysdma_status st, void *ctx)
{
    (void)a;
    (void)l;
    *(sysdma_status *)ctx = st;
}

static void test_runner_refusals(void **state)
{
    rig *r = *state;
    uint8_t *buf = sysdma_sim_buffer_alloc(r->sim, 8192, 0, SYSDMA_SIM_SCATTERED_LOW);
    sysdma_mdl *m;
    assert_int_equal(sysdma_mdl_create(r->sys, buf, 8192, &m), SYSDMA_OK);
    uint32_t n;
    sysdma_adapter *a = get_adapter(r, &kinds[1], 65536, &n); /* ch2 s/g */
    got g = {0}, g2 = {0};
    assert_int_equal(sysdma_sg_get(a, NULL, m, buf, 4096, keep, &g, true), SYSDMA_OK);
    assert_int_equal(sysdma_sg_get(a, NULL, m, buf + 4096, 4096, keep, &g2, true), SYSDMA_OK);
    sysdma_status done = SYSDMA_PENDING, done2 = SYSDMA_PENDING;
    assert_int_equal(sysdma_sg_start(a, g.list, false, run_done, &done), SYSDMA_E_INVALID_ARGUMENT);
    assert_int_equal(sysdma_sg_start(a, g.list, true, run_done, &done), SYSDMA_OK);
    assert_int_equal(sysdma_sg_start(a, g.list, true, run_done, &done), SYSDMA_E_WRONG_STATE);
    assert_int_equal(sysdma_sg_put(a, g.list, true), SYSDMA_E_WRONG_STATE);
    assert_int_equal(sysdma_sg_start(a, g2.list, true, run_done, &done2), SYSDMA_PENDING);
    assert_int_equal(sysdma_sg_put(a, g2.list, true), SYSDMA_E_WRONG_STATE); /* waiting to run */
    assert_int_equal(sysdma_adapter_put(a), SYSDMA_E_BUSY);
    sysdma_adapter_state as;
    sysdma_adapter_state_get(a, &as);
    assert_true(as.list_running);
    assert_int_equal(as.lists_waiting, 1);
    assert_false(as.channel_held);
    /* The run holds the channel: a request waits for the runs. */
    hold h = {0};
    assert_int_equal(sysdma_channel_allocate(a, NULL, 0, keep_channel, &h), SYSDMA_PENDING);
    sysdma_adapter_state_get(a, &as);
    assert_false(as.channel_held);
    assert_false(as.mapped);
    uint32_t len = 512;
    assert_int_equal(sysdma_map_transfer(a, m, NULL, buf, &len, true, NULL), SYSDMA_E_NOT_OWNER);
    assert_int_equal(sysdma_channel_free(a), SYSDMA_E_NOT_OWNER);
    assert_int_equal(sysdma_sg_progress(a, g.list), 0);
    /* Cancelling the waiting one, then the running one. */
    assert_int_equal(sysdma_sg_cancel(a, g2.list), SYSDMA_OK);
    assert_int_equal(done2, SYSDMA_E_CANCELLED);
    assert_int_equal(done, SYSDMA_PENDING);
    assert_int_equal(sysdma_sg_cancel(a, g.list), SYSDMA_OK);
    assert_int_equal(done, SYSDMA_E_CANCELLED);
    assert_int_equal(sysdma_sg_cancel(a, g.list), SYSDMA_E_WRONG_STATE);
    sysdma_adapter_state_get(a, &as);
    assert_false(as.list_running);
    assert_int_equal(as.lists_waiting, 0);
    assert_true(as.channel_held); /* the waiting request got it */
    assert_int_equal(sysdma_channel_free(a), SYSDMA_OK);
    /* A terminal count for a channel with nothing running changes nothing. */
    sysdma_terminal_count(r->sys, 0xFF);
    assert_int_equal(sysdma_sg_put(a, g.list, true), SYSDMA_OK);
    assert_int_equal(sysdma_sg_put(a, g2.list, true), SYSDMA_OK);
    assert_int_equal(sysdma_adapter_put(a), SYSDMA_OK);
    sysdma_mdl_free(r->sys, m);
    sysdma_sim_buffer_free(r->sim, buf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_lists_match_the_mdl, setup, teardown),
        cmocka_unit_test(test_64_mib),
        cmocka_unit_test(test_masters_bounce_above_their_width),
        cmocka_unit_test_setup_teardown(test_calculate_worst_case, setup, teardown),
        cmocka_unit_test_setup_teardown(test_build_short_buffer, setup, teardown),
        cmocka_unit_test_setup_teardown(test_build_mdl, setup, teardown),
        cmocka_unit_test(test_lists_wait_for_registers),
        cmocka_unit_test_setup_teardown(test_bad_input, setup, teardown),
        cmocka_unit_test_setup_teardown(test_master_map_transfer, setup, teardown),
        cmocka_unit_test_setup_teardown(test_runner_refusals, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
