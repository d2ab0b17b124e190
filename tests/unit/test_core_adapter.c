/* SPDX-License-Identifier: MIT */
/* Adapters: description validation, one adapter per channel, map-register counts, put. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "support/rig.h"

static int setup(void **state)
{
    rig *r = malloc(sizeof *r);
    if (!r || rig_init(r, 32u << 20, 4096, NULL) != SYSDMA_OK)
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

static sysdma_device_description good(unsigned ch)
{
    sysdma_device_description d = {0};
    d.version = 1;
    d.channel = ch;
    d.interface_type = SYSDMA_INTERFACE_ISA;
    d.width = ch >= 4 ? SYSDMA_WIDTH_16 : SYSDMA_WIDTH_8;
    d.maximum_length = 8192;
    return d;
}

static void expect(rig *r, const sysdma_device_description *d, sysdma_status want)
{
    sysdma_adapter *a = (sysdma_adapter *)0x1;
    uint32_t n = 77;
    assert_int_equal(sysdma_adapter_get(r->sys, d, &a, &n), want);
    if (want != SYSDMA_OK) {
        assert_null(a);
        assert_int_equal(n, 77); /* nothing changed */
    } else {
        assert_int_equal(sysdma_adapter_put(a), SYSDMA_OK);
    }
}

static void test_description_validation(void **state)
{
    rig *r = *state;
    sysdma_device_description d;
    for (unsigned v = 0; v <= 3; v++) {
        d = good(2);
        d.version = v;
        expect(r, &d, SYSDMA_OK);
    }
    d = good(2); d.version = 4; expect(r, &d, SYSDMA_E_UNKNOWN_VERSION);
    d = good(2); d.version = 0xFFFFFFFF; expect(r, &d, SYSDMA_E_UNKNOWN_VERSION);
    d = good(4); d.width = SYSDMA_WIDTH_16; expect(r, &d, SYSDMA_E_INVALID_CHANNEL);
    d = good(8); expect(r, &d, SYSDMA_E_INVALID_CHANNEL);
    d = good(2); d.channel = 1000; expect(r, &d, SYSDMA_E_INVALID_CHANNEL);
    d = good(2); d.width = SYSDMA_WIDTH_16; expect(r, &d, SYSDMA_E_WIDTH_MISMATCH);
    d = good(5); d.width = SYSDMA_WIDTH_8; expect(r, &d, SYSDMA_E_WIDTH_MISMATCH);
    d = good(5); d.width = SYSDMA_WIDTH_32; expect(r, &d, SYSDMA_E_WIDTH_MISMATCH);
    d = good(5); d.width = 7; expect(r, &d, SYSDMA_E_INVALID_DESCRIPTION);
    d = good(2); d.version = 0; d.ignore_count = true; expect(r, &d, SYSDMA_E_INVALID_DESCRIPTION);
    d = good(2); d.version = 1; d.ignore_count = true; expect(r, &d, SYSDMA_OK);
    d = good(2); d.maximum_length = 0; expect(r, &d, SYSDMA_E_INVALID_DESCRIPTION);
    d = good(2); d.version = 2; d.address_width = 24; expect(r, &d, SYSDMA_E_INVALID_DESCRIPTION);
    d = good(2); d.version = 3; d.address_width = 65; expect(r, &d, SYSDMA_E_INVALID_DESCRIPTION);
    d = good(2); d.version = 3; d.address_width = 24; d.request_line = 2; expect(r, &d, SYSDMA_OK);
    d = good(2); d.version = 3; d.request_line = 3; expect(r, &d, SYSDMA_E_INVALID_CHANNEL);
    d = good(2); d.interface_type = 99; expect(r, &d, SYSDMA_E_INVALID_DESCRIPTION);
    d = good(2); d.master = true; expect(r, &d, SYSDMA_OK); /* a bus master: no channel checks */
    d = good(2); d.speed = SYSDMA_SPEED_TYPE_F; expect(r, &d, SYSDMA_OK);
    d = good(2); d.speed = SYSDMA_SPEED_TYPE_F + 1; expect(r, &d, SYSDMA_E_INVALID_DESCRIPTION);
    d = good(2); d.version = 3; d.speed = 99; d.dma32 = d.dma64 = true; expect(r, &d, SYSDMA_OK);
    d = good(2); d.version = 2; d.request_line = 2; expect(r, &d, SYSDMA_E_INVALID_DESCRIPTION);
    d = good(2); d.version = 1; d.device_address = 0x220; expect(r, &d, SYSDMA_E_INVALID_DESCRIPTION);
    d = good(2); d.version = 3; d.device_address = 0x220; expect(r, &d, SYSDMA_OK);
    d = good(2); d.interface_type = 0; expect(r, &d, SYSDMA_OK);
    d = good(2); d.scatter_gather = true; d.auto_initialize = true; d.demand_mode = true;
    expect(r, &d, SYSDMA_OK);
    d = good(6); d.maximum_length = 0xFFFFFFFFu; expect(r, &d, SYSDMA_OK);
    assert_int_equal(sysdma_adapter_get(r->sys, NULL, NULL, NULL), SYSDMA_E_INVALID_ARGUMENT);
}

