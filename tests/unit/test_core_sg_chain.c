/* SPDX-License-Identifier: MIT */
/*
 * Scatter/gather lists over MDL chains: a range that starts in one MDL and
 * runs on into the MDLs chained after it. Random chains (2-4 MDLs, every
 * placement, odd sizes and offsets, and chains cut from one contiguous
 * buffer) on every adapter kind, each list checked part by part against an
 * independent walk of the chain, its data byte-exact both ways, Calculate
 * and GetDmaTransferInfo against Get, the MDL chain BuildMdl makes; then
 * bad chains, the Ex calls, and the verifier's range and overlap checks.
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
#define MAXM 4

static const kind kinds[] = {
    {"ch1 8-bit", false, false, 1, 24},   {"ch2 8-bit s/g", false, true, 2, 24},
    {"ch5 16-bit", false, false, 5, 24},  {"ch6 16-bit s/g", false, true, 6, 24},
    {"master 24 s/g", true, true, 0, 24}, {"master 24", true, false, 0, 24},
    {"master 32 s/g", true, true, 0, 32}, {"master 64", true, false, 0, 64},
};

typedef struct got {
    sysdma_sg_list *list;
    int calls;
} got;

static void keep(void *device, sysdma_sg_list *list, void *ctx)
{
    (void)device;
    got *g = ctx;
    g->list = list;
    g->calls++;
}

static uint64_t rng = 0x9E3779B97F4A7C15ull;
static uint32_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)rng;
}

/* The chain's bytes of the range, one page part at a time, walked here
 * without sysdma's code. */
typedef struct part {
    uint8_t *va;
    uint64_t phys;
    uint32_t len;
    unsigned mdl; /* index in the chain */
} part;

static unsigned parts_of(sysdma_mdl *const *m, unsigned nm, uint32_t start, uint32_t len,
                         part *out)
{
    unsigned n = 0;
    for (unsigned i = 0; i < nm && len; i++) {
        uint32_t from = i == 0 ? start : 0;
        uint32_t take = m[i]->byte_count - from < len ? m[i]->byte_count - from : len;
        uint32_t off = m[i]->byte_offset + from;
        for (uint32_t left = take; left;) {
            uint32_t in = off % PAGE;
            uint32_t seg = PAGE - in < left ? PAGE - in : left;
            out[n++] = (part){m[i]->start_va + off, m[i]->pfn[off / PAGE] + in, seg, i};
            off += seg;
            left -= seg;
        }
        len -= take;
    }
    return n;
}

/* The list address of the range's byte at `pos`. */
static uint64_t addr_of(const sysdma_sg_list *l, uint32_t pos)
{
    for (uint32_t e = 0; e < l->count; e++) {
        if (pos < l->elements[e].length)
            return l->elements[e].address + pos;
        pos -= l->elements[e].length;
    }
    return ~0ull;
}

/* Does the list describe the parts as this kind must? NULL or why not. */
static const char *check_list(const kind *k, const part *p, unsigned np, uint32_t len,
                              const sysdma_sg_list *l, uint32_t *bounced)
{
    uint64_t reach = k->bits >= 64 ? ~0ull : (1ull << k->bits) - 1;
    uint64_t window = k->master ? 0 : k->channel >= 4 ? 131072 : 65536;
    bool wide = !k->master && k->channel >= 4;
    uint32_t total = 0;
    if (l->count == 0 || (!k->sg && l->count != 1))
        return "wrong number of elements";
    for (uint32_t e = 0; e < l->count; e++) {
        const sysdma_sg_element *el = &l->elements[e];
        if (el->length == 0 || el->address + el->length - 1 > reach)
            return "element empty or beyond reach";
        if (window && ((el->address ^ (el->address + el->length - 1)) & ~(window - 1)))
            return "element crosses a window";
        if (wide && ((el->address | el->length) & 1))
            return "odd element on a 16-bit channel";
        total += el->length;
    }
    if (total != len)
        return "elements do not add up to the range";
    *bounced = 0;
    uint32_t pos = 0;
    for (unsigned i = 0; i < np; i++) {
        uint64_t a = addr_of(l, pos);
        bool in_place = a == p[i].phys;
        if (in_place && p[i].phys + p[i].len - 1 > reach)
            return "unreachable part used in place";
        if (!in_place && k->sg && p[i].phys + p[i].len - 1 <= reach)
            return "reachable part bounced on a scatter/gather adapter";
        if (!in_place && k->sg && a % PAGE != p[i].phys % PAGE)
            return "bounced part lost its page offset";
        /* A part is never split between in place and bounced. */
        if ((addr_of(l, pos + p[i].len - 1) == p[i].phys + p[i].len - 1) != in_place)
            return "part split";
        *bounced += !in_place;
        pos += p[i].len;
    }
    return NULL;
}

