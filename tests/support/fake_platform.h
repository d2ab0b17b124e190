/* SPDX-License-Identifier: MIT */
/*
 * A fake platform and an ideal controller for the core's unit tests, with
 * no emulator underneath, so each test sees exactly what the core asks of
 * the machine.
 *
 * fake_platform: host memory where the test chooses the physical page under
 * every virtual page of a buffer (below or above 16 MiB, scattered,
 * straddling a 64 KiB line); contiguous memory handed out from a physical
 * range the test can shrink; every allocation counted (and freed bytes
 * checked against allocated ones), the Nth made to fail on request; a lock
 * that records whether it is held (so a callback can check it runs with no
 * core lock held, and an allocator call made with it held aborts the test);
 * port I/O to a null sink that only counts.
 *
 * fake_ctrl: a controller that records every programming and lets the test
 * play the device: fake_ctrl_run moves bytes between the programmed
 * physical ranges and a device buffer, and the residue it reports follows.
 * By default it has the 8237 pair's limits (channels 0-3 8-bit with 64 KiB
 * windows, 5-7 16-bit with 128 KiB, 24 address bits, channel 4 refused, one
 * fragment per program); fake_ctrl_init_shape makes it an SoC-style one of
 * the test's shape (no boundary, many fragments, 32- or 64-bit reach,
 * interrupts, cancel, bus errors on chosen channels).
 */
#ifndef SYSDMA_TEST_FAKE_PLATFORM_H
#define SYSDMA_TEST_FAKE_PLATFORM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sysdma/sysdma.h"

typedef struct fake_page {
    uintptr_t va;   /* host page */
    uint64_t phys;  /* the physical page the test gave it */
} fake_page;

typedef struct fake_contig {
    void *va;
    void *host;     /* the host allocation behind va (va is page-aligned in it) */
    uint64_t phys;
    size_t bytes;
} fake_contig;

typedef struct fake_buffer_rec {
    void *host;
    uint8_t *va;
    size_t pages;
} fake_buffer_rec;

#define FAKE_MAX_PAGES 8192
#define FAKE_MAX_CONTIG 256
#define FAKE_MAX_BUFFERS 64

typedef struct fake_platform {
    sysdma_platform_ops ops;
    sysdma_platform pf;             /* {&ops, this} */
    /* Accounting of core objects and contiguous memory. */
    long allocs, frees;
    long long bytes_out;            /* object bytes allocated minus freed */
    long contig_allocs, contig_frees;
    long bad_frees;                 /* frees of unknown memory or with a wrong size */
    /* Fault injection over both kinds of allocation: calls are numbered
     * from 1; call `fail_at` fails, and with fail_persist every later call
     * too. 0: nothing fails. */
    long calls;
    long fail_at;
    bool fail_persist;
    long failed;                    /* allocations refused so far */
    /* Called at the start of every alloc_contig (after the lock check),
     * so a test can act as another thread would while the core waits for
     * the platform. NULL: none. */
    void (*contig_hook)(void *arg);
    void *contig_hook_arg;
    /* Contiguous memory comes from [contig_lo, contig_hi). */
    uint64_t contig_lo, contig_hi;
    /* The lock. */
    int lock_depth;
    long lock_acquires;
    long lock_errors;               /* nested acquire, release of a free lock */
    long locked_calls;              /* alloc, free, alloc_contig or free_contig with the
                                     * lock held: the call aborts the test */
    /* Null ports. */
    long port_reads, port_writes;
    long cache_flushes;
    /* Address map. */
    fake_page pages[FAKE_MAX_PAGES];
    size_t n_pages;
    fake_contig contig[FAKE_MAX_CONTIG];
    size_t n_contig;
    fake_buffer_rec buffers[FAKE_MAX_BUFFERS];
} fake_platform;

/* Set up (with_lock: the four lock members filled; else all NULL). Contiguous
 * memory comes from [1 MiB, 12 MiB) until the test changes the range. */
void fake_platform_init(fake_platform *f, bool with_lock);

/* Free what the test's buffers still hold (the core's memory is the core's
 * to free: check fake_platform_clean first). */
void fake_platform_destroy(fake_platform *f);

/* Nothing of the core's left allocated, no bad free, lock free. */
bool fake_platform_clean(const fake_platform *f);

/* A page-aligned buffer of `pages` pages whose page k sits at physical
 * address phys[k] (page-aligned; pages must not be in use). phys may be NULL
 * for pages no translation knows (virt_to_phys fails on them: phys[k] ==
 * FAKE_UNMAPPED). */
