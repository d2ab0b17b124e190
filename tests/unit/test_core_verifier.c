/* SPDX-License-Identifier: MIT */
/*
 * The DMA verifier: each check provoked on the simulated PC, its report
 * asserted (check, call, site, adapter) and the bad call refused; the same
 * operations done right report nothing; use after put, leaks at teardown,
 * stop mode, per-adapter wrapping, and an unwrapped adapter untouched.
 */
#define _GNU_SOURCE
#define SYSDMA_VERIFIER_SITES
#include <setjmp.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "unit/verifier_fx.h"

typedef struct grant {
    sysdma_map_registers *regs;
    sysdma_allocation_action act;
    int runs;
} grant;

static sysdma_allocation_action on_grant(void *device, sysdma_map_registers *regs, void *ctx)
{
    (void)device;
    grant *g = ctx;
    g->regs = regs;
    g->runs++;
    return g->act;
}

/* Done right: a bounced write, a direct read, a common buffer, a list —
 * nothing reported. */
static void test_right_use_reports_nothing(void **state)
{
    fx *f = *state;
    uint32_t n;
    sysdma_adapter *a = adapter(f, 1, &n);
    for (int k = 0; k < 3; k++) {
        grant g = {NULL, SYSDMA_KEEP_OBJECT, 0};
        assert_int_equal(sysdma_channel_allocate(a, f, n, on_grant, &g), SYSDMA_OK);
        uint32_t len = 4 * PAGE;
        uint8_t *buf = k == 0 ? f->high : f->low;
        sysdma_mdl *m = k == 0 ? f->mhigh : f->mlow;
        assert_int_equal(sysdma_map_transfer(a, m, g.regs, buf, &len, k != 1, NULL), SYSDMA_OK);
        assert_int_equal(sysdma_flush_adapter_buffers(a, m, g.regs, buf, len, k != 1), SYSDMA_OK);
        assert_int_equal(sysdma_channel_free(a), SYSDMA_OK);
    }
    void *va;
    uint64_t lg;
    assert_int_equal(sysdma_common_buffer_allocate(a, 1000, true, &va, &lg), SYSDMA_OK);
    memset(va, 1, 1000);
    assert_int_equal(sysdma_common_buffer_free(a, 1000, lg, va, true), SYSDMA_OK);
    assert_int_equal(sysdma_common_buffer_allocate(a, 2 * PAGE, false, &va, &lg), SYSDMA_OK);
    memset(va, 1, 2 * PAGE);
    assert_int_equal(sysdma_common_buffer_free(a, 2 * PAGE, lg, va, false), SYSDMA_OK);
    assert_int_equal(sysdma_adapter_put(a), SYSDMA_OK);
    assert_int_equal(f->r.reports, 0);
    assert_int_equal(sysdma_verifier_reports(f->r.sys, SYSDMA_VCHECK_COUNT), 0);
}

static void test_descriptions_and_put(void **state)
{
    fx *f = *state;
    unsigned before = f->r.reports;
    sysdma_device_description d = {0};
    d.version = 9;
    d.maximum_length = 1;
    sysdma_adapter *a;
    assert_int_equal(sysdma_adapter_get(f->r.sys, &d, &a, NULL), SYSDMA_E_UNKNOWN_VERSION);
    EXPECT(f, before, INVALID_DESCRIPTION, "sysdma_adapter_get");
    assert_non_null(f->r.last.file);
    assert_non_null(strstr(f->r.last.file, "test_core_verifier.c"));
    assert_true(f->r.last.line > 0);

    /* Put with the channel held: refused, reported with what is held. */
    uint32_t n;
    a = adapter(f, 2, &n);
    grant g = {NULL, SYSDMA_KEEP_OBJECT, 0};
    assert_int_equal(sysdma_channel_allocate(a, f, 1, on_grant, &g), SYSDMA_OK);
    before = f->r.reports;
    assert_int_equal(sysdma_adapter_put(a), SYSDMA_E_VERIFIER);
    EXPECT(f, before, PUT_WITH_RESOURCES, "sysdma_adapter_put");
    assert_int_equal(f->r.last.count, 1);
    assert_string_equal(f->r.last.what, "channel held");
    assert_int_equal(sysdma_channel_free(a), SYSDMA_OK);
    assert_int_equal(sysdma_adapter_put(a), SYSDMA_OK);

    /* Use after put: every call on the put adapter is a report. */
    before = f->r.reports;
    assert_int_equal(sysdma_channel_allocate(a, f, 1, on_grant, &g), SYSDMA_E_VERIFIER);
    EXPECT(f, before, USE_AFTER_PUT, "sysdma_channel_allocate");
    assert_int_equal(sysdma_adapter_put(a), SYSDMA_E_VERIFIER);
    EXPECT(f, before + 1, USE_AFTER_PUT, "sysdma_adapter_put");
    uint32_t len = 100;
    assert_int_equal(sysdma_map_transfer(a, f->mlow, NULL, f->low, &len, true, NULL),
                     SYSDMA_E_VERIFIER);
    EXPECT(f, before + 2, USE_AFTER_PUT, "sysdma_map_transfer");
    /* Got again: alive and verified again. */
    sysdma_adapter *b = adapter(f, 2, &n);
    assert_ptr_not_equal(a, b); /* a new reference: the old handle stays dead */
    before = f->r.reports;
    assert_int_equal(sysdma_channel_allocate(b, f, 1, on_grant, &g), SYSDMA_OK);
    assert_int_equal(sysdma_channel_free(b), SYSDMA_OK);
    assert_int_equal(sysdma_adapter_put(b), SYSDMA_OK);
    assert_int_equal(f->r.reports, before);
}

