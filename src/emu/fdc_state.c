/* SPDX-License-Identifier: MIT */
/*
 * Save states of the emulated floppy controller (see docs/emulator.md,
 * "Save states", and state.h for the byte format).
 *
 * Saved: the registers, the phase machine (command bytes collected, result
 * bytes and how many were read, the execution phase with its stage,
 * sector ID, byte position and timing counters), the interrupt sources,
 * the output line levels, the controller's clock, and per drive the head
 * position, the rotation bookkeeping, the disk-change line, the write
 * protection and the size of the disk in it. Not saved: the disk images
 * (the caller's buffers), the 8237 it is attached to, the channel and the
 * interrupt callback.
 *
 * A load decodes into a copy of the controller, checks every field (ranges,
 * and the invariants the phase machine keeps between calls: an execution
 * phase is on a drive with a disk and in a stage its command has, byte
 * positions inside their sector or ID, line levels as the state drives
 * them), and only then copies it over. The drives must hold disks of the
 * saved sizes when the load is made (the embedder inserts the same images
 * first); the geometry comes from that insert.
 */
#include <string.h>

#include "fdc_internal.h"
#include "state.h"

#define PAYLOAD (SYSDMA_EMU_FDC_SAVE_BYTES - SYSDMA__STATE_HEAD)

/* Nanoseconds per byte at each data rate code, as fdc.c times the disk. */
static const uint64_t byte_ns_of[4] = {16000, 26667, 32000, 8000};

static void put_exec(sysdma__state_wr *w, const sysdma_emu_fdc_exec *x)
{
    sysdma__state_u8(w, x->op);
    sysdma__state_u8(w, x->stage);
    sysdma__state_u8(w, x->drive);
    sysdma__state_u8(w, x->hds);
    sysdma__state_u8(w, x->c);
    sysdma__state_u8(w, x->h);
    sysdma__state_u8(w, x->r);
    sysdma__state_u8(w, x->n);
    sysdma__state_u8(w, x->eot);
    sysdma__state_u8(w, x->mt);
    sysdma__state_u8(w, x->mfm);
    sysdma__state_u8(w, x->write);
    sysdma__state_u8(w, x->pio);
    sysdma__state_u16(w, x->pos);
    sysdma__state_u8(w, x->sc);
    sysdma__state_u8(w, x->fill);
    sysdma__state_u8(w, x->formatted);
    sysdma__state_bytes(w, x->id, sizeof x->id);
    sysdma__state_u64(w, x->wait_ns);
    sysdma__state_u64(w, x->frac_ns);
    sysdma__state_u32(w, x->credit);
}

static void get_exec(sysdma__state_rd *r, sysdma_emu_fdc_exec *x)
{
    x->op = sysdma__state_get8(r);
    x->stage = sysdma__state_get8(r);
    x->drive = sysdma__state_get8(r);
    x->hds = sysdma__state_get8(r);
    x->c = sysdma__state_get8(r);
    x->h = sysdma__state_get8(r);
    x->r = sysdma__state_get8(r);
    x->n = sysdma__state_get8(r);
    x->eot = sysdma__state_get8(r);
    x->mt = sysdma__state_getb(r);
    x->mfm = sysdma__state_getb(r);
    x->write = sysdma__state_getb(r);
    x->pio = sysdma__state_getb(r);
    x->pos = sysdma__state_get16(r);
    x->sc = sysdma__state_get8(r);
    x->fill = sysdma__state_get8(r);
    x->formatted = sysdma__state_get8(r);
    sysdma__state_getn(r, x->id, sizeof x->id);
    x->wait_ns = sysdma__state_get64(r);
    x->frac_ns = sysdma__state_get64(r);
    x->credit = sysdma__state_get32(r);
}

