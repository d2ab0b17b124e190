/* SPDX-License-Identifier: MIT */
/*
 * The DMA verifier and the version-3 calls: a routine-less synchronous
 * grant is seen as held, and the version-3 calls that change what a driver
 * holds (AllocateAdapterChannelEx, MapTransferEx, FlushAdapterBuffersEx,
 * FreeAdapterObject, CancelAdapterChannel) are checked like the others.
 */
#define _GNU_SOURCE
#define SYSDMA_VERIFIER_SITES
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "unit/verifier_fx.h"

/* Version-3 grants on a verified adapter: mapping through a synchronous,
 * routine-less grant is not a misuse. */
static void test_v3_grant_is_seen(void **state)
{
    fx *f = *state;
    sysdma_device_description d = {0};
    d.version = 3;
    d.channel = 1;
    d.maximum_length = 8 * PAGE;
    sysdma_adapter *a;
    uint32_t n;
    assert_int_equal(sysdma_adapter_get(f->r.sys, &d, &a, &n), SYSDMA_OK);
    sysdma_transfer_context c;
    assert_int_equal(sysdma_transfer_context_init(a, &c), SYSDMA_OK);
    sysdma_map_registers *base;
    unsigned before = f->r.reports;
    assert_int_equal(sysdma_channel_allocate_ex(a, f, &c, 4, SYSDMA_ALLOCATE_SYNCHRONOUS, NULL, NULL,
                                                &base),
                     SYSDMA_OK);
    uint32_t len = 2 * PAGE;
    assert_int_equal(sysdma_map_transfer(a, f->mhigh, base, f->high, &len, true, NULL), SYSDMA_OK);
    assert_int_equal(sysdma_flush_adapter_buffers(a, f->mhigh, base, f->high, len, true), SYSDMA_OK);
    assert_int_equal(sysdma_adapter_free_object(a, SYSDMA_DEALLOCATE_OBJECT), SYSDMA_OK);
    assert_int_equal(f->r.reports, before);
    assert_int_equal(sysdma_channel_free(a), SYSDMA_E_VERIFIER); /* released: not held now */
    EXPECT(f, before, FREE_CHANNEL_NOT_OWNER, "sysdma_channel_free");
    assert_int_equal(sysdma_adapter_put(a), SYSDMA_OK);
}

static void done_v3(sysdma_adapter *a, void *ctx, sysdma_status st)
{
    (void)a;
    *(sysdma_status *)ctx = st;
}

