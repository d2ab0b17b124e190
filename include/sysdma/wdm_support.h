/* SPDX-License-Identifier: MIT */
/*
 * sysdma/wdm_support.h: part of sysdma/wdm.h — the support routines a
 * driver ported from Windows uses besides the DMA calls: the Rtl memory
 * routines, port I/O (READ_PORT_* / WRITE_PORT_*, onto the bound system's
 * platform), memory-mapped registers (READ_REGISTER_* / WRITE_REGISTER_*,
 * volatile accesses), the page macros and the MDL routines. Freestanding:
 * nothing from the C library. Include sysdma/wdm.h, not this file.
 */
#ifndef SYSDMA_WDM_SUPPORT_H
#define SYSDMA_WDM_SUPPORT_H

#ifndef SYSDMA_WDM_H
#error "include sysdma/wdm.h, not sysdma/wdm_support.h"
#endif

/* ---- memory ---------------------------------------------------------------------------- */

/* Byte loops, so that a kernel without a C library links them. Move
 * handles overlap (copying backwards when the destination is above the
 * source); Copy, as in the WDK, must not be given overlapping ranges. */
static inline VOID SysdmaWdmFill(PVOID Destination, SIZE_T Length, UCHAR Fill)
{
    UCHAR *d = (UCHAR *)Destination;
    for (SIZE_T k = 0; k < Length; k++)
        d[k] = Fill;
}

static inline VOID SysdmaWdmMove(PVOID Destination, PCVOID Source, SIZE_T Length)
{
    UCHAR *d = (UCHAR *)Destination;
    const UCHAR *s = (const UCHAR *)Source;
    if ((uintptr_t)d > (uintptr_t)s && (uintptr_t)d - (uintptr_t)s < Length) {
        for (SIZE_T k = Length; k > 0; k--)
            d[k - 1] = s[k - 1];
    } else {
        for (SIZE_T k = 0; k < Length; k++)
            d[k] = s[k];
    }
}

/* The number of leading bytes that match (RtlCompareMemory). */
static inline SIZE_T RtlCompareMemory(PCVOID Source1, PCVOID Source2, SIZE_T Length)
{
    const UCHAR *a = (const UCHAR *)Source1, *b = (const UCHAR *)Source2;
    SIZE_T k = 0;
    while (k < Length && a[k] == b[k])
        k++;
    return k;
}

#define RtlZeroMemory(Destination, Length) SysdmaWdmFill((Destination), (Length), 0)
#define RtlFillMemory(Destination, Length, Fill) SysdmaWdmFill((Destination), (Length), (UCHAR)(Fill))
#define RtlCopyMemory(Destination, Source, Length) SysdmaWdmMove((Destination), (Source), (Length))
#define RtlMoveMemory(Destination, Source, Length) SysdmaWdmMove((Destination), (Source), (Length))
/* Non-zero when the two ranges hold the same bytes. */
#define RtlEqualMemory(Source1, Source2, Length)                                                  \
    (RtlCompareMemory((Source1), (Source2), (Length)) == (SIZE_T)(Length))

/* ---- port I/O -------------------------------------------------------------------------- */

/* As on x86 Windows, a port "address" is the port number in a pointer.
 * Accesses go through the platform of the system bound with
 * SysdmaWdmSetSystem: inb/outb, and inw/outw/inl/outl for 16 and 32 bits
 * when the platform has them (else byte accesses at Port, Port + 1, ...,
 * low byte first). */
#define SYSDMA_WDM_PORT(p) ((uint16_t)(uintptr_t)(p))

static inline UCHAR READ_PORT_UCHAR(PUCHAR Port)
{
    return (UCHAR)sysdma_wdm_port_read(SYSDMA_WDM_PORT(Port), 1);
}
static inline USHORT READ_PORT_USHORT(PUSHORT Port)
{
    return (USHORT)sysdma_wdm_port_read(SYSDMA_WDM_PORT(Port), 2);
}
static inline ULONG READ_PORT_ULONG(PULONG Port)
{
    return (ULONG)sysdma_wdm_port_read(SYSDMA_WDM_PORT(Port), 4);
}
static inline VOID WRITE_PORT_UCHAR(PUCHAR Port, UCHAR Value)
{
    sysdma_wdm_port_write(SYSDMA_WDM_PORT(Port), 1, Value);
}
static inline VOID WRITE_PORT_USHORT(PUSHORT Port, USHORT Value)
{
    sysdma_wdm_port_write(SYSDMA_WDM_PORT(Port), 2, Value);
}
static inline VOID WRITE_PORT_ULONG(PULONG Port, ULONG Value)
{
    sysdma_wdm_port_write(SYSDMA_WDM_PORT(Port), 4, Value);
}

