/* SPDX-License-Identifier: MIT */
/*
 * sysdma's driver for the Intel 8237A pair of the PC/AT (src/ctrl/i8237.c):
 * a sysdma_controller over port I/O.
 */
#ifndef SYSDMA_CTRL_I8237_H
#define SYSDMA_CTRL_I8237_H

#include <stdint.h>

#include "sysdma/controller.h"
#include "sysdma/platform.h"

#ifdef __cplusplus
extern "C" {
#endif

/* State of the 8237 driver: the platform whose port I/O it uses. */
typedef struct sysdma_i8237_driver {
    sysdma_platform platform;
    uint8_t programmed[8]; /* last mode byte written per channel */
    /* Terminal counts seen in the status registers, bit k = channel k,
     * cleared when channel k is programmed. Reading a controller's status
     * register clears the bits of all four of its channels, so every bit
     * read is kept here until its channel is programmed again. */
    uint8_t tc;
    /* Of those, the ones handle_interrupt has reported (each once), and
     * the channels programmed and not stopped since (cancel's IDLE). */
    uint8_t reported;
    uint8_t active;
} sysdma_i8237_driver;

/* Set up the driver over `platform` (port I/O only) and fill `out` with
 * its table. Channels 0-3 are 8-bit (64 KiB windows), 5-7 16-bit (128 KiB
 * windows, word counts); channel 4 is the cascade and is refused. The
 * driver reads the status registers (ports 0x08 and 0xD0) to learn of
 * terminal counts; nothing else may read them, or the terminal counts they
 * clear are lost to it (a full-window transfer that ended would then read
 * as not started, a chained run or MapTransferEx would never complete).
 * An interrupt handler that wants to know which channel finished asks the
 * core (sysdma_channel_check, or sysdma_controller_interrupt, which takes
 * this driver's handle_interrupt: the terminal counts not yet reported;
 * the 8237 never reports a failure). Its cancel masks the channel and
 * answers from the terminal count: too late when it was reached. */
void sysdma_i8237_driver_init(sysdma_i8237_driver *drv, const sysdma_platform *platform,
                              sysdma_controller *out);

#ifdef __cplusplus
}
#endif
#endif /* SYSDMA_CTRL_I8237_H */
