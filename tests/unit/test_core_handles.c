/* SPDX-License-Identifier: MIT */
/* Handles: stale, doubled, forged and foreign adapters and lists are
 * refused with a status and change nothing (run under ASan: none of these
 * may read freed or foreign memory). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "support/rig.h"

static rig *make(void)
{
    rig *r = malloc(sizeof *r);
    assert_non_null(r);
    assert_int_equal(rig_init(r, 32u << 20, 4096, NULL), SYSDMA_OK);
    return r;
}

static void unmake(rig *r)
{
    assert_int_equal(sysdma_system_destroy(r->sys), SYSDMA_OK);
    r->sys = NULL;
    rig_destroy(r);
    free(r);
}

static sysdma_adapter *adapter(rig *r, unsigned ch)
{
    sysdma_device_description d = {0};
    d.version = 3;
    d.channel = ch;
    d.width = ch >= 4 ? SYSDMA_WIDTH_16 : SYSDMA_WIDTH_8;
    d.maximum_length = 4 * SYSDMA_PAGE_SIZE;
    sysdma_adapter *a;
    assert_int_equal(sysdma_adapter_get(r->sys, &d, &a, NULL), SYSDMA_OK);
    return a;
}

static sysdma_allocation_action keep(void *device, sysdma_map_registers *regs, void *ctx)
{
    (void)device, (void)regs, (void)ctx;
    return SYSDMA_KEEP_OBJECT;
}

static void test_adapter_put_twice_and_forged(void **state)
{
    (void)state;
    rig *r = make();
    sysdma_adapter *a = adapter(r, 1), *b = adapter(r, 1);
    assert_ptr_not_equal(a, b);
    assert_int_equal(sysdma_adapter_put(a), SYSDMA_OK);
    /* A second put of the same reference used to drop b's (and then free
     * the adapter under b). */
    assert_int_equal(sysdma_adapter_put(a), SYSDMA_E_INVALID_ARGUMENT);
    assert_int_equal(sysdma_channel_allocate(a, NULL, 1, keep, NULL), SYSDMA_E_INVALID_ARGUMENT);
    assert_int_equal(sysdma_read_dma_counter(a), 0);
    /* b still works. */
    assert_int_equal(sysdma_channel_allocate(b, NULL, 1, keep, NULL), SYSDMA_OK);
    assert_int_equal(sysdma_channel_free(b), SYSDMA_OK);
    /* Values that never were handles: memory that is not sysdma's, a
     * pointer-looking odd value, the adapter's own handle for a put. */
    uint64_t junk[16] = {0};
    assert_int_equal(sysdma_adapter_put((sysdma_adapter *)junk), SYSDMA_E_INVALID_ARGUMENT);
    assert_int_equal(sysdma_channel_free((sysdma_adapter *)(uintptr_t)0x12345679u),
                     SYSDMA_E_INVALID_ARGUMENT);
    sysdma_adapter *self = sysdma_system_channel_adapter(r->sys, 1);
    assert_non_null(self);
    assert_int_equal(sysdma_adapter_put(self), SYSDMA_E_INVALID_ARGUMENT);
    assert_int_equal(sysdma_adapter_put(b), SYSDMA_OK);
    /* The adapter is gone: its own handle is stale too. */
    assert_null(sysdma_system_channel_adapter(r->sys, 1));
    assert_int_equal(sysdma_channel_free(self), SYSDMA_E_INVALID_ARGUMENT);
    unmake(r);
}

static void test_handle_of_destroyed_system(void **state)
{
    (void)state;
    rig *r = make();
    sysdma_adapter *a = adapter(r, 2);
    assert_int_equal(sysdma_adapter_put(a), SYSDMA_OK);
    unmake(r);
    /* Its system is gone; a new one may use the same registry slot. */
    rig *r2 = make();
    sysdma_adapter *b = adapter(r2, 2);
    assert_int_equal(sysdma_adapter_put(a), SYSDMA_E_INVALID_ARGUMENT);
    assert_int_equal(sysdma_channel_allocate(a, NULL, 0, keep, NULL), SYSDMA_E_INVALID_ARGUMENT);
    sysdma_adapter_state st;
    sysdma_adapter_state_get(b, &st);
    assert_false(st.channel_held);
    assert_int_equal(sysdma_adapter_put(b), SYSDMA_OK);
    unmake(r2);
}