static void test_map_register_counts(void **state)
{
    rig *r = *state;
    static const struct { unsigned ch; uint32_t len, regs; } cases[] = {
        {2, 1, 2},           {2, 4096, 2},         {2, 4097, 3},
        {2, 65536, 16},      {2, 1u << 20, 16},    {5, 65536, 17},
        {5, 131072, 32},     {6, 1u << 20, 32},    {1, 20000, 6},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        sysdma_device_description d = good(cases[k].ch);
        d.maximum_length = cases[k].len;
        sysdma_adapter *a;
        uint32_t n = 0;
        assert_int_equal(sysdma_adapter_get(r->sys, &d, &a, &n), SYSDMA_OK);
        assert_int_equal(n, cases[k].regs);
        assert_int_equal(sysdma_get_dma_alignment(a), cases[k].ch >= 4 ? 2 : 1);
        assert_int_equal(sysdma_adapter_max_transfer(a), cases[k].ch >= 4 ? 131072 : 65536);
        assert_int_equal(sysdma_adapter_put(a), SYSDMA_OK);
    }
}

static void test_same_channel_same_adapter(void **state)
{
    rig *r = *state;
    sysdma_device_description d1 = good(3), d2 = good(3);
    d2.maximum_length = 65536;
    sysdma_adapter *a, *b, *c;
    uint32_t n1, n2;
    assert_int_equal(sysdma_adapter_get(r->sys, &d1, &a, &n1), SYSDMA_OK);
    assert_int_equal(sysdma_adapter_get(r->sys, &d2, &b, &n2), SYSDMA_OK);
    /* Two references (handles) to the one adapter of channel 3. */
    assert_ptr_not_equal(a, b);
    assert_ptr_equal(sysdma_system_channel_adapter(r->sys, 3),
                     sysdma_system_channel_adapter(r->sys, 3));
    assert_int_equal(sysdma_adapter_channel(a), 3);
    assert_int_equal(sysdma_adapter_channel(b), 3);
    assert_int_equal(n1, 3);
    assert_int_equal(n2, 16);
    sysdma_device_description d3 = good(1);
    assert_int_equal(sysdma_adapter_get(r->sys, &d3, &c, NULL), SYSDMA_OK);
    assert_ptr_not_equal(a, c);
    assert_int_equal(sysdma_adapter_channel(c), 1);
    /* The system cannot go while adapters are held. */
    assert_int_equal(sysdma_system_destroy(r->sys), SYSDMA_E_BUSY);
    assert_int_equal(sysdma_adapter_put(a), SYSDMA_OK);
    assert_int_equal(sysdma_adapter_put(b), SYSDMA_OK);
    assert_int_equal(sysdma_adapter_put(c), SYSDMA_OK);
    assert_int_equal(sysdma_adapter_put(NULL), SYSDMA_E_INVALID_ARGUMENT);
}

static sysdma_allocation_action keep(void *dev, sysdma_map_registers *regs, void *ctx)
{
    (void)dev;
    (void)regs;
    (void)ctx;
    return SYSDMA_KEEP_OBJECT;
}

static void test_put_with_resources_refused(void **state)
{
    rig *r = *state;
    sysdma_device_description d = good(2);
    sysdma_adapter *a;
    uint32_t n;
    assert_int_equal(sysdma_adapter_get(r->sys, &d, &a, &n), SYSDMA_OK);
    assert_int_equal(sysdma_channel_allocate(a, NULL, n, keep, NULL), SYSDMA_OK);
    assert_int_equal(sysdma_adapter_put(a), SYSDMA_E_BUSY);
    assert_int_equal(sysdma_channel_free(a), SYSDMA_OK);
    assert_int_equal(sysdma_adapter_put(a), SYSDMA_OK);
}

/* Tables are versioned by size: one built against an older header (without
 * the members appended since) is accepted with those members absent; one
 * too short to hold the required members is refused. */
static void test_table_sizes(void **state)
{
    rig *r = *state;
    sysdma_platform_ops old = *r->pf.ops;
    old.size = (uint32_t)offsetof(sysdma_platform_ops, set_caching);
    old.set_caching = (void (*)(void *, void *, size_t, bool))1; /* beyond size: must be ignored */
    sysdma_platform pf = {&old, r->pf.ctx};
    sysdma_system *sys = NULL;
    assert_int_equal(sysdma_system_create(&pf, &r->ctrl, NULL, &sys), SYSDMA_OK);
    sysdma_device_description d = good(1);
    sysdma_adapter *a;
    assert_int_equal(sysdma_adapter_get(sys, &d, &a, NULL), SYSDMA_OK);
    void *va;
    uint64_t phys;
    assert_int_equal(sysdma_common_buffer_allocate(a, 100, true, &va, &phys), SYSDMA_OK);
    assert_int_equal(sysdma_common_buffer_free(a, 100, phys, va, true), SYSDMA_OK);
    assert_int_equal(sysdma_adapter_put(a), SYSDMA_OK);
    assert_int_equal(sysdma_system_destroy(sys), SYSDMA_OK);
    old.size = 8;
    assert_int_equal(sysdma_system_create(&pf, &r->ctrl, NULL, &sys), SYSDMA_E_INVALID_ARGUMENT);
    sysdma_controller_ops cold = *r->ctrl.ops;
    cold.size = 4;
    sysdma_controller ctrl = {&cold, r->ctrl.ctx};
    assert_int_equal(sysdma_system_create(r->sys ? &r->pf : &pf, &ctrl, NULL, &sys),
                     SYSDMA_E_INVALID_ARGUMENT);
    sysdma_platform_ops nolock = *r->pf.ops;
    nolock.lock_release = NULL; /* some but not all lock members */
    pf.ops = &nolock;
    assert_int_equal(sysdma_system_create(&pf, &r->ctrl, NULL, &sys), SYSDMA_E_INVALID_ARGUMENT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_description_validation, setup, teardown),
        cmocka_unit_test_setup_teardown(test_map_register_counts, setup, teardown),
        cmocka_unit_test_setup_teardown(test_same_channel_same_adapter, setup, teardown),
        cmocka_unit_test_setup_teardown(test_put_with_resources_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_table_sizes, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
