/* SPDX-License-Identifier: MIT */
/* MapTransfer / FlushAdapterBuffers / ReadDmaCounter / MDLs: contracts and bad input. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "support/rig.h"

typedef struct fx {
    rig r;
    sysdma_adapter *a8, *a16;
    sysdma_map_registers *regs8, *regs16;
    uint32_t n8, n16;
} fx;

static sysdma_allocation_action keep(void *dev, sysdma_map_registers *regs, void *ctx)
{
    (void)dev;
    *(sysdma_map_registers **)ctx = regs;
    return SYSDMA_KEEP_OBJECT;
}

static sysdma_adapter *get(fx *f, unsigned ch, uint32_t max_len, bool ignore_count, uint32_t *n)
{
    sysdma_device_description d = {0};
    d.version = 2;
    d.demand_mode = true;
    d.ignore_count = ignore_count;
    d.channel = ch;
    d.width = ch >= 4 ? SYSDMA_WIDTH_16 : SYSDMA_WIDTH_8;
    d.maximum_length = max_len;
    sysdma_adapter *a;
    assert_int_equal(sysdma_adapter_get(f->r.sys, &d, &a, n), SYSDMA_OK);
    return a;
}

static int setup(void **state)
{
    fx *f = calloc(1, sizeof *f);
    if (!f || rig_init(&f->r, 32u << 20, 1u << 17, NULL) != SYSDMA_OK)
        return -1;
    f->a8 = get(f, 3, 16384, false, &f->n8);
    f->a16 = get(f, 6, 16384, false, &f->n16);
    if (sysdma_channel_allocate(f->a8, NULL, f->n8, keep, &f->regs8) != SYSDMA_OK ||
        sysdma_channel_allocate(f->a16, NULL, f->n16, keep, &f->regs16) != SYSDMA_OK)
        return -1;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx *f = *state;
    sysdma_channel_free(f->a8);
    sysdma_channel_free(f->a16);
    sysdma_adapter_put(f->a8);
    sysdma_adapter_put(f->a16);
    rig_destroy(&f->r);
    free(f);
    return 0;
}

static void test_mdl(void **state)
{
    fx *f = *state;
    sysdma_system *sys = f->r.sys;
    uint8_t *buf = sysdma_sim_buffer_alloc(f->r.sim, 10000, 100, SYSDMA_SIM_SCATTERED);
    sysdma_mdl *m, *p;
    assert_int_equal(sysdma_mdl_create(sys, buf, 10000, &m), SYSDMA_OK);
    assert_ptr_equal(sysdma_mdl_virtual_address(m), buf);
    assert_int_equal(sysdma_mdl_byte_offset(m), 100);
    assert_int_equal(sysdma_mdl_byte_count(m), 10000);
    assert_int_equal(m->pages, 3);
    assert_int_equal(sysdma_pages_spanned(buf, 10000), 3);
    assert_int_equal(sysdma_pages_spanned(buf, 0), 0);
    for (uint32_t k = 0; k < m->pages; k++) {
        uint64_t phys;
        assert_true(sysdma_sim_virt_to_phys(f->r.sim, m->start_va + k * 4096, &phys));
        assert_int_equal(m->pfn[k], phys);
    }
    /* Partial: a sub-range shares the page frames. */
    assert_int_equal(sysdma_mdl_create_partial(sys, m, buf + 5000, 3100, &p), SYSDMA_OK);
    assert_int_equal(p->pages, 2);
    assert_int_equal(p->pfn[0], m->pfn[1]);
    assert_int_equal(sysdma_mdl_byte_offset(p), (100 + 5000) % 4096);
    sysdma_mdl_free(sys, p);
    sysdma_mdl *none = (sysdma_mdl *)1;
    assert_int_equal(sysdma_mdl_create_partial(sys, m, buf + 9000, 1001, &none), SYSDMA_E_OUT_OF_RANGE);
    assert_null(none);
    assert_int_equal(sysdma_mdl_create_partial(sys, m, buf - 1, 10, &none), SYSDMA_E_OUT_OF_RANGE);
    assert_int_equal(sysdma_mdl_create(sys, buf, 0, &none), SYSDMA_E_LENGTH);
    static uint8_t not_ram[8192];
    assert_int_equal(sysdma_mdl_create(sys, not_ram, 100, &none), SYSDMA_E_OUT_OF_RANGE);
    sysdma_mdl_free(sys, m);
    sysdma_sim_buffer_free(f->r.sim, buf);
}

