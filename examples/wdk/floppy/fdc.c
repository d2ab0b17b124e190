/* SPDX-License-Identifier: MIT */
/*
 * The floppy controller (an 82077AA or compatible at the configured port):
 * the command and result phases through READ_PORT_UCHAR /
 * WRITE_PORT_UCHAR, the interrupt service routine and its DPC, and the
 * drive operations the worker thread builds requests from — reset with
 * SPECIFY, recalibrate, seek, motor on and off, and media detection by
 * READ ID at each data rate the driver knows.
 *
 * Waits: the worker thread waits for the controller's interrupt on
 * InterruptEvent with a timeout (a controller that never answers fails the
 * request, it does not hang the thread), for the motor to spin up with
 * KeDelayExecutionThread, and for the FIFO only with short stalls.
 */
#include "floppy.h"

/* The media the driver knows, tried in this order by media detection. */
static const FLOPPY_MEDIA FloppyMedia[] = {
    {F3_1Pt44_512, "F3_1Pt44_512", 0, 18, 0x1B, 0x54},
    {F3_720_512, "F3_720_512", 2, 9, 0x1B, 0x50},
    {F3_2Pt88_512, "F3_2Pt88_512", 3, 36, 0x38, 0x53},
};

#define FIFO_POLLS 10000
#define INTERRUPT_TIMEOUT_MS 3000
#define MOTOR_SPINUP_MS 500

static LARGE_INTEGER RelativeMs(LONG Ms)
{
    LARGE_INTEGER t;
    t.QuadPart = -10000LL * Ms; /* relative, in 100 ns units */
    return t;
}

const FLOPPY_MEDIA *FdcMediaFor(MEDIA_TYPE Type)
{
    for (ULONG k = 0; k < sizeof FloppyMedia / sizeof FloppyMedia[0]; k++)
        if (FloppyMedia[k].MediaType == Type)
            return &FloppyMedia[k];
    return NULL;
}

/* ---- FIFO ------------------------------------------------------------------------------- */

/* Wait until the controller wants a byte (Out) or has one (!Out). */
static BOOLEAN FdcReady(PUCHAR Port, BOOLEAN Out, BOOLEAN MayStall)
{
    UCHAR want = Out ? MSR_RQM : (UCHAR)(MSR_RQM | MSR_DIO);
    for (ULONG k = 0; k < FIFO_POLLS; k++) {
        UCHAR msr = READ_PORT_UCHAR(Port + FDC_MSR);
        if ((msr & (MSR_RQM | MSR_DIO)) == want)
            return TRUE;
        if (MayStall)
            KeStallExecutionProcessor(10);
    }
    return FALSE;
}

NTSTATUS FdcCommand(PFLOPPY_EXTENSION Ext, const UCHAR *Bytes, ULONG Count)
{
    for (ULONG k = 0; k < Count; k++) {
        if (!FdcReady(Ext->Port, TRUE, TRUE))
            return STATUS_DEVICE_NOT_READY;
        WRITE_PORT_UCHAR(Ext->Port + FDC_DATA, Bytes[k]);
    }
    return STATUS_SUCCESS;
}

NTSTATUS FdcReadResult(PFLOPPY_EXTENSION Ext, PUCHAR Bytes, ULONG Count)
{
    for (ULONG k = 0; k < Count; k++) {
        if (!FdcReady(Ext->Port, FALSE, TRUE))
            return STATUS_DEVICE_NOT_READY;
        Bytes[k] = READ_PORT_UCHAR(Ext->Port + FDC_DATA);
    }
    return STATUS_SUCCESS;
}

/* ---- interrupt -------------------------------------------------------------------------- */

/*
 * The ISR acknowledges the controller. A command with a result phase
 * (READ/WRITE DATA, FORMAT TRACK, READ ID) is acknowledged by reading its
 * result bytes; a seek, a recalibrate or a reset by SENSE INTERRUPT STATUS,
 * whose ST0 and cylinder are kept the same way. An interrupt that is none
 * of these (SENSE answers "invalid") is not ours.
 */
BOOLEAN FloppyInterruptService(PKINTERRUPT Interrupt, PVOID ServiceContext)
{
    PFLOPPY_EXTENSION ext = (PFLOPPY_EXTENSION)ServiceContext;
    PUCHAR port = ext->Port;
    ULONG n = 0;
    UNREFERENCED_PARAMETER(Interrupt);

    UCHAR msr = READ_PORT_UCHAR(port + FDC_MSR);
    if ((msr & (MSR_RQM | MSR_DIO | MSR_BUSY)) == (MSR_RQM | MSR_DIO | MSR_BUSY)) {
        while (n < FLOPPY_RESULT_BYTES && FdcReady(port, FALSE, FALSE)) {
            ext->Result[n++] = READ_PORT_UCHAR(port + FDC_DATA);
            if (!(READ_PORT_UCHAR(port + FDC_MSR) & MSR_BUSY))
                break; /* the result phase is over */
        }
    } else {
        if (!FdcReady(port, TRUE, FALSE))
            return FALSE;
        WRITE_PORT_UCHAR(port + FDC_DATA, CMD_SENSE_INTERRUPT);
        if (!FdcReady(port, FALSE, FALSE))
            return FALSE;
        ext->Result[n++] = READ_PORT_UCHAR(port + FDC_DATA);
        if (ext->Result[0] == ST0_INVALID)
            return FALSE;
        if (FdcReady(port, FALSE, FALSE))
            ext->Result[n++] = READ_PORT_UCHAR(port + FDC_DATA);
    }
    ext->ResultCount = n;
    ext->Interrupts++;
    KeInsertQueueDpc(&ext->Dpc, NULL, NULL);
    return TRUE;
}

