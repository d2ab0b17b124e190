/* SPDX-License-Identifier: MIT */
/*
 * What goes wrong on the simulated SoC reaches the driver through the
 * adapter API: a scatter/gather list cancelled while the PL080 runs it ends
 * once, cancelled, with the bytes moved so far counted and no more sent; a
 * transfer whose device address is on no bus ends with
 * SYSDMA_E_TRANSFER_ERROR, in the list's done call and in a MapTransferEx
 * completion. And a whole list is one program of the PL080 (its linked list
 * runs it), not one per element.
 */
#include "support/soc_rig.h"

#define LEN (6u * 4096u + 1000u)

/* A scattered buffer, filled, and its MDL. */
static uint8_t *scattered(soc_rig *r, sysdma_mdl **m)
{
    uint8_t *buf = sysdma_sim_soc_buffer_alloc(r->soc, LEN, 300, SYSDMA_SIM_SOC_SCATTERED);
    assert_non_null(buf);
    for (uint32_t k = 0; k < LEN; k++)
        buf[k] = (uint8_t)(k * 7u + 3u);
    assert_int_equal(sysdma_mdl_create(r->sys, buf, LEN, m), SYSDMA_OK);
    return buf;
}

static void test_list_is_one_program(void **state)
{
    (void)state;
    sysdma_sim_soc_config c = {0};
    c.uart_byte_ns = 200;
    soc_rig *r = soc_rig_open(&c);
    sysdma_mdl *m;
    uint8_t *buf = scattered(r, &m);
    sysdma_adapter *a = soc_rig_adapter(r, 3, SYSDMA_SIM_SOC_UART_TX_LINE,
                                        SYSDMA_SIM_SOC_UART_DATA, LEN, false, true);
    soc_rig_shape(a, 1, 1, 4, 4);
    soc_job j = {r, a, NULL, SYSDMA_E_INVALID_ARGUMENT, 0, SYSDMA_OK};
    assert_int_equal(sysdma_sg_get(a, NULL, m, buf, LEN, soc_job_ready, &j, true), SYSDMA_OK);
    assert_int_equal(j.start_status, SYSDMA_OK);
    assert_int_equal(j.list->count, 7);
    assert_true(sysdma_sim_soc_run_until(r->soc, soc_job_done, &j, 1000ull * 1000 * 1000));
    assert_int_equal(j.done_status, SYSDMA_OK);
    sysdma_stats st;
    sysdma_stats_get(r->sys, a, &st);
    assert_int_equal(st.transfers, 1);      /* seven elements, one program */
    assert_int_equal(r->completions[3], 1); /* ...and one interrupt */
    sysdma_sim_soc_run(r->soc, 1000ull * 1000);
    assert_int_equal(r->nwire, LEN);
    assert_memory_equal(r->wire, buf, LEN);
    assert_int_equal(sysdma_sg_put(a, j.list, true), SYSDMA_OK);
    sysdma_mdl_free(r->sys, m);
    assert_int_equal(sysdma_adapter_put(a), SYSDMA_OK);
    assert_true(sysdma_sim_soc_buffer_free(r->soc, buf));
    soc_rig_close(r);
}

static bool some_sent(void *ctx)
{
    return ((soc_rig *)ctx)->nwire >= 2 * 4096 + 500;
}

/* Cancelled in the middle of its third element: one done call, cancelled;
 * what went out is a prefix of the buffer, as long as the progress says
 * (give or take what waits in the device's FIFO), and nothing more goes. */
static void test_cancel_mid_list(void **state)
{
    (void)state;
    sysdma_sim_soc_config c = {0};
    c.uart_byte_ns = 2000; /* slow: the list is still running when cancelled */
    soc_rig *r = soc_rig_open(&c);
    sysdma_mdl *m;
    uint8_t *buf = scattered(r, &m);
    sysdma_adapter *a = soc_rig_adapter(r, 4, SYSDMA_SIM_SOC_UART_TX_LINE,
                                        SYSDMA_SIM_SOC_UART_DATA, LEN, false, true);
    soc_rig_shape(a, 1, 1, 1, 1);
    soc_job j = {r, a, NULL, SYSDMA_E_INVALID_ARGUMENT, 0, SYSDMA_OK};
    assert_int_equal(sysdma_sg_get(a, NULL, m, buf, LEN, soc_job_ready, &j, true), SYSDMA_OK);
    assert_int_equal(j.start_status, SYSDMA_OK);
    assert_true(sysdma_sim_soc_run_until(r->soc, some_sent, r, 1000ull * 1000 * 1000));
    assert_int_equal(j.done_calls, 0);
    assert_int_equal(sysdma_sg_cancel(a, j.list), SYSDMA_OK);
    assert_int_equal(j.done_calls, 1);
    assert_int_equal(j.done_status, SYSDMA_E_CANCELLED);
    uint64_t moved = sysdma_sg_progress(a, j.list);
    assert_true(moved >= 2 * 4096 + 500 && moved < LEN);
    sysdma_sim_soc_run(r->soc, 200ull * 1000 * 1000); /* long enough for all the rest */
    assert_int_equal(j.done_calls, 1);      /* no second completion */
    assert_true(r->nwire <= moved);         /* nothing sent past the cancel */
    assert_true(r->nwire + 64 >= moved);    /* at most a FIFO's worth still inside */
    assert_memory_equal(r->wire, buf, r->nwire);
    assert_int_equal(r->completions[4], 0);
    assert_int_equal(sysdma_sg_cancel(a, j.list), SYSDMA_E_WRONG_STATE); /* nothing to end */
    assert_int_equal(sysdma_sg_put(a, j.list, true), SYSDMA_OK);
    sysdma_mdl_free(r->sys, m);
    assert_int_equal(sysdma_adapter_put(a), SYSDMA_OK);
    assert_true(sysdma_sim_soc_buffer_free(r->soc, buf));
    soc_rig_close(r);
}

