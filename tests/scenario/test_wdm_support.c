/* SPDX-License-Identifier: MIT */
/*
 * sysdma/wdm.h beyond the DMA operations, on the simulated PC: the Rtl
 * memory routines, port I/O onto the platform (byte-composed and native
 * widths), register access, the page macros, IoAllocateMdl and its
 * companions, the INTERFACE_TYPE buses served and refused, two adapters on
 * one device object, the legacy Hal / Io names, and what
 * GetScatterGatherList and GetScatterGatherListEx do on a system adapter.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "support/rig.h"
#include "sysdma/wdm.h"

#define TC_IRQ 10

typedef struct bench {
    rig r;
    DEVICE_OBJECT pdo;
} bench;

static bench *make(void)
{
    bench *b = calloc(1, sizeof *b);
    sysdma_config cfg = {.map_registers_initial = 32, .map_registers_cap = 64};
    assert_int_equal(rig_init(&b->r, 64u << 20, 1u << 20, &cfg), SYSDMA_OK);
    b->pdo.SysdmaSystem = b->r.sys;
    SysdmaWdmSetSystem(b->r.sys);
    return b;
}

/* Everything given back: the system goes (BUSY would mean a handle leaked). */
static void unmake(bench *b)
{
    assert_int_equal(sysdma_system_destroy(b->r.sys), SYSDMA_OK);
    assert_null(sysdma_wdm_system()); /* destroying the bound system unbinds it */
    b->r.sys = NULL;
    rig_destroy(&b->r);
    free(b);
}

static DEVICE_DESCRIPTION describe(ULONG channel, ULONG version)
{
    DEVICE_DESCRIPTION d;
    RtlZeroMemory(&d, sizeof d);
    d.Version = version;
    d.DmaChannel = channel;
    d.InterfaceType = Isa;
    d.DmaWidth = channel >= 4 ? Width16Bits : Width8Bits;
    d.MaximumLength = 64 * 1024;
    return d;
}

/* ---- Rtl ----------------------------------------------------------------------------- */

static void test_rtl_memory(void **state)
{
    (void)state;
    UCHAR a[64], c[64];
    RtlFillMemory(a, sizeof a, 0xA5);
    for (int k = 0; k < 64; k++)
        assert_int_equal(a[k], 0xA5);
    RtlZeroMemory(a + 8, 16);
    for (int k = 0; k < 64; k++)
        assert_int_equal(a[k], k >= 8 && k < 24 ? 0 : 0xA5);
    for (int k = 0; k < 64; k++)
        a[k] = (UCHAR)k;
    RtlCopyMemory(c, a, sizeof a);
    assert_true(RtlEqualMemory(c, a, sizeof a));
    c[40] ^= 1;
    assert_false(RtlEqualMemory(c, a, sizeof a));
    assert_int_equal(RtlCompareMemory(c, a, sizeof a), 40);
    assert_true(RtlEqualMemory(c, a, 40));
    assert_true(RtlEqualMemory(c, a, 0)); /* nothing to compare: equal */
    /* Move up and down over overlapping ranges. */
    RtlMoveMemory(a + 4, a, 32);
    for (int k = 0; k < 32; k++)
        assert_int_equal(a[4 + k], k);
    for (int k = 0; k < 64; k++)
        a[k] = (UCHAR)k;
    RtlMoveMemory(a, a + 4, 32);
    for (int k = 0; k < 32; k++)
        assert_int_equal(a[k], k + 4);
    RtlFillMemory(a, 0, 0x11); /* zero length touches nothing */
    assert_int_equal(a[0], 4);
}

/* ---- ports and registers --------------------------------------------------------------- */

/* A device on ports 0x280-0x287: each port a byte register; port 0x287 a
 * FIFO that counts its accesses. */
typedef struct regs8 {
    uint8_t reg[8];
    uint8_t fifo[16];
    unsigned fifo_in, fifo_out;
} regs8;

static uint8_t regs_in(void *ctx, uint16_t port)
{
    regs8 *d = ctx;
    if (port == 0x287)
        return d->fifo[d->fifo_out++ % 16];
    return d->reg[port - 0x280];
}

static void regs_out(void *ctx, uint16_t port, uint8_t v)
{
    regs8 *d = ctx;
    if (port == 0x287)
        d->fifo[d->fifo_in++ % 16] = v;
    else
        d->reg[port - 0x280] = v;
}