/* The _BUFFER_ forms: Count accesses of the one port (a device's data
 * FIFO), into or out of consecutive elements of Buffer. */
static inline VOID READ_PORT_BUFFER_UCHAR(PUCHAR Port, PUCHAR Buffer, ULONG Count)
{
    for (ULONG k = 0; k < Count; k++)
        Buffer[k] = READ_PORT_UCHAR(Port);
}
static inline VOID READ_PORT_BUFFER_USHORT(PUSHORT Port, PUSHORT Buffer, ULONG Count)
{
    for (ULONG k = 0; k < Count; k++)
        Buffer[k] = READ_PORT_USHORT(Port);
}
static inline VOID READ_PORT_BUFFER_ULONG(PULONG Port, PULONG Buffer, ULONG Count)
{
    for (ULONG k = 0; k < Count; k++)
        Buffer[k] = READ_PORT_ULONG(Port);
}
static inline VOID WRITE_PORT_BUFFER_UCHAR(PUCHAR Port, PUCHAR Buffer, ULONG Count)
{
    for (ULONG k = 0; k < Count; k++)
        WRITE_PORT_UCHAR(Port, Buffer[k]);
}
static inline VOID WRITE_PORT_BUFFER_USHORT(PUSHORT Port, PUSHORT Buffer, ULONG Count)
{
    for (ULONG k = 0; k < Count; k++)
        WRITE_PORT_USHORT(Port, Buffer[k]);
}
static inline VOID WRITE_PORT_BUFFER_ULONG(PULONG Port, PULONG Buffer, ULONG Count)
{
    for (ULONG k = 0; k < Count; k++)
        WRITE_PORT_ULONG(Port, Buffer[k]);
}

/* ---- memory-mapped registers ----------------------------------------------------------- */

/* One volatile access of the register's width each (never merged, split or
 * left out by the compiler). The mapping itself is the platform's. */
static inline UCHAR READ_REGISTER_UCHAR(volatile UCHAR *Register) { return *Register; }
static inline USHORT READ_REGISTER_USHORT(volatile USHORT *Register) { return *Register; }
static inline ULONG READ_REGISTER_ULONG(volatile ULONG *Register) { return *Register; }
static inline ULONG64 READ_REGISTER_ULONG64(volatile ULONG64 *Register) { return *Register; }
static inline VOID WRITE_REGISTER_UCHAR(volatile UCHAR *Register, UCHAR Value) { *Register = Value; }
static inline VOID WRITE_REGISTER_USHORT(volatile USHORT *Register, USHORT Value)
{
    *Register = Value;
}
static inline VOID WRITE_REGISTER_ULONG(volatile ULONG *Register, ULONG Value) { *Register = Value; }
static inline VOID WRITE_REGISTER_ULONG64(volatile ULONG64 *Register, ULONG64 Value)
{
    *Register = Value;
}
/* Unlike the port forms, the register _BUFFER_ forms walk the register
 * range as they walk the buffer (as the WDK's do). */
#define SYSDMA_WDM_REGISTER_BUFFER(Width, Type)                                                   \
    static inline VOID READ_REGISTER_BUFFER_##Width(volatile Type *Register, Type *Buffer,        \
                                                    ULONG Count)                                  \
    {                                                                                             \
        for (ULONG k = 0; k < Count; k++)                                                         \
            Buffer[k] = Register[k];                                                              \
    }                                                                                             \
    static inline VOID WRITE_REGISTER_BUFFER_##Width(volatile Type *Register, Type *Buffer,       \
                                                     ULONG Count)                                 \
    {                                                                                             \
        for (ULONG k = 0; k < Count; k++)                                                         \
            Register[k] = Buffer[k];                                                              \
    }
SYSDMA_WDM_REGISTER_BUFFER(UCHAR, UCHAR)
SYSDMA_WDM_REGISTER_BUFFER(USHORT, USHORT)
SYSDMA_WDM_REGISTER_BUFFER(ULONG, ULONG)
#undef SYSDMA_WDM_REGISTER_BUFFER

/* ---- pages ----------------------------------------------------------------------------- */