sysdma_status sysdma_emu_fdc_save_state(const sysdma_emu_fdc *f, void *buf, size_t cap,
                                        size_t *written)
{
    if (!f || !written || (!buf && cap))
        return SYSDMA_E_INVALID_ARGUMENT;
    *written = 0;
    if (!buf || cap < SYSDMA_EMU_FDC_SAVE_BYTES) {
        *written = SYSDMA_EMU_FDC_SAVE_BYTES;
        return SYSDMA_E_BUFFER_TOO_SMALL;
    }
    sysdma__state_wr w;
    sysdma__state_begin(&w, buf, cap);
    sysdma__state_u8(&w, f->timing);
    for (unsigned i = 0; i < SYSDMA_EMU_FDC_DRIVES; i++) {
        const sysdma_emu_fdc_drive *d = &f->drive[i];
        sysdma__state_u32(&w, d->image ? (uint32_t)d->size : 0);
        sysdma__state_u8(&w, d->write_protected);
        sysdma__state_u8(&w, d->cyl);
        sysdma__state_u8(&w, d->next_id);
        sysdma__state_u8(&w, d->changed);
    }
    sysdma__state_u8(&w, f->dor);
    sysdma__state_u8(&w, f->tdr);
    sysdma__state_u8(&w, f->dsr);
    sysdma__state_u8(&w, f->rate);
    sysdma__state_bytes(&w, f->spec, sizeof f->spec);
    sysdma__state_u8(&w, f->config);
    sysdma__state_u8(&w, f->pretrk);
    sysdma__state_u8(&w, f->perp);
    sysdma__state_u8(&w, f->lock);
    sysdma__state_bytes(&w, f->pcn, sizeof f->pcn);
    sysdma__state_u8(&w, f->last_sc_eot);
    sysdma__state_u8(&w, f->phase);
    sysdma__state_bytes(&w, f->cmd, sizeof f->cmd);
    sysdma__state_u8(&w, f->cmd_len);
    sysdma__state_u8(&w, f->cmd_need);
    sysdma__state_bytes(&w, f->res, sizeof f->res);
    sysdma__state_u8(&w, f->res_len);
    sysdma__state_u8(&w, f->res_pos);
    put_exec(&w, &f->x);
    sysdma__state_u8(&w, f->reset_pending);
    sysdma__state_u8(&w, f->seek_pending);
    sysdma__state_bytes(&w, f->seek_st0, sizeof f->seek_st0);
    for (unsigned ds = 0; ds < 4; ds++)
        sysdma__state_u64(&w, f->seek_ns[ds]);
    for (unsigned i = 0; i < SYSDMA_EMU_FDC_DRIVES; i++)
        sysdma__state_u64(&w, f->unload_at[i]);
    sysdma__state_u8(&w, f->result_irq);
    sysdma__state_u8(&w, f->irq_out);
    sysdma__state_u8(&w, f->dreq_out);
    sysdma__state_u64(&w, f->now_ns);
    *written = sysdma__state_end(&w, SYSDMA_EMU_SAVE_MODEL_FDC, SYSDMA_EMU_FDC_SAVE_VERSION);
    return *written == SYSDMA_EMU_FDC_SAVE_BYTES ? SYSDMA_OK : SYSDMA_E_STATE_CORRUPT;
}

/* The execution phase in `f` is one the commands can leave between calls. */
static bool exec_ok(const sysdma_emu_fdc *f)
{
    const sysdma_emu_fdc_exec *x = &f->x;
    if (x->drive >= SYSDMA_EMU_FDC_DRIVES || !f->drive[x->drive].image)
        return false; /* every data command checks the drive is ready first */
    if (!f->timing && x->stage != ST_DATA && x->stage != ST_BETWEEN)
        return false; /* untimed, waits end at once */
    switch (x->op) {
    case SYSDMA_EMU_FDC_CMD_READ_DATA:
    case SYSDMA_EMU_FDC_CMD_WRITE_DATA:
        if (x->write != (x->op == SYSDMA_EMU_FDC_CMD_WRITE_DATA))
            return false;
        if (x->stage != ST_WAIT && x->stage != ST_DATA && x->stage != ST_BETWEEN)
            return false;
        if (x->stage == ST_DATA && x->pos >= SECTOR)
            return false;
        if (x->stage == ST_DATA && f->timing &&
            x->frac_ns >= byte_ns_of[f->drive[x->drive].rate])
            return false;
        return true;
    case SYSDMA_EMU_FDC_CMD_READ_ID:
        return x->stage == ST_TAIL && !x->write;
    case SYSDMA_EMU_FDC_CMD_FORMAT:
        if (!x->write || x->sc == 0 || x->formatted > x->sc)
            return false;
        if (x->stage == ST_DATA)
            return x->pos < 4 && x->formatted < x->sc;
        return x->stage == ST_WAIT || x->stage == ST_TAIL;
    default:
        return false;
    }
}

/* Every field of `f` (decoded, disks from the target) is one the
 * controller can hold between calls. */
