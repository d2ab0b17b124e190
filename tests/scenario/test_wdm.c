/* SPDX-License-Identifier: MIT */
/*
 * The WDK-style example drivers (examples/wdm/) on the simulated PC, built
 * with -Werror against sysdma/wdm.h: packet-based transfers split into
 * pieces, both directions, buffers below and above 16 MiB; a common buffer
 * cycled in auto-initialize mode and followed with ReadDmaCounter; a
 * scatter/gather list handed to a (simulated) bus-master device with a
 * 24-bit address width over memory above 16 MiB. Byte-exact, with the
 * verifier on.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "support/rig.h"
#include "wdm_examples.h"

typedef struct bench {
    rig r;
    DEVICE_OBJECT pdo;
    unsigned channel;
    size_t pos; /* where the device's FIFO goes on */
} bench;

static UCHAR env_in(PVOID ctx, USHORT port) { return sysdma_sim_inb(((bench *)ctx)->r.sim, port); }
/* The device's FIFO continues from piece to piece: each start takes up
 * where the last acknowledged transfer ended. */
static VOID env_out(PVOID ctx, USHORT port, UCHAR v)
{
    bench *b = ctx;
    sysdma_emu_testdev *d = &b->r.dev[b->channel];
    if (port == 0x300 + 8 * b->channel && (v & 3)) {
        d->data = b->r.fifo[b->channel] + b->pos;
        d->cap = b->r.fifo_cap - b->pos;
    }
    if (port == 0x305 + 8 * b->channel)
        b->pos += d->moved;
    sysdma_sim_outb(b->r.sim, port, v);
}

static bool irq_pending(void *ctx)
{
    bench *b = ctx;
    return (b->r.dev[b->channel].status & SYSDMA_EMU_TESTDEV_IRQ) != 0;
}

static BOOLEAN env_wait(PVOID ctx, ULONG timeout_us)
{
    bench *b = ctx;
    return sysdma_sim_run_until(b->r.sim, irq_pending, b, (uint64_t)timeout_us * 1000);
}

static void dev_clock(void *ctx, uint64_t ns)
{
    sysdma_emu_testdev_advance(ctx, ns);
}

static bench *make(void)
{
    bench *b = calloc(1, sizeof *b);
    sysdma_config cfg = {.map_registers_initial = 32, .map_registers_cap = 64};
    assert_int_equal(rig_init(&b->r, 64u << 20, 1u << 20, &cfg), SYSDMA_OK);
    rig_verify(&b->r);
    b->pdo.SysdmaSystem = b->r.sys;
    return b;
}

static void unmake(bench *b)
{
    rig_destroy(&b->r);
    free(b);
}

static void test_packet(void **state)
{
    (void)state;
    bench *b = make();
    EXAMPLE_ENV env = {env_in, env_out, env_wait, b};
    static const unsigned chans[] = {1, 6};
    static const sysdma_sim_placement hows[] = {SYSDMA_SIM_LOW, SYSDMA_SIM_HIGH,
                                                SYSDMA_SIM_SCATTERED};
    for (int c = 0; c < 2; c++)
        for (int h = 0; h < 3; h++)
            for (int dir = 0; dir < 2; dir++) {
                unsigned ch = chans[c];
                b->channel = ch;
                uint32_t len = 300000;
                uint8_t *buf = sysdma_sim_buffer_alloc(b->r.sim, len, 2, hows[h]);
                for (uint32_t k = 0; k < len; k++) {
                    buf[k] = (uint8_t)(k * 3u + 7u);
                    b->r.fifo[ch][k] = (uint8_t)(k * 11u + 1u);
                }
                b->r.dev[ch].data = b->r.fifo[ch];
                b->r.dev[ch].cap = b->r.fifo_cap;
                PMDL mdl = SysdmaAllocateMdl(&b->pdo, buf, len);
                assert_non_null(mdl);
                ULONG pieces = 0;
                uint8_t *want = malloc(len);
                memcpy(want, dir ? buf : b->r.fifo[ch], len);
                b->pos = 0;
                assert_int_equal(PacketTransfer(&b->pdo, &env, (USHORT)(0x300 + 8 * ch), ch, mdl,
                                                dir, &pieces),
                                 STATUS_SUCCESS);
                assert_true(pieces >= 3); /* 300000 bytes in ≤ 64/128 KiB pieces */
                assert_int_equal(b->pos, len);
                assert_memory_equal(dir ? b->r.fifo[ch] : buf, want, len);
                IoFreeMdl(mdl);
                free(want);
                sysdma_sim_buffer_free(b->r.sim, buf);
            }
    assert_int_equal(b->r.reports, 0);
    unmake(b);
}

typedef struct sink {
    uint8_t *data;
    uint32_t len, cap;
} sink;

static VOID consume(PVOID ctx, const UCHAR *data, ULONG bytes)
{
    sink *s = ctx;
    if (s->len + bytes <= s->cap)
        memcpy(s->data + s->len, data, bytes);
    s->len += bytes;
}