/* Memory to memory, to an address on no bus: the PL080 stops with an error
 * interrupt, and the driver hears SYSDMA_E_TRANSFER_ERROR. */
#define NOWHERE 0x20000000u

static void to_nowhere(sysdma_adapter *a)
{
    sysdma_transfer_shape s = {0};
    s.memory_width = 4;
    s.device_width = 4;
    s.flow = SYSDMA_FLOW_MEMORY;
    s.device_increment = true;
    assert_int_equal(sysdma_adapter_configure(a, SYSDMA_CONFIGURE_SHAPE, &s, sizeof s), SYSDMA_OK);
}

static void test_bus_error_list(void **state)
{
    (void)state;
    soc_rig *r = soc_rig_open(NULL);
    sysdma_mdl *m;
    uint8_t *buf = scattered(r, &m);
    sysdma_adapter *a = soc_rig_adapter(r, 6, 0, NOWHERE, LEN, false, true);
    to_nowhere(a);
    soc_job j = {r, a, NULL, SYSDMA_E_INVALID_ARGUMENT, 0, SYSDMA_OK};
    assert_int_equal(sysdma_sg_get(a, NULL, m, buf, LEN - 1000, soc_job_ready, &j, true), SYSDMA_OK);
    assert_int_equal(j.start_status, SYSDMA_OK);
    assert_true(sysdma_sim_soc_run_until(r->soc, soc_job_done, &j, 100ull * 1000 * 1000));
    assert_int_equal(j.done_calls, 1);
    assert_int_equal(j.done_status, SYSDMA_E_TRANSFER_ERROR);
    assert_int_equal(r->failed, 1u << 6);
    sysdma_sim_soc_run(r->soc, 10ull * 1000 * 1000);
    assert_int_equal(j.done_calls, 1);
    assert_int_equal(sysdma_sg_put(a, j.list, true), SYSDMA_OK);
    sysdma_mdl_free(r->sys, m);
    assert_int_equal(sysdma_adapter_put(a), SYSDMA_OK);
    assert_true(sysdma_sim_soc_buffer_free(r->soc, buf));
    soc_rig_close(r);
}

typedef struct ex {
    unsigned calls;
    sysdma_status status;
} ex;

static void ex_done(sysdma_adapter *a, void *ctx, sysdma_status st)
{
    (void)a;
    ex *e = ctx;
    e->calls++;
    e->status = st;
}

static bool ex_finished(void *ctx)
{
    return ((ex *)ctx)->calls > 0;
}

static sysdma_allocation_action keep_regs(void *device, sysdma_map_registers *regs, void *ctx)
{
    (void)device;
    *(sysdma_map_registers **)ctx = regs;
    return SYSDMA_KEEP_OBJECT;
}

static void test_bus_error_map_transfer_ex(void **state)
{
    (void)state;
    soc_rig *r = soc_rig_open(NULL);
    uint8_t *buf = sysdma_sim_soc_buffer_alloc(r->soc, 4096, 0, SYSDMA_SIM_SOC_LOW);
    assert_non_null(buf);
    sysdma_mdl *m;
    assert_int_equal(sysdma_mdl_create(r->sys, buf, 4096, &m), SYSDMA_OK);
    sysdma_adapter *a = soc_rig_adapter(r, 2, 0, NOWHERE, 4096, false, false);
    to_nowhere(a);
    sysdma_map_registers *regs = NULL;
    assert_int_equal(sysdma_channel_allocate(a, NULL, 2, keep_regs, &regs), SYSDMA_OK);
    ex e = {0, SYSDMA_OK};
    uint32_t len = 4096;
    uint64_t logical;
    assert_int_equal(sysdma_map_transfer_ex(a, m, 0, &len, true, regs, ex_done, &e, &logical),
                     SYSDMA_OK);
    assert_true(sysdma_sim_soc_run_until(r->soc, ex_finished, &e, 100ull * 1000 * 1000));
    assert_int_equal(e.calls, 1);
    assert_int_equal(e.status, SYSDMA_E_TRANSFER_ERROR);
    assert_int_equal(sysdma_flush_adapter_buffers_ex(a, m, regs, 0, len, true), SYSDMA_OK);
    assert_int_equal(e.calls, 1);
    assert_int_equal(sysdma_channel_free(a), SYSDMA_OK);
    sysdma_mdl_free(r->sys, m);
    assert_int_equal(sysdma_adapter_put(a), SYSDMA_OK);
    assert_true(sysdma_sim_soc_buffer_free(r->soc, buf));
    soc_rig_close(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_list_is_one_program),
        cmocka_unit_test(test_cancel_mid_list),
        cmocka_unit_test(test_bus_error_list),
        cmocka_unit_test(test_bus_error_map_transfer_ex),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
