/* SPDX-License-Identifier: MIT */
/*
 * MDLs on the fake platform: the physical page recorded under each virtual
 * page is exactly the one the test put there; accessors; partial MDLs share
 * their source's pages; bad input refused with nothing allocated.
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

typedef struct fx {
    fake_platform f;
    fake_ctrl c;
    sysdma_system *sys;
} fx;

static int setup(void **state)
{
    fx *x = calloc(1, sizeof *x);
    if (!x)
        return -1;
    fake_platform_init(&x->f, true);
    fake_ctrl_init(&x->c, &x->f);
    if (sysdma_system_create(&x->f.pf, &x->c.ctrl, NULL, &x->sys) != SYSDMA_OK)
        return -1;
    *state = x;
    return 0;
}

static int teardown(void **state)
{
    fx *x = *state;
    int rc = sysdma_system_destroy(x->sys) == SYSDMA_OK && fake_platform_clean(&x->f) ? 0 : -1;
    fake_platform_destroy(&x->f);
    free(x);
    return rc;
}

/* Scattered pages, above and below 16 MiB, out of order. */
static const uint64_t scattered[5] = {0x2000000, 0x0F00000, 0x0E0F000, 0x0E10000, 0x40000000};

static void test_pages_and_accessors(void **state)
{
    fx *x = *state;
    uint8_t *buf = fake_buffer(&x->f, 5, scattered);
    assert_non_null(buf);
    static const struct { size_t off, len; uint32_t pages; } cases[] = {
        {0, 1, 1}, {0, PG, 1}, {0, PG + 1, 2}, {PG - 1, 2, 2}, {100, 3 * PG, 4},
        {1, 5 * PG - 1, 5}, {4 * PG + 4095, 1, 1}, {PG, 2 * PG, 2},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        sysdma_mdl *m = NULL;
        uint8_t *va = buf + cases[k].off;
        assert_int_equal(sysdma_mdl_create(x->sys, va, cases[k].len, &m), SYSDMA_OK);
        assert_ptr_equal(sysdma_mdl_virtual_address(m), va);
        assert_int_equal(sysdma_mdl_byte_offset(m), cases[k].off % PG);
        assert_int_equal(sysdma_mdl_byte_count(m), cases[k].len);
        assert_int_equal(m->pages, cases[k].pages);
        assert_int_equal(sysdma_pages_spanned(va, cases[k].len), cases[k].pages);
        assert_ptr_equal(m->start_va, buf + (cases[k].off / PG) * PG);
        for (uint32_t p = 0; p < m->pages; p++)
            assert_int_equal(m->pfn[p], scattered[cases[k].off / PG + p]);
        sysdma_mdl_free(x->sys, m);
    }
    assert_int_equal(sysdma_pages_spanned(buf, 0), 0);
    assert_int_equal(sysdma_pages_spanned(buf + 4095, 2), 2);
    fake_buffer_free(&x->f, buf);
}

static void test_partial(void **state)
{
    fx *x = *state;
    uint8_t *buf = fake_buffer(&x->f, 5, scattered);
    sysdma_mdl *src, *part;
    assert_int_equal(sysdma_mdl_create(x->sys, buf + 10, 5 * PG - 20, &src), SYSDMA_OK);
    /* A sub-range starting in the second page, ending in the fourth. */
    assert_int_equal(sysdma_mdl_create_partial(x->sys, src, buf + PG + 7, 2 * PG + 3, &part),
                     SYSDMA_OK);
    assert_ptr_equal(sysdma_mdl_virtual_address(part), buf + PG + 7);
    assert_int_equal(sysdma_mdl_byte_offset(part), 7);
    assert_int_equal(sysdma_mdl_byte_count(part), 2 * PG + 3);
    assert_int_equal(part->pages, 3);
    for (uint32_t p = 0; p < 3; p++)
        assert_int_equal(part->pfn[p], scattered[1 + p]);
    sysdma_mdl_free(x->sys, part);
    /* The whole source range, and its exact ends. */
    assert_int_equal(sysdma_mdl_create_partial(x->sys, src, buf + 10, 5 * PG - 20, &part), SYSDMA_OK);
    sysdma_mdl_free(x->sys, part);
    assert_int_equal(sysdma_mdl_create_partial(x->sys, src, buf + 5 * PG - 11, 1, &part), SYSDMA_OK);
    assert_int_equal(part->pfn[0], scattered[4]);
    sysdma_mdl_free(x->sys, part);
    /* Outside the source: refused, *out NULL, nothing allocated. */
    long allocs = x->f.allocs;
    part = (sysdma_mdl *)0x1;
    assert_int_equal(sysdma_mdl_create_partial(x->sys, src, buf + 9, 10, &part), SYSDMA_E_OUT_OF_RANGE);
    assert_null(part);
    assert_int_equal(sysdma_mdl_create_partial(x->sys, src, buf + 5 * PG - 10, 1, &part),
                     SYSDMA_E_OUT_OF_RANGE);
    assert_int_equal(sysdma_mdl_create_partial(x->sys, src, buf + 5 * PG - 11, 2, &part),
                     SYSDMA_E_OUT_OF_RANGE);
    assert_int_equal(sysdma_mdl_create_partial(x->sys, src, buf + 10, 5 * PG, &part),
                     SYSDMA_E_OUT_OF_RANGE);
    assert_int_equal(sysdma_mdl_create_partial(x->sys, src, buf + 20, 0, &part), SYSDMA_E_LENGTH);
    assert_int_equal(sysdma_mdl_create_partial(x->sys, NULL, buf + 20, 1, &part),
                     SYSDMA_E_INVALID_ARGUMENT);
    assert_int_equal(x->f.allocs, allocs);
    sysdma_mdl_free(x->sys, src);
    fake_buffer_free(&x->f, buf);
}