static void test_common_buffer(void **state)
{
    (void)state;
    bench *b = make();
    EXAMPLE_ENV env = {env_in, env_out, env_wait, b};
    static const unsigned chans[] = {3, 5};
    for (int c = 0; c < 2; c++) {
        unsigned ch = chans[c];
        b->channel = ch;
        uint32_t total = 100000;
        for (uint32_t k = 0; k < total; k++)
            b->r.fifo[ch][k] = (uint8_t)(k * 7u + ch);
        b->pos = 0;
        b->r.dev[ch].bytes_per_us = 2; /* a paced stream */
        assert_true(sysdma_sim_add_clock(b->r.sim, dev_clock, &b->r.dev[ch]));
        sink s = {malloc(total), 0, total};
        assert_int_equal(CommonBufferStream(&b->pdo, &env, (USHORT)(0x300 + 8 * ch), ch, 8192, total,
                                            consume, &s),
                         STATUS_SUCCESS);
        assert_int_equal(s.len, total);
        assert_memory_equal(s.data, b->r.fifo[ch], total);
        free(s.data);
    }
    assert_int_equal(b->r.reports, 0);
    unmake(b);
}

/* A bus-master device in software: it reads or writes the list's logical
 * addresses through the machine's physical memory. */
typedef struct master {
    bench *b;
    uint8_t *device;   /* the device's own memory */
    uint32_t elements_seen;
} master;

static VOID run_list(PVOID ctx, PSCATTER_GATHER_LIST list, BOOLEAN write_to_device)
{
    master *m = ctx;
    uint8_t *phys = sysdma_sim_phys_view(m->b->r.sim);
    uint32_t pos = 0;
    for (ULONG e = 0; e < list->NumberOfElements; e++) {
        uint8_t *at = phys + list->Elements[e].Address.QuadPart;
        if (list->Elements[e].Address.QuadPart + list->Elements[e].Length > (1u << 24))
            fail_msg("element beyond the 24-bit device's reach");
        if (write_to_device)
            memcpy(m->device + pos, at, list->Elements[e].Length);
        else
            memcpy(at, m->device + pos, list->Elements[e].Length);
        pos += list->Elements[e].Length;
    }
    m->elements_seen = list->NumberOfElements;
}

static void test_scatter_gather(void **state)
{
    (void)state;
    bench *b = make();
    static const sysdma_sim_placement hows[] = {SYSDMA_SIM_SCATTERED_LOW, SYSDMA_SIM_HIGH,
                                                SYSDMA_SIM_SCATTERED};
    for (int h = 0; h < 3; h++)
        for (int dir = 0; dir < 2; dir++) {
            uint32_t len = 100000;
            uint8_t *buf = sysdma_sim_buffer_alloc(b->r.sim, len, 300, hows[h]);
            master m = {b, malloc(len), 0};
            for (uint32_t k = 0; k < len; k++) {
                buf[k] = (uint8_t)(k * 5u + 3u);
                m.device[k] = (uint8_t)(k * 9u + 2u);
            }
            uint8_t *want = malloc(len);
            memcpy(want, dir ? buf : m.device, len);
            PMDL mdl = SysdmaAllocateMdl(&b->pdo, buf, len);
            ULONG elements = 0;
            assert_int_equal(ScatterGatherTransfer(&b->pdo, 24, mdl, dir, run_list, &m, &elements),
                             STATUS_SUCCESS);
            assert_memory_equal(dir ? m.device : buf, want, len);
            assert_true(elements >= 1);
            if (hows[h] == SYSDMA_SIM_SCATTERED_LOW)
                assert_true(elements > 20); /* one per scattered page */
            IoFreeMdl(mdl);
            free(want);
            free(m.device);
            sysdma_sim_buffer_free(b->r.sim, buf);
        }
    assert_int_equal(b->r.reports, 0);
    unmake(b);
}

/* GetScatterGatherListEx with a completion routine on a subordinate
 * scatter/gather device, for a request spread over an MDL chain: the
 * controller runs the list element after element; the completion says
 * when it is done. */
typedef struct sgx {
    bench *b;
    PDMA_ADAPTER adapter;
    int routine_calls, completions;
    DMA_COMPLETION_STATUS status;
    PSCATTER_GATHER_LIST list;
    uint32_t len;
} sgx;

static VOID sgx_list(PDEVICE_OBJECT d, PIRP irp, PSCATTER_GATHER_LIST list, PVOID ctx)
{
    (void)d;
    (void)irp;
    sgx *x = ctx;
    x->routine_calls++;
    x->list = list;
    /* Start the device for the whole list (it streams through the pauses). */
    for (unsigned k = 0; k < 4; k++)
        sysdma_sim_outb(x->b->r.sim, (uint16_t)(0x331 + k), (uint8_t)(x->len >> (8 * k)));
    sysdma_sim_outb(x->b->r.sim, 0x330, 0x82);
}

static VOID sgx_done(PDMA_ADAPTER a, PDEVICE_OBJECT d, PVOID ctx, DMA_COMPLETION_STATUS st)
{
    (void)a;
    (void)d;
    sgx *x = ctx;
    x->completions++;
    x->status = st;
}