VOID FloppyDeferred(PKDPC Dpc, PVOID DeferredContext, PVOID SystemArgument1,
                    PVOID SystemArgument2)
{
    PFLOPPY_EXTENSION ext = (PFLOPPY_EXTENSION)DeferredContext;
    UNREFERENCED_PARAMETER(Dpc);
    UNREFERENCED_PARAMETER(SystemArgument1);
    UNREFERENCED_PARAMETER(SystemArgument2);
    KeSetEvent(&ext->InterruptEvent, IO_NO_INCREMENT, FALSE);
}

/* Wait for the interrupt of the command just issued (the caller cleared
 * InterruptEvent before issuing it). */
NTSTATUS FdcWaitInterrupt(PFLOPPY_EXTENSION Ext)
{
    LARGE_INTEGER timeout = RelativeMs(INTERRUPT_TIMEOUT_MS);
    NTSTATUS status =
        KeWaitForSingleObject(&Ext->InterruptEvent, Executive, KernelMode, FALSE, &timeout);
    if (status == STATUS_TIMEOUT) {
        Ext->Cylinder = -1;
        Ext->MediaKnown = FALSE;
        return STATUS_IO_TIMEOUT;
    }
    return NT_SUCCESS(status) ? STATUS_SUCCESS : status;
}

/* Issue a command that ends with an interrupt, and wait for it. */
NTSTATUS FdcCommandWait(PFLOPPY_EXTENSION Ext, const UCHAR *Bytes, ULONG Count)
{
    KeClearEvent(&Ext->InterruptEvent);
    NTSTATUS status = FdcCommand(Ext, Bytes, Count);
    if (NT_SUCCESS(status))
        status = FdcWaitInterrupt(Ext);
    return status;
}

/* ---- drive operations ---------------------------------------------------------------- */

static UCHAR FdcDor(PFLOPPY_EXTENSION Ext)
{
    UCHAR dor = (UCHAR)(DOR_NRESET | DOR_DMA_IRQ | Ext->Drive);
    if (Ext->MotorOn)
        dor |= DOR_MOTOR(Ext->Drive);
    return dor;
}

VOID FdcMotorOn(PFLOPPY_EXTENSION Ext)
{
    if (Ext->MotorOn)
        return;
    Ext->MotorOn = TRUE;
    WRITE_PORT_UCHAR(Ext->Port + FDC_DOR, FdcDor(Ext));
    LARGE_INTEGER spinup = RelativeMs(MOTOR_SPINUP_MS);
    KeDelayExecutionThread(KernelMode, FALSE, &spinup);
}

VOID FdcMotorOff(PFLOPPY_EXTENSION Ext)
{
    if (!Ext->MotorOn)
        return;
    Ext->MotorOn = FALSE;
    WRITE_PORT_UCHAR(Ext->Port + FDC_DOR, FdcDor(Ext));
}

/*
 * Reset the controller: DOR reset pulse, then the interrupt it raises for
 * each of the four drive selects (the ISR senses the first, the rest are
 * sensed here until the controller says none is left), the data rate and
 * SPECIFY (step rate 3 ms, head unload 240 ms, head load 2 ms, DMA mode).
 */
NTSTATUS FdcReset(PFLOPPY_EXTENSION Ext)
{
    static const UCHAR specify[] = {CMD_SPECIFY, 0xDF, 0x02};
    Ext->Cylinder = -1;
    KeClearEvent(&Ext->InterruptEvent);
    WRITE_PORT_UCHAR(Ext->Port + FDC_DOR, 0);
    KeStallExecutionProcessor(10);
    WRITE_PORT_UCHAR(Ext->Port + FDC_DOR, FdcDor(Ext));
    NTSTATUS status = FdcWaitInterrupt(Ext);
    if (!NT_SUCCESS(status))
        return status;
    for (ULONG k = 1; k < 4; k++) {
        UCHAR sense = CMD_SENSE_INTERRUPT, st[2];
        status = FdcCommand(Ext, &sense, 1);
        if (NT_SUCCESS(status))
            status = FdcReadResult(Ext, st, 1);
        if (!NT_SUCCESS(status))
            return status;
        if (st[0] == ST0_INVALID)
            break; /* the ISR took them all */
        status = FdcReadResult(Ext, st + 1, 1);
        if (!NT_SUCCESS(status))
            return status;
    }
    if (Ext->Media)
        WRITE_PORT_UCHAR(Ext->Port + FDC_CCR, Ext->Media->DataRate);
    return FdcCommand(Ext, specify, sizeof specify);
}

