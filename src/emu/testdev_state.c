/* SPDX-License-Identifier: MIT */
/*
 * Save states of the generic test device (see docs/emulator.md, "Save
 * states", and state.h for the byte format). Saved: the length register,
 * the transfer's length, progress, direction, stream flag and pacing
 * credit, and the status register. Not saved: the configuration given to
 * sysdma_emu_testdev_init() (8237, channel, ports, pace, interrupt
 * callback) and the FIFO storage `data`, which the host owns (save its
 * first `len` bytes with the state if a transfer is under way).
 */
#include "sysdma/emu_testdev.h"
#include "state.h"

#define PAYLOAD (SYSDMA_EMU_TESTDEV_SAVE_BYTES - SYSDMA__STATE_HEAD)

sysdma_status sysdma_emu_testdev_save_state(const sysdma_emu_testdev *d, void *buf, size_t cap,
                                            size_t *written)
{
    if (!d || !written || (!buf && cap))
        return SYSDMA_E_INVALID_ARGUMENT;
    *written = 0;
    if (!buf || cap < SYSDMA_EMU_TESTDEV_SAVE_BYTES) {
        *written = SYSDMA_EMU_TESTDEV_SAVE_BYTES;
        return SYSDMA_E_BUFFER_TOO_SMALL;
    }
    sysdma__state_wr w;
    sysdma__state_begin(&w, buf, cap);
    sysdma__state_u32(&w, d->len_reg);
    sysdma__state_u64(&w, d->len);
    sysdma__state_u64(&w, d->moved);
    sysdma__state_u8(&w, d->status);
    sysdma__state_u8(&w, (uint8_t)d->dir);
    sysdma__state_u8(&w, d->stream);
    sysdma__state_u64(&w, d->credit_milli);
    *written = sysdma__state_end(&w, SYSDMA_EMU_SAVE_MODEL_TESTDEV,
                                 SYSDMA_EMU_TESTDEV_SAVE_VERSION);
    return *written == SYSDMA_EMU_TESTDEV_SAVE_BYTES ? SYSDMA_OK : SYSDMA_E_STATE_CORRUPT;
}

sysdma_status sysdma_emu_testdev_load_state(sysdma_emu_testdev *d, const void *buf, size_t len)
{
    if (!d)
        return SYSDMA_E_INVALID_ARGUMENT;
    sysdma__state_rd r;
    sysdma_status st = sysdma__state_open(&r, buf, len, SYSDMA_EMU_SAVE_MODEL_TESTDEV,
                                          SYSDMA_EMU_TESTDEV_SAVE_VERSION, PAYLOAD);
    if (st != SYSDMA_OK)
        return st;
    uint32_t len_reg = sysdma__state_get32(&r);
    uint64_t n = sysdma__state_get64(&r), moved = sysdma__state_get64(&r);
    uint8_t status = sysdma__state_get8(&r), dir = sysdma__state_get8(&r);
    bool stream = sysdma__state_getb(&r);
    uint64_t credit = sysdma__state_get64(&r);
    bool busy = (status & SYSDMA_EMU_TESTDEV_BUSY) != 0;
    /* The length is clamped to this instance's storage when a transfer
     * starts, and progress and credit never pass it. */
    if (!sysdma__state_done(&r) || n > d->cap || moved > n || dir > 2 || (status & 0x70) ||
        busy != (dir != 0) || credit > (n - moved) * 1000u)
        return SYSDMA_E_STATE_CORRUPT;
    d->len_reg = len_reg;
    d->len = (size_t)n;
    d->moved = (size_t)moved;
    d->status = status;
    d->dir = dir;
    d->stream = stream;
    d->credit_milli = credit;
    /* Drive DREQ as the state has it (testdev.c update_dreq). */
    unsigned w = d->channel >= 4 ? 2u : 1u;
    bool want = d->dir != 0 && d->len - d->moved >= w &&
                (d->bytes_per_us == 0 || d->credit_milli >= (uint64_t)w * 1000u);
    sysdma_emu_i8237_dreq(d->dma, d->channel, want);
    return SYSDMA_OK;
}
