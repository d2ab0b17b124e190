/* SPDX-License-Identifier: MIT */
/*
 * The DMA verifier on who holds what: bus-master adapters (whose device
 * masters the bus itself and holds no 8237 channel) freeing while mapped,
 * and a second handle on a channel letting go of a grant that is another
 * handle's. test_core_verifier.c has the rest.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "unit/verifier_fx.h"

static sysdma_adapter *master(fx *f, uint32_t *n)
{
    sysdma_device_description d = {0};
    d.version = 2;
    d.master = true;
    d.scatter_gather = false;
    d.maximum_length = 8 * PAGE;
    sysdma_adapter *a;
    assert_int_equal(sysdma_adapter_get(f->r.sys, &d, &a, n), SYSDMA_OK);
    return a;
}

static sysdma_allocation_action keep_regs(void *device, sysdma_map_registers *regs, void *ctx)
{
    (void)device;
    *(sysdma_map_registers **)ctx = regs;
    return SYSDMA_DEALLOCATE_OBJECT_KEEP_REGISTERS;
}

/* A bus master that keeps its adapter object and frees it while a transfer
 * is mapped is reported, and the mapping stays usable: flush, then free. */
static void test_master_free_channel_while_mapped(void **state)
{
    fx *f = *state;
    uint32_t n;
    sysdma_adapter *a = master(f, &n);
    sysdma_map_registers *regs = NULL;
    assert_int_equal(sysdma_channel_allocate(a, f, 2, keep_obj, &regs), SYSDMA_OK);
    uint32_t len = 2 * PAGE;
    assert_int_equal(sysdma_map_transfer(a, f->mlow, regs, f->low, &len, true, NULL), SYSDMA_OK);
    unsigned before = f->r.reports;
    assert_int_equal(sysdma_channel_free(a), SYSDMA_E_VERIFIER);
    EXPECT(f, before, FREE_CHANNEL_MAPPED, "sysdma_channel_free");
    assert_int_equal(sysdma_flush_adapter_buffers(a, f->mlow, regs, f->low, len, true), SYSDMA_OK);
    assert_int_equal(sysdma_channel_free(a), SYSDMA_OK);
    assert_int_equal(f->r.reports, before + 1);
    assert_int_equal(sysdma_adapter_put(a), SYSDMA_OK);
}

/* A bus master's kept map registers freed while mapped are reported; the
 * right order (flush, then free) reports nothing. */
static void test_master_free_registers_while_mapped(void **state)
{
    fx *f = *state;
    uint32_t n;
    sysdma_adapter *a = master(f, &n);
    sysdma_map_registers *regs = NULL;
    assert_int_equal(sysdma_channel_allocate(a, f, 2, keep_regs, &regs), SYSDMA_OK);
    uint32_t len = 2 * PAGE;
    assert_int_equal(sysdma_map_transfer(a, f->mlow, regs, f->low, &len, false, NULL), SYSDMA_OK);
    unsigned before = f->r.reports;
    assert_int_equal(sysdma_map_registers_free(a, regs, 2), SYSDMA_E_VERIFIER);
    EXPECT(f, before, FREE_REGISTERS_MAPPED, "sysdma_map_registers_free");
    assert_int_equal(sysdma_flush_adapter_buffers(a, f->mlow, regs, f->low, len, false), SYSDMA_OK);
    assert_int_equal(sysdma_map_registers_free(a, regs, 2), SYSDMA_OK);
    assert_int_equal(f->r.reports, before + 1);
    assert_int_equal(sysdma_adapter_put(a), SYSDMA_OK);
}

static sysdma_allocation_action keep_obj_v3(void *device, sysdma_map_registers *regs, void *ctx)
{
    return keep_obj(device, regs, ctx);
}

/* Two handles on one channel: the first holds the grant and maps; the
 * second's sysdma_adapter_free_object is another device's free of a channel
 * it does not hold (reported), and changes nothing for the first. */
static void test_free_object_of_another_handles_grant(void **state)
{
    fx *f = *state;
    sysdma_device_description d = {0};
    d.version = 3;
    d.channel = 2;
    d.width = SYSDMA_WIDTH_8;
    d.maximum_length = 8 * PAGE;
    sysdma_adapter *a, *b;
    uint32_t n;
    assert_int_equal(sysdma_adapter_get(f->r.sys, &d, &a, &n), SYSDMA_OK);
    assert_int_equal(sysdma_adapter_get(f->r.sys, &d, &b, NULL), SYSDMA_OK);
    sysdma_map_registers *regs = NULL;
    assert_int_equal(sysdma_channel_allocate(a, f, 2, keep_obj_v3, &regs), SYSDMA_OK);
    uint32_t len = PAGE;
    assert_int_equal(sysdma_map_transfer(a, f->mlow, regs, f->low, &len, true, NULL), SYSDMA_OK);
    unsigned before = f->r.reports;
    for (int act = SYSDMA_KEEP_OBJECT; act <= SYSDMA_DEALLOCATE_OBJECT_KEEP_REGISTERS; act++) {
        assert_int_equal(sysdma_adapter_free_object(b, (sysdma_allocation_action)act),
                         SYSDMA_E_VERIFIER);
        EXPECT(f, before + (unsigned)(act - SYSDMA_KEEP_OBJECT), FREE_CHANNEL_NOT_OWNER,
               "sysdma_adapter_free_object");
    }
    /* The holder's transfer is untouched. */
    assert_int_equal(sysdma_flush_adapter_buffers(a, f->mlow, regs, f->low, len, true), SYSDMA_OK);
    assert_int_equal(sysdma_channel_free(a), SYSDMA_OK);
    assert_int_equal(sysdma_adapter_put(b), SYSDMA_OK);
    assert_int_equal(sysdma_adapter_put(a), SYSDMA_OK);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_master_free_channel_while_mapped, setup, teardown),
        cmocka_unit_test_setup_teardown(test_master_free_registers_while_mapped, setup, teardown),
        cmocka_unit_test_setup_teardown(test_free_object_of_another_handles_grant, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