static void test_port_io_through_platform(void **state)
{
    (void)state;
    bench *b = make();
    regs8 dev = {0};
    assert_int_equal(sysdma_sim_add_ports(b->r.sim, 0x280, 0x287, regs_in, regs_out, &dev),
                     SYSDMA_OK);
    WRITE_PORT_UCHAR((PUCHAR)0x281, 0x5A);
    assert_int_equal(dev.reg[1], 0x5A);
    assert_int_equal(READ_PORT_UCHAR((PUCHAR)0x281), 0x5A);
    /* The sim has no word ports: byte accesses, low byte first. */
    WRITE_PORT_USHORT((PUSHORT)0x282, 0xBEEF);
    assert_int_equal(dev.reg[2], 0xEF);
    assert_int_equal(dev.reg[3], 0xBE);
    assert_int_equal(READ_PORT_USHORT((PUSHORT)0x282), 0xBEEF);
    WRITE_PORT_ULONG((PULONG)0x280, 0x12345678u);
    assert_int_equal(dev.reg[0], 0x78);
    assert_int_equal(dev.reg[3], 0x12);
    assert_int_equal(READ_PORT_ULONG((PULONG)0x280), 0x12345678u);
    /* _BUFFER_: every access to the same port. */
    UCHAR out[5] = {1, 2, 3, 4, 5}, in[5] = {0};
    WRITE_PORT_BUFFER_UCHAR((PUCHAR)0x287, out, 5);
    assert_int_equal(dev.fifo_in, 5);
    READ_PORT_BUFFER_UCHAR((PUCHAR)0x287, in, 5);
    assert_int_equal(dev.fifo_out, 5);
    assert_memory_equal(in, out, 5);
    USHORT w[2] = {0x0102, 0x0304}, wr[2] = {0};
    WRITE_PORT_BUFFER_USHORT((PUSHORT)0x287, w, 2); /* 2 bytes each at 0x287, 0x288 */
    assert_int_equal(dev.fifo_in, 7);
    /* An unclaimed port reads all ones, as on the ISA bus. */
    assert_int_equal(READ_PORT_UCHAR((PUCHAR)0x2F0), 0xFF);
    /* Read back: each word is 0x287 (the FIFO, low byte) and the unclaimed
     * 0x288 (0xFF, high byte). */
    READ_PORT_BUFFER_USHORT((PUSHORT)0x287, wr, 2);
    assert_int_equal(wr[0], 0xFF02);
    assert_int_equal(wr[1], 0xFF04);
    unmake(b);
}

/* Native word and doubleword ports, when the platform has them. */
static unsigned wide_calls;
static uint16_t wide_last_port;
static uint32_t wide_value;
static uint16_t wide_inw(void *ctx, uint16_t port)
{
    (void)ctx;
    wide_calls++;
    wide_last_port = port;
    return (uint16_t)wide_value;
}
static void wide_outw(void *ctx, uint16_t port, uint16_t v)
{
    (void)ctx;
    wide_calls++;
    wide_last_port = port;
    wide_value = v;
}
static uint32_t wide_inl(void *ctx, uint16_t port)
{
    (void)ctx;
    wide_calls++;
    wide_last_port = port;
    return wide_value;
}
static void wide_outl(void *ctx, uint16_t port, uint32_t v)
{
    (void)ctx;
    wide_calls++;
    wide_last_port = port;
    wide_value = v;
}

static void test_port_io_native_widths(void **state)
{
    (void)state;
    bench *b = make();
    static sysdma_platform_ops ops;
    ops = *b->r.pf.ops;
    ops.inw = wide_inw;
    ops.outw = wide_outw;
    ops.inl = wide_inl;
    ops.outl = wide_outl;
    sysdma_platform pf = {&ops, b->r.pf.ctx};
    sysdma_system *sys2;
    assert_int_equal(sysdma_system_create(&pf, &b->r.ctrl, NULL, &sys2), SYSDMA_OK);
    SysdmaWdmSetSystem(sys2);
    WRITE_PORT_USHORT((PUSHORT)0x1F0, 0xCAFE);
    assert_int_equal(wide_calls, 1);
    assert_int_equal(wide_last_port, 0x1F0);
    assert_int_equal(READ_PORT_USHORT((PUSHORT)0x1F0), 0xCAFE);
    WRITE_PORT_ULONG((PULONG)0xCFC, 0x80000010u);
    assert_int_equal(READ_PORT_ULONG((PULONG)0xCFC), 0x80000010u);
    assert_int_equal(wide_calls, 4);
    assert_int_equal(wide_last_port, 0xCFC);
    assert_int_equal(sysdma_system_destroy(sys2), SYSDMA_OK);
    /* Unbound: reads give all ones, writes go nowhere, MDLs and adapters
     * cannot be made. */
    assert_null(sysdma_wdm_system());
    assert_int_equal(READ_PORT_UCHAR((PUCHAR)0x281), 0xFF);
    assert_int_equal(READ_PORT_USHORT((PUSHORT)0x282), 0xFFFF);
    assert_int_equal(READ_PORT_ULONG((PULONG)0x280), 0xFFFFFFFFu);
    WRITE_PORT_USHORT((PUSHORT)0x1F0, 1);
    assert_int_equal(wide_calls, 4);
    static UCHAR buf[100];
    assert_null(IoAllocateMdl(buf, sizeof buf, FALSE, FALSE, NULL));
    DEVICE_DESCRIPTION d = describe(1, DEVICE_DESCRIPTION_VERSION);
    ULONG n;
    assert_null(HalGetAdapter(&d, &n));
    SysdmaWdmSetSystem(b->r.sys);
    unmake(b);
}

