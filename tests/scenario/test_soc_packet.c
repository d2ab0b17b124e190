/* SPDX-License-Identifier: MIT */
/*
 * Packet-based system DMA on the simulated SoC: a driver sends a buffer to
 * the UART-style FIFO device through the core's adapter API, the PL080
 * driver and the emulated PL080, paced by the device's request lines; the
 * DMAC's terminal-count interrupt reaches the core through the ISR. Also
 * a buffer of several PL080 items (over 4095 bytes of byte transfers), and
 * the residue a flush leaves when the wire stalls the device, and a buffer
 * above 4 GiB bounced through map registers the PL080 reaches. The packet
 * runs on the coherent machine and on one with the cache model (driver
 * buffers not coherent with DMA), where it arrives only because the core
 * syncs the buffer at MapTransfer; a reception from the UART into a cached
 * buffer is seen by the CPU only because the flush syncs it back.
 */
#include "support/soc_rig.h"

static bool wire_has(void *ctx)
{
    soc_rig *r = ctx;
    return r->nwire >= 5000 && (r->completed & (1u << 1));
}

static bool wire_has_6000(void *ctx)
{
    soc_rig *r = ctx;
    return r->nwire >= 6000 && (r->completed & (1u << 6));
}

static void packet_to_uart(bool cached)
{
    sysdma_sim_soc_config c = {0};
    c.uart_byte_ns = 1000; /* 1 MB/s wire */
    c.cache_model = cached;
    soc_rig *r = soc_rig_open(&c);
    const uint32_t len = 5000;
    uint8_t *buf = sysdma_sim_soc_buffer_alloc(r->soc, len, 100, SYSDMA_SIM_SOC_LOW);
    assert_non_null(buf);
    for (uint32_t k = 0; k < len; k++)
        buf[k] = (uint8_t)(k * 37u + 5u);
    sysdma_adapter *a = soc_rig_adapter(r, 1, SYSDMA_SIM_SOC_UART_TX_LINE,
                                        SYSDMA_SIM_SOC_UART_DATA, len, false, false);
    soc_rig_shape(a, 1, 1, 4, 4); /* bursts of 4 bytes: the UART's watermark */
    sysdma_mdl *m;
    assert_int_equal(sysdma_mdl_create(r->sys, buf, len, &m), SYSDMA_OK);
    sysdma_flush_io_buffers(r->sys, m, false);
    bool granted = false;
    assert_int_equal(sysdma_channel_allocate(a, NULL, 0, soc_rig_keep, &granted), SYSDMA_OK);
    assert_true(granted);
    uint32_t n = len;
    uint64_t logical = 0;
    assert_int_equal(sysdma_map_transfer(a, m, NULL, buf, &n, true, &logical), SYSDMA_OK);
    assert_int_equal(n, len);
    uint64_t phys;
    assert_true(sysdma_sim_soc_virt_to_phys(r->soc, buf, &phys));
    assert_int_equal(logical, phys); /* in place: bank 0 is within reach */
    assert_int_equal(sysdma_read_dma_counter(a), len);
    /* Two items: 4092 + 908 bytes (bursts of 4 keep whole bursts per item). */
    uint32_t items = 0;
    assert_int_equal(sysdma_adapter_configure(a, SYSDMA_PL080_FN_ITEMS, &items, sizeof items),
                     SYSDMA_OK);
    assert_int_equal(items, 2);
    assert_true(sysdma_sim_soc_run_until(r->soc, wire_has, r, 1000ull * 1000 * 1000));
    assert_int_equal(r->nwire, len);
    assert_memory_equal(r->wire, buf, len);
    assert_int_equal(r->failed, 0);
    assert_int_equal(r->completions[1], 1);
    assert_int_equal(sysdma_read_dma_counter(a), 0);
    assert_int_equal(sysdma_flush_adapter_buffers(a, m, NULL, buf, len, true), SYSDMA_OK);
    assert_int_equal(sysdma_channel_free(a), SYSDMA_OK);
    /* The transfer was paced by the device: not faster than its wire. */
    assert_true(sysdma_sim_soc_now_ns(r->soc) >= (uint64_t)len * 1000);
    assert_int_equal(sysdma_sim_soc_uart(r->soc)->tx_overruns, 0);
    sysdma_mdl_free(r->sys, m);
    assert_int_equal(sysdma_adapter_put(a), SYSDMA_OK);
    assert_true(sysdma_sim_soc_buffer_free(r->soc, buf));
    soc_rig_close(r);
}

static void packet_to_uart_coherent(void **state)
{
    (void)state;
    packet_to_uart(false);
}

static void packet_to_uart_cached(void **state)
{
    (void)state;
    packet_to_uart(true);
}

