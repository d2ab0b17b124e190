/* SPDX-License-Identifier: MIT */
/*
 * sysdma completions: how the core learns that a channel finished — from a
 * device's interrupt on a PC (sysdma_channel_check), a poll
 * (sysdma_channel_poll), a device that counts its own transfer
 * (sysdma_channel_device_done), or the interrupt of a controller that knows
 * itself which channels finished or failed, such as a SoC's DMA controller
 * (sysdma_controller_interrupt). Included by sysdma/sysdma.h.
 */
#ifndef SYSDMA_COMPLETION_H
#define SYSDMA_COMPLETION_H

#include <stdbool.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct sysdma_system sysdma_system;

/* ---- Completions: how the core learns that a channel finished ---------------------------
 *
 * A PC's 8237 raises no interrupt at terminal count. The device sees TC on
 * the bus and raises its own interrupt (the floppy controller at the end of
 * its command, the Sound Blaster at the end of its block); which channel
 * finished is in the 8237's status register, whose terminal-count bits
 * clear on every read, for all four channels of that controller at once.
 * So the device's interrupt handler (the driver's, or the platform's for
 * the device's IRQ) asks the core to check the channel:
 *
 *     sb16_isr:  acknowledge the DSP;  sysdma_channel_check(sys, 1u << 1);
 *
 * The core asks the controller driver which of those channels reached
 * terminal count (the 8237 driver reads each status register at most once
 * and keeps every bit it saw, for the other channels' checks too), and for
 * each confirmed channel advances the chained runner (programs the list's
 * next element, or ends the run with its done call) or runs the pending
 * MapTransferEx completion. Nothing advances without a confirmed terminal
 * count: a check that comes while bytes remain (a spurious or shared
 * interrupt, a device that interrupted for another reason) changes
 * nothing, and the terminal count it did not find is still seen by the
 * next check.
 *
 * Callable from interrupt or deferred context, from any thread; the done
 * and completion routines run from inside it, with no core lock held.
 * Returns the channels advanced (bit k = channel k): 0 says the interrupt
 * finished no DMA. Channels with neither a run nor a MapTransferEx
 * completion due are not looked at.
 */
uint32_t sysdma_channel_check(sysdma_system *sys, uint32_t channels);

/* The polling fallback, for devices that raise no interrupt when their
 * channel reaches terminal count (call it from a timer, or a loop that
 * waits): sysdma_channel_check for every channel with a run or a
 * MapTransferEx completion due. Its cost is bounded whatever the state:
 * at most one status-register read per 8237 controller (none when no
 * channel has anything due), plus one programming per channel advanced. */
uint32_t sysdma_channel_poll(sysdma_system *sys);

/* For a device that counts the transfer itself, on a machine whose
 * controller does not report that device's terminal count: the device's
 * interrupt handler says the device has moved exactly `bytes` (its own
 * count ran out: the Sound Blaster's DSP block of the element's length).
 * The controller is asked first (as sysdma_channel_check); when it
 * confirms nothing, the channel advances only if `bytes` equals what is
 * due on it — the run's current element, or the MapTransferEx mapping —
 * and nothing happens otherwise. A PC's 8237 latches every terminal count,
 * so on real hardware the controller has confirmed by the time the device
 * says its count ran out; the second step is for emulators that do not
 * latch it (QEMU's i8257 never sets the status bit
 * for its SB16: see the porting guide). The device's count must come from
 * the device (a register that says its block ended), never be assumed
 * from the interrupt alone. Returns whether the channel advanced. */
bool sysdma_channel_device_done(sysdma_system *sys, unsigned channel, uint32_t bytes);

/* The older name of sysdma_channel_check (without its answer), kept for
 * callers written against earlier releases. */
void sysdma_terminal_count(sysdma_system *sys, uint32_t channels);

/*
 * The interrupt of the system's controller number `controller` (0: the
 * first). The core asks the controller's handle_interrupt which channels
 * completed their program (or, looping, a pass) and which stopped on an
 * error, and in the same lock hold, for each of them that has something
 * due:
 *  - completed: the chained run programs its next chunk, or ends with its
 *    done call (SYSDMA_OK); a MapTransferEx completion runs with SYSDMA_OK;
 *  - failed (a bus fault): the run ends — its done call gets
 *    SYSDMA_E_TRANSFER_ERROR — or the MapTransferEx completion runs with
 *    SYSDMA_E_TRANSFER_ERROR.
 * A channel reported with nothing due (idle, a packet transfer without a
 * completion routine, a run cancelled meanwhile) changes nothing. Each
 * completion is delivered exactly once, whichever of this call,
 * sysdma_channel_check, sysdma_channel_poll, a cancel or another CPU's
 * interrupt comes first. A controller without handle_interrupt (the PC's
 * 8237 raises no interrupt of its own) is polled: this is then
 * sysdma_channel_poll.
 *
 * Callable from interrupt or deferred context, from any thread; done and
 * completion routines run from inside it with no core lock held. Returns
 * the channels the controller reported (bit k = the controller's own
 * channel k; with no handle_interrupt, the channels advanced): 0 says the
 * interrupt was not this controller's (or, polled, finished nothing). A
 * NULL system or a controller number the system does not have: 0.
 */
uint32_t sysdma_controller_interrupt(sysdma_system *sys, unsigned controller);

#ifdef __cplusplus
}
#endif
#endif /* SYSDMA_COMPLETION_H */
