/* SPDX-License-Identifier: MIT */
/*
 * The cancel-safe IRP queue (IoCsq*): the driver owns the queue and its
 * lock through the callbacks; this file owns the cancel routine that
 * races with removal. An IRP leaves the queue either by removal (its
 * cancel routine cleared first) or by cancellation (the cancel routine
 * runs, removes it and completes it through CsqCompleteCanceledIrp),
 * never both. The IRP's DriverContext[3] names its queue or its context.
 */
#include <string.h>

#include "wdk_internal.h"

static PIO_CSQ csq_of(PIRP irp, PIO_CSQ_IRP_CONTEXT *ctx)
{
    PVOID p = irp->Tail.Overlay.DriverContext[3];
    *ctx = NULL;
    if (p && *(ULONG *)p == IO_TYPE_CSQ_IRP_CONTEXT) {
        *ctx = p;
        return (*ctx)->Csq;
    }
    return p;
}

static VOID csq_cancel(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    (void)DeviceObject;
    IoReleaseCancelSpinLock(Irp->CancelIrql);
    PIO_CSQ_IRP_CONTEXT ctx;
    PIO_CSQ csq = csq_of(Irp, &ctx);
    KIRQL irql;
    csq->CsqAcquireLock(csq, &irql);
    csq->CsqRemoveIrp(csq, Irp);
    if (ctx)
        ctx->Irp = NULL;
    Irp->Tail.Overlay.DriverContext[3] = NULL;
    csq->CsqReleaseLock(csq, irql);
    csq->CsqCompleteCanceledIrp(csq, Irp);
}

static NTSTATUS init(PIO_CSQ Csq, ULONG type, PVOID insert, PIO_CSQ_REMOVE_IRP remove,
                     PIO_CSQ_PEEK_NEXT_IRP peek, PIO_CSQ_ACQUIRE_LOCK acquire,
                     PIO_CSQ_RELEASE_LOCK release, PIO_CSQ_COMPLETE_CANCELED_IRP complete)
{
    if (!Csq || !insert || !remove || !peek || !acquire || !release || !complete)
        return STATUS_INVALID_PARAMETER;
    Csq->Type = type;
    Csq->CsqInsertIrp = (PIO_CSQ_INSERT_IRP)insert;
    Csq->CsqRemoveIrp = remove;
    Csq->CsqPeekNextIrp = peek;
    Csq->CsqAcquireLock = acquire;
    Csq->CsqReleaseLock = release;
    Csq->CsqCompleteCanceledIrp = complete;
    Csq->ReservePointer = NULL;
    return STATUS_SUCCESS;
}

NTSTATUS IoCsqInitialize(PIO_CSQ Csq, PIO_CSQ_INSERT_IRP CsqInsertIrp,
                         PIO_CSQ_REMOVE_IRP CsqRemoveIrp, PIO_CSQ_PEEK_NEXT_IRP CsqPeekNextIrp,
                         PIO_CSQ_ACQUIRE_LOCK CsqAcquireLock,
                         PIO_CSQ_RELEASE_LOCK CsqReleaseLock,
                         PIO_CSQ_COMPLETE_CANCELED_IRP CsqCompleteCanceledIrp)
{
    return init(Csq, IO_TYPE_CSQ, (PVOID)CsqInsertIrp, CsqRemoveIrp, CsqPeekNextIrp,
                CsqAcquireLock, CsqReleaseLock, CsqCompleteCanceledIrp);
}

NTSTATUS IoCsqInitializeEx(PIO_CSQ Csq, PIO_CSQ_INSERT_IRP_EX CsqInsertIrp,
                           PIO_CSQ_REMOVE_IRP CsqRemoveIrp, PIO_CSQ_PEEK_NEXT_IRP CsqPeekNextIrp,
                           PIO_CSQ_ACQUIRE_LOCK CsqAcquireLock,
                           PIO_CSQ_RELEASE_LOCK CsqReleaseLock,
                           PIO_CSQ_COMPLETE_CANCELED_IRP CsqCompleteCanceledIrp)
{
    return init(Csq, IO_TYPE_CSQ_EX, (PVOID)CsqInsertIrp, CsqRemoveIrp, CsqPeekNextIrp,
                CsqAcquireLock, CsqReleaseLock, CsqCompleteCanceledIrp);
}