/* Bytes from the UART's receive side into a cached buffer. */
static void receive_into_cached_buffer(void **state)
{
    (void)state;
    sysdma_sim_soc_config c = {0};
    c.cache_model = true;
    soc_rig *r = soc_rig_open(&c);
    const uint32_t len = 3000;
    uint8_t *buf = sysdma_sim_soc_buffer_alloc(r->soc, len, 64, SYSDMA_SIM_SOC_SCATTERED);
    assert_non_null(buf);
    memset(buf, 0xEE, len); /* the CPU's stale bytes */
    uint8_t *in = malloc(len);
    for (uint32_t k = 0; k < len; k++)
        in[k] = (uint8_t)(k * 11u + 1u);
    sysdma_adapter *a = soc_rig_adapter(r, 4, SYSDMA_SIM_SOC_UART_RX_LINE,
                                        SYSDMA_SIM_SOC_UART_DATA, len, false, true);
    soc_rig_shape(a, 1, 1, 4, 4);
    sysdma_mdl *m;
    assert_int_equal(sysdma_mdl_create(r->sys, buf, len, &m), SYSDMA_OK);
    bool granted = false;
    assert_int_equal(sysdma_channel_allocate(a, NULL, 0, soc_rig_keep, &granted), SYSDMA_OK);
    /* A scattered buffer in pieces, one MapTransfer per physical page. */
    uint32_t done = 0;
    size_t fed = 0;
    sysdma_emu_uart *u = sysdma_sim_soc_uart(r->soc);
    while (done < len) {
        uint64_t phys;
        assert_true(sysdma_sim_soc_virt_to_phys(r->soc, buf + done, &phys));
        uint32_t n = 4096 - (uint32_t)(phys % 4096);
        if (n > len - done)
            n = len - done;
        uint32_t asked = n;
        r->completed = 0;
        assert_int_equal(sysdma_map_transfer(a, m, NULL, buf + done, &n, false, NULL), SYSDMA_OK);
        assert_int_equal(n, asked);
        for (int t = 0; t < 100000 && !(r->completed & (1u << 4)); t++) {
            fed += sysdma_emu_uart_receive(u, in + fed, len - fed < 8 ? len - fed : 8);
            sysdma_sim_soc_run(r->soc, 10000);
        }
        assert_true(r->completed & (1u << 4));
        assert_int_equal(sysdma_flush_adapter_buffers(a, m, NULL, buf + done, n, false), SYSDMA_OK);
        done += n;
    }
    assert_memory_equal(buf, in, len);
    assert_int_equal(u->rx_underruns, 0);
    assert_int_equal(sysdma_channel_free(a), SYSDMA_OK);
    sysdma_mdl_free(r->sys, m);
    assert_int_equal(sysdma_adapter_put(a), SYSDMA_OK);
    free(in);
    soc_rig_close(r);
}

typedef struct grant {
    bool granted;
    sysdma_map_registers *regs;
} grant;

static sysdma_allocation_action keep_regs(void *device, sysdma_map_registers *regs, void *ctx)
{
    (void)device;
    grant *g = ctx;
    g->granted = true;
    g->regs = regs;
    return SYSDMA_KEEP_OBJECT;
}

/* A buffer in bank 1, above 4 GiB, is beyond the PL080's 32 bits: the
 * core bounces it through map registers, which it makes in bank 0. */
