/* SPDX-License-Identifier: MIT */
/*
 * Bus-master packet DMA the way such drivers are written: the AdapterControl
 * routine returns DEALLOCATE_OBJECT_KEEP_REGISTERS, and the driver maps
 * each piece of the transfer later (from its completion path) through the
 * map registers it kept, then frees them. A subordinate device has no such
 * right: once its routine let the channel go, a map is refused.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "support/rig.h"

#define PAGE SYSDMA_PAGE_SIZE

typedef struct fx {
    rig r;
    uint8_t *high;
    sysdma_mdl *mhigh;
} fx;

static int setup(void **state)
{
    fx *f = calloc(1, sizeof *f);
    sysdma_config cfg = {.map_registers_initial = 16, .map_registers_cap = 64};
    if (!f || rig_init(&f->r, 64u << 20, 1u << 17, &cfg) != SYSDMA_OK)
        return -1;
    f->high = sysdma_sim_buffer_alloc(f->r.sim, 8 * PAGE, 0, SYSDMA_SIM_HIGH);
    if (!f->high || sysdma_mdl_create(f->r.sys, f->high, 8 * PAGE, &f->mhigh) != SYSDMA_OK)
        return -1;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx *f = *state;
    sysdma_mdl_free(f->r.sys, f->mhigh);
    sysdma_sim_buffer_free(f->r.sim, f->high);
    rig_destroy(&f->r);
    free(f);
    return 0;
}

static sysdma_allocation_action keep_regs(void *device, sysdma_map_registers *regs, void *ctx)
{
    (void)device;
    *(sysdma_map_registers **)ctx = regs;
    return SYSDMA_DEALLOCATE_OBJECT_KEEP_REGISTERS;
}

static sysdma_adapter *get(fx *f, bool master, uint32_t *n)
{
    sysdma_device_description d = {0};
    d.version = 2;
    d.master = master;
    d.channel = master ? 0 : 1;
    d.width = SYSDMA_WIDTH_8;
    d.maximum_length = 2 * PAGE; /* a 24-bit master: the high buffer bounces */
    sysdma_adapter *a;
    assert_int_equal(sysdma_adapter_get(f->r.sys, &d, &a, n), SYSDMA_OK);
    return a;
}

/* Piece by piece after the routine returned: each bounced through the kept
 * registers, written out and read back intact. */
static void test_master_maps_with_kept_registers(void **state)
{
    fx *f = *state;
    uint32_t n;
    sysdma_adapter *a = get(f, true, &n);
    sysdma_map_registers *regs = NULL;
    assert_int_equal(sysdma_channel_allocate(a, f, n, keep_regs, &regs), SYSDMA_OK);
    assert_non_null(regs);
    for (uint32_t k = 0; k < 8 * PAGE; k++)
        f->high[k] = (uint8_t)(k * 7 + 1);
    for (uint32_t off = 0; off < 8 * PAGE; off += 2 * PAGE) {
        uint32_t len = 2 * PAGE;
        uint64_t lg = 0;
        assert_int_equal(sysdma_map_transfer(a, f->mhigh, regs, f->high + off, &len, true, &lg),
                         SYSDMA_OK);
        assert_int_equal(len, 2 * PAGE);
        assert_true(lg + len <= (16u << 20)); /* bounced below the 24-bit reach */
        assert_int_equal(sysdma_flush_adapter_buffers(a, f->mhigh, regs, f->high + off, len, true),
                         SYSDMA_OK);
    }
    assert_int_equal(sysdma_map_registers_free(a, regs, n), SYSDMA_OK);
    /* Gone: the next map through them is refused. */
    uint32_t len = PAGE;
    assert_int_equal(sysdma_map_transfer(a, f->mhigh, regs, f->high, &len, true, NULL),
                     SYSDMA_E_NOT_OWNER);
    assert_int_equal(sysdma_adapter_put(a), SYSDMA_OK);
}

/* Another adapter's kept registers, or none, do not let a master map a
 * buffer that must bounce. */
static void test_master_foreign_kept_registers_refused(void **state)
{
    fx *f = *state;
    uint32_t n;
    sysdma_adapter *a = get(f, true, &n), *b = get(f, true, NULL);
    sysdma_map_registers *regs = NULL;
    assert_int_equal(sysdma_channel_allocate(a, f, n, keep_regs, &regs), SYSDMA_OK);
    uint32_t len = PAGE;
    assert_int_equal(sysdma_map_transfer(b, f->mhigh, regs, f->high, &len, true, NULL),
                     SYSDMA_E_NOT_OWNER);
    len = PAGE;
    assert_int_equal(sysdma_map_transfer(a, f->mhigh, NULL, f->high, &len, true, NULL),
                     SYSDMA_E_NOT_OWNER);
    assert_int_equal(sysdma_map_registers_free(a, regs, n), SYSDMA_OK);
    assert_int_equal(sysdma_adapter_put(b), SYSDMA_OK);
    assert_int_equal(sysdma_adapter_put(a), SYSDMA_OK);
}

/* A subordinate device's routine that let its channel go cannot map. */
static void test_system_adapter_needs_its_channel(void **state)
{
    fx *f = *state;
    uint32_t n;
    sysdma_adapter *a = get(f, false, &n);
    sysdma_map_registers *regs = NULL;
    assert_int_equal(sysdma_channel_allocate(a, f, n, keep_regs, &regs), SYSDMA_OK);
    uint32_t len = PAGE;
    assert_int_equal(sysdma_map_transfer(a, f->mhigh, regs, f->high, &len, true, NULL),
                     SYSDMA_E_NOT_OWNER);
    assert_int_equal(sysdma_map_registers_free(a, regs, n), SYSDMA_OK);
    assert_int_equal(sysdma_adapter_put(a), SYSDMA_OK);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_master_maps_with_kept_registers, setup, teardown),
        cmocka_unit_test_setup_teardown(test_master_foreign_kept_registers_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_system_adapter_needs_its_channel, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