static sysdma_allocation_action allocates_again(void *device, sysdma_map_registers *regs,
                                                void *ctx)
{
    (void)regs;
    sysdma_adapter *a = ctx;
    static grant g2 = {NULL, SYSDMA_KEEP_OBJECT, 0};
    assert_int_equal(sysdma_channel_allocate(a, device, 0, on_grant, &g2), SYSDMA_E_VERIFIER);
    return SYSDMA_DEALLOCATE_OBJECT;
}

typedef struct mapper {
    fx *f;
    sysdma_adapter *a;
    sysdma_allocation_action act;
    bool free_regs;
    sysdma_status free_status;
    sysdma_map_registers *regs;
} mapper;

/* Maps a bounced piece in the routine, then returns `act`. */
static sysdma_allocation_action maps(void *device, sysdma_map_registers *regs, void *ctx)
{
    (void)device;
    mapper *m = ctx;
    m->regs = regs;
    uint32_t len = PAGE;
    assert_int_equal(sysdma_map_transfer(m->a, m->f->mhigh, regs, m->f->high, &len, true, NULL),
                     SYSDMA_OK);
    if (m->free_regs)
        m->free_status = sysdma_map_registers_free(m->a, regs, 2);
    return m->act;
}

static void test_channel_checks(void **state)
{
    fx *f = *state;
    uint32_t n;
    sysdma_adapter *a = adapter(f, 3, &n);
    unsigned before = f->r.reports;
    grant g = {NULL, SYSDMA_KEEP_OBJECT, 0};
    assert_int_equal(sysdma_channel_allocate(a, f, n + 1, on_grant, &g), SYSDMA_E_VERIFIER);
    EXPECT(f, before, TOO_MANY_MAP_REGISTERS, "sysdma_channel_allocate");
    assert_int_equal(g.runs, 0);

    assert_int_equal(sysdma_channel_free(a), SYSDMA_E_VERIFIER);
    EXPECT(f, before + 1, FREE_CHANNEL_NOT_OWNER, "sysdma_channel_free");

    assert_int_equal(sysdma_channel_allocate(a, f, 1, on_grant, &g), SYSDMA_OK);
    assert_int_equal(sysdma_channel_allocate(a, f, 1, on_grant, &g), SYSDMA_E_VERIFIER);
    EXPECT(f, before + 2, ALLOCATE_OUTSTANDING, "sysdma_channel_allocate");
    /* Another device may queue behind it. */
    grant other = {NULL, SYSDMA_DEALLOCATE_OBJECT, 0};
    assert_int_equal(sysdma_channel_allocate(a, &other, 1, on_grant, &other), SYSDMA_PENDING);
    assert_int_equal(sysdma_channel_free(a), SYSDMA_OK);
    assert_int_equal(other.runs, 1);
    assert_int_equal(f->r.reports, before + 3);

    /* From inside AdapterControl. */
    assert_int_equal(sysdma_channel_allocate(a, f, 0, allocates_again, a), SYSDMA_OK);
    EXPECT(f, before + 3, ALLOCATE_IN_CONTROL, "sysdma_channel_allocate");

    /* An invalid action; releasing a channel whose transfer is mapped. */
    g.act = (sysdma_allocation_action)7;
    assert_int_equal(sysdma_channel_allocate(a, f, 1, on_grant, &g), SYSDMA_OK);
    EXPECT(f, before + 4, BAD_ALLOCATION_ACTION, "AdapterControl");
    assert_int_equal(sysdma_channel_free(a), SYSDMA_OK);
    mapper m = {f, a, SYSDMA_DEALLOCATE_OBJECT, false, SYSDMA_OK, NULL};
    assert_int_equal(sysdma_channel_allocate(a, f, 2, maps, &m), SYSDMA_OK);
    EXPECT(f, before + 5, BAD_ALLOCATION_ACTION, "AdapterControl");
    /* The channel is still held (the transfer runs). */
    assert_int_equal(sysdma_channel_free(a), SYSDMA_E_VERIFIER);
    EXPECT(f, before + 6, FREE_CHANNEL_MAPPED, "sysdma_channel_free");
    assert_int_equal(sysdma_flush_adapter_buffers(a, f->mhigh, NULL, f->high, PAGE, true),
                     SYSDMA_E_VERIFIER); /* bounced: the registers must be given */
    EXPECT(f, before + 7, FLUSH_MISMATCH, "sysdma_flush_adapter_buffers");
    assert_int_equal(sysdma_adapter_put(a), SYSDMA_E_VERIFIER);
    EXPECT(f, before + 9, PUT_WITH_RESOURCES, "sysdma_adapter_put"); /* channel, mapping */
    assert_int_equal(sysdma_flush_adapter_buffers(a, f->mhigh, m.regs, f->high, PAGE, true),
                     SYSDMA_OK);
    assert_int_equal(sysdma_channel_free(a), SYSDMA_OK);
    assert_int_equal(sysdma_adapter_put(a), SYSDMA_OK);
    assert_int_equal(f->r.reports, before + 10); /* PUT_WITH_RESOURCES: channel and mapping */
}