typedef struct got {
    sysdma_sg_list *list;
} got;

static void on_list(void *device, sysdma_sg_list *list, void *ctx)
{
    (void)device;
    ((got *)ctx)->list = list;
}

static void test_list_put_twice_forged_and_reused(void **state)
{
    (void)state;
    rig *r = make();
    sysdma_adapter *a = adapter(r, 1);
    size_t len = 3 * SYSDMA_PAGE_SIZE;
    uint8_t *buf = sysdma_sim_buffer_alloc(r->sim, len, 0, SYSDMA_SIM_SCATTERED);
    sysdma_mdl *m;
    assert_int_equal(sysdma_mdl_create(r->sys, buf, len, &m), SYSDMA_OK);
    got A = {0}, B = {0};
    assert_int_equal(sysdma_sg_get(a, NULL, m, buf, (uint32_t)len, on_list, &A, false), SYSDMA_OK);
    assert_non_null(A.list);
    assert_int_equal(sysdma_sg_put(a, A.list, false), SYSDMA_OK);
    /* A second put: a heap-use-after-free before. */
    assert_int_equal(sysdma_sg_put(a, A.list, false), SYSDMA_E_INVALID_ARGUMENT);
    /* A pointer that never was a list (a SEGV before, reading in front of it). */
    uint64_t junk[4] = {0};
    assert_int_equal(sysdma_sg_put(a, (sysdma_sg_list *)&junk[2], false),
                     SYSDMA_E_INVALID_ARGUMENT);
    assert_int_equal(sysdma_sg_start(a, (sysdma_sg_list *)&junk[2], false, NULL, NULL),
                     SYSDMA_E_INVALID_ARGUMENT);
    assert_int_equal(sysdma_sg_cancel(a, (sysdma_sg_list *)&junk[2]), SYSDMA_E_INVALID_ARGUMENT);
    assert_int_equal(sysdma_sg_progress(a, (sysdma_sg_list *)&junk[2]), 0);
    /* Put A, get B, put A again: B's registers must stay B's. */
    assert_int_equal(sysdma_sg_get(a, NULL, m, buf, (uint32_t)len, on_list, &B, false), SYSDMA_OK);
    assert_non_null(B.list);
    assert_ptr_not_equal(A.list, B.list); /* the old block is held back */
    assert_int_equal(sysdma_sg_put(a, A.list, false), SYSDMA_E_INVALID_ARGUMENT);
    sysdma_adapter_state st;
    sysdma_adapter_state_get(a, &st);
    uint32_t held = st.map_registers;
    assert_true(held > 0);
    /* The device fills B's elements; B's put brings every byte home. */
    uint8_t *phys = sysdma_sim_phys_view(r->sim);
    for (uint32_t e = 0; e < B.list->count; e++)
        memset(phys + B.list->elements[e].address, 0x3C, B.list->elements[e].length);
    memset(buf, 0, len);
    assert_int_equal(sysdma_sg_put(a, B.list, false), SYSDMA_OK);
    for (size_t k = 0; k < len; k++)
        assert_int_equal(buf[k], 0x3C);
    /* A list of another adapter is foreign. */
    sysdma_adapter *c = adapter(r, 2);
    got C = {0};
    assert_int_equal(sysdma_sg_get(c, NULL, m, buf, (uint32_t)len, on_list, &C, false), SYSDMA_OK);
    assert_int_equal(sysdma_sg_put(a, C.list, false), SYSDMA_E_INVALID_ARGUMENT);
    assert_int_equal(sysdma_sg_put(c, C.list, false), SYSDMA_OK);
    assert_int_equal(sysdma_adapter_put(c), SYSDMA_OK);
    sysdma_mdl_free(r->sys, m);
    sysdma_sim_buffer_free(r->sim, buf);
    assert_int_equal(sysdma_adapter_put(a), SYSDMA_OK);
    unmake(r);
}

