/* SPDX-License-Identifier: MIT */
/*
 * Three small drivers written the WDK way against sysdma/wdm.h, following
 * the call sequences of docs/user-guide.md. They drive sysdma's generic test device (8
 * ports: command, length, acknowledge; an interrupt when done), reached
 * through a small environment, so the tests run them on the simulated PC.
 *
 *   packet.c  packet-based: AllocateAdapterChannel → AdapterControl maps the
 *             first piece and returns KeepObject → each interrupt flushes
 *             and maps the next piece → FreeAdapterChannel.
 *   common.c  common buffer: AllocateCommonBuffer, the channel in
 *             auto-initialize mode over it, progress from ReadDmaCounter.
 *   sg.c      scatter/gather: GetScatterGatherList hands the list to a
 *             bus-master device, PutScatterGatherList when it is done.
 *   floppy.c  a floppy disk controller on channel 2, its ports reached
 *             through READ/WRITE_PORT_UCHAR (the system bound with
 *             SysdmaWdmSetSystem) instead of the environment above.
 */
#ifndef SYSDMA_WDM_EXAMPLES_H
#define SYSDMA_WDM_EXAMPLES_H

#include "sysdma/wdm.h"

typedef struct _EXAMPLE_ENV {
    UCHAR (*In)(PVOID Ctx, USHORT Port);
    VOID (*Out)(PVOID Ctx, USHORT Port, UCHAR Value);
    BOOLEAN (*WaitInterrupt)(PVOID Ctx, ULONG TimeoutUs); /* the device's, since the last call */
    PVOID Ctx;
} EXAMPLE_ENV;

/* Packet-based transfer of a whole buffer (MDL) to or from the device on
 * `Channel` at `Port`, split into pieces of the map registers the adapter
 * gives. */
NTSTATUS PacketTransfer(PDEVICE_OBJECT Pdo, const EXAMPLE_ENV *Env, USHORT Port, ULONG Channel,
                        PMDL Mdl, BOOLEAN WriteToDevice, PULONG Pieces);

/* Stream `Total` bytes from the device into a common buffer of
 * `BufferBytes` cycled by the channel in auto-initialize mode, handing each
 * chunk to `Consume` as ReadDmaCounter shows it arrived. */
NTSTATUS CommonBufferStream(PDEVICE_OBJECT Pdo, const EXAMPLE_ENV *Env, USHORT Port, ULONG Channel,
                            ULONG BufferBytes, ULONG Total,
                            VOID (*Consume)(PVOID Ctx, const UCHAR *Data, ULONG Bytes),
                            PVOID ConsumeCtx);

/* A bus-master device that takes scatter/gather lists: `Run` gets each
 * list (and must move its bytes) before the driver puts it. */
typedef VOID SG_DEVICE_RUN(PVOID Ctx, PSCATTER_GATHER_LIST List, BOOLEAN WriteToDevice);
NTSTATUS ScatterGatherTransfer(PDEVICE_OBJECT Pdo, ULONG AddressWidth, PMDL Mdl,
                               BOOLEAN WriteToDevice, SG_DEVICE_RUN *Run, PVOID RunCtx,
                               PULONG Elements);

/* The floppy driver's environment: its interrupt and the passing of time. */
typedef struct _FLOPPY_ENV {
    /* The controller's interrupt arrived since the last call (or TimeoutUs
     * passed): TRUE if it did. */
    BOOLEAN (*WaitInterrupt)(PVOID Ctx, ULONG TimeoutUs);
    VOID (*Stall)(PVOID Ctx, ULONG Us); /* KeStallExecutionProcessor */
    PVOID Ctx;
} FLOPPY_ENV;

/* The floppy driver's device extension. */
typedef struct _FLOPPY_EXTENSION {
    FLOPPY_ENV Env;
    PDEVICE_OBJECT Pdo;
    PDMA_ADAPTER Adapter;
    ULONG MapRegisters;      /* IoGetDmaAdapter's figure, asked for per request */
    PVOID MapRegisterBase;   /* from AdapterControl */
    BOOLEAN Granted;
    ULONG Drive, SectorsPerTrack, Heads, Cylinders, DataRate;
    LONG Cylinder;           /* where the head is, -1 unknown */
    ULONG Pieces;            /* MapTransfer calls so far */
    UCHAR Result[7];         /* the last command's result bytes */
} FLOPPY_EXTENSION, *PFLOPPY_EXTENSION;

/* Reset the controller, recalibrate `Drive` and get channel 2's adapter.
 * `DiskBytes`: 737280, 1474560 or 2949120. */
NTSTATUS FloppyOpen(PDEVICE_OBJECT Pdo, const FLOPPY_ENV *Env, ULONG Drive, ULONG DiskBytes,
                    PFLOPPY_EXTENSION Ext);
/* Read (Write FALSE) or write `Count` sectors from sector `Lba`; any
 * buffer (sysdma bounces what the 8237 cannot reach). STATUS_INVALID_PARAMETER
 * beyond the disk or for 0 sectors, STATUS_MEDIA_WRITE_PROTECTED,
 * STATUS_DEVICE_DATA_ERROR, STATUS_IO_TIMEOUT, STATUS_DEVICE_BUSY (another
 * driver kept channel 2 for a second). */
NTSTATUS FloppyTransfer(PFLOPPY_EXTENSION Ext, ULONG Lba, ULONG Count, PVOID Buffer,
                        BOOLEAN Write);
/* Motors off, the adapter put. */
VOID FloppyClose(PFLOPPY_EXTENSION Ext);

#endif