static void test_register_checks(void **state)
{
    fx *f = *state;
    uint32_t n;
    sysdma_adapter *a = adapter(f, 1, &n);
    unsigned before = f->r.reports;
    grant g = {NULL, SYSDMA_DEALLOCATE_OBJECT_KEEP_REGISTERS, 0};
    assert_int_equal(sysdma_channel_allocate(a, f, 4, on_grant, &g), SYSDMA_OK);
    assert_int_equal(sysdma_map_registers_free(a, g.regs, 3), SYSDMA_E_VERIFIER);
    EXPECT(f, before, FREE_REGISTERS_NOT_HELD, "sysdma_map_registers_free");
    assert_int_equal(sysdma_map_registers_free(a, g.regs, 4), SYSDMA_OK);
    assert_int_equal(sysdma_map_registers_free(a, g.regs, 4), SYSDMA_E_VERIFIER);
    EXPECT(f, before + 1, FREE_REGISTERS_NOT_HELD, "sysdma_map_registers_free");

    /* Freed while a transfer through them is mapped (inside the routine). */
    mapper m = {f, a, SYSDMA_KEEP_OBJECT, true, SYSDMA_OK, NULL};
    assert_int_equal(sysdma_channel_allocate(a, f, 2, maps, &m), SYSDMA_OK);
    assert_int_equal(m.free_status, SYSDMA_E_VERIFIER);
    EXPECT(f, before + 2, FREE_REGISTERS_MAPPED, "sysdma_map_registers_free");
    assert_int_equal(sysdma_flush_adapter_buffers(a, f->mhigh, m.regs, f->high, PAGE, true),
                     SYSDMA_OK);
    assert_int_equal(sysdma_channel_free(a), SYSDMA_OK);
    sysdma_stats st;
    sysdma_stats_get(f->r.sys, NULL, &st);
    assert_int_equal(st.pool_in_use, 0);
    assert_int_equal(sysdma_adapter_put(a), SYSDMA_OK);
    assert_int_equal(f->r.reports, before + 3);
}