static bool fdc_ok(const sysdma_emu_fdc *f)
{
    const sysdma_emu_fdc_exec *x = &f->x;
    for (unsigned i = 0; i < SYSDMA_EMU_FDC_DRIVES; i++) {
        const sysdma_emu_fdc_drive *d = &f->drive[i];
        if (d->cyl > SYSDMA_EMU_FDC_MAX_CYL)
            return false;
        if (d->next_id >= (d->image ? d->sectors : 36u))
            return false;
        if (!d->image && d->write_protected)
            return false;
    }
    if (f->tdr > 3 || f->dsr > 0x7F || f->rate > 3 || (f->dsr & 3u) != f->rate ||
        f->config > 0x7F || f->perp > 0x3F)
        return false;
    if (f->phase > PH_RESULT || f->cmd_len > sizeof f->cmd || f->cmd_need > 9 ||
        f->res_len > sizeof f->res)
        return false;
    if (f->phase == PH_RESULT ? f->res_pos >= f->res_len : (f->res_len || f->res_pos))
        return false;
    if ((f->phase == PH_COMMAND || f->phase == PH_RESET) && f->cmd_len &&
        f->cmd_len >= f->cmd_need)
        return false;
    if (f->phase == PH_RESET && (f->cmd_len || f->cmd_need))
        return false;
    if (x->stage > ST_TAIL || x->hds > 1 || x->drive > 3 || x->pos > SECTOR ||
        x->credit > SECTOR - (unsigned)x->pos || x->frac_ns >= 32000)
        return false;
    if (f->phase == PH_EXEC ? !exec_ok(f) : x->stage != ST_NONE)
        return false;
    if ((f->reset_pending | f->seek_pending) & 0xF0)
        return false;
    for (unsigned ds = 0; ds < 4; ds++)
        if (!f->timing && f->seek_ns[ds])
            return false;
    /* The output lines are as the state drives them (fdc.c update_lines). */
    bool gate = (f->dor & SYSDMA_EMU_FDC_DOR_DMAGATE) && f->phase != PH_RESET;
    bool ready = sysdma__fdc_data_ready(f);
    bool irq = gate && (f->result_irq || f->reset_pending || f->seek_pending ||
                        (ready && x->pio));
    return f->dreq_out == (gate && ready && !x->pio) && f->irq_out == irq;
}

sysdma_status sysdma_emu_fdc_load_state(sysdma_emu_fdc *f, const void *buf, size_t len)
{
    if (!f)
        return SYSDMA_E_INVALID_ARGUMENT;
    sysdma__state_rd r;
    sysdma_status st = sysdma__state_open(&r, buf, len, SYSDMA_EMU_SAVE_MODEL_FDC,
                                          SYSDMA_EMU_FDC_SAVE_VERSION, PAYLOAD);
    if (st != SYSDMA_OK)
        return st;
    /* Attachments (8237, channel, interrupt callback, disk images and their
     * geometry) stay the instance's own. */
    sysdma_emu_fdc t = *f;
    bool disks_match = true;
    t.timing = sysdma__state_getb(&r);
    for (unsigned i = 0; i < SYSDMA_EMU_FDC_DRIVES; i++) {
        sysdma_emu_fdc_drive *d = &t.drive[i];
        uint32_t size = sysdma__state_get32(&r);
        if (size != (d->image ? d->size : 0))
            disks_match = false;
        d->write_protected = sysdma__state_getb(&r);
        d->cyl = sysdma__state_get8(&r);
        d->next_id = sysdma__state_get8(&r);
        d->changed = sysdma__state_getb(&r);
    }
    t.dor = sysdma__state_get8(&r);
    t.tdr = sysdma__state_get8(&r);
    t.dsr = sysdma__state_get8(&r);
    t.rate = sysdma__state_get8(&r);
    sysdma__state_getn(&r, t.spec, sizeof t.spec);
    t.config = sysdma__state_get8(&r);
    t.pretrk = sysdma__state_get8(&r);
    t.perp = sysdma__state_get8(&r);
    t.lock = sysdma__state_getb(&r);
    sysdma__state_getn(&r, t.pcn, sizeof t.pcn);
    t.last_sc_eot = sysdma__state_get8(&r);
    t.phase = sysdma__state_get8(&r);
    sysdma__state_getn(&r, t.cmd, sizeof t.cmd);
    t.cmd_len = sysdma__state_get8(&r);
    t.cmd_need = sysdma__state_get8(&r);
    sysdma__state_getn(&r, t.res, sizeof t.res);
    t.res_len = sysdma__state_get8(&r);
    t.res_pos = sysdma__state_get8(&r);
    get_exec(&r, &t.x);
    t.reset_pending = sysdma__state_get8(&r);
    t.seek_pending = sysdma__state_get8(&r);
    sysdma__state_getn(&r, t.seek_st0, sizeof t.seek_st0);
    for (unsigned ds = 0; ds < 4; ds++)
        t.seek_ns[ds] = sysdma__state_get64(&r);
    for (unsigned i = 0; i < SYSDMA_EMU_FDC_DRIVES; i++)
        t.unload_at[i] = sysdma__state_get64(&r);
    t.result_irq = sysdma__state_getb(&r);
    t.irq_out = sysdma__state_getb(&r);
    t.dreq_out = sysdma__state_getb(&r);
    t.now_ns = sysdma__state_get64(&r);
    if (!sysdma__state_done(&r))
        return SYSDMA_E_STATE_CORRUPT;
    if (!disks_match)
        return SYSDMA_E_WRONG_STATE; /* checked first: fdc_ok() judges with these disks */
    if (!fdc_ok(&t))
        return SYSDMA_E_STATE_CORRUPT;
    *f = t;
    /* The 8237 sees the request line as the state drives it (an init or
     * insert made after the DMA pair's load may have lowered it). */
    sysdma_emu_i8237_dreq(f->dma, f->channel, f->dreq_out);
    return SYSDMA_OK;
}
