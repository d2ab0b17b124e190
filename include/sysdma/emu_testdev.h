/* SPDX-License-Identifier: MIT */
/*
 * A generic subordinate DMA device for the emulated PC: a FIFO that moves N
 * bytes to or from memory through its 8237 channel, at a configurable pace,
 * and raises an interrupt when done. Tests and example drivers use it where a
 * real device (floppy, sound card) would only add noise.
 *
 * Ports (base + n):
 *   0  write: command — 1 start device→memory, 2 start memory→device, 0 stop;
 *             with bit 7 set (0x81, 0x82) the device streams: a terminal
 *             count does not end it (a channel in auto-initialize mode
 *             cycling over a common buffer), only its length does
 *      read:  status  — bit 0 busy, bit 1 done, bit 2 TC seen, bit 3 stopped
 *             by TC before its length was moved, bit 7 interrupt pending
 *   1-4  length in bytes, little endian (write before the start command)
 *   5  write: acknowledge the interrupt
 *   6-7  read: bits 0-7 and 8-15 of the bytes moved so far (the struct's
 *        `moved` field holds the full count)
 * Device→memory data comes from `data[0..len)`, memory→device data is stored
 * into `data[0..len)`; the host owns `data` (cap bytes; a length beyond cap
 * is clamped to cap).
 */
#ifndef SYSDMA_EMU_TESTDEV_H
#define SYSDMA_EMU_TESTDEV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sysdma/emu.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct sysdma_emu_testdev {
    sysdma_emu_i8237 *dma;
    unsigned channel;
    uint16_t base_port;      /* 8 ports from here */
    uint8_t *data;           /* host-owned FIFO storage */
    size_t cap;
    uint32_t bytes_per_us;   /* pace; 0 = as fast as the controller takes it */
    void (*irq)(void *ctx, bool level);
    void *irq_ctx;
    /* state */
    uint32_t len_reg;        /* length register */
    size_t len, moved;
    uint8_t status;
    int dir;                 /* 0 idle, 1 to memory, 2 from memory */
    bool stream;             /* terminal count does not end the transfer */
    uint64_t credit_milli;   /* paced: bytes allowed × 1000 */
} sysdma_emu_testdev;

#define SYSDMA_EMU_TESTDEV_BUSY 0x01
#define SYSDMA_EMU_TESTDEV_DONE 0x02
#define SYSDMA_EMU_TESTDEV_TC 0x04
#define SYSDMA_EMU_TESTDEV_SHORT 0x08
#define SYSDMA_EMU_TESTDEV_IRQ 0x80

/* Set up and attach to `channel` of `dma`. False for a bad channel. */
bool sysdma_emu_testdev_init(sysdma_emu_testdev *d, sysdma_emu_i8237 *dma, unsigned channel,
                             uint16_t base_port, uint8_t *data, size_t cap,
                             uint32_t bytes_per_us, void (*irq)(void *ctx, bool level),
                             void *irq_ctx);

uint8_t sysdma_emu_testdev_inb(sysdma_emu_testdev *d, uint16_t port);
void sysdma_emu_testdev_outb(sysdma_emu_testdev *d, uint16_t port, uint8_t value);

/* Simulated time passes (paced devices request DMA as their pace allows). */
void sysdma_emu_testdev_advance(sysdma_emu_testdev *d, uint64_t ns);

/* ---- Save states ---------------------------------------------------------- */

/* Format version and exact size of a saved test device (emu.h describes
 * the byte format, the refusals and the versioning rule). */
#define SYSDMA_EMU_TESTDEV_SAVE_VERSION 1u
#define SYSDMA_EMU_TESTDEV_SAVE_BYTES (SYSDMA_EMU_SAVE_HEAD_BYTES + 31u)

/* Save the device's registers and transfer progress (not its `data`
 * storage, which the host owns, nor what init() was given); statuses as
 * sysdma_emu_i8237_save_state() has them. */
sysdma_status sysdma_emu_testdev_save_state(const sysdma_emu_testdev *d, void *buf, size_t cap,
                                            size_t *written);

/* Load a saved device into `d`, set up with sysdma_emu_testdev_init() as
 * the saved one was (a length beyond this instance's `cap` is refused as
 * SYSDMA_E_STATE_CORRUPT); DREQ is driven again as the state has it, the
 * interrupt callback is not called. Refusals change nothing. */
sysdma_status sysdma_emu_testdev_load_state(sysdma_emu_testdev *d, const void *buf, size_t len);

#ifdef __cplusplus
}
#endif
#endif