static void test_register_access(void **state)
{
    (void)state;
    volatile ULONG regs[4] = {0};
    WRITE_REGISTER_ULONG(&regs[1], 0xDEADBEEFu);
    assert_int_equal(regs[1], 0xDEADBEEFu);
    assert_int_equal(READ_REGISTER_ULONG(&regs[1]), 0xDEADBEEFu);
    WRITE_REGISTER_USHORT((volatile USHORT *)&regs[2], 0x1234);
    assert_int_equal(READ_REGISTER_USHORT((volatile USHORT *)&regs[2]), 0x1234);
    WRITE_REGISTER_UCHAR((volatile UCHAR *)&regs[3], 0x77);
    assert_int_equal(READ_REGISTER_UCHAR((volatile UCHAR *)&regs[3]), 0x77);
    volatile ULONG64 r64 = 0;
    WRITE_REGISTER_ULONG64(&r64, 0x0123456789ABCDEFull);
    assert_true(READ_REGISTER_ULONG64(&r64) == 0x0123456789ABCDEFull);
    ULONG src[4] = {1, 2, 3, 4}, dst[4] = {0};
    WRITE_REGISTER_BUFFER_ULONG(regs, src, 4); /* walks the register range */
    READ_REGISTER_BUFFER_ULONG(regs, dst, 4);
    assert_memory_equal(dst, src, sizeof src);
}

/* ---- pages and MDLs --------------------------------------------------------------------- */

static void test_page_macros(void **state)
{
    (void)state;
    assert_int_equal(BYTE_OFFSET(0x12345), 0x345);
    assert_int_equal(BYTE_OFFSET(0x3000), 0);
    assert_true(PAGE_ALIGN(0x12345) == (PVOID)0x12000);
    assert_true(PAGE_ALIGN(0x12000) == (PVOID)0x12000);
    assert_int_equal(ROUND_TO_PAGES(0), 0);
    assert_int_equal(ROUND_TO_PAGES(1), 4096);
    assert_int_equal(ROUND_TO_PAGES(4096), 4096);
    assert_int_equal(ROUND_TO_PAGES(4097), 8192);
    assert_int_equal(BYTES_TO_PAGES(0), 0);
    assert_int_equal(BYTES_TO_PAGES(1), 1);
    assert_int_equal(BYTES_TO_PAGES(4096), 1);
    assert_int_equal(BYTES_TO_PAGES(4097), 2);
    assert_int_equal(BYTES_TO_PAGES(0xFFFFFFFFu), 0x100000);
    assert_int_equal(ADDRESS_AND_SIZE_TO_SPAN_PAGES(0x1000, 0), 0);
    assert_int_equal(ADDRESS_AND_SIZE_TO_SPAN_PAGES(0x1000, 1), 1);
    assert_int_equal(ADDRESS_AND_SIZE_TO_SPAN_PAGES(0x1FFF, 1), 1);
    assert_int_equal(ADDRESS_AND_SIZE_TO_SPAN_PAGES(0x1FFF, 2), 2); /* crosses a page */
    assert_int_equal(ADDRESS_AND_SIZE_TO_SPAN_PAGES(0x1800, 8192), 3);
    assert_int_equal(ADDRESS_AND_SIZE_TO_SPAN_PAGES(0x1000, 8192), 2);
}