/* The range as one in-place element (physically contiguous, reachable,
 * inside one window)? */
static bool contiguous(const kind *k, const part *p, unsigned np, uint32_t len)
{
    for (unsigned i = 1; i < np; i++)
        if (p[i].phys != p[i - 1].phys + p[i - 1].len)
            return false;
    uint64_t end = p[0].phys + len - 1;
    uint64_t window = k->master ? 0 : k->channel >= 4 ? 131072 : 65536;
    if (window && ((p[0].phys ^ end) & ~(window - 1)))
        return false;
    return k->bits >= 64 || !(end >> k->bits);
}

/* BuildMdl's chain: one MDL per MDL the range touches, the same bytes,
 * each byte's page the list's page for it. */
static const char *check_built(const sysdma_mdl *b, const part *p, unsigned np,
                               const sysdma_sg_list *l)
{
    uint32_t pos = 0;
    unsigned i = 0;
    for (; b; b = b->next) {
        uint32_t at = 0;
        if (i >= np || b->start_va + b->byte_offset != p[i].va)
            return "built MDL does not start where its part does";
        while (i < np && at < b->byte_count) {
            for (uint32_t j = 0; j < p[i].len; j += p[i].len - 1 ? p[i].len - 1 : 1) {
                uint32_t off = b->byte_offset + at + j;
                if (b->pfn[off / PAGE] + off % PAGE != addr_of(l, pos + j))
                    return "built MDL's page is not the list's";
            }
            at += p[i].len;
            pos += p[i].len;
            unsigned mdl = p[i].mdl;
            i++;
            if (i < np && p[i].mdl != mdl)
                break;
        }
        if (at != b->byte_count)
            return "built MDL's length is not its part of the range";
    }
    return i == np ? NULL : "built chain shorter than the range";
}

static void fill_phys(rig *r, const sysdma_sg_list *l, uint32_t seed)
{
    uint8_t *phys = sysdma_sim_phys_view(r->sim);
    uint32_t pos = 0;
    for (uint32_t e = 0; e < l->count; e++)
        for (uint32_t b = 0; b < l->elements[e].length; b++, pos++)
            phys[l->elements[e].address + b] = (uint8_t)(pos * 7u + seed);
}

static bool phys_holds(rig *r, const sysdma_sg_list *l, const part *p, unsigned np)
{
    uint8_t *phys = sysdma_sim_phys_view(r->sim);
    uint32_t pos = 0;
    for (unsigned i = 0; i < np; i++)
        for (uint32_t b = 0; b < p[i].len; b++, pos++)
            if (phys[addr_of(l, pos)] != p[i].va[b])
                return false;
    return true;
}

static const sysdma_sim_placement placements[] = {SYSDMA_SIM_LOW, SYSDMA_SIM_HIGH,
                                                  SYSDMA_SIM_SCATTERED, SYSDMA_SIM_SCATTERED_LOW};

