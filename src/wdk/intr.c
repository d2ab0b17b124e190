/* SPDX-License-Identifier: MIT */
/*
 * Interrupt objects on the simulated PC's IRQ lines. The machine's
 * devices report their line levels here (sysdma__wdk_irq_line); the
 * scheduler delivers after each step of simulated time and whenever the
 * IRQL drops: a Latched interrupt once per rising edge, a LevelSensitive
 * one while the line is high, lowest line first (the PIC's priority),
 * each ISR at its SynchronizeIrql with its spin lock held, on whichever
 * thread holds the processor — never while the IRQL is at or above the
 * interrupt's (the edge stays pending). ISRs take no simulated time: a
 * stall inside one does not advance the clock.
 */
#include <string.h>

#include "wdk_internal.h"

#define WDK_STORM 100000u /* level-sensitive deliveries in a row nobody claims */

void sysdma__wdk_irq_line(unsigned irq, bool level)
{
    if (irq >= 16)
        return;
    if (level && !W->level[irq])
        W->edges[irq]++;
    W->level[irq] = level;
}

static void run_isr(PKINTERRUPT in, bool *claimed)
{
    wdk_thread *me = sysdma__wdk_self();
    KIRQL old = me->irql;
    me->irql = in->sync_irql;
    if (in->lock)
        sysdma__wdk_fail(true, "IRQ %u: the interrupt spin lock is held already", in->irq);
    in->lock = 1;
    W->in_sim++;
    sysdma__wdk_trace("isr irq %u", in->irq);
    if (in->isr(in, in->ctx))
        *claimed = true;
    W->in_sim--;
    in->lock = 0;
    if (me->irql != in->sync_irql)
        sysdma__wdk_fail(true, "an ISR of IRQ %u returned at IRQL %u, not %u", in->irq,
                         me->irql, in->sync_irql);
    me->irql = old;
}

void sysdma__wdk_deliver_pending(void)
{
    wdk_thread *me = sysdma__wdk_self();
    if (!W || !me || W->in_sim)
        return;
    for (unsigned irq = 0; irq < 16; irq++) {
        PKINTERRUPT first = W->intr[irq][0];
        if (!first || me->irql >= first->sync_irql)
            continue;
        if (first->mode == Latched) {
            if (W->edges[irq] == W->seen[irq])
                continue;
            W->seen[irq] = W->edges[irq];
            bool claimed = false;
            for (int k = 0; k < 2 && W->intr[irq][k]; k++)
                if (!claimed)
                    run_isr(W->intr[irq][k], &claimed);
        } else if (W->level[irq]) {
            bool claimed = false;
            for (int k = 0; k < 2 && W->intr[irq][k]; k++)
                if (!claimed)
                    run_isr(W->intr[irq][k], &claimed);
            if (claimed)
                W->unclaimed[irq] = 0;
            else if (++W->unclaimed[irq] >= WDK_STORM)
                sysdma__wdk_fail(false, "level-sensitive IRQ %u stays raised and no ISR claims it",
                                 irq);
        }
    }
}

static int line_of(ULONG vector)
{
    if (vector < 16)
        return (int)vector;
    if (vector >= SYSDMA_WDK_VECTOR_BASE && vector < SYSDMA_WDK_VECTOR_BASE + 16)
        return (int)(vector - SYSDMA_WDK_VECTOR_BASE);
    return -1;
}

ULONG HalGetInterruptVector(INTERFACE_TYPE InterfaceType, ULONG BusNumber,
                            ULONG BusInterruptLevel, ULONG BusInterruptVector, PKIRQL Irql,
                            PKAFFINITY Affinity)
{
    (void)InterfaceType, (void)BusNumber, (void)BusInterruptVector;
    if (BusInterruptLevel >= 16)
        return 0;
    if (Irql)
        *Irql = (KIRQL)(PROFILE_LEVEL - BusInterruptLevel);
    if (Affinity)
        *Affinity = 1;
    return SYSDMA_WDK_VECTOR_BASE + BusInterruptLevel;
}