static void test_map_checks(void **state)
{
    fx *f = *state;
    uint32_t n;
    sysdma_adapter *a = adapter(f, 5, &n); /* 16-bit */
    unsigned before = f->r.reports;
    uint32_t len = 512;
    assert_int_equal(sysdma_map_transfer(a, f->mlow, NULL, f->low, &len, true, NULL),
                     SYSDMA_E_VERIFIER);
    EXPECT(f, before, MAP_WITHOUT_CHANNEL, "sysdma_map_transfer");

    grant g = {NULL, SYSDMA_KEEP_OBJECT, 0};
    assert_int_equal(sysdma_channel_allocate(a, f, 2, on_grant, &g), SYSDMA_OK);
    sysdma_map_registers *first = g.regs;
    len = 0;
    assert_int_equal(sysdma_map_transfer(a, f->mlow, g.regs, f->low, &len, true, NULL),
                     SYSDMA_E_VERIFIER);
    EXPECT(f, before + 1, ZERO_LENGTH, "sysdma_map_transfer");
    len = 512;
    assert_int_equal(sysdma_map_transfer(a, f->mlow, g.regs, f->low + 8 * PAGE - 256, &len, true,
                                         NULL),
                     SYSDMA_E_VERIFIER);
    EXPECT(f, before + 2, OUT_OF_MDL, "sysdma_map_transfer");
    len = 511;
    assert_int_equal(sysdma_map_transfer(a, f->mlow, g.regs, f->low, &len, true, NULL),
                     SYSDMA_E_VERIFIER);
    EXPECT(f, before + 3, ODD_16BIT, "sysdma_map_transfer");
    len = 3 * PAGE; /* must bounce (above 16 MiB) through 2 registers: too long */
    assert_int_equal(sysdma_map_transfer(a, f->mhigh, g.regs, f->high, &len, false, NULL),
                     SYSDMA_E_VERIFIER);
    EXPECT(f, before + 4, TOO_LONG, "sysdma_map_transfer");

    len = 512;
    assert_int_equal(sysdma_map_transfer(a, f->mlow, g.regs, f->low, &len, true, NULL), SYSDMA_OK);
    assert_int_equal(sysdma_map_transfer(a, f->mlow, g.regs, f->low, &len, true, NULL),
                     SYSDMA_E_VERIFIER);
    EXPECT(f, before + 5, MAP_WHILE_MAPPED, "sysdma_map_transfer");
    assert_int_equal(sysdma_flush_adapter_buffers(a, f->mlow, g.regs, f->low, 512, false),
                     SYSDMA_E_VERIFIER);
    EXPECT(f, before + 6, FLUSH_DIRECTION, "sysdma_flush_adapter_buffers");
    assert_int_equal(sysdma_flush_adapter_buffers(a, f->mlow, g.regs, f->low, 510, true),
                     SYSDMA_E_VERIFIER);
    EXPECT(f, before + 7, FLUSH_MISMATCH, "sysdma_flush_adapter_buffers");
    /* Another adapter mapping the same bytes from its device meanwhile. */
    sysdma_adapter *b = adapter(f, 6, &n);
    grant gb = {NULL, SYSDMA_KEEP_OBJECT, 0};
    assert_int_equal(sysdma_channel_allocate(b, &gb, 2, on_grant, &gb), SYSDMA_OK);
    len = 256;
    assert_int_equal(sysdma_map_transfer(b, f->mlow, gb.regs, f->low + 256, &len, false, NULL),
                     SYSDMA_E_VERIFIER);
    EXPECT(f, before + 8, OVERLAPPING_MAPPING, "sysdma_map_transfer");
    assert_int_equal(sysdma_channel_free(b), SYSDMA_OK);
    assert_int_equal(sysdma_adapter_put(b), SYSDMA_OK);
    assert_int_equal(sysdma_flush_adapter_buffers(a, f->mlow, g.regs, f->low, 512, true),
                     SYSDMA_OK);
    assert_int_equal(sysdma_flush_adapter_buffers(a, f->mlow, g.regs, f->low, 512, true),
                     SYSDMA_E_VERIFIER);
    EXPECT(f, before + 9, FLUSH_WITHOUT_MAP, "sysdma_flush_adapter_buffers");
    assert_int_equal(sysdma_channel_free(a), SYSDMA_OK);

    /* Registers of an earlier grant. */
    assert_int_equal(sysdma_channel_allocate(a, f, 1, on_grant, &g), SYSDMA_OK);
    len = 512;
    if (g.regs != first) {
        assert_int_equal(sysdma_map_transfer(a, f->mlow, first, f->low, &len, true, NULL),
                         SYSDMA_E_VERIFIER);
        EXPECT(f, before + 10, MAP_STALE_REGISTERS, "sysdma_map_transfer");
    }
    assert_int_equal(sysdma_map_transfer(a, f->mlow, (sysdma_map_registers *)&g, f->low, &len,
                                         true, NULL),
                     SYSDMA_E_VERIFIER);
    assert_int_equal(sysdma_verifier_reports(f->r.sys, SYSDMA_VCHECK_MAP_STALE_REGISTERS),
                     g.regs != first ? 2 : 1);
    assert_int_equal(sysdma_channel_free(a), SYSDMA_OK);
    assert_int_equal(sysdma_adapter_put(a), SYSDMA_OK);
}