static void test_mdl_routines(void **state)
{
    (void)state;
    bench *b = make();
    /* Scattered pages, starting 0x800 into the first: 3 pages spanned. */
    uint32_t len = 8192;
    uint8_t *buf = sysdma_sim_buffer_alloc(b->r.sim, len, 0x800, SYSDMA_SIM_SCATTERED);
    assert_non_null(buf);
    PMDL m = IoAllocateMdl(buf, len, FALSE, FALSE, NULL);
    assert_non_null(m);
    MmBuildMdlForNonPagedPool(m);
    assert_ptr_equal(MmGetSystemAddressForMdlSafe(m, NormalPagePriority | MdlMappingNoExecute), buf);
    assert_ptr_equal(MmGetMdlVirtualAddress(m), buf);
    assert_int_equal(MmGetMdlByteCount(m), len);
    assert_int_equal(MmGetMdlByteOffset(m), 0x800);
    PPFN_NUMBER pfn = MmGetMdlPfnArray(m);
    assert_non_null(pfn);
    ULONG pages = ADDRESS_AND_SIZE_TO_SPAN_PAGES(buf, len);
    assert_int_equal(pages, 3);
    for (ULONG k = 0; k < pages; k++) {
        uint64_t phys;
        assert_true(sysdma_sim_virt_to_phys(b->r.sim, (uint8_t *)PAGE_ALIGN(buf) + k * PAGE_SIZE,
                                            &phys));
        assert_int_equal(pfn[k], phys >> PAGE_SHIFT);
    }
    IoFreeMdl(m);
    /* The device's form gives the same. */
    m = SysdmaAllocateMdl(&b->pdo, buf, len);
    assert_non_null(MmGetMdlPfnArray(m));
    IoFreeMdl(m);
    /* An MDL sysdma made otherwise has no frame array. */
    sysdma_mdl *plain;
    assert_int_equal(sysdma_mdl_create(b->r.sys, buf, len, &plain), SYSDMA_OK);
    assert_null(MmGetMdlPfnArray(plain));
    sysdma_mdl_free(b->r.sys, plain);
    /* Edges: zero length, NULL address, NULL MDL. */
    assert_null(IoAllocateMdl(buf, 0, FALSE, FALSE, NULL));
    assert_null(IoAllocateMdl(NULL, 10, FALSE, FALSE, NULL));
    assert_null(MmGetMdlPfnArray(NULL));
    assert_null(MmGetSystemAddressForMdlSafe(NULL, NormalPagePriority));
    IoFreeMdl(NULL);
    /* Allocation failure at either of its two allocations: NULL, nothing kept. */
    for (long fail = 0; fail < 2; fail++) {
        b->r.fail_after = fail;
        assert_null(IoAllocateMdl(buf, len, FALSE, FALSE, NULL));
    }
    b->r.fail_after = -1;
    sysdma_sim_buffer_free(b->r.sim, buf);
    unmake(b);
}

/* ---- adapters ---------------------------------------------------------------------------- */

static void test_interface_types(void **state)
{
    (void)state;
    bench *b = make();
    for (int t = InterfaceTypeUndefined; t < MaximumInterfaceType; t++) {
        for (int master = 0; master < 2; master++) {
            DEVICE_DESCRIPTION d = describe(1, DEVICE_DESCRIPTION_VERSION2);
            d.InterfaceType = (INTERFACE_TYPE)t;
            d.Master = (BOOLEAN)master;
            ULONG n = 0;
            PDMA_ADAPTER a = IoGetDmaAdapter(&b->pdo, &d, &n);
            BOOLEAN served = t == Internal || t == Isa || t == PNPISABus ||
                             (master && t == PCIBus);
            if (served != (a != NULL))
                fail_msg("bus %d master %d: %s", t, master, a ? "served" : "refused");
            if (a) {
                assert_true(n > 0);
                a->DmaOperations->PutDmaAdapter(a);
            }
        }
    }
    unmake(b);
}

typedef struct granted {
    int calls;
    PVOID base;
    IO_ALLOCATION_ACTION action;
} granted;

static IO_ALLOCATION_ACTION on_grant(PDEVICE_OBJECT d, PIRP irp, PVOID base, PVOID ctx)
{
    (void)d;
    (void)irp;
    granted *g = ctx;
    g->calls++;
    g->base = base;
    return g->action;
}

static IO_ALLOCATION_ACTION on_grant_null(PDEVICE_OBJECT d, PIRP irp, PVOID base, PVOID ctx)
{
    (void)d, (void)irp, (void)base, (void)ctx;
    fail_msg("a refused request's routine ran");
    return KeepObject;
}

static VOID on_list_null(PDEVICE_OBJECT d, PIRP irp, PSCATTER_GATHER_LIST list, PVOID ctx)
{
    (void)d, (void)irp, (void)list, (void)ctx;
    fail_msg("a refused list's routine ran");
}