/* RECALIBRATE, twice if need be: a head beyond cylinder 79 needs more
 * steps than one recalibrate gives. */
static NTSTATUS FdcRecalibrate(PFLOPPY_EXTENSION Ext)
{
    UCHAR cmd[2] = {CMD_RECALIBRATE, (UCHAR)Ext->Drive};
    NTSTATUS status = STATUS_DEVICE_DATA_ERROR;
    for (ULONG k = 0; k < 2; k++) {
        status = FdcCommandWait(Ext, cmd, sizeof cmd);
        if (!NT_SUCCESS(status))
            return status;
        if (Ext->ResultCount == 2 && (Ext->Result[0] & ST0_IC_MASK) == 0 && Ext->Result[1] == 0) {
            Ext->Cylinder = 0;
            return STATUS_SUCCESS;
        }
        status = STATUS_DEVICE_DATA_ERROR;
    }
    return status;
}

NTSTATUS FdcSeek(PFLOPPY_EXTENSION Ext, ULONG Cylinder, ULONG Head)
{
    if (Ext->Cylinder < 0) {
        NTSTATUS status = FdcRecalibrate(Ext);
        if (!NT_SUCCESS(status))
            return status;
    }
    if (Ext->Cylinder == (LONG)Cylinder)
        return STATUS_SUCCESS;
    UCHAR cmd[3] = {CMD_SEEK, (UCHAR)(Head << 2 | Ext->Drive), (UCHAR)Cylinder};
    NTSTATUS status = FdcCommandWait(Ext, cmd, sizeof cmd);
    if (!NT_SUCCESS(status))
        return status;
    if (Ext->ResultCount != 2 || (Ext->Result[0] & (ST0_IC_MASK | ST0_SEEK_END)) != ST0_SEEK_END ||
        Ext->Result[1] != Cylinder) {
        Ext->Cylinder = -1;
        return STATUS_DEVICE_DATA_ERROR;
    }
    Ext->Cylinder = (LONG)Cylinder;
    return STATUS_SUCCESS;
}

/* READ ID on head 0 of the current cylinder at the data rate set. */
static BOOLEAN FdcReadId(PFLOPPY_EXTENSION Ext)
{
    UCHAR cmd[2] = {CMD_READ_ID, (UCHAR)Ext->Drive};
    if (!NT_SUCCESS(FdcCommandWait(Ext, cmd, sizeof cmd)))
        return FALSE;
    return Ext->ResultCount == FLOPPY_RESULT_BYTES && (Ext->Result[0] & ST0_IC_MASK) == 0 &&
           Ext->Result[6] == 2; /* size code 2: 512-byte sectors */
}

/*
 * Media detection. A changed disk (DIR bit 7) is acknowledged by stepping
 * the head (the line clears on a step with a disk in); then READ ID is
 * tried at each data rate, and the medium is the first that answers. No
 * answer at any rate: no disk, or one the driver cannot read.
 */
NTSTATUS FdcDetectMedia(PFLOPPY_EXTENSION Ext)
{
    FdcMotorOn(Ext);
    if (READ_PORT_UCHAR(Ext->Port + FDC_DIR) & DIR_DISK_CHANGE) {
        Ext->MediaKnown = FALSE;
        NTSTATUS status = FdcSeek(Ext, 1, 0);
        if (NT_SUCCESS(status))
            status = FdcSeek(Ext, 0, 0);
        if (!NT_SUCCESS(status))
            return status;
        if (READ_PORT_UCHAR(Ext->Port + FDC_DIR) & DIR_DISK_CHANGE) {
            DbgPrint("floppy: no disk in drive %u\n", (unsigned)Ext->Drive);
            return STATUS_NO_MEDIA_IN_DEVICE; /* stepping did not clear it: empty */
        }
    }
    if (Ext->MediaKnown)
        return STATUS_SUCCESS;
    NTSTATUS status = FdcSeek(Ext, 0, 0);
    if (!NT_SUCCESS(status))
        return status;
    for (ULONG k = 0; k < sizeof FloppyMedia / sizeof FloppyMedia[0]; k++) {
        WRITE_PORT_UCHAR(Ext->Port + FDC_CCR, FloppyMedia[k].DataRate);
        if (FdcReadId(Ext)) {
            Ext->Media = &FloppyMedia[k];
            Ext->MediaKnown = TRUE;
            DbgPrint("floppy: media %s, %u sectors per track\n", Ext->Media->Name,
                     (unsigned)Ext->Media->SectorsPerTrack);
            return STATUS_SUCCESS;
        }
    }
    Ext->Media = NULL;
    return STATUS_UNRECOGNIZED_MEDIA;
}