NTSTATUS IoConnectInterrupt(PKINTERRUPT *InterruptObject, PKSERVICE_ROUTINE ServiceRoutine,
                            PVOID ServiceContext, PKSPIN_LOCK SpinLock, ULONG Vector, KIRQL Irql,
                            KIRQL SynchronizeIrql, KINTERRUPT_MODE InterruptMode,
                            BOOLEAN ShareVector, KAFFINITY ProcessorEnableMask,
                            BOOLEAN FloatingSave)
{
    (void)SpinLock, (void)ProcessorEnableMask, (void)FloatingSave;
    int irq = line_of(Vector);
    if (!InterruptObject || !ServiceRoutine || irq < 0 || SynchronizeIrql < Irql ||
        Irql <= DISPATCH_LEVEL)
        return STATUS_INVALID_PARAMETER;
    int slot = W->intr[irq][0] ? 1 : 0;
    if (slot && (W->intr[irq][1] || !ShareVector || !W->intr[irq][0]->share ||
                 W->intr[irq][0]->mode != InterruptMode))
        return STATUS_INVALID_PARAMETER;
    PKINTERRUPT in = sysdma__wdk_alloc(sizeof *in, 0x746e4949 /* 'IInt' */);
    if (!in)
        return STATUS_INSUFFICIENT_RESOURCES;
    memset(in, 0, sizeof *in);
    in->isr = ServiceRoutine;
    in->ctx = ServiceContext;
    in->irq = (unsigned)irq;
    in->sync_irql = SynchronizeIrql;
    in->mode = InterruptMode;
    in->share = ShareVector;
    in->connected = TRUE;
    W->intr[irq][slot] = in;
    if (!slot)
        W->seen[irq] = W->edges[irq]; /* edges before the connection are not this ISR's */
    *InterruptObject = in;
    sysdma__wdk_trace("irq %d connected", irq);
    return STATUS_SUCCESS;
}

VOID IoDisconnectInterrupt(PKINTERRUPT InterruptObject)
{
    if (!InterruptObject || !InterruptObject->connected)
        sysdma__wdk_fail(true, "IoDisconnectInterrupt of an interrupt not connected");
    unsigned irq = InterruptObject->irq;
    if (W->intr[irq][0] == InterruptObject) {
        W->intr[irq][0] = W->intr[irq][1];
        W->intr[irq][1] = NULL;
    } else if (W->intr[irq][1] == InterruptObject) {
        W->intr[irq][1] = NULL;
    }
    InterruptObject->connected = FALSE;
    sysdma__wdk_free(InterruptObject);
}

BOOLEAN KeSynchronizeExecution(PKINTERRUPT Interrupt, PKSYNCHRONIZE_ROUTINE SynchronizeRoutine,
                               PVOID SynchronizeContext)
{
    KIRQL old = KeAcquireInterruptSpinLock(Interrupt);
    BOOLEAN r = SynchronizeRoutine(SynchronizeContext);
    KeReleaseInterruptSpinLock(Interrupt, old);
    return r;
}

KIRQL KeAcquireInterruptSpinLock(PKINTERRUPT Interrupt)
{
    wdk_thread *me = sysdma__wdk_self();
    KIRQL old = me->irql;
    if (me->irql < Interrupt->sync_irql)
        me->irql = Interrupt->sync_irql;
    if (Interrupt->lock)
        sysdma__wdk_fail(true, "the interrupt spin lock of IRQ %u is held already",
                         Interrupt->irq);
    Interrupt->lock = 1;
    return old;
}

VOID KeReleaseInterruptSpinLock(PKINTERRUPT Interrupt, KIRQL OldIrql)
{
    Interrupt->lock = 0;
    KeLowerIrql(OldIrql);
}

void sysdma__wdk_intr_init(void)
{
    memset(W->intr, 0, sizeof W->intr);
}