/* A list routine that frees the channel itself (its registers are the
 * list's: they must not go back to the pool under it). */
typedef struct freeing {
    sysdma_adapter *a;
    sysdma_sg_list *list;
} freeing;

static void free_in_routine(void *device, sysdma_sg_list *list, void *ctx)
{
    (void)device;
    freeing *f = ctx;
    f->list = list;
    (void)sysdma_channel_free(f->a);
}

static void test_list_routine_frees_channel(void **state)
{
    (void)state;
    rig *r = make();
    sysdma_adapter *a = adapter(r, 1);
    size_t len = 2 * SYSDMA_PAGE_SIZE;
    uint8_t *buf = sysdma_sim_buffer_alloc(r->sim, len, 0, SYSDMA_SIM_SCATTERED);
    sysdma_mdl *m;
    assert_int_equal(sysdma_mdl_create(r->sys, buf, len, &m), SYSDMA_OK);
    freeing f = {a, NULL};
    assert_int_equal(sysdma_sg_get(a, NULL, m, buf, (uint32_t)len, free_in_routine, &f, false),
                     SYSDMA_OK);
    assert_non_null(f.list);
    /* Another driver's registers now: they must not be the list's. */
    sysdma_adapter *b = adapter(r, 3);
    assert_int_equal(sysdma_channel_allocate(b, NULL, 4, keep, NULL), SYSDMA_OK);
    uint8_t *phys = sysdma_sim_phys_view(r->sim);
    for (uint32_t e = 0; e < f.list->count; e++)
        memset(phys + f.list->elements[e].address, 0x77, f.list->elements[e].length);
    assert_int_equal(sysdma_sg_put(a, f.list, false), SYSDMA_OK);
    for (size_t k = 0; k < len; k++)
        assert_int_equal(buf[k], 0x77);
    assert_int_equal(sysdma_channel_free(b), SYSDMA_OK);
    assert_int_equal(sysdma_adapter_put(b), SYSDMA_OK);
    sysdma_mdl_free(r->sys, m);
    sysdma_sim_buffer_free(r->sim, buf);
    assert_int_equal(sysdma_adapter_put(a), SYSDMA_OK);
    unmake(r);
}

/* Map-register bases that never were (or no longer are) the held set:
 * refused before anything reads through them. */