/* The offset of an address in its page. */
#define BYTE_OFFSET(Va) ((ULONG)((ULONG_PTR)(Va) & (PAGE_SIZE - 1)))
/* The start of the page holding an address. */
#define PAGE_ALIGN(Va) ((PVOID)((ULONG_PTR)(Va) & ~(ULONG_PTR)(PAGE_SIZE - 1)))
/* A size rounded up to whole pages. */
#define ROUND_TO_PAGES(Size) (((ULONG_PTR)(Size) + PAGE_SIZE - 1) & ~(ULONG_PTR)(PAGE_SIZE - 1))
/* The pages a size fills (as if it started on a page boundary). */
#define BYTES_TO_PAGES(Size) ((ULONG)(((ULONG_PTR)(Size) >> PAGE_SHIFT) + (((ULONG_PTR)(Size) & (PAGE_SIZE - 1)) != 0)))
/* The pages [Va, Va + Size) touches; 0 for Size 0. */
#define ADDRESS_AND_SIZE_TO_SPAN_PAGES(Va, Size)                                                  \
    ((ULONG)sysdma_pages_spanned((const void *)(ULONG_PTR)(Va), (size_t)(Size)))

/* ---- MDLs ------------------------------------------------------------------------------ */

typedef enum _MM_PAGE_PRIORITY {
    LowPagePriority = 0,
    NormalPagePriority = 16,
    HighPagePriority = 32
} MM_PAGE_PRIORITY;
#define MdlMappingNoWrite 0x80000000u
#define MdlMappingNoExecute 0x40000000u

/* IoAllocateMdl: an MDL for [VirtualAddress, VirtualAddress + Length) of
 * nonpaged memory of the bound system. sysdma describes the pages at once
 * (a buffer's pages are known while it is nonpaged), so the MDL is ready
 * for DMA on return; MmBuildMdlForNonPagedPool has nothing left to do.
 * SecondaryBuffer, ChargeQuota and Irp are not used (the MDL is not
 * attached to the IRP). NULL for Length 0, a NULL address, a range with a
 * page that has no physical address, no bound system, or no memory. Free
 * with IoFreeMdl. */
static inline PMDL IoAllocateMdl(PVOID VirtualAddress, ULONG Length, BOOLEAN SecondaryBuffer,
                                 BOOLEAN ChargeQuota, PIRP Irp)
{
    (void)SecondaryBuffer;
    (void)ChargeQuota;
    (void)Irp;
    sysdma_mdl *m = NULL;
    if (sysdma_wdm_mdl_create(sysdma_wdm_system(), VirtualAddress, Length, &m) != SYSDMA_OK)
        return NULL;
    return m;
}

/* An MDL for a buffer of the device's system (IoAllocateMdl followed by
 * MmBuildMdlForNonPagedPool, naming the device instead of relying on the
 * bound system). NULL when refused. IoFreeMdl frees it. */
static inline PMDL SysdmaAllocateMdl(PDEVICE_OBJECT Device, PVOID VirtualAddress, ULONG Length)
{
    sysdma_mdl *m = NULL;
    if (!Device ||
        sysdma_wdm_mdl_create(Device->SysdmaSystem, VirtualAddress, Length, &m) != SYSDMA_OK)
        return NULL;
    return m;
}

static inline VOID IoFreeMdl(PMDL Mdl)
{
    if (Mdl)
        sysdma_mdl_free(Mdl->system, Mdl);
}

/* The pages were described when the MDL was made: nothing to do. */
static inline VOID MmBuildMdlForNonPagedPool(PMDL MemoryDescriptorList)
{
    (void)MemoryDescriptorList;
}

/* The buffer's virtual address: every buffer sysdma describes is mapped. */
static inline PVOID MmGetSystemAddressForMdlSafe(PMDL Mdl, ULONG Priority)
{
    (void)Priority;
    return Mdl ? MmGetMdlVirtualAddress(Mdl) : NULL;
}

/* The physical page number of each page of the MDL, in order (the MDL's
 * own array; one entry per page ADDRESS_AND_SIZE_TO_SPAN_PAGES counts).
 * NULL for an MDL not made by IoAllocateMdl or SysdmaAllocateMdl (such as
 * BuildMdlFromScatterGatherList's). */
static inline PPFN_NUMBER MmGetMdlPfnArray(PMDL Mdl)
{
    return (PPFN_NUMBER)sysdma_wdm_mdl_frames(Mdl);
}

/* KeFlushIoBuffers. */
static inline VOID KeFlushIoBuffers(PMDL Mdl, BOOLEAN ReadOperation, BOOLEAN DmaOperation)
{
    (void)DmaOperation;
    if (Mdl)
        sysdma_flush_io_buffers(Mdl->system, Mdl, ReadOperation);
}

#endif /* SYSDMA_WDM_SUPPORT_H */
