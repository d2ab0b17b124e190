/* SPDX-License-Identifier: MIT */
/*
 * The emulated floppy controller inside sysdma-emu: the private header
 * shared by its two source files (include/sysdma/emu_fdc.h is the public
 * one).
 *
 * fdc.c      the controller itself: the output lines (DRQ, IRQ), the
 *            phases and how they end, drive timing (steps, rotation, head
 *            load), finding sectors, the data phase (the 8237's callbacks,
 *            moving bytes between the disk image and the DMA buffer or the
 *            FIFO) and the public interface (ports, time, reset, disks).
 * fdc_cmd.c  the commands: drive checks and seeks, decoding and running
 *            each command, the FIFO as the host sees it (command bytes in,
 *            result bytes out, data in non-DMA mode) and the main status
 *            register.
 *
 * The functions named sysdma__fdc_* are the ones each file calls in the
 * other; they are not part of the library's interface.
 */
#ifndef SYSDMA_EMU_FDC_INTERNAL_H
#define SYSDMA_EMU_FDC_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sysdma/emu_fdc.h"

/* sysdma_emu_fdc.phase and sysdma_emu_fdc_exec.stage (see fdc.c). */
enum phase { PH_RESET, PH_COMMAND, PH_EXEC, PH_RESULT };
enum stage { ST_NONE, ST_WAIT, ST_DATA, ST_BETWEEN, ST_TAIL };

#define SECTOR SYSDMA_EMU_FDC_SECTOR
#define REV_NS 200000000ull /* 300 rpm */

/* ---- fdc.c ------------------------------------------------------------------ */

bool sysdma__fdc_data_ready(const sysdma_emu_fdc *f);
void sysdma__fdc_to_result(sysdma_emu_fdc *f, const uint8_t *bytes, unsigned n, bool irq);
void sysdma__fdc_finish(sysdma_emu_fdc *f, uint8_t st0, uint8_t st1, uint8_t st2, uint8_t c,
                        uint8_t h, uint8_t r, uint8_t n);
uint64_t sysdma__fdc_step_ns(const sysdma_emu_fdc *f);
uint64_t sysdma__fdc_latency(const sysdma_emu_fdc_drive *d, uint64_t when, unsigned k);
uint64_t sysdma__fdc_head_load(const sysdma_emu_fdc *f, unsigned ds);
void sysdma__fdc_begin_sector(sysdma_emu_fdc *f, uint64_t pre);
size_t sysdma__fdc_data_move(sysdma_emu_fdc *f, uint8_t *buf, size_t n);

/* ---- fdc_cmd.c -------------------------------------------------------------- */

void sysdma__fdc_fifo_write(sysdma_emu_fdc *f, uint8_t v);
uint8_t sysdma__fdc_fifo_read(sysdma_emu_fdc *f);
uint8_t sysdma__fdc_msr(const sysdma_emu_fdc *f);

/* ---- Small helpers both use -------------------------------------------------- */

/* Can the controller read IDs on this track at all? */
static inline bool track_readable(const sysdma_emu_fdc *f, const sysdma_emu_fdc_drive *d)
{
    return d->image && d->cyl < d->cylinders && f->rate == d->rate && f->x.mfm;
}

/* Drive ds's seek has ended: its interrupt waits for SENSE INTERRUPT STATUS. */
static inline void post_seek(sysdma_emu_fdc *f, unsigned ds)
{
    f->seek_ns[ds] = 0;
    f->seek_pending |= (uint8_t)(1u << ds);
}

/* End the execution phase reporting the ID in x as it stands. */
static inline void finish_here(sysdma_emu_fdc *f, uint8_t st0, uint8_t st1, uint8_t st2)
{
    sysdma__fdc_finish(f, st0, st1, st2, f->x.c, f->x.h, f->x.r, f->x.n);
}

#endif /* SYSDMA_EMU_FDC_INTERNAL_H */