static void test_forged_register_base(void **state)
{
    (void)state;
    rig *r = make();
    sysdma_device_description d = {0};
    d.version = 3;
    d.master = true;
    d.scatter_gather = true;
    d.address_width = 24;
    d.maximum_length = 4 * SYSDMA_PAGE_SIZE;
    sysdma_adapter *m;
    assert_int_equal(sysdma_adapter_get(r->sys, &d, &m, NULL), SYSDMA_OK);
    sysdma_adapter *a = adapter(r, 1);
    size_t len = 2 * SYSDMA_PAGE_SIZE;
    uint8_t *buf = sysdma_sim_buffer_alloc(r->sim, len, 0, SYSDMA_SIM_HIGH);
    sysdma_mdl *mdl;
    assert_int_equal(sysdma_mdl_create(r->sys, buf, len, &mdl), SYSDMA_OK);
    sysdma_map_registers *forged = (sysdma_map_registers *)(uintptr_t)0x40;
    sysdma_map_registers *base = NULL;
    sysdma_transfer_context ctx;
    /* The bus master holds its channel, not these registers. */
    assert_int_equal(sysdma_transfer_context_init(m, &ctx), SYSDMA_OK);
    assert_int_equal(sysdma_channel_allocate_ex(m, NULL, &ctx, 2, SYSDMA_ALLOCATE_SYNCHRONOUS, NULL,
                                                NULL, &base),
                     SYSDMA_OK);
    uint32_t l = (uint32_t)len;
    assert_int_equal(sysdma_map_transfer(m, mdl, forged, buf, &l, false, NULL), SYSDMA_E_NOT_OWNER);
    assert_int_equal(sysdma_adapter_free_object(m, SYSDMA_DEALLOCATE_OBJECT), SYSDMA_OK);
    /* A system adapter's MapTransferEx with a made-up base. */
    assert_int_equal(sysdma_transfer_context_init(a, &ctx), SYSDMA_OK);
    assert_int_equal(sysdma_channel_allocate_ex(a, NULL, &ctx, 2, SYSDMA_ALLOCATE_SYNCHRONOUS, NULL,
                                                NULL, &base),
                     SYSDMA_OK);
    l = (uint32_t)len;
    assert_int_equal(sysdma_map_transfer_ex(a, mdl, 0, &l, false, forged, NULL, NULL, NULL),
                     SYSDMA_E_NOT_OWNER);
    assert_int_equal(sysdma_map_registers_free(a, forged, 2), SYSDMA_E_NOT_OWNER);
    assert_int_equal(sysdma_adapter_free_object(a, SYSDMA_DEALLOCATE_OBJECT), SYSDMA_OK);
    sysdma_mdl_free(r->sys, mdl);
    sysdma_sim_buffer_free(r->sim, buf);
    assert_int_equal(sysdma_adapter_put(a), SYSDMA_OK);
    assert_int_equal(sysdma_adapter_put(m), SYSDMA_OK);
    unmake(r);
}

/* Destroy refused while a driver holds an adapter: everything stays as it
 * was, the verifier included; a request queued before is granted after. */
static int granted_count;
static sysdma_allocation_action count_grant(void *device, sysdma_map_registers *regs, void *ctx)
{
    (void)device, (void)regs, (void)ctx;
    granted_count++;
    return SYSDMA_DEALLOCATE_OBJECT;
}

static void test_destroy_busy_changes_nothing(void **state)
{
    (void)state;
    rig *r = make();
    rig_verify(r);
    r->reports_expected = true; /* the refused destroy reports the leak */
    sysdma_adapter *a = adapter(r, 1), *b = adapter(r, 1);
    assert_int_equal(sysdma_channel_allocate(a, NULL, 1, keep, NULL), SYSDMA_OK);
    granted_count = 0;
    assert_int_equal(sysdma_channel_allocate(b, NULL, 1, count_grant, NULL), SYSDMA_PENDING);
    assert_int_equal(sysdma_system_destroy(r->sys), SYSDMA_E_BUSY);
    uint64_t leaks = sysdma_verifier_reports(r->sys, SYSDMA_VCHECK_LEAK);
    assert_true(leaks > 0);
    /* The verifier is still on: a misuse is still reported. */
    uint64_t before = sysdma_verifier_reports(r->sys, SYSDMA_VCHECK_COUNT);
    sysdma_adapter *c = adapter(r, 3);
    assert_int_equal(sysdma_channel_free(c), SYSDMA_E_VERIFIER); /* not held */
    assert_int_equal(sysdma_verifier_reports(r->sys, SYSDMA_VCHECK_COUNT), before + 1);
    assert_int_equal(sysdma_adapter_put(c), SYSDMA_OK);
    /* The queued request is granted through its (still live) trampoline. */
    assert_int_equal(sysdma_channel_free(a), SYSDMA_OK);
    assert_int_equal(granted_count, 1);
    assert_int_equal(sysdma_adapter_put(a), SYSDMA_OK);
    assert_int_equal(sysdma_adapter_put(b), SYSDMA_OK);
    unmake(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_adapter_put_twice_and_forged),
        cmocka_unit_test(test_handle_of_destroyed_system),
        cmocka_unit_test(test_list_put_twice_forged_and_reused),
        cmocka_unit_test(test_list_routine_frees_channel),
        cmocka_unit_test(test_forged_register_base),
        cmocka_unit_test(test_destroy_busy_changes_nothing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