/* A Sound Blaster takes channel 1 and channel 5 for one device object. */
static void test_two_adapters_one_device(void **state)
{
    (void)state;
    bench *b = make();
    DEVICE_DESCRIPTION d8 = describe(1, DEVICE_DESCRIPTION_VERSION2);
    DEVICE_DESCRIPTION d16 = describe(5, DEVICE_DESCRIPTION_VERSION2);
    ULONG n8 = 0, n16 = 0;
    PDMA_ADAPTER a8 = IoGetDmaAdapter(&b->pdo, &d8, &n8);
    PDMA_ADAPTER a16 = IoGetDmaAdapter(&b->pdo, &d16, &n16);
    assert_non_null(a8);
    assert_non_null(a16);
    assert_ptr_not_equal(a8, a16);
    assert_ptr_not_equal(SysdmaNative(a8), SysdmaNative(a16));
    /* Both channels at once, for the one device. */
    granted g8 = {0, NULL, KeepObject}, g16 = {0, NULL, KeepObject};
    assert_int_equal(a8->DmaOperations->AllocateAdapterChannel(a8, &b->pdo, 1, on_grant, &g8),
                     STATUS_SUCCESS);
    assert_int_equal(a16->DmaOperations->AllocateAdapterChannel(a16, &b->pdo, 1, on_grant, &g16),
                     STATUS_SUCCESS);
    assert_int_equal(g8.calls, 1);
    assert_int_equal(g16.calls, 1);
    /* Each adapter its own: the 16-bit one reports 16-bit alignment. */
    assert_int_equal(a16->DmaOperations->GetDmaAlignment(a16), 2);
    assert_int_equal(a8->DmaOperations->GetDmaAlignment(a8), 1);
    a8->DmaOperations->FreeAdapterChannel(a8);
    a16->DmaOperations->FreeAdapterChannel(a16);
    a8->DmaOperations->PutDmaAdapter(a8);
    a16->DmaOperations->PutDmaAdapter(a16);
    /* The same channel twice: two objects too, each put on its own. */
    PDMA_ADAPTER x = IoGetDmaAdapter(&b->pdo, &d8, &n8);
    PDMA_ADAPTER y = IoGetDmaAdapter(&b->pdo, &d8, &n8);
    assert_non_null(x);
    assert_non_null(y);
    assert_ptr_not_equal(x, y);
    y->DmaOperations->PutDmaAdapter(y);
    x->DmaOperations->PutDmaAdapter(x);
    unmake(b); /* destroy succeeds only with every handle put */
}

static void test_adapter_allocation_failure(void **state)
{
    (void)state;
    bench *b = make();
    DEVICE_DESCRIPTION d = describe(1, DEVICE_DESCRIPTION_VERSION2);
    ULONG n;
    b->r.fail_after = 0; /* the adapter object itself */
    assert_null(IoGetDmaAdapter(&b->pdo, &d, &n));
    b->r.fail_after = -1;
    d.DmaChannel = 4; /* the cascade: refused by the core, the object freed */
    assert_null(IoGetDmaAdapter(&b->pdo, &d, &n));
    assert_null(IoGetDmaAdapter(NULL, &d, &n));
    unmake(b);
}

/* Missing out-parameters and adapters are refused, never dereferenced. */
static void test_bad_input(void **state)
{
    (void)state;
    bench *b = make();
    DEVICE_DESCRIPTION d = describe(1, DEVICE_DESCRIPTION_VERSION3);
    ULONG n;
    PDMA_ADAPTER a = IoGetDmaAdapter(&b->pdo, &d, &n);
    assert_non_null(a);
    const DMA_OPERATIONS *ops = a->DmaOperations;
    assert_null(ops->AllocateCommonBuffer(a, 4096, NULL, FALSE));
    assert_null(ops->AllocateCommonBufferEx(a, NULL, 4096, NULL, FALSE, MM_ANY_NODE_OK));
    uint8_t *buf = sysdma_sim_buffer_alloc(b->r.sim, 4096, 0, SYSDMA_SIM_LOW);
    PMDL m = IoAllocateMdl(buf, 4096, FALSE, FALSE, NULL);
    assert_true(ops->MapTransfer(a, m, NULL, buf, NULL, TRUE).QuadPart == 0);
    assert_int_equal(ops->CalculateScatterGatherList(a, m, buf, 4096, NULL, NULL),
                     STATUS_INVALID_PARAMETER);
    assert_int_equal(ops->MapTransferEx(NULL, m, NULL, 0, 0, NULL, TRUE, NULL, 0, NULL, NULL),
                     STATUS_INVALID_PARAMETER);
    assert_int_equal(ops->AllocateAdapterChannel(NULL, &b->pdo, 1, on_grant_null, NULL),
                     STATUS_INVALID_PARAMETER);
    assert_int_equal(ops->GetScatterGatherList(NULL, &b->pdo, m, buf, 4096, on_list_null, NULL,
                                               TRUE),
                     STATUS_INVALID_PARAMETER);
    /* A common buffer below MM_ANY_NODE_OK's node works. */
    PHYSICAL_ADDRESS lg;
    PVOID cb = ops->AllocateCommonBufferEx(a, NULL, 4096, &lg, FALSE, MM_ANY_NODE_OK);
    assert_non_null(cb);
    ops->FreeCommonBuffer(a, 4096, lg, cb, FALSE);
    IoFreeMdl(m);
    sysdma_sim_buffer_free(b->r.sim, buf);
    ops->PutDmaAdapter(a);
    unmake(b);
}

