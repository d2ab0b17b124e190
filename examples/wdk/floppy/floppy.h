/* SPDX-License-Identifier: MIT */
/*
 * An NT-style floppy driver: the shared definitions of its three files.
 *
 * floppy.c    DriverEntry, the hardware configuration, the device object,
 *             the dispatch routines, the cancel-safe IRP queue and the
 *             worker thread that takes IRPs from it.
 * fdc.c       the controller: command and result bytes through
 *             READ_PORT_UCHAR / WRITE_PORT_UCHAR, the ISR and its DPC,
 *             reset, recalibrate, seek, motor, media detection (READ ID).
 * transfer.c  the DMA: HalGetAdapter's adapter, IoAllocateAdapterChannel,
 *             IoMapTransfer / IoFlushAdapterBuffers per piece, READ and
 *             WRITE DATA, FORMAT TRACK.
 *
 * Only the worker thread touches the controller outside the ISR; the ISR
 * acknowledges the interrupt (it reads the result bytes or asks SENSE
 * INTERRUPT STATUS), keeps what it read in the extension and queues the
 * DPC, which sets InterruptEvent for the worker.
 *
 * Deliberately broken variants, for the tests that make sure a broken
 * driver's run ends with a report instead of a hang:
 *   -DBROKEN_NO_FLUSH     never calls IoFlushAdapterBuffers
 *   -DBROKEN_DOUBLE_FREE  calls IoFreeAdapterChannel twice per request
 *   -DBROKEN_NO_SIGNAL    the AdapterControl routine forgets to set the
 *                         event the worker waits on (without a timeout)
 */
#ifndef SYSDMA_EXAMPLE_WDK_FLOPPY_H
#define SYSDMA_EXAMPLE_WDK_FLOPPY_H

#include <ntddk.h>
#include <ntdddisk.h>
#include <csq.h>

#define FLOPPY_TAG ((ULONG)0x706F6C46) /* "Flop" in a pool dump */
#define FLOPPY_SECTOR 512
#define FLOPPY_HEADS 2
#define FLOPPY_CYLINDERS 80
#define FLOPPY_MAX_SPT 36        /* 2.88 MB media */
#define FLOPPY_RESULT_BYTES 7

/* Controller registers, as offsets from the base port (0x3F0 on a PC). */
#define FDC_DOR 2
#define FDC_MSR 4                /* read */
#define FDC_DATA 5
#define FDC_DIR 7                /* read */
#define FDC_CCR 7                /* write */

#define DOR_NRESET 0x04
#define DOR_DMA_IRQ 0x08
#define DOR_MOTOR(d) ((UCHAR)(0x10 << (d)))

#define MSR_RQM 0x80
#define MSR_DIO 0x40
#define MSR_BUSY 0x10

#define DIR_DISK_CHANGE 0x80

#define CMD_SPECIFY 0x03
#define CMD_WRITE_DATA 0xC5      /* MT + MFM */
#define CMD_READ_DATA 0xE6       /* MT + MFM + SK */
#define CMD_RECALIBRATE 0x07
#define CMD_SENSE_INTERRUPT 0x08
#define CMD_READ_ID 0x4A         /* MFM */
#define CMD_FORMAT_TRACK 0x4D    /* MFM */
#define CMD_SEEK 0x0F

#define ST0_IC_MASK 0xC0
#define ST0_INVALID 0x80
#define ST0_SEEK_END 0x20
#define ST1_NOT_WRITABLE 0x02

/* One kind of medium the driver knows. */
typedef struct _FLOPPY_MEDIA {
    MEDIA_TYPE MediaType;
    PCSTR Name;                  /* for the debug log */
    UCHAR DataRate;              /* CCR code */
    UCHAR SectorsPerTrack;
    UCHAR ReadWriteGap;
    UCHAR FormatGap;
} FLOPPY_MEDIA, *PFLOPPY_MEDIA;

/* The resources the configuration query found. */
typedef struct _FLOPPY_CONFIG {
    BOOLEAN Found;
    PHYSICAL_ADDRESS PortBase;
    ULONG PortLength;
    ULONG InterruptLevel;
    ULONG InterruptVector;
    ULONG DmaChannel;
    ULONG Drives;                /* floppy peripherals seen */
} FLOPPY_CONFIG, *PFLOPPY_CONFIG;

typedef struct _FLOPPY_EXTENSION {
    PDEVICE_OBJECT DeviceObject;
    UNICODE_STRING SymbolicLink;
    PUCHAR Port;                 /* translated base (port space) */
    ULONG Drive;                 /* drive select: 0 for A: */

    /* Interrupt: the ISR fills Result and queues Dpc, which sets the event. */
    PKINTERRUPT Interrupt;
    KDPC Dpc;
    KEVENT InterruptEvent;
    UCHAR Result[FLOPPY_RESULT_BYTES];
    ULONG ResultCount;
    ULONG Interrupts;            /* counted by the ISR */

    /* DMA. */
    PADAPTER_OBJECT Adapter;
    ULONG MapRegisters;          /* what HalGetAdapter allows at once */
    PVOID MapRegisterBase;       /* from the AdapterControl routine */
    KEVENT AdapterEvent;         /* set by the AdapterControl routine */
    PUCHAR FormatBuffer;         /* FORMAT TRACK's ID bytes (4 per sector) */
    PMDL FormatMdl;

    /* The IRP queue and its worker. */
    IO_CSQ Csq;
    LIST_ENTRY Queue;
    KSPIN_LOCK QueueLock;
    KSEMAPHORE QueueSemaphore;
    PVOID Thread;                /* the worker's thread object */
    BOOLEAN Terminate;

    /* Drive state, the worker's alone. */
    BOOLEAN MotorOn;
    BOOLEAN MediaKnown;
    LONG Cylinder;               /* under the head; -1 unknown */
    const FLOPPY_MEDIA *Media;   /* what READ ID found */
} FLOPPY_EXTENSION, *PFLOPPY_EXTENSION;

/* fdc.c */
BOOLEAN FloppyInterruptService(PKINTERRUPT Interrupt, PVOID ServiceContext);
VOID FloppyDeferred(PKDPC Dpc, PVOID DeferredContext, PVOID SystemArgument1,
                    PVOID SystemArgument2);
NTSTATUS FdcCommand(PFLOPPY_EXTENSION Ext, const UCHAR *Bytes, ULONG Count);
NTSTATUS FdcReadResult(PFLOPPY_EXTENSION Ext, PUCHAR Bytes, ULONG Count);
NTSTATUS FdcWaitInterrupt(PFLOPPY_EXTENSION Ext);
NTSTATUS FdcCommandWait(PFLOPPY_EXTENSION Ext, const UCHAR *Bytes, ULONG Count);
NTSTATUS FdcReset(PFLOPPY_EXTENSION Ext);
NTSTATUS FdcSeek(PFLOPPY_EXTENSION Ext, ULONG Cylinder, ULONG Head);
VOID FdcMotorOn(PFLOPPY_EXTENSION Ext);
VOID FdcMotorOff(PFLOPPY_EXTENSION Ext);
NTSTATUS FdcDetectMedia(PFLOPPY_EXTENSION Ext);
const FLOPPY_MEDIA *FdcMediaFor(MEDIA_TYPE Type);

/* transfer.c */
NTSTATUS FloppyReadWrite(PFLOPPY_EXTENSION Ext, PIRP Irp);
NTSTATUS FloppyFormat(PFLOPPY_EXTENSION Ext, PIRP Irp);

#endif /* SYSDMA_EXAMPLE_WDK_FLOPPY_H */