/* One random chain and range on one adapter kind; returns failures. */
static int one(rig *r, const kind *k, unsigned iter)
{
    bool wide = !k->master && k->channel >= 4;
    unsigned nm = 2 + rnd() % (MAXM - 1);
    uint8_t *bufs[MAXM] = {0};
    sysdma_mdl *m[MAXM];
    uint32_t sizes[MAXM], total = 0;
    bool cut = iter % 5 == 0; /* pieces of one contiguous buffer */
    uint8_t *whole = NULL;
    if (cut)
        whole = sysdma_sim_buffer_alloc(r->sim, MAXM * 2 * PAGE, 0, SYSDMA_SIM_LOW);
    for (unsigned i = 0; i < nm; i++) {
        sizes[i] = 1 + rnd() % (2 * PAGE);
        if (wide)
            sizes[i] = (sizes[i] + 1) & ~1u;
        uint8_t *va;
        if (cut) {
            va = whole + total;
        } else {
            uint32_t off = rnd() % PAGE & (wide ? ~1u : ~0u);
            va = bufs[i] = sysdma_sim_buffer_alloc(r->sim, sizes[i], off,
                                                   placements[rnd() % 4]);
        }
        assert_non_null(va);
        for (uint32_t b = 0; b < sizes[i]; b++)
            va[b] = (uint8_t)rnd();
        assert_int_equal(sysdma_mdl_create(r->sys, va, sizes[i], &m[i]), SYSDMA_OK);
        if (i)
            m[i - 1]->next = m[i];
        total += sizes[i];
    }
    uint32_t start = rnd() % sizes[0] & (wide ? ~1u : ~0u);
    /* Mostly into the next MDLs; now and then inside the first one. */
    uint32_t room = total - start;
    uint32_t len = iter % 7 == 0 ? 1 + rnd() % (sizes[0] - start)
                                 : sizes[0] - start + 1 + rnd() % (room - (sizes[0] - start));
    if (wide)
        len = (len + 1) & ~1u;
    if (len > room)
        len = room;
    part p[64];
    unsigned np = parts_of(m, nm, start, len, p);
    bool to_device = rnd() & 1;
    uint32_t nregs;
    sysdma_adapter *a = get_adapter(r, k, 65536, &nregs);
    uint8_t *va = m[0]->start_va + m[0]->byte_offset + start;
    int bad = 0;
    uint32_t size = 0, regs = 0, size1 = 0;
    assert_int_equal(sysdma_sg_calculate(a, m[0], va, len, &size, &regs), SYSDMA_OK);
    assert_int_equal(sysdma_sg_calculate(a, m[0], va, wide ? 2 : 1, &size1, NULL), SYSDMA_OK);
    sysdma_transfer_info ti;
    assert_int_equal(sysdma_transfer_info_get(a, m[0], start, len, to_device, &ti), SYSDMA_OK);
    got g = {0};
    sysdma_status st = sysdma_sg_get(a, r, m[0], va, len, keep, &g, to_device);
    const char *why = NULL;
    uint32_t bounced = 0;
    if (st != SYSDMA_OK)
        why = sysdma_status_name(st);
    else if (g.calls != 1)
        why = "routine not called once";
    else
        why = check_list(k, p, np, len, g.list, &bounced);
    if (!why && !k->sg && contiguous(k, p, np, len) && g.list->elements[0].address != p[0].phys)
        why = "a contiguous reachable range was bounced";
    if (!why && (size != size1 + 16u * (g.list->count - 1) || ti.list_size != size ||
                 ti.elements != g.list->count || ti.map_registers != regs))
        why = "Calculate / GetDmaTransferInfo disagree with Get";
    if (!why && k->sg && regs != bounced)
        why = "Calculate's map registers are not the bounced parts";
    if (!why && to_device && !phys_holds(r, g.list, p, np))
        why = "data to the device not at the list's addresses";
    if (!why) {
        sysdma_mdl *built = NULL;
        sysdma_status bs = sysdma_sg_build_mdl(a, g.list, m[0], &built);
        bool single_bounced = !k->sg && bounced && np > 1 && p[np - 1].mdl != 0;
        if (single_bounced ? bs != SYSDMA_E_NOT_SUPPORTED : bs != SYSDMA_OK)
            why = "BuildMdl status";
        else if (bs == SYSDMA_OK)
            why = check_built(built, p, np, g.list);
        while (built) {
            sysdma_mdl *next = built->next;
            sysdma_mdl_free(r->sys, built);
            built = next;
        }
    }
    if (!why && !to_device) {
        fill_phys(r, g.list, iter);
        assert_int_equal(sysdma_sg_put(a, g.list, false), SYSDMA_OK);
        g.list = NULL;
        uint32_t pos = 0;
        for (unsigned i = 0; i < np && !why; i++)
            for (uint32_t b = 0; b < p[i].len; b++, pos++)
                if (p[i].va[b] != (uint8_t)(pos * 7u + iter)) {
                    why = "data from the device not back in the chain";
                    break;
                }
    }
    if (why) {
        print_message("%s, iteration %u: %s (chain of %u, start %u, %u bytes, %s)\n", k->name,
                      iter, why, nm, start, len, to_device ? "to device" : "from device");
        bad = 1;
    }
    if (g.list)
        assert_int_equal(sysdma_sg_put(a, g.list, to_device), SYSDMA_OK);
    assert_int_equal(sysdma_adapter_put(a), SYSDMA_OK);
    for (unsigned i = 0; i < nm; i++) {
        m[i]->next = NULL;
        sysdma_mdl_free(r->sys, m[i]);
        if (bufs[i])
            sysdma_sim_buffer_free(r->sim, bufs[i]);
    }
    if (whole)
        sysdma_sim_buffer_free(r->sim, whole);
    return bad;
}