static void test_bounce_checks(void **state)
{
    fx *f = *state;
    uint32_t n;
    sysdma_adapter *a = adapter(f, 1, &n);
    unsigned before = f->r.reports;
    grant g = {NULL, SYSDMA_KEEP_OBJECT, 0};
    assert_int_equal(sysdma_channel_allocate(a, f, 4, on_grant, &g), SYSDMA_OK);
    /* The CPU writes the buffer while the device owns a bounced copy. */
    uint32_t len = 2 * PAGE;
    assert_int_equal(sysdma_map_transfer(a, f->mhigh, g.regs, f->high, &len, true, NULL),
                     SYSDMA_OK);
    f->high[100] ^= 0xFF;
    assert_int_equal(sysdma_flush_adapter_buffers(a, f->mhigh, g.regs, f->high, len, true),
                     SYSDMA_E_VERIFIER);
    EXPECT(f, before, BOUNCED_WRITE_TOUCHED, "sysdma_flush_adapter_buffers");
    /* The device writes past the mapped length into the registers. */
    uint64_t lg;
    len = PAGE + 10;
    assert_int_equal(sysdma_map_transfer(a, f->mhigh, g.regs, f->high, &len, false, &lg),
                     SYSDMA_OK);
    sysdma_sim_phys_view(f->r.sim)[lg + len + 3] = 0x55;
    assert_int_equal(sysdma_flush_adapter_buffers(a, f->mhigh, g.regs, f->high, len, false),
                     SYSDMA_E_VERIFIER);
    EXPECT(f, before + 1, BOUNCE_GUARD, "sysdma_flush_adapter_buffers");
    /* ...and before it: the data sits a little way into the registers, so
     * the bytes before it are guarded too (the scenario tests show the data
     * still comes back whole from there). */
    uint64_t first_lg = lg;
    len = PAGE + 10;
    assert_int_equal(sysdma_map_transfer(a, f->mhigh, g.regs, f->high, &len, false, &lg),
                     SYSDMA_OK);
    assert_int_equal(lg, first_lg);
    uint8_t *phys = sysdma_sim_phys_view(f->r.sim);
    for (uint32_t i = 0; i < len; i++)
        phys[lg + i] = (uint8_t)(i * 7 + 1);
    phys[lg - 1] = 0x55;
    assert_int_equal(sysdma_flush_adapter_buffers(a, f->mhigh, g.regs, f->high, len, false),
                     SYSDMA_E_VERIFIER);
    EXPECT(f, before + 2, BOUNCE_GUARD, "sysdma_flush_adapter_buffers");
    /* A piece that fills the registers has no room before it (nor after). */
    len = 4 * PAGE;
    assert_int_equal(sysdma_map_transfer(a, f->mhigh, g.regs, f->high, &len, false, &lg),
                     SYSDMA_OK);
    assert_int_equal(lg % PAGE, 0);
    assert_true(lg < first_lg);
    assert_int_equal(sysdma_flush_adapter_buffers(a, f->mhigh, g.regs, f->high, len, false),
                     SYSDMA_OK);
    /* Both flushes still released the mapping. */
    assert_int_equal(sysdma_channel_free(a), SYSDMA_OK);
    assert_int_equal(sysdma_adapter_put(a), SYSDMA_OK);
    assert_int_equal(f->r.reports, before + 3);
}

static void test_common_checks(void **state)
{
    fx *f = *state;
    uint32_t n;
    sysdma_adapter *a = adapter(f, 2, &n);
    unsigned before = f->r.reports;
    void *va;
    uint64_t lg;
    assert_int_equal(sysdma_common_buffer_allocate(a, 3000, true, &va, &lg), SYSDMA_OK);
    assert_int_equal(sysdma_common_buffer_free(a, 2999, lg, va, true), SYSDMA_E_VERIFIER);
    EXPECT(f, before, COMMON_BAD_FREE, "sysdma_common_buffer_free");
    assert_int_equal(sysdma_common_buffer_free(a, 3000, lg, va, false), SYSDMA_E_VERIFIER);
    EXPECT(f, before + 1, COMMON_BAD_FREE, "sysdma_common_buffer_free");
    assert_int_equal(sysdma_adapter_put(a), SYSDMA_E_VERIFIER);
    EXPECT(f, before + 2, PUT_WITH_RESOURCES, "sysdma_adapter_put");
    assert_string_equal(f->r.last.what, "common buffers");
    ((uint8_t *)va)[3000] = 1; /* one byte past the end */
    assert_int_equal(sysdma_common_buffer_free(a, 3000, lg, va, true), SYSDMA_E_VERIFIER);
    EXPECT(f, before + 3, COMMON_GUARD, "sysdma_common_buffer_free");
    assert_int_equal(sysdma_common_buffer_free(a, 3000, lg, va, true), SYSDMA_E_VERIFIER);
    EXPECT(f, before + 4, COMMON_BAD_FREE, "sysdma_common_buffer_free");
    /* A whole-page buffer gets guard bytes too. */
    assert_int_equal(sysdma_common_buffer_allocate(a, PAGE, true, &va, &lg), SYSDMA_OK);
    ((uint8_t *)va)[PAGE] = 1;
    assert_int_equal(sysdma_common_buffer_free(a, PAGE, lg, va, true), SYSDMA_E_VERIFIER);
    EXPECT(f, before + 5, COMMON_GUARD, "sysdma_common_buffer_free");
    assert_int_equal(sysdma_adapter_put(a), SYSDMA_OK);
}