NTSTATUS IoCsqInsertIrpEx(PIO_CSQ Csq, PIRP Irp, PIO_CSQ_IRP_CONTEXT Context,
                          PVOID InsertContext)
{
    KIRQL irql;
    Csq->CsqAcquireLock(Csq, &irql);
    if (Context) {
        Context->Type = IO_TYPE_CSQ_IRP_CONTEXT;
        Context->Irp = Irp;
        Context->Csq = Csq;
        Irp->Tail.Overlay.DriverContext[3] = Context;
    } else {
        Irp->Tail.Overlay.DriverContext[3] = Csq;
    }
    if (Csq->Type == IO_TYPE_CSQ_EX) {
        NTSTATUS st = ((PIO_CSQ_INSERT_IRP_EX)(void (*)(void))Csq->CsqInsertIrp)(Csq, Irp,
                                                                                InsertContext);
        if (!NT_SUCCESS(st)) {
            if (Context)
                Context->Irp = NULL;
            Irp->Tail.Overlay.DriverContext[3] = NULL;
            Csq->CsqReleaseLock(Csq, irql);
            return st;
        }
    } else {
        Csq->CsqInsertIrp(Csq, Irp);
    }
    IoMarkIrpPending(Irp);
    IoSetCancelRoutine(Irp, csq_cancel);
    if (Irp->Cancel && IoSetCancelRoutine(Irp, NULL)) {
        /* Cancelled before the cancel routine was in place: undo here. */
        Csq->CsqRemoveIrp(Csq, Irp);
        if (Context)
            Context->Irp = NULL;
        Irp->Tail.Overlay.DriverContext[3] = NULL;
        Csq->CsqReleaseLock(Csq, irql);
        Csq->CsqCompleteCanceledIrp(Csq, Irp);
        return STATUS_SUCCESS;
    }
    Csq->CsqReleaseLock(Csq, irql);
    return STATUS_SUCCESS;
}

VOID IoCsqInsertIrp(PIO_CSQ Csq, PIRP Irp, PIO_CSQ_IRP_CONTEXT Context)
{
    (void)IoCsqInsertIrpEx(Csq, Irp, Context, NULL);
}

PIRP IoCsqRemoveNextIrp(PIO_CSQ Csq, PVOID PeekContext)
{
    KIRQL irql;
    Csq->CsqAcquireLock(Csq, &irql);
    PIRP irp = Csq->CsqPeekNextIrp(Csq, NULL, PeekContext);
    while (irp) {
        if (IoSetCancelRoutine(irp, NULL)) {
            PIO_CSQ_IRP_CONTEXT ctx;
            (void)csq_of(irp, &ctx);
            Csq->CsqRemoveIrp(Csq, irp);
            if (ctx)
                ctx->Irp = NULL;
            irp->Tail.Overlay.DriverContext[3] = NULL;
            break;
        }
        irp = Csq->CsqPeekNextIrp(Csq, irp, PeekContext); /* being cancelled: skip it */
    }
    Csq->CsqReleaseLock(Csq, irql);
    return irp;
}

PIRP IoCsqRemoveIrp(PIO_CSQ Csq, PIO_CSQ_IRP_CONTEXT Context)
{
    KIRQL irql;
    Csq->CsqAcquireLock(Csq, &irql);
    PIRP irp = Context->Irp;
    if (irp && IoSetCancelRoutine(irp, NULL)) {
        Csq->CsqRemoveIrp(Csq, irp);
        Context->Irp = NULL;
        irp->Tail.Overlay.DriverContext[3] = NULL;
    } else {
        irp = NULL;
    }
    Csq->CsqReleaseLock(Csq, irql);
    return irp;
}