#define FAKE_UNMAPPED UINT64_MAX
uint8_t *fake_buffer(fake_platform *f, size_t pages, const uint64_t *phys);
void fake_buffer_free(fake_platform *f, uint8_t *buf);

/* The host byte behind physical address `phys`, or NULL. */
uint8_t *fake_phys_to_host(const fake_platform *f, uint64_t phys);

/* ---- the ideal controller -------------------------------------------------------- */

#define FAKE_MAX_FRAGS 64
#define FAKE_MAX_CHANNELS 32

typedef struct fake_channel {
    bool running;                 /* programmed and not flushed, cancelled or failed */
    sysdma_fragment frag;         /* last programming's first fragment */
    sysdma_fragment frags[FAKE_MAX_FRAGS]; /* ...and all of them, in order */
    unsigned count;
    bool to_device, loop;
    sysdma_xfer_mode mode;
    uint64_t device_address;
    uint32_t request_line;
    sysdma_transfer_shape shape;
    uint32_t residue;             /* bytes left in the current pass (all fragments) */
    uint32_t done;                /* bytes moved in the current pass */
    unsigned cur;                 /* the fragment being moved, and the offset in it */
    uint32_t off;
    /* Not yet reported by handle_interrupt (forgotten when programmed). */
    bool completed_pending, failed_pending;
    bool failed;                  /* stopped on a bus error */
    long programs, flushes, counter_reads, cancels;
} fake_channel;

/* What the ideal controller looks like (fake_ctrl_init_shape). The default
 * (fake_ctrl_init) copies the 8237 pair's limits and has only the
 * members the 8237 driver had before interrupts and cancel. */
typedef struct fake_shape {
    unsigned channels;            /* channel_count (1..FAKE_MAX_CHANNELS); all serve */
    uint8_t address_bits;         /* reach: 32, 64, ... */
    uint8_t width;                /* bytes per unit (0: 1) */
    uint32_t boundary;            /* a fragment may not cross a multiple (0: none) */
    uint32_t max_bytes;           /* longest fragment */
    uint32_t max_fragments;       /* limits.max_fragments */
    unsigned query_fragments;     /* its answer (0: no query_fragments member) */
    bool no_interrupt;            /* no handle_interrupt member (the core polls) */
    bool no_cancel;               /* no cancel member (flush + counter decide) */
    bool no_counter;              /* counter_available false */
    /* Channels with a bus fault: fake_ctrl_run on one moves nothing and
     * stops it with an error (handle_interrupt reports it failed). */
    uint32_t fail_channels;
} fake_shape;

typedef struct fake_ctrl {
    sysdma_controller_ops ops;
    sysdma_controller ctrl;       /* {&ops, this} */
    fake_platform *pf;
    fake_channel ch[FAKE_MAX_CHANNELS];
    long unlocked;                /* program/flush/read_counter with the core's lock not held */
    long bad_programs;            /* a fragment the limits forbid reached program */
    sysdma_status program_result; /* what program returns (SYSDMA_OK unless a test says) */
    long initialized;
    bool shaped;                  /* fake_ctrl_init_shape: `shape` says what it is */
    fake_shape shape;
    long interrupts;              /* handle_interrupt calls */
    /* cancel answers cancel_result whatever it finds (still stopping the
     * channel) when cancel_forced. */
    bool cancel_forced;
    sysdma_cancel_result cancel_result;
    sysdma_status cancel_status;  /* not SYSDMA_OK: cancel refuses with it, changing nothing */
} fake_ctrl;

void fake_ctrl_init(fake_ctrl *c, fake_platform *f);

/* The ideal controller made to `shape`: channels 0 .. channels − 1, many
 * fragments per program, any reach; handle_interrupt reports the channels
 * whose program (or, looping, pass) completed and those that failed since
 * the last call; cancel stops a running channel (DONE), says TOO_LATE for
 * one that completed or failed, IDLE for one not running. */
void fake_ctrl_init_shape(fake_ctrl *c, fake_platform *f, const fake_shape *shape);

/* A bus error on `channel` now: it stops, and handle_interrupt reports it
 * failed. */
void fake_ctrl_fail(fake_ctrl *c, unsigned channel);

/* Play the device on `channel`: move up to `n` bytes between the programmed
 * memory and `dev` (device → memory when the channel was programmed for a
 * transfer from the device), fragment after fragment. Loops over the
 * fragments when programmed to. Returns the bytes moved. */
uint32_t fake_ctrl_run(fake_ctrl *c, unsigned channel, uint8_t *dev, uint32_t n);

#endif