static void test_bad_map_and_flush(void **state)
{
    fx *f = *state;
    sysdma_system *sys = f->r.sys;
    uint8_t *buf = sysdma_sim_buffer_alloc(f->r.sim, 30000, 1, SYSDMA_SIM_HIGH);
    sysdma_mdl *m;
    assert_int_equal(sysdma_mdl_create(sys, buf, 30000, &m), SYSDMA_OK);
    uint32_t len;
    len = 100;
    assert_int_equal(sysdma_map_transfer(f->a8, m, f->regs8, buf - 1, &len, true, NULL),
                     SYSDMA_E_OUT_OF_RANGE);
    assert_int_equal(sysdma_map_transfer(f->a8, m, f->regs8, buf + 30000, &len, true, NULL),
                     SYSDMA_E_OUT_OF_RANGE);
    len = 101;
    assert_int_equal(sysdma_map_transfer(f->a8, m, f->regs8, buf + 29900, &len, true, NULL),
                     SYSDMA_E_OUT_OF_RANGE);
    len = 0;
    assert_int_equal(sysdma_map_transfer(f->a8, m, f->regs8, buf, &len, true, NULL), SYSDMA_E_LENGTH);
    /* Above 16 MiB it must bounce: longer than the map registers held. */
    len = f->n8 * 4096 + 1;
    assert_int_equal(sysdma_map_transfer(f->a8, m, f->regs8, buf, &len, true, NULL), SYSDMA_E_LENGTH);
    /* 16-bit channel: odd address or odd length. */
    len = 100;
    assert_int_equal(sysdma_map_transfer(f->a16, m, f->regs16, buf, &len, true, NULL),
                     SYSDMA_E_ALIGNMENT);
    len = 99;
    assert_int_equal(sysdma_map_transfer(f->a16, m, f->regs16, buf + 1, &len, true, NULL),
                     SYSDMA_E_ALIGNMENT);
    /* Registers of another adapter. */
    len = 100;
    assert_int_equal(sysdma_map_transfer(f->a8, m, f->regs16, buf, &len, true, NULL),
                     SYSDMA_E_NOT_OWNER);
    assert_int_equal(sysdma_map_transfer(f->a8, NULL, f->regs8, buf, &len, true, NULL),
                     SYSDMA_E_INVALID_ARGUMENT);
    /* Flush with nothing mapped. */
    assert_int_equal(sysdma_flush_adapter_buffers(f->a8, m, f->regs8, buf, 100, true),
                     SYSDMA_E_WRONG_STATE);
    /* A good map; then a second map before flush is refused. */
    uint64_t logical = 0;
    assert_int_equal(sysdma_map_transfer(f->a8, m, f->regs8, buf, &len, true, &logical), SYSDMA_OK);
    assert_int_equal(len, 100);
    assert_true(logical < (16u << 20)); /* bounced below 16 MiB */
    assert_int_equal(sysdma_map_transfer(f->a8, m, f->regs8, buf, &len, true, NULL),
                     SYSDMA_E_WRONG_STATE);
    /* Channel cannot be freed while mapped. */
    assert_int_equal(sysdma_channel_free(f->a8), SYSDMA_E_WRONG_STATE);
    /* Flush must match the map. */
    assert_int_equal(sysdma_flush_adapter_buffers(f->a8, m, f->regs8, buf, 99, true),
                     SYSDMA_E_INVALID_ARGUMENT);
    assert_int_equal(sysdma_flush_adapter_buffers(f->a8, m, f->regs8, buf, 100, false),
                     SYSDMA_E_INVALID_ARGUMENT);
    assert_int_equal(sysdma_flush_adapter_buffers(f->a8, m, f->regs8, buf + 1, 100, true),
                     SYSDMA_E_INVALID_ARGUMENT);
    assert_int_equal(sysdma_flush_adapter_buffers(f->a8, m, f->regs8, buf, 100, true), SYSDMA_OK);
    assert_int_equal(sysdma_flush_adapter_buffers(f->a8, m, f->regs8, buf, 100, true),
                     SYSDMA_E_WRONG_STATE);
    sysdma_mdl_free(sys, m);
    sysdma_sim_buffer_free(f->r.sim, buf);
}

/* A device that stops early: flush copies back only what moved, leaving
 * the rest of the caller's buffer as it was; the counter shows the residue. */