/* ---- the legacy names on a packet transfer ------------------------------------------------ */

static bool dev_idle(void *ctx)
{
    return ((sysdma_emu_testdev *)ctx)->dir == 0;
}

/* The test device moves `len` bytes; `stream`: a terminal count does not
 * end its transfer (a device that keeps requesting while a list's
 * elements are programmed one after another). */
static void run_device_as(bench *b, unsigned ch, uint32_t len, bool to_device, bool stream)
{
    sysdma_emu_testdev *dev = &b->r.dev[ch];
    dev->data = b->r.fifo[ch];
    dev->cap = b->r.fifo_cap;
    for (unsigned k = 0; k < 4; k++)
        WRITE_PORT_UCHAR((PUCHAR)(uintptr_t)(0x301 + 8 * ch + k), (UCHAR)(len >> (8 * k)));
    WRITE_PORT_UCHAR((PUCHAR)(uintptr_t)(0x300 + 8 * ch), (UCHAR)((to_device ? 2 : 1) | (stream ? 0x80 : 0)));
    assert_true(sysdma_sim_run_until(b->r.sim, dev_idle, dev, 10ull * 1000 * 1000 * 1000));
    WRITE_PORT_UCHAR((PUCHAR)(uintptr_t)(0x305 + 8 * ch), 0);
}

static void run_device(bench *b, unsigned ch, uint32_t len, bool to_device)
{
    run_device_as(b, ch, len, to_device, false);
}

static void test_legacy_names(void **state)
{
    (void)state;
    bench *b = make();
    DEVICE_DESCRIPTION d = describe(1, DEVICE_DESCRIPTION_VERSION);
    ULONG n = 0;
    PADAPTER_OBJECT a = HalGetAdapter(&d, &n);
    assert_non_null(a);
    assert_true(n >= 2);
    uint32_t len = 6000;
    uint8_t *buf = sysdma_sim_buffer_alloc(b->r.sim, len, 100, SYSDMA_SIM_SCATTERED);
    for (uint32_t k = 0; k < len; k++)
        buf[k] = (uint8_t)(k * 7 + 1);
    PMDL m = IoAllocateMdl(buf, len, FALSE, FALSE, NULL);
    assert_non_null(m);
    granted g = {0, NULL, KeepObject};
    assert_int_equal(IoAllocateAdapterChannel(a, &b->pdo, BYTES_TO_PAGES(len) + 1, on_grant, &g),
                     STATUS_SUCCESS);
    assert_int_equal(g.calls, 1);
    ULONG mapped = len;
    PHYSICAL_ADDRESS lg = IoMapTransfer(a, m, g.base, MmGetMdlVirtualAddress(m), &mapped, TRUE);
    assert_int_equal(mapped, len);
    assert_true(lg.QuadPart != 0 && lg.QuadPart < (LONGLONG)SYSDMA_SIM_16M);
    assert_int_equal(HalReadDmaCounter(a), len); /* nothing moved yet */
    run_device(b, 1, len, true);
    assert_int_equal(HalReadDmaCounter(a), 0);
    assert_true(IoFlushAdapterBuffers(a, m, g.base, MmGetMdlVirtualAddress(m), len, TRUE));
    IoFreeAdapterChannel(a);
    assert_memory_equal(b->r.fifo[1], buf, len);
    /* Common buffer. */
    PHYSICAL_ADDRESS cl = {0};
    PVOID cb = HalAllocateCommonBuffer(a, 8192, &cl, FALSE);
    assert_non_null(cb);
    assert_true(cl.QuadPart < (LONGLONG)SYSDMA_SIM_16M);
    sysdma_stats st;
    sysdma_stats_get(b->r.sys, NULL, &st);
    assert_int_equal(st.common_buffers, 1);
    HalFreeCommonBuffer(a, 8192, cl, cb, FALSE);
    sysdma_stats_get(b->r.sys, NULL, &st);
    assert_int_equal(st.common_buffers, 0);
    IoFreeMdl(m);
    a->DmaOperations->PutDmaAdapter(a);
    /* IoFreeMapRegisters: a bus master keeps its registers past the
     * adapter (DeallocateObjectKeepRegisters) until it frees them. */
    DEVICE_DESCRIPTION dm = describe(0, DEVICE_DESCRIPTION_VERSION);
    dm.Master = TRUE;
    dm.InterfaceType = PCIBus;
    dm.Dma32BitAddresses = FALSE; /* 24-bit: registers needed */
    PADAPTER_OBJECT am = HalGetAdapter(&dm, &n);
    assert_non_null(am);
    granted gm = {0, NULL, DeallocateObjectKeepRegisters};
    assert_int_equal(IoAllocateAdapterChannel(am, &b->pdo, 2, on_grant, &gm), STATUS_SUCCESS);
    assert_int_equal(gm.calls, 1);
    sysdma_stats_get(b->r.sys, NULL, &st);
    assert_int_equal(st.pool_in_use, 2);
    IoFreeMapRegisters(am, gm.base, 2);
    sysdma_stats_get(b->r.sys, NULL, &st);
    assert_int_equal(st.pool_in_use, 0);
    am->DmaOperations->PutDmaAdapter(am);
    sysdma_sim_buffer_free(b->r.sim, buf);
    unmake(b);
}

