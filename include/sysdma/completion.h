/* SPDX-License-Identifier: MIT */
/*
 * sysdma completions driven by a controller's interrupt: the entry a
 * controller's interrupt handler (or a poll) calls, for controllers that
 * know themselves which channels finished or failed (a SoC's DMA
 * controller, with its interrupt status registers). Included by
 * sysdma/sysdma.h.
 */
#ifndef SYSDMA_COMPLETION_H
#define SYSDMA_COMPLETION_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct sysdma_system sysdma_system;

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
