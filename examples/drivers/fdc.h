/* SPDX-License-Identifier: MIT */
/*
 * Example driver: a PC floppy disk controller (82077AA-compatible) using
 * packet-based system DMA on channel 2 through the sysdma adapter API.
 *
 * It knows nothing of the machine beyond a small environment: port I/O,
 * and a way to wait for the controller's interrupt. The simulated PC and
 * the bare-metal port each provide one. Freestanding C11.
 */
#ifndef SYSDMA_EXAMPLE_FDC_H
#define SYSDMA_EXAMPLE_FDC_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "sysdma/sysdma.h"

typedef struct fdc_env {
    uint8_t (*inb)(void *ctx, uint16_t port);
    void (*outb)(void *ctx, uint16_t port, uint8_t value);
    /* Wait until the controller's interrupt has arrived since the last
     * call (or `timeout_us` of machine time passed): true if it did. */
    bool (*wait_irq)(void *ctx, uint32_t timeout_us);
    /* Let `us` microseconds pass (motor spin-up, polling). */
    void (*delay)(void *ctx, uint32_t us);
    void *ctx;
} fdc_env;

enum { FDC_REQUEST_NONE, FDC_REQUEST_WAITING, FDC_REQUEST_ABANDONED };

typedef struct fdc_driver {
    fdc_env env;
    sysdma_system *sys;
    sysdma_adapter *adapter;
    uint32_t map_registers;      /* what the adapter allows and we ask for */
    sysdma_map_registers *regs;  /* from AdapterControl */
    /* The channel request: at most one outstanding (one per device). Its
     * AdapterControl may run on another thread (the one that frees the
     * channel), hence atomics: `request_state` is FDC_REQUEST_NONE, _WAITING
     * (the driver waits for the grant) or _ABANDONED (given up, still
     * queued: its routine will release the channel); `granted` is set by
     * the routine that took a waiting request. */
    sysdma_transfer_context request; /* version-3 adapters: for the withdrawal */
    bool request_v3;             /* the outstanding request can be withdrawn */
    _Atomic uint32_t request_state;
    atomic_bool granted;
    unsigned abandoned;          /* statistics: requests given up and left queued */
    unsigned drive;
    uint32_t sectors_per_track, heads, cylinders, rate;
    int cyl;                     /* where the head is, -1 unknown */
    unsigned retries;            /* statistics: commands retried */
    uint8_t st[7];               /* result bytes of the last command */
    /* the MapTransferEx path (fdc_read_ex / fdc_write_ex) */
    bool ex_pending;             /* a MapTransferEx completion is due */
    unsigned ex_calls;           /* completion routine calls for the current piece */
    sysdma_status ex_status;     /* ...and the status it got */
    unsigned completions;        /* statistics: pieces completed at terminal count */
    unsigned cancellations;      /* statistics: pieces cancelled (no terminal count) */
    unsigned unconfirmed;        /* statistics: interrupts whose check found no terminal count */
} fdc_driver;

/* Reset the controller, specify DMA mode and timings, recalibrate `drive`,
 * and get the DMA adapter (with a version-3 description). `disk_bytes` gives the geometry (737280,
 * 1474560 or 2949120). SYSDMA_E_DEVICE if the controller does not answer,
 * SYSDMA_E_INVALID_ARGUMENT for other sizes, or the adapter's status. */
sysdma_status fdc_open(fdc_driver *d, sysdma_system *sys, const fdc_env *env, unsigned drive,
                       uint32_t disk_bytes);
/* Motors off and the adapter put. While a request given up on an adapter
 * without CancelAdapterChannel is still queued (see fdc_read) the put is
 * refused: close after the other driver has freed the channel (the adapter
 * state's `waiting` is 0), and keep `d` until then. */
void fdc_close(fdc_driver *d);

/* Read or write `count` sectors from sector `lba` into/from `buf` (any
 * buffer: sysdma bounces what the controller cannot reach). Splits at the
 * map-register limit and at cylinder ends; retries a failed command twice
 * after a recalibrate. SYSDMA_E_LENGTH for count 0, SYSDMA_E_OUT_OF_RANGE
 * beyond the disk, SYSDMA_E_DEVICE for a controller error (st[] holds its
 * result bytes: no disk, write protect, sector not found), SYSDMA_E_TIMEOUT
 * when it never interrupts, SYSDMA_E_BUSY when another driver kept channel
 * 2 for the whole wait (one second). Nothing is written for a refused
 * request. A request given up for SYSDMA_E_BUSY is withdrawn
 * (CancelAdapterChannel); if the adapter has no such call (another driver
 * got channel 2's adapter with a description below version 3, which then
 * applies to the floppy's too), it stays queued until the other driver
 * frees the channel, and its AdapterControl then releases the channel at
 * once; the next read or write waits on that same request again instead of
 * queuing a second one. Either way the next request gets the channel as
 * soon as it is free. */
sysdma_status fdc_read(fdc_driver *d, uint32_t lba, uint32_t count, void *buf);
sysdma_status fdc_write(fdc_driver *d, uint32_t lba, uint32_t count, const void *buf);

/* The same through the version-3 path: per piece MapTransferEx (which
 * maps and starts the channel) with a completion routine; the floppy's
 * interrupt handler (after the command's interrupt) asks the core to check
 * channel 2 (sysdma_channel_check), which runs the completion once the
 * 8237's status register confirms the terminal count; then
 * FlushAdapterBuffersEx. A command that ends without terminal count (an
 * error) has its mapping cancelled (CancelMappedTransfer: the completion
 * runs as cancelled) before the flush. Statuses as fdc_read. */
sysdma_status fdc_read_ex(fdc_driver *d, uint32_t lba, uint32_t count, void *buf);
sysdma_status fdc_write_ex(fdc_driver *d, uint32_t lba, uint32_t count, const void *buf);

#endif