static void bank1_buffer_bounces(void **state)
{
    (void)state;
    sysdma_sim_soc_config c = {0};
    c.uart_byte_ns = 1000;
    soc_rig *r = soc_rig_open(&c);
    const uint32_t len = 6000;
    uint8_t *buf = sysdma_sim_soc_buffer_alloc(r->soc, len, 123, SYSDMA_SIM_SOC_HIGH);
    assert_non_null(buf);
    uint64_t phys;
    assert_true(sysdma_sim_soc_virt_to_phys(r->soc, buf, &phys));
    assert_true(phys >= SYSDMA_SIM_SOC_BANK1);
    for (uint32_t k = 0; k < len; k++)
        buf[k] = (uint8_t)(k * 13u + 9u);
    sysdma_device_description d = {0};
    d.version = 3;
    d.channel = 6;
    d.width = SYSDMA_WIDTH_8;
    d.maximum_length = len;
    d.request_line = SYSDMA_SIM_SOC_UART_TX_LINE;
    d.device_address = SYSDMA_SIM_SOC_UART_DATA;
    sysdma_adapter *a = NULL;
    uint32_t nregs = 0;
    assert_int_equal(sysdma_adapter_get(r->sys, &d, &a, &nregs), SYSDMA_OK);
    assert_true(nregs >= 3);
    sysdma_mdl *m;
    assert_int_equal(sysdma_mdl_create(r->sys, buf, len, &m), SYSDMA_OK);
    grant g = {false, NULL};
    assert_int_equal(sysdma_channel_allocate(a, NULL, nregs, keep_regs, &g), SYSDMA_OK);
    assert_true(g.granted);
    uint32_t n = len;
    uint64_t logical = 0;
    assert_int_equal(sysdma_map_transfer(a, m, g.regs, buf, &n, true, &logical), SYSDMA_OK);
    assert_true(logical >= SYSDMA_SIM_SOC_BANK0 && logical + len <= 0x100000000ull);
    assert_true(sysdma_sim_soc_run_until(r->soc, wire_has_6000, r, 1000ull * 1000 * 1000));
    assert_int_equal(sysdma_flush_adapter_buffers(a, m, g.regs, buf, len, true), SYSDMA_OK);
    assert_memory_equal(r->wire, buf, len);
    sysdma_stats st;
    sysdma_stats_get(r->sys, a, &st);
    assert_int_equal(st.bounced_transfers, 1);
    assert_int_equal(sysdma_channel_free(a), SYSDMA_OK);
    sysdma_mdl_free(r->sys, m);
    assert_int_equal(sysdma_adapter_put(a), SYSDMA_OK);
    soc_rig_close(r);
}

static void flush_midway_leaves_the_residue(void **state)
{
    (void)state;
    sysdma_sim_soc_config c = {0};
    c.uart_byte_ns = 10000; /* 100 kB/s */
    soc_rig *r = soc_rig_open(&c);
    const uint32_t len = 3000;
    uint8_t *buf = sysdma_sim_soc_buffer_alloc(r->soc, len, 0, SYSDMA_SIM_SOC_LOW);
    assert_non_null(buf);
    memset(buf, 0x5A, len);
    sysdma_adapter *a = soc_rig_adapter(r, 3, SYSDMA_SIM_SOC_UART_TX_LINE,
                                        SYSDMA_SIM_SOC_UART_DATA, len, false, false);
    sysdma_mdl *m;
    assert_int_equal(sysdma_mdl_create(r->sys, buf, len, &m), SYSDMA_OK);
    bool granted = false;
    assert_int_equal(sysdma_channel_allocate(a, NULL, 0, soc_rig_keep, &granted), SYSDMA_OK);
    uint32_t n = len;
    assert_int_equal(sysdma_map_transfer(a, m, NULL, buf, &n, true, NULL), SYSDMA_OK);
    sysdma_sim_soc_run(r->soc, 10ull * 1000 * 1000); /* ~1000 bytes */
    uint32_t left = sysdma_read_dma_counter(a);
    assert_true(left > 0 && left < len);
    assert_int_equal(sysdma_flush_adapter_buffers(a, m, NULL, buf, len, true), SYSDMA_OK);
    /* Stopped: nothing more moves; what left the memory is in the FIFO or
     * on the wire. */
    uint32_t after = sysdma_read_dma_counter(a);
    sysdma_sim_soc_run(r->soc, 10ull * 1000 * 1000);
    sysdma_emu_uart *u = sysdma_sim_soc_uart(r->soc);
    assert_int_equal(u->tx_bytes + u->tx_count, len - after);
    assert_int_equal(r->completed, 0);
    assert_int_equal(sysdma_channel_free(a), SYSDMA_OK);
    sysdma_mdl_free(r->sys, m);
    assert_int_equal(sysdma_adapter_put(a), SYSDMA_OK);
    soc_rig_close(r);
}

static void line_outside_the_channel_is_refused(void **state)
{
    (void)state;
    soc_rig *r = soc_rig_open(NULL);
    sysdma_device_description d = {0};
    d.version = 3;
    d.channel = 0;
    d.width = SYSDMA_WIDTH_8;
    d.maximum_length = 4096;
    d.request_line = 16;
    sysdma_adapter *a = NULL;
    assert_int_equal(sysdma_adapter_get(r->sys, &d, &a, NULL), SYSDMA_E_INVALID_CHANNEL);
    d.request_line = 2;
    d.channel = 8;
    assert_int_equal(sysdma_adapter_get(r->sys, &d, &a, NULL), SYSDMA_E_INVALID_CHANNEL);
    soc_rig_close(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(packet_to_uart_coherent),
        cmocka_unit_test(packet_to_uart_cached),
        cmocka_unit_test(receive_into_cached_buffer),
        cmocka_unit_test(bank1_buffer_bounces),
        cmocka_unit_test(flush_midway_leaves_the_residue),
        cmocka_unit_test(line_outside_the_channel_is_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