static void test_random_chains(void **state)
{
    rig *r = *state;
    int bad = 0;
    for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++)
        for (unsigned i = 0; i < 300; i++)
            bad += one(r, &kinds[k], i);
    assert_int_equal(bad, 0);
}

/* Two MDLs of `a` and `b` bytes at low addresses, chained. */
static void two(rig *r, uint32_t a, uint32_t b, uint8_t **bufs, sysdma_mdl **m)
{
    bufs[0] = sysdma_sim_buffer_alloc(r->sim, a, 0, SYSDMA_SIM_SCATTERED_LOW);
    bufs[1] = sysdma_sim_buffer_alloc(r->sim, b, 0, SYSDMA_SIM_SCATTERED_LOW);
    assert_int_equal(sysdma_mdl_create(r->sys, bufs[0], a, &m[0]), SYSDMA_OK);
    assert_int_equal(sysdma_mdl_create(r->sys, bufs[1], b, &m[1]), SYSDMA_OK);
    m[0]->next = m[1];
}

static void free_two(rig *r, uint8_t **bufs, sysdma_mdl **m)
{
    m[0]->next = NULL;
    for (int i = 0; i < 2; i++) {
        sysdma_mdl_free(r->sys, m[i]);
        sysdma_sim_buffer_free(r->sim, bufs[i]);
    }
}

static void test_bad_chains(void **state)
{
    rig *r = *state;
    uint8_t *bufs[2];
    sysdma_mdl *m[2];
    uint32_t n;
    sysdma_adapter *a = get_adapter(r, &kinds[3], 65536, &n); /* ch6, 16-bit, s/g */
    two(r, 3000, 4000, bufs, m);
    got g = {0};
    uint32_t size, regs;
    /* The chain ends before the range does. */
    assert_int_equal(sysdma_sg_get(a, r, m[0], bufs[0], 8000, keep, &g, true),
                     SYSDMA_E_OUT_OF_RANGE);
    /* An odd share of a 16-bit channel's range in one MDL. */
    m[0]->byte_count = 2999;
    assert_int_equal(sysdma_sg_calculate(a, m[0], bufs[0], 4000, &size, &regs),
                     SYSDMA_E_ALIGNMENT);
    m[0]->byte_count = 3000;
    assert_int_equal(sysdma_sg_calculate(a, m[0], bufs[0], 4000, &size, &regs), SYSDMA_OK);
    /* A hostile chain: an empty MDL, one not built by this system. */
    m[1]->byte_count = 0;
    assert_int_equal(sysdma_sg_get(a, r, m[0], bufs[0], 3002, keep, &g, true),
                     SYSDMA_E_INVALID_ARGUMENT);
    m[1]->byte_count = 4000;
    sysdma_system *owner = m[1]->system;
    m[1]->system = NULL;
    assert_int_equal(sysdma_sg_get(a, r, m[0], bufs[0], 3002, keep, &g, true),
                     SYSDMA_E_INVALID_ARGUMENT);
    m[1]->system = owner;
    assert_int_equal(g.calls, 0);
    /* A cycle is walked no further than the range. */
    m[1]->next = m[0];
    assert_int_equal(sysdma_sg_get(a, r, m[0], bufs[0], 9000, keep, &g, true), SYSDMA_OK);
    assert_int_equal(g.calls, 1);
    assert_int_equal(sysdma_sg_put(a, g.list, true), SYSDMA_OK);
    m[1]->next = NULL;
    free_two(r, bufs, m);
    assert_int_equal(sysdma_adapter_put(a), SYSDMA_OK);
}