/* ---- scatter/gather lists on a system adapter ------------------------------------------- */

typedef struct listed {
    int calls;
    PSCATTER_GATHER_LIST list;
    int done_calls;
    DMA_COMPLETION_STATUS done;
} listed;

static VOID on_list(PDEVICE_OBJECT d, PIRP irp, PSCATTER_GATHER_LIST list, PVOID ctx)
{
    (void)d;
    (void)irp;
    listed *l = ctx;
    l->calls++;
    l->list = list;
}

static VOID on_done(PDMA_ADAPTER a, PDEVICE_OBJECT d, PVOID ctx, DMA_COMPLETION_STATUS s)
{
    (void)a;
    (void)d;
    listed *l = ctx;
    l->done_calls++;
    l->done = s;
}

/* Version 1: the list's one element is programmed on the controller when
 * the routine runs; the driver only starts its device. */
static void test_get_list_programs_system_controller(void **state)
{
    (void)state;
    bench *b = make();
    DEVICE_DESCRIPTION d = describe(3, DEVICE_DESCRIPTION_VERSION);
    ULONG n;
    PDMA_ADAPTER a = IoGetDmaAdapter(&b->pdo, &d, &n);
    assert_non_null(a);
    for (int round = 0; round < 2; round++) { /* in place, then through map registers */
        uint32_t len = 5000;
        uint8_t *buf = sysdma_sim_buffer_alloc(b->r.sim, len, 0, round == 1 ? SYSDMA_SIM_HIGH
                                                                             : SYSDMA_SIM_LOW);
        for (uint32_t k = 0; k < len; k++)
            b->r.fifo[3][k] = (uint8_t)(k * 13 + round);
        PMDL m = IoAllocateMdl(buf, len, FALSE, FALSE, NULL);
        listed l = {0};
        assert_int_equal(a->DmaOperations->GetScatterGatherList(a, &b->pdo, m, buf, len, on_list,
                                                                &l, FALSE),
                         STATUS_SUCCESS);
        assert_int_equal(l.calls, 1);
        assert_int_equal(l.list->NumberOfElements, 1);
        run_device(b, 3, len, false); /* no MapTransfer: the list did it */
        assert_int_equal(b->r.dev[3].moved, len);
        a->DmaOperations->PutScatterGatherList(a, l.list, FALSE);
        assert_memory_equal(buf, b->r.fifo[3], len);
        IoFreeMdl(m);
        sysdma_sim_buffer_free(b->r.sim, buf);
    }
    a->DmaOperations->PutDmaAdapter(a);
    unmake(b);
}

static void tc_isr(void *ctx, unsigned irq)
{
    (void)irq;
    rig *r = ctx;
    sysdma_terminal_count(r->sys, sysdma_sim_tc_ack(r->sim));
}

/* The Ex form with a completion routine: the controller runs the list and
 * the routine hears when the last element is done; a put before that
 * cancels the run and the routine hears DmaCancelled. */
