/* SPDX-License-Identifier: MIT */
/*
 * Scatter/gather on the simulated SoC: a physically scattered buffer goes
 * to the UART-style device as one scatter/gather list that the driver
 * starts once and that completes once. The core may run it element by
 * element (its chained runner, reprogramming the PL080 at each terminal
 * count) or hand the whole list to the PL080's linked list: the test
 * checks the data and the single completion, which both ways must give —
 * on the coherent machine and on one with the cache model, where the list's
 * pages reach RAM only through the core's sync when the list is built.
 */
#include "support/soc_rig.h"

static void scattered_list_to_uart(bool cached)
{
    sysdma_sim_soc_config c = {0};
    c.uart_byte_ns = 500;
    c.seed = 7;
    c.cache_model = cached;
    soc_rig *r = soc_rig_open(&c);
    const uint32_t len = 6 * 4096 + 1000;
    uint8_t *buf = sysdma_sim_soc_buffer_alloc(r->soc, len, 300, SYSDMA_SIM_SOC_SCATTERED);
    assert_non_null(buf);
    for (uint32_t k = 0; k < len; k++)
        buf[k] = (uint8_t)(k * 131u + 17u);
    sysdma_adapter *a = soc_rig_adapter(r, 5, SYSDMA_SIM_SOC_UART_TX_LINE,
                                        SYSDMA_SIM_SOC_UART_DATA, len, false, true);
    soc_rig_shape(a, 1, 1, 4, 4);
    sysdma_mdl *m;
    assert_int_equal(sysdma_mdl_create(r->sys, buf, len, &m), SYSDMA_OK);
    soc_job j = {r, a, NULL, SYSDMA_E_INVALID_ARGUMENT, 0, SYSDMA_OK};
    assert_int_equal(sysdma_sg_get(a, NULL, m, buf, len, soc_job_ready, &j, true), SYSDMA_OK);
    assert_int_equal(j.start_status, SYSDMA_OK);
    /* Scattered pages: one element per page part, all within reach. */
    assert_int_equal(j.list->count, 7); /* 300 + 25576 bytes span 7 pages */
    uint32_t sum = 0;
    for (uint32_t k = 0; k < j.list->count; k++) {
        const sysdma_sg_element *e = &j.list->elements[k];
        assert_true(e->address >= SYSDMA_SIM_SOC_BANK0 && e->address + e->length <= 0x100000000ull);
        uint64_t phys;
        assert_true(sysdma_sim_soc_virt_to_phys(r->soc, buf + sum, &phys));
        assert_int_equal(e->address, phys);
        sum += e->length;
    }
    assert_int_equal(sum, len);
    assert_true(sysdma_sim_soc_run_until(r->soc, soc_job_done, &j, 1000ull * 1000 * 1000));
    assert_int_equal(j.done_calls, 1);
    assert_int_equal(j.done_status, SYSDMA_OK);
    assert_int_equal(sysdma_sg_progress(a, j.list), len);
    sysdma_sim_soc_run(r->soc, 1000ull * 1000); /* the wire drains the FIFO */
    assert_int_equal(r->nwire, len);
    assert_memory_equal(r->wire, buf, len);
    assert_int_equal(r->failed, 0);
    assert_int_equal(sysdma_sim_soc_uart(r->soc)->tx_overruns, 0);
    assert_int_equal(sysdma_sg_put(a, j.list, true), SYSDMA_OK);
    sysdma_mdl_free(r->sys, m);
    assert_int_equal(sysdma_adapter_put(a), SYSDMA_OK);
    assert_true(sysdma_sim_soc_buffer_free(r->soc, buf));
    soc_rig_close(r);
}

static void scattered_list_to_uart_coherent(void **state)
{
    (void)state;
    scattered_list_to_uart(false);
}

static void scattered_list_to_uart_cached(void **state)
{
    (void)state;
    scattered_list_to_uart(true);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(scattered_list_to_uart_coherent),
        cmocka_unit_test(scattered_list_to_uart_cached),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