/* Guard bytes before a common buffer too; the Ex allocation is guarded the
 * same way and frees normally; a buffer filling its window gets none. */
/* Two drivers on one channel, each with its own reference: one freeing or
 * mapping on the channel the other holds is reported (the adapter object
 * is shared; the verifier's records are per reference). */
static void test_per_reference(void **state)
{
    fx *f = *state;
    uint32_t n;
    sysdma_adapter *a = adapter(f, 2, &n), *b = adapter(f, 2, &n);
    grant g = {NULL, SYSDMA_KEEP_OBJECT, 0};
    assert_int_equal(sysdma_channel_allocate(a, f, 1, on_grant, &g), SYSDMA_OK);
    unsigned before = f->r.reports;
    assert_int_equal(sysdma_channel_free(b), SYSDMA_E_VERIFIER);
    EXPECT(f, before, FREE_CHANNEL_NOT_OWNER, "sysdma_channel_free");
    uint32_t len = 100;
    assert_int_equal(sysdma_map_transfer(b, f->mlow, NULL, f->low, &len, true, NULL),
                     SYSDMA_E_VERIFIER);
    EXPECT(f, before + 1, MAP_WITHOUT_CHANNEL, "sysdma_map_transfer");
    sysdma_adapter_state st;
    sysdma_adapter_state_get(a, &st);
    assert_true(st.channel_held); /* a's channel is still a's */
    /* b's put is clean (b holds nothing); a's put with the channel is not. */
    assert_int_equal(sysdma_adapter_put(b), SYSDMA_OK);
    assert_int_equal(sysdma_adapter_put(a), SYSDMA_E_VERIFIER);
    EXPECT(f, before + 2, PUT_WITH_RESOURCES, "sysdma_adapter_put");
    assert_int_equal(sysdma_channel_free(a), SYSDMA_OK);
    assert_int_equal(sysdma_adapter_put(a), SYSDMA_OK);
    assert_int_equal(f->r.reports, before + 3);
}

static void test_common_underrun(void **state)
{
    fx *f = *state;
    uint32_t n;
    sysdma_adapter *a = adapter(f, 5, &n);
    unsigned before = f->r.reports;
    void *va;
    uint64_t lg;
    assert_int_equal(sysdma_common_buffer_allocate(a, 3000, true, &va, &lg), SYSDMA_OK);
    assert_int_equal((uintptr_t)va % 2, 0); /* still the channel's alignment */
    assert_int_equal(lg % 2, 0);
    memset(va, 0x55, 3000); /* the whole buffer is the driver's */
    ((uint8_t *)va)[-1] = 0x55; /* one byte before the start */
    assert_int_equal(sysdma_common_buffer_free(a, 3000, lg, va, true), SYSDMA_E_VERIFIER);
    EXPECT(f, before, COMMON_GUARD, "sysdma_common_buffer_free");
    /* An odd length on a 16-bit channel: the last byte can never move. */
    assert_int_equal(sysdma_common_buffer_allocate(a, 3001, true, &va, &lg), SYSDMA_E_VERIFIER);
    EXPECT(f, before + 1, ODD_16BIT, "sysdma_common_buffer_allocate");
    assert_int_equal(sysdma_adapter_put(a), SYSDMA_OK);

    sysdma_device_description d = {0};
    d.version = 3;
    d.channel = 1;
    d.maximum_length = 16 * PAGE;
    assert_int_equal(sysdma_adapter_get(f->r.sys, &d, &a, &n), SYSDMA_OK);
    before = f->r.reports;
    assert_int_equal(sysdma_common_buffer_allocate_ex(a, 0xFFFFFF, 512, false, &va, &lg),
                     SYSDMA_OK);
    assert_true(lg + 512 <= 0x1000000u);
    memset(va, 1, 512);
    assert_int_equal(sysdma_common_buffer_free(a, 512, lg, va, false), SYSDMA_OK);
    assert_int_equal(sysdma_common_buffer_allocate_ex(a, 0xFFFFFF, 512, false, &va, &lg),
                     SYSDMA_OK);
    ((uint8_t *)va)[-64] = 0;
    assert_int_equal(sysdma_common_buffer_free(a, 512, lg, va, false), SYSDMA_E_VERIFIER);
    EXPECT(f, before, COMMON_GUARD, "sysdma_common_buffer_free");
    /* 64 KiB on an 8-bit channel fills its window: no room for guards,
     * still handed out whole and page aligned. */
    assert_int_equal(sysdma_common_buffer_allocate(a, 64u << 10, true, &va, &lg), SYSDMA_OK);
    assert_int_equal(lg % PAGE, 0);
    memset(va, 2, 64u << 10);
    assert_int_equal(sysdma_common_buffer_free(a, 64u << 10, lg, va, true), SYSDMA_OK);
    assert_int_equal(f->r.reports, before + 1);
    assert_int_equal(sysdma_adapter_put(a), SYSDMA_OK);
}