/* The version-3 calls take a range by offset into the chain. */
static void test_ex_across_mdls(void **state)
{
    rig *r = *state;
    uint8_t *bufs[2];
    sysdma_mdl *m[2];
    uint32_t n;
    sysdma_adapter *a = get_adapter(r, &kinds[1], 65536, &n); /* ch2, 8-bit, s/g */
    two(r, 3000, 8192, bufs, m);
    got g = {0};
    assert_int_equal(sysdma_sg_get_ex(a, r, m[0], 2900, 200, keep, &g, true, NULL, NULL),
                     SYSDMA_OK);
    assert_int_equal(g.calls, 1);
    assert_int_equal(g.list->elements[0].address, m[0]->pfn[0] + 2900);
    assert_int_equal(addr_of(g.list, 100), m[1]->pfn[0]);
    assert_int_equal(sysdma_sg_put(a, g.list, true), SYSDMA_OK);
    /* Built in the caller's buffer, too. */
    uint64_t buffer[32];
    uint32_t bytes = sizeof buffer;
    assert_int_equal(sysdma_sg_get_ex(a, r, m[0], 1000, 9000, keep, &g, false, buffer, &bytes),
                     SYSDMA_OK);
    assert_int_equal(g.calls, 2);
    assert_true((uint8_t *)g.list >= (uint8_t *)buffer &&
                (uint8_t *)g.list < (uint8_t *)buffer + sizeof buffer);
    uint32_t sum = 0;
    for (uint32_t e = 0; e < g.list->count; e++)
        sum += g.list->elements[e].length;
    assert_int_equal(sum, 9000);
    assert_int_equal(sysdma_sg_put(a, g.list, false), SYSDMA_OK);
    assert_int_equal(sysdma_sg_get_ex(a, r, m[0], 3000 + 8192 - 10, 11, keep, &g, true, NULL,
                                      NULL),
                     SYSDMA_E_OUT_OF_RANGE);
    free_two(r, bufs, m);
    assert_int_equal(sysdma_adapter_put(a), SYSDMA_OK);
}

/* The verifier follows the chain: a range past its end, and overlaps in
 * any MDL of it. */
static void test_verifier_follows_chains(void **state)
{
    rig *r = *state;
    rig_verify(r);
    uint8_t *bufs[2];
    sysdma_mdl *m[2];
    uint32_t n;
    sysdma_adapter *a = get_adapter(r, &kinds[1], 65536, &n);
    sysdma_adapter *b = get_adapter(r, &kinds[0], 65536, &n);
    two(r, 3000, 8192, bufs, m);
    got g = {0};
    /* Right: no report. */
    assert_int_equal(sysdma_sg_get(a, r, m[0], bufs[0] + 100, 6000, keep, &g, false), SYSDMA_OK);
    assert_int_equal(r->reports, 0);
    r->reports_expected = true;
    /* From the device into bytes of the second MDL the list covers. */
    sysdma_mdl *m2 = NULL;
    assert_int_equal(sysdma_mdl_create(r->sys, bufs[1] + 1000, 100, &m2), SYSDMA_OK);
    got g2 = {0};
    assert_int_equal(sysdma_sg_get(b, r, m2, bufs[1] + 1000, 100, keep, &g2, false),
                     SYSDMA_E_VERIFIER);
    assert_int_equal(r->last.check, SYSDMA_VCHECK_OVERLAPPING_MAPPING);
    assert_int_equal(r->reports, 1);
    /* Bytes of the second MDL past the list's range: no overlap. */
    sysdma_mdl *m3 = NULL;
    assert_int_equal(sysdma_mdl_create(r->sys, bufs[1] + 4000, 100, &m3), SYSDMA_OK);
    assert_int_equal(sysdma_sg_get(b, r, m3, bufs[1] + 4000, 100, keep, &g2, false), SYSDMA_OK);
    assert_int_equal(r->reports, 1);
    assert_int_equal(sysdma_sg_put(b, g2.list, false), SYSDMA_OK);
    /* Past the chain's end. */
    assert_int_equal(sysdma_sg_get(b, r, m[0], bufs[0], 3000 + 8192 + 1, keep, &g2, true),
                     SYSDMA_E_VERIFIER);
    assert_int_equal(r->last.check, SYSDMA_VCHECK_OUT_OF_MDL);
    assert_int_equal(r->reports, 2);
    r->reports_expected = false;
    r->reports = 0;
    assert_int_equal(sysdma_sg_put(a, g.list, false), SYSDMA_OK);
    sysdma_mdl_free(r->sys, m2);
    sysdma_mdl_free(r->sys, m3);
    free_two(r, bufs, m);
    assert_int_equal(sysdma_adapter_put(a), SYSDMA_OK);
    assert_int_equal(sysdma_adapter_put(b), SYSDMA_OK);
}

static int setup(void **state)
{
    rig *r = malloc(sizeof *r);
    sysdma_config cfg = {.map_registers_initial = 64, .map_registers_cap = 256};
    if (!r || rig_init(r, 64u << 20, 4096, &cfg) != SYSDMA_OK)
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_random_chains, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_chains, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ex_across_mdls, setup, teardown),
        cmocka_unit_test_setup_teardown(test_verifier_follows_chains, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