/* The version-3 calls that change what the driver holds are checked. */
static void test_v3_checks(void **state)
{
    fx *f = *state;
    sysdma_device_description d = {0};
    d.version = 3;
    d.channel = 2;
    d.maximum_length = 8 * PAGE;
    sysdma_adapter *a;
    uint32_t n;
    assert_int_equal(sysdma_adapter_get(f->r.sys, &d, &a, &n), SYSDMA_OK);
    sysdma_transfer_context c1, c2;
    sysdma_transfer_context_init(a, &c1);
    sysdma_transfer_context_init(a, &c2);
    unsigned before = f->r.reports;
    assert_int_equal(sysdma_adapter_free_object(a, SYSDMA_DEALLOCATE_OBJECT), SYSDMA_E_VERIFIER);
    EXPECT(f, before, FREE_CHANNEL_NOT_OWNER, "sysdma_adapter_free_object");
    /* Held by one device; another's asynchronous request waits and is withdrawn. */
    sysdma_map_registers *base;
    assert_int_equal(sysdma_channel_allocate_ex(a, f, &c1, 2, SYSDMA_ALLOCATE_SYNCHRONOUS, NULL, NULL,
                                                &base),
                     SYSDMA_OK);
    assert_int_equal(sysdma_channel_allocate_ex(a, f, &c2, 1, 0, keep_obj, &base, NULL),
                     SYSDMA_E_VERIFIER);
    EXPECT(f, before + 1, ALLOCATE_OUTSTANDING, "sysdma_channel_allocate_ex");
    sysdma_map_registers *other = NULL;
    assert_int_equal(sysdma_channel_allocate_ex(a, &other, &c2, 1, 0, keep_obj, &other, NULL),
                     SYSDMA_PENDING);
    assert_true(sysdma_channel_cancel(a, &c2));
    /* A flush before the completion ran. */
    sysdma_status done = SYSDMA_PENDING;
    uint32_t len = PAGE;
    assert_int_equal(sysdma_map_transfer_ex(a, f->mlow, 0, &len, true, base, done_v3, &done, NULL),
                     SYSDMA_OK);
    assert_int_equal(sysdma_flush_adapter_buffers_ex(a, f->mlow, base, 0, len, true), SYSDMA_E_VERIFIER);
    EXPECT(f, before + 2, FLUSH_BEFORE_COMPLETION, "sysdma_flush_adapter_buffers_ex");
    assert_int_equal(sysdma_adapter_free_object(a, SYSDMA_DEALLOCATE_OBJECT), SYSDMA_E_VERIFIER);
    EXPECT(f, before + 3, FREE_CHANNEL_MAPPED, "sysdma_adapter_free_object");
    /* What the version-3 calls refuse themselves is reported too. */
    unsigned b2 = f->r.reports;
    assert_int_equal(sysdma_flush_adapter_buffers(a, f->mlow, base, f->low, len, true),
                     SYSDMA_E_VERIFIER); /* the version-1 flush, completion still due */
    EXPECT(f, b2, FLUSH_BEFORE_COMPLETION, "sysdma_flush_adapter_buffers");
    uint32_t l2 = PAGE;
    assert_int_equal(sysdma_map_transfer_ex(a, f->mlow, 0, &l2, true, base, done_v3, &done, NULL),
                     SYSDMA_E_VERIFIER);
    EXPECT(f, b2 + 1, MAP_WHILE_MAPPED, "sysdma_map_transfer_ex");
    assert_int_equal(sysdma_map_transfer_ex(a, f->mlow, 1u << 30, &l2, true, base, NULL, NULL, NULL),
                     SYSDMA_E_VERIFIER);
    EXPECT(f, b2 + 2, OUT_OF_MDL, "sysdma_map_transfer_ex");
    sysdma_transfer_context junk;
    memset(&junk, 0x5A, sizeof junk);
    assert_int_equal(sysdma_channel_allocate_ex(a, &junk, &junk, 1, 0, keep_obj, &base, NULL),
                     SYSDMA_E_VERIFIER);
    EXPECT(f, b2 + 3, V3_ARGUMENTS, "sysdma_channel_allocate_ex");
    before += 4;
    assert_int_equal(sysdma_transfer_cancel_mapped(a), SYSDMA_OK);
    assert_int_equal(done, SYSDMA_E_CANCELLED);
    assert_int_equal(sysdma_flush_adapter_buffers_ex(a, f->mlow, base, 0, len, true), SYSDMA_OK);
    /* Keep the registers, free them later: no report. */
    assert_int_equal(sysdma_adapter_free_object(a, SYSDMA_DEALLOCATE_OBJECT_KEEP_REGISTERS), SYSDMA_OK);
    assert_int_equal(sysdma_map_registers_free(a, base, 2), SYSDMA_OK);
    assert_int_equal(f->r.reports, before + 4);
    assert_int_equal(sysdma_adapter_put(a), SYSDMA_OK);
    assert_int_equal(sysdma_channel_allocate_ex(a, f, &c1, 1, SYSDMA_ALLOCATE_SYNCHRONOUS, NULL, NULL,
                                                &base),
                     SYSDMA_E_VERIFIER);
    EXPECT(f, before + 4, USE_AFTER_PUT, "sysdma_channel_allocate_ex");
    /* Nothing left outstanding: no leak at teardown. */
    assert_int_equal(sysdma_verifier_reports(f->r.sys, SYSDMA_VCHECK_LEAK), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_v3_grant_is_seen, setup, teardown),
        cmocka_unit_test_setup_teardown(test_v3_checks, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