static void keep_list(void *device, sysdma_sg_list *list, void *ctx)
{
    (void)device;
    *(sysdma_sg_list **)ctx = list;
}

static void test_list_checks(void **state)
{
    fx *f = *state;
    uint32_t n;
    sysdma_adapter *a = adapter(f, 3, &n);
    unsigned before = f->r.reports;
    sysdma_sg_list *l = NULL;
    assert_int_equal(sysdma_sg_get(a, f, f->mhigh, f->high, 2 * PAGE, keep_list, &l, true),
                     SYSDMA_OK);
    assert_non_null(l);
    assert_int_equal(sysdma_sg_put(a, l, false), SYSDMA_E_VERIFIER);
    EXPECT(f, before, LIST_DIRECTION, "sysdma_sg_put");
    assert_int_equal(sysdma_adapter_put(a), SYSDMA_E_VERIFIER);
    EXPECT(f, before + 1, PUT_WITH_RESOURCES, "sysdma_adapter_put");
    assert_string_equal(f->r.last.what, "scatter/gather lists");
    assert_int_equal(sysdma_sg_put(a, l, true), SYSDMA_OK);
    assert_int_equal(sysdma_sg_put(a, l, true), SYSDMA_E_VERIFIER); /* freed list: not touched */
    EXPECT(f, before + 2, LIST_PUT_UNKNOWN, "sysdma_sg_put");
    assert_int_equal(sysdma_sg_get(a, f, f->mhigh, f->high, 0, keep_list, &l, true),
                     SYSDMA_E_VERIFIER);
    EXPECT(f, before + 3, ZERO_LENGTH, "sysdma_sg_get");
    assert_int_equal(sysdma_sg_get(a, f, f->mhigh, f->high, 20 * PAGE, keep_list, &l, true),
                     SYSDMA_E_VERIFIER);
    EXPECT(f, before + 4, OUT_OF_MDL, "sysdma_sg_get");
    assert_int_equal(sysdma_adapter_put(a), SYSDMA_OK);
}

/* A list's map registers are guarded around its elements, and a bounced
 * write's buffer is checksummed until the list is put. */
static void test_list_guards(void **state)
{
    fx *f = *state;
    uint32_t n;
    sysdma_adapter *a = adapter(f, 1, &n);
    unsigned before = f->r.reports;
    uint8_t *phys = sysdma_sim_phys_view(f->r.sim);
    sysdma_sg_list *l = NULL;
    for (int side = 0; side < 3; side++) {
        assert_int_equal(sysdma_sg_get(a, f, f->mhigh, f->high + 100, 1000, keep_list, &l, false),
                         SYSDMA_OK);
        assert_int_equal(l->count, 1);
        uint64_t at = l->elements[0].address;
        assert_int_equal(at % PAGE, 100); /* bounced, page offset kept */
        memset(phys + at, 0x3C, 1000);  /* the device's own bytes */
        if (side < 2)
            phys[side == 0 ? at - 1 : at + 1000] ^= 0xFF;
        sysdma_status want = side < 2 ? SYSDMA_E_VERIFIER : SYSDMA_OK;
        assert_int_equal(sysdma_sg_put(a, l, false), want);
        if (side < 2)
            EXPECT(f, before + (unsigned)side, BOUNCE_GUARD, "sysdma_sg_put");
        assert_int_equal(f->high[100 + 999], 0x3C); /* copied back all the same */
    }
    assert_int_equal(f->r.reports, before + 2);
    assert_int_equal(sysdma_sg_get(a, f, f->mhigh, f->high, 2000, keep_list, &l, true), SYSDMA_OK);
    f->high[1999] ^= 1;
    assert_int_equal(sysdma_sg_put(a, l, true), SYSDMA_E_VERIFIER);
    EXPECT(f, before + 2, BOUNCED_WRITE_TOUCHED, "sysdma_sg_put");
    assert_int_equal(sysdma_adapter_put(a), SYSDMA_OK);
}

/* Leaks at teardown; stop mode; a single wrapped adapter. */
typedef struct sink {
    unsigned n, leaks;
} sink;
static void count(void *ctx, const sysdma_verifier_report *r)
{
    sink *s = ctx;
    s->n++;
    s->leaks += r->check == SYSDMA_VCHECK_LEAK;
}