static void test_get_list_ex_completion(void **state)
{
    (void)state;
    bench *b = make();
    sysdma_sim_set_tc_irq(b->r.sim, TC_IRQ);
    assert_true(sysdma_sim_irq_connect(b->r.sim, TC_IRQ, tc_isr, &b->r));
    DEVICE_DESCRIPTION d = describe(1, DEVICE_DESCRIPTION_VERSION3);
    d.ScatterGather = TRUE;
    ULONG n;
    PDMA_ADAPTER a = IoGetDmaAdapter(&b->pdo, &d, &n);
    assert_non_null(a);
    uint32_t len = 3 * 4096;
    uint8_t *buf = sysdma_sim_buffer_alloc(b->r.sim, len, 0, SYSDMA_SIM_SCATTERED_LOW);
    for (uint32_t k = 0; k < len; k++)
        buf[k] = (uint8_t)(k * 5 + 3);
    PMDL m = IoAllocateMdl(buf, len, FALSE, FALSE, NULL);
    _Alignas(8) UCHAR ctx[64];
    assert_true(DMA_TRANSFER_CONTEXT_SIZE_V1 <= sizeof ctx);
    for (int cancel = 0; cancel < 2; cancel++) {
        assert_int_equal(a->DmaOperations->InitializeDmaTransferContext(a, ctx), STATUS_SUCCESS);
        listed l = {0};
        assert_int_equal(a->DmaOperations->GetScatterGatherListEx(
                             a, &b->pdo, ctx, m, 0, len, 0, on_list, &l, TRUE, on_done, &l, NULL),
                         STATUS_SUCCESS);
        assert_int_equal(l.calls, 1);
        assert_int_equal(l.done_calls, 0);
        if (!cancel) {
            run_device_as(b, 1, len, true, true);
            sysdma_sim_run(b->r.sim, 1000);
            assert_int_equal(l.done_calls, 1);
            assert_int_equal(l.done, DmaComplete);
            assert_memory_equal(b->r.fifo[1], buf, len);
        }
        a->DmaOperations->PutScatterGatherList(a, l.list, TRUE);
        assert_int_equal(l.done_calls, 1);
        assert_int_equal(l.done, cancel ? DmaCancelled : DmaComplete);
    }
    /* Version 1 on the same (scatter/gather) system adapter: the whole
     * list runs element after element; at put it has ended by itself. */
    listed l = {0};
    RtlZeroMemory(b->r.fifo[1], len);
    assert_int_equal(a->DmaOperations->GetScatterGatherList(a, &b->pdo, m, buf, len, on_list, &l,
                                                            TRUE),
                     STATUS_SUCCESS);
    assert_int_equal(l.calls, 1);
    assert_true(l.list->NumberOfElements > 1);
    run_device_as(b, 1, len, true, true);
    sysdma_sim_run(b->r.sim, 1000);
    assert_int_equal(sysdma_sg_progress(SysdmaNative(a), (sysdma_sg_list *)l.list), len);
    assert_memory_equal(b->r.fifo[1], buf, len);
    a->DmaOperations->PutScatterGatherList(a, l.list, TRUE);
    IoFreeMdl(m);
    a->DmaOperations->PutDmaAdapter(a);
    sysdma_sim_buffer_free(b->r.sim, buf);
    unmake(b);
}

/* Allocation failures at every step of getting an adapter and an MDL:
 * each run ends in NULL or success, and nothing is kept (the system
 * destroys cleanly). */
static void test_fault_sweep(void **state)
{
    (void)state;
    bench *b = make();
    uint8_t *buf = sysdma_sim_buffer_alloc(b->r.sim, 3 * 4096, 10, SYSDMA_SIM_SCATTERED);
    DEVICE_DESCRIPTION d = describe(5, DEVICE_DESCRIPTION_VERSION3);
    long n;
    for (n = 0; n < 50; n++) {
        b->r.fail_after = n;
        ULONG regs;
        PDMA_ADAPTER a = IoGetDmaAdapter(&b->pdo, &d, &regs);
        PMDL m = a ? IoAllocateMdl(buf, 3 * 4096, FALSE, FALSE, NULL) : NULL;
        b->r.fail_after = -1;
        if (m)
            IoFreeMdl(m);
        if (a)
            a->DmaOperations->PutDmaAdapter(a);
        if (a && m)
            break;
    }
    assert_true(n > 1 && n < 50); /* some runs failed, then one went through */
    sysdma_sim_buffer_free(b->r.sim, buf);
    unmake(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rtl_memory),
        cmocka_unit_test(test_port_io_through_platform),
        cmocka_unit_test(test_port_io_native_widths),
        cmocka_unit_test(test_register_access),
        cmocka_unit_test(test_page_macros),
        cmocka_unit_test(test_mdl_routines),
        cmocka_unit_test(test_interface_types),
        cmocka_unit_test(test_two_adapters_one_device),
        cmocka_unit_test(test_adapter_allocation_failure),
        cmocka_unit_test(test_bad_input),
        cmocka_unit_test(test_legacy_names),
        cmocka_unit_test(test_get_list_programs_system_controller),
        cmocka_unit_test(test_get_list_ex_completion),
        cmocka_unit_test(test_fault_sweep),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