static void test_bad_input(void **state)
{
    fx *x = *state;
    uint64_t phys[3] = {0x100000 * 13, FAKE_UNMAPPED, 0x100000 * 14};
    uint8_t *buf = fake_buffer(&x->f, 3, phys);
    sysdma_mdl *m = (sysdma_mdl *)0x1;
    long allocs = x->f.allocs, frees = x->f.frees;
    assert_int_equal(sysdma_mdl_create(x->sys, buf, 0, &m), SYSDMA_E_LENGTH);
    assert_null(m);
    assert_int_equal(sysdma_mdl_create(x->sys, NULL, 10, &m), SYSDMA_E_LENGTH);
    assert_int_equal(sysdma_mdl_create(NULL, buf, 10, &m), SYSDMA_E_INVALID_ARGUMENT);
    assert_int_equal(sysdma_mdl_create(x->sys, buf, 10, NULL), SYSDMA_E_INVALID_ARGUMENT);
    if (sizeof(size_t) > 4)
        assert_int_equal(sysdma_mdl_create(x->sys, buf, (size_t)0x100000000ull, &m), SYSDMA_E_LENGTH);
    assert_int_equal(sysdma_mdl_create(x->sys, (void *)(UINTPTR_MAX - 100), 1000, &m),
                     SYSDMA_E_OUT_OF_RANGE);
    assert_int_equal(x->f.allocs, allocs); /* refused before allocating */
    /* A page without a physical address: the MDL is refused and freed. */
    assert_int_equal(sysdma_mdl_create(x->sys, buf + 100, 2 * PG, &m), SYSDMA_E_OUT_OF_RANGE);
    assert_null(m);
    assert_int_equal(x->f.allocs - allocs, x->f.frees - frees);
    /* The pages around it are fine on their own. */
    assert_int_equal(sysdma_mdl_create(x->sys, buf + 2 * PG, PG, &m), SYSDMA_OK);
    assert_int_equal(m->pfn[0], phys[2]);
    sysdma_mdl_free(x->sys, m);
    sysdma_mdl_free(x->sys, NULL); /* harmless */
    /* Out of memory: the documented status. */
    x->f.fail_at = x->f.calls + 1;
    assert_int_equal(sysdma_mdl_create(x->sys, buf, 10, &m), SYSDMA_E_NO_MEMORY);
    assert_null(m);
    x->f.fail_at = 0;
    fake_buffer_free(&x->f, buf);
}

/* KeFlushIoBuffers reaches the platform's hook with the MDL's buffer; NULL
 * arguments are ignored. */
static void test_flush_io_buffers(void **state)
{
    fx *x = *state;
    uint8_t *buf = fake_buffer(&x->f, 1, scattered);
    sysdma_mdl *m;
    assert_int_equal(sysdma_mdl_create(x->sys, buf, 100, &m), SYSDMA_OK);
    sysdma_flush_io_buffers(x->sys, m, true);
    assert_int_equal(x->f.cache_flushes, 1);
    sysdma_flush_io_buffers(x->sys, NULL, true);
    sysdma_flush_io_buffers(NULL, m, true);
    assert_int_equal(x->f.cache_flushes, 1);
    sysdma_mdl_free(x->sys, m);
    fake_buffer_free(&x->f, buf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_pages_and_accessors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_partial, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_input, setup, teardown),
        cmocka_unit_test_setup_teardown(test_flush_io_buffers, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