static void test_leaks_at_teardown(void **state)
{
    (void)state;
    rig r;
    assert_int_equal(rig_init(&r, 32u << 20, 4096, NULL), SYSDMA_OK);
    sink s = {0, 0};
    sysdma_verifier_config c = {SYSDMA_VERIFIER_CONTINUE, count, &s, true};
    assert_int_equal(sysdma_verifier_enable(r.sys, &c), SYSDMA_OK);
    assert_int_equal(sysdma_verifier_enable(r.sys, &c), SYSDMA_E_WRONG_STATE);
    sysdma_device_description d = {0};
    d.channel = 1;
    d.maximum_length = PAGE;
    sysdma_adapter *a;
    assert_int_equal(sysdma_adapter_get(r.sys, &d, &a, NULL), SYSDMA_OK);
    void *va;
    uint64_t lg;
    assert_int_equal(sysdma_common_buffer_allocate(a, 100, true, &va, &lg), SYSDMA_OK);
    assert_int_equal(sysdma_system_destroy(r.sys), SYSDMA_E_BUSY);
    assert_int_equal(s.leaks, 2); /* the reference, the common buffer */
    /* The verifier is gone; the adapter works without it. */
    assert_int_equal(sysdma_common_buffer_free(a, 100, lg, va, true), SYSDMA_OK);
    assert_int_equal(sysdma_adapter_put(a), SYSDMA_OK);
    rig_destroy(&r);
}

static void test_wrap_one_adapter(void **state)
{
    (void)state;
    rig r;
    assert_int_equal(rig_init(&r, 32u << 20, 4096, NULL), SYSDMA_OK);
    sink s = {0, 0};
    sysdma_verifier_config c = {SYSDMA_VERIFIER_CONTINUE, count, &s, false};
    sysdma_device_description d = {0};
    d.channel = 1;
    d.maximum_length = PAGE;
    sysdma_adapter *a, *b;
    assert_int_equal(sysdma_adapter_get(r.sys, &d, &a, NULL), SYSDMA_OK);
    const sysdma_dma_operations *plain = sysdma_adapter_operations(a);
    assert_int_equal(sysdma_verifier_wrap(a), SYSDMA_E_WRONG_STATE); /* not on */
    assert_int_equal(sysdma_verifier_enable(r.sys, &c), SYSDMA_OK);
    d.channel = 2;
    assert_int_equal(sysdma_adapter_get(r.sys, &d, &b, NULL), SYSDMA_OK);
    assert_ptr_equal(sysdma_adapter_operations(b), plain); /* not wrapped: no cost */
    assert_int_equal(sysdma_channel_free(b), SYSDMA_E_NOT_OWNER);
    assert_int_equal(s.n, 0);
    assert_int_equal(sysdma_verifier_wrap(a), SYSDMA_OK);
    assert_ptr_not_equal(sysdma_adapter_operations(a), plain);
    assert_int_equal(sysdma_channel_free(a), SYSDMA_E_VERIFIER);
    assert_int_equal(s.n, 1);
    assert_int_equal(sysdma_adapter_put(a), SYSDMA_OK);
    assert_int_equal(sysdma_adapter_put(b), SYSDMA_OK);
    rig_destroy(&r);
    assert_int_equal(s.leaks, 0);
}

static void test_stop_mode(void **state)
{
    (void)state;
    /* Stop mode halts through the platform (abort on the sim): run it in
     * a child so the test survives. */
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        rig r;
        if (rig_init(&r, 32u << 20, 4096, NULL) != SYSDMA_OK)
            _exit(3);
        sysdma_verifier_config c = {SYSDMA_VERIFIER_STOP, NULL, NULL, true};
        sysdma_verifier_enable(r.sys, &c);
        freopen("/dev/null", "w", stderr);
        sysdma_device_description d = {0};
        d.channel = 1;
        d.maximum_length = PAGE;
        sysdma_adapter *a;
        sysdma_adapter_get(r.sys, &d, &a, NULL);
        sysdma_channel_free(a); /* not held: stops here */
        _exit(0);
    }
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFSIGNALED(status));
    assert_int_equal(WTERMSIG(status), SIGABRT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_right_use_reports_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_descriptions_and_put, setup, teardown),
        cmocka_unit_test_setup_teardown(test_channel_checks, setup, teardown),
        cmocka_unit_test_setup_teardown(test_register_checks, setup, teardown),
        cmocka_unit_test_setup_teardown(test_map_checks, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bounce_checks, setup, teardown),
        cmocka_unit_test_setup_teardown(test_common_checks, setup, teardown),
        cmocka_unit_test_setup_teardown(test_per_reference, setup, teardown),
        cmocka_unit_test_setup_teardown(test_common_underrun, setup, teardown),
        cmocka_unit_test_setup_teardown(test_list_checks, setup, teardown),
        cmocka_unit_test_setup_teardown(test_list_guards, setup, teardown),
        cmocka_unit_test(test_leaks_at_teardown),
        cmocka_unit_test(test_wrap_one_adapter),
        cmocka_unit_test(test_stop_mode),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