static void test_partial_copy_back_and_counter(void **state)
{
    fx *f = *state;
    sysdma_system *sys = f->r.sys;
    rig *r = &f->r;
    uint8_t *buf = sysdma_sim_buffer_alloc(r->sim, 8192, 0, SYSDMA_SIM_HIGH);
    memset(buf, 0x11, 8192);
    sysdma_mdl *m;
    assert_int_equal(sysdma_mdl_create(sys, buf, 8192, &m), SYSDMA_OK);
    uint32_t len = 8192;
    assert_int_equal(sysdma_map_transfer(f->a8, m, f->regs8, buf, &len, false, NULL), SYSDMA_OK);
    assert_int_equal(sysdma_read_dma_counter(f->a8), 8192);
    for (uint32_t k = 0; k < 3000; k++)
        r->fifo[3][k] = (uint8_t)(k + 1);
    r->dev[3].data = r->fifo[3];
    for (unsigned b = 0; b < 4; b++)
        sysdma_sim_outb(r->sim, (uint16_t)(0x319 + b), (uint8_t)(3000u >> (8 * b)));
    sysdma_sim_outb(r->sim, 0x318, 1);
    sysdma_sim_run(r->sim, 1000000);
    assert_int_equal(sysdma_read_dma_counter(f->a8), 8192 - 3000);
    assert_int_equal(sysdma_flush_adapter_buffers(f->a8, m, f->regs8, buf, 8192, false), SYSDMA_OK);
    assert_memory_equal(buf, r->fifo[3], 3000);
    for (uint32_t k = 3000; k < 8192; k++)
        assert_int_equal(buf[k], 0x11);
    sysdma_stats st;
    sysdma_stats_get(sys, f->a8, &st);
    assert_int_equal(st.bytes_bounced, 3000);
    sysdma_mdl_free(sys, m);
    sysdma_sim_buffer_free(r->sim, buf);
}

/* With ignore-count the counter is not trusted: all bytes are copied back. */
static void test_ignore_count_copies_all(void **state)
{
    fx *f = *state;
    rig *r = &f->r;
    uint32_t n;
    sysdma_adapter *a = get(f, 1, 8192, true, &n);
    sysdma_map_registers *regs = NULL;
    assert_int_equal(sysdma_channel_allocate(a, NULL, n, keep, &regs), SYSDMA_OK);
    uint8_t *buf = sysdma_sim_buffer_alloc(r->sim, 4096, 0, SYSDMA_SIM_HIGH);
    memset(buf, 0x22, 4096);
    sysdma_mdl *m;
    assert_int_equal(sysdma_mdl_create(r->sys, buf, 4096, &m), SYSDMA_OK);
    uint32_t len = 4096;
    assert_int_equal(sysdma_map_transfer(a, m, regs, buf, &len, false, NULL), SYSDMA_OK);
    /* Nothing moved: with ignore-count the whole bounce page comes back. */
    assert_int_equal(sysdma_flush_adapter_buffers(a, m, regs, buf, 4096, false), SYSDMA_OK);
    for (uint32_t k = 0; k < 4096; k++)
        assert_int_not_equal(buf[k], 0x22);
    sysdma_mdl_free(r->sys, m);
    sysdma_sim_buffer_free(r->sim, buf);
    assert_int_equal(sysdma_channel_free(a), SYSDMA_OK);
    assert_int_equal(sysdma_adapter_put(a), SYSDMA_OK);
}

/* MapTransfer without the channel is refused. */
static void test_map_without_channel(void **state)
{
    fx *f = *state;
    uint32_t n;
    sysdma_adapter *a = get(f, 2, 4096, false, &n);
    uint8_t *buf = sysdma_sim_buffer_alloc(f->r.sim, 100, 0, SYSDMA_SIM_LOW);
    sysdma_mdl *m;
    assert_int_equal(sysdma_mdl_create(f->r.sys, buf, 100, &m), SYSDMA_OK);
    uint32_t len = 100;
    assert_int_equal(sysdma_map_transfer(a, m, NULL, buf, &len, true, NULL), SYSDMA_E_NOT_OWNER);
    sysdma_mdl_free(f->r.sys, m);
    sysdma_sim_buffer_free(f->r.sim, buf);
    assert_int_equal(sysdma_adapter_put(a), SYSDMA_OK);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_mdl, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_map_and_flush, setup, teardown),
        cmocka_unit_test_setup_teardown(test_partial_copy_back_and_counter, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ignore_count_copies_all, setup, teardown),
        cmocka_unit_test_setup_teardown(test_map_without_channel, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