static bool sgx_finished(void *ctx) { return ((sgx *)ctx)->completions > 0; }

static void test_sg_list_ex_on_the_controller(void **state)
{
    (void)state;
    bench *b = make();
    rig_poll_timer(&b->r); /* a streaming test device: the polling fallback */
    DEVICE_DESCRIPTION dd = {0};
    dd.Version = DEVICE_DESCRIPTION_VERSION3;
    dd.ScatterGather = TRUE;
    dd.DmaChannel = 6;
    dd.InterfaceType = Isa;
    dd.DmaWidth = Width16Bits;
    dd.MaximumLength = 65536;
    ULONG n;
    PDMA_ADAPTER a = IoGetDmaAdapter(&b->pdo, &dd, &n);
    assert_non_null(a);
    assert_non_null(a->DmaOperations->GetScatterGatherListEx);
    /* The request is three buffers, an MDL chain; the list starts 100 bytes
     * in and runs across all three. */
    static const uint32_t sizes[3] = {20000, 30000, 10000};
    uint8_t *bufs[3];
    PMDL mdls[3];
    uint8_t *expect = malloc(60000);
    assert_non_null(expect);
    uint32_t at = 0;
    for (unsigned i = 0; i < 3; i++) {
        bufs[i] = sysdma_sim_buffer_alloc(b->r.sim, sizes[i], 0, SYSDMA_SIM_SCATTERED_LOW);
        for (uint32_t k = 0; k < sizes[i]; k++, at++)
            expect[at] = bufs[i][k] = (uint8_t)(at * 3u + 1u);
        mdls[i] = SysdmaAllocateMdl(&b->pdo, bufs[i], sizes[i]);
        assert_non_null(mdls[i]);
        if (i)
            mdls[i - 1]->Next = mdls[i];
    }
    uint32_t len = 60000 - 100 - 2000;
    UCHAR ctx_space[DMA_TRANSFER_CONTEXT_SIZE_V1] __attribute__((aligned(8)));
    assert_int_equal(a->DmaOperations->InitializeDmaTransferContext(a, ctx_space), STATUS_SUCCESS);
    sgx x = {b, a, 0, 0, DmaError, NULL, len};
    b->r.dev[6].data = b->r.fifo[6];
    b->r.dev[6].cap = b->r.fifo_cap;
    assert_int_equal(a->DmaOperations->GetScatterGatherListEx(a, &b->pdo, ctx_space, mdls[0], 100,
                                                              len, 0, sgx_list, &x, TRUE, sgx_done,
                                                              &x, NULL),
                     STATUS_SUCCESS);
    assert_int_equal(x.routine_calls, 1);
    assert_true(x.list->NumberOfElements > 5); /* scattered: many elements, one transfer */
    assert_true(sysdma_sim_run_until(b->r.sim, sgx_finished, &x, 5000000000ull));
    assert_int_equal(x.completions, 1);
    assert_int_equal(x.status, DmaComplete);
    assert_memory_equal(b->r.fifo[6], expect + 100, len);
    sysdma_sim_outb(b->r.sim, 0x335, 0);
    a->DmaOperations->PutScatterGatherList(a, x.list, TRUE);
    for (unsigned i = 0; i < 3; i++) {
        mdls[i]->Next = NULL;
        IoFreeMdl(mdls[i]);
        sysdma_sim_buffer_free(b->r.sim, bufs[i]);
    }
    free(expect);
    a->DmaOperations->PutDmaAdapter(a);
    assert_int_equal(b->r.reports, 0);
    unmake(b);
}

/* A version-3 description's DmaControllerInstance picks the controller:
 * the PC has one, so instance 1 names nothing; instance 0 is the 8237 pair.
 * DmaRequestLine is checked against the channel (the 8237's lines are its
 * channels). */
static void test_controller_instance(void **state)
{
    (void)state;
    /* No verifier: it would report the refused description, rightly. */
    bench *b = calloc(1, sizeof *b);
    assert_non_null(b);
    assert_int_equal(rig_init(&b->r, 64u << 20, 1u << 20, NULL), SYSDMA_OK);
    b->pdo.SysdmaSystem = b->r.sys;
    DEVICE_DESCRIPTION dd = {0};
    dd.Version = DEVICE_DESCRIPTION_VERSION3;
    dd.DmaChannel = 2;
    dd.DmaRequestLine = 2;
    dd.InterfaceType = Isa;
    dd.DmaWidth = Width8Bits;
    dd.MaximumLength = 4096;
    ULONG n;
    dd.DmaControllerInstance = 1;
    assert_null(IoGetDmaAdapter(&b->pdo, &dd, &n));
    dd.DmaControllerInstance = 0;
    PDMA_ADAPTER a = IoGetDmaAdapter(&b->pdo, &dd, &n);
    assert_non_null(a);
    a->DmaOperations->PutDmaAdapter(a);
    unmake(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_packet),
        cmocka_unit_test(test_common_buffer),
        cmocka_unit_test(test_scatter_gather),
        cmocka_unit_test(test_sg_list_ex_on_the_controller),
        cmocka_unit_test(test_controller_instance),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
