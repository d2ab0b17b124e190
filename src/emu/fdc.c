/* SPDX-License-Identifier: MIT */
/*
 * The emulated 82077AA-compatible floppy disk controller (see
 * include/sysdma/emu_fdc.h and docs/emu-fdc.md).
 *
 * The controller is a phase machine: held in reset, command (idle or
 * collecting parameter bytes), execution, result. Execution exists only for
 * the commands that move data or wait for the disk (READ DATA, WRITE DATA,
 * FORMAT TRACK, READ ID); it walks through stages: waiting for the sector to
 * come round, moving the sector's bytes, and between sectors. Seeks run in
 * the background per drive and end with an interrupt that SENSE INTERRUPT
 * STATUS collects.
 *
 * Data moves straight between the 8237's buffer (or the FIFO port in
 * non-DMA mode) and the caller's disk image. Every pointer into the image
 * comes from sector_ptr(), which recomputes the offset from the drive's
 * geometry and the validated sector ID and checks it against the image
 * size; every other buffer is a fixed array indexed by counters that are
 * checked against its size. No guest value is used as an index unchecked.
 *
 * Terminal count arrives from the 8237 right after the byte that ended the
 * count, inside the same DMA service. So the controller never decides what
 * follows a finished sector at the moment its last byte moves: it waits in
 * the "between sectors" stage, and only the next byte request, a port
 * access or advance() moves it on (to the next sector, or to end of
 * cylinder when the range is done without terminal count).
 *
 * The commands themselves, the FIFO and the MSR are in fdc_cmd.c.
 */
#include <string.h>

#include "fdc_internal.h"

/* Nanoseconds per byte at each data rate code (500k, 300k, 250k, 1M). */
static const uint64_t byte_ns[4] = {16000, 26667, 32000, 8000};
/* The SPECIFY time unit at each rate: 1 ms at 500 kb/s, scaled. */
static const uint64_t unit_ns[4] = {1000000, 1666667, 2000000, 500000};

/* ---- Geometry ------------------------------------------------------------- */

static const struct {
    size_t size;
    uint8_t sectors, rate;
} geometries[] = {
    {737280, 9, SYSDMA_EMU_FDC_RATE_250K},
    {1474560, 18, SYSDMA_EMU_FDC_RATE_500K},
    {2949120, 36, SYSDMA_EMU_FDC_RATE_1M},
};

/* Host pointer to the 512 bytes of sector r (1-based) on the drive's current
 * cylinder and head `hds`, or NULL when that sector is not in the image. */
static uint8_t *sector_ptr(const sysdma_emu_fdc_drive *d, unsigned hds, unsigned r)
{
    if (!d->image || d->cyl >= d->cylinders || hds >= d->heads || r < 1 || r > d->sectors)
        return NULL;
    size_t lba = ((size_t)d->cyl * d->heads + hds) * d->sectors + (r - 1);
    if (lba >= d->size / SECTOR)
        return NULL;
    return d->image + lba * SECTOR;
}

/* ---- Output lines --------------------------------------------------------- */

static bool at_end_of_range(const sysdma_emu_fdc *f)
{
    return f->x.r == f->x.eot && (!f->x.mt || f->x.hds == 1);
}

/* True when the data phase can move a byte now. */
bool sysdma__fdc_data_ready(const sysdma_emu_fdc *f)
{
    const sysdma_emu_fdc_exec *x = &f->x;
    if (f->phase != PH_EXEC)
        return false;
    if (x->stage == ST_DATA) {
        if (x->op == SYSDMA_EMU_FDC_CMD_FORMAT)
            return x->pos < 4;
        return x->pos < SECTOR && (!f->timing || x->credit > 0);
    }
    /* Untimed, the next sector is there as soon as someone asks for it. */
    return x->stage == ST_BETWEEN && !f->timing && !at_end_of_range(f);
}

static void update_lines(sysdma_emu_fdc *f)
{
    bool gate = (f->dor & SYSDMA_EMU_FDC_DOR_DMAGATE) && f->phase != PH_RESET;
    bool ready = sysdma__fdc_data_ready(f);
    bool dreq = gate && ready && !f->x.pio;
    if (dreq != f->dreq_out) {
        f->dreq_out = dreq;
        sysdma_emu_i8237_dreq(f->dma, f->channel, dreq);
    }
    bool irq = gate && (f->result_irq || f->reset_pending || f->seek_pending ||
                        (ready && f->x.pio));
    if (irq != f->irq_out) {
        f->irq_out = irq;
        if (f->irq)
            f->irq(f->irq_ctx, irq);
    }
}

/* ---- Phases --------------------------------------------------------------- */

void sysdma__fdc_to_result(sysdma_emu_fdc *f, const uint8_t *bytes, unsigned n, bool irq)
{
    if (n > sizeof f->res)
        n = sizeof f->res;
    memcpy(f->res, bytes, n);
    f->res_len = (uint8_t)n;
    f->res_pos = 0;
    f->cmd_len = f->cmd_need = 0;
    f->phase = PH_RESULT;
    f->x.stage = ST_NONE;
    f->result_irq = irq;
}

/* End the execution phase with the seven result bytes. */
void sysdma__fdc_finish(sysdma_emu_fdc *f, uint8_t st0, uint8_t st1, uint8_t st2, uint8_t c,
                        uint8_t h, uint8_t r, uint8_t n)
{
    const sysdma_emu_fdc_exec *x = &f->x;
    uint8_t res[7] = {(uint8_t)(st0 | (x->hds << 2) | x->drive), st1, st2, c, h, r, n};
    if (x->drive < SYSDMA_EMU_FDC_DRIVES) {
        f->unload_at[x->drive] =
            f->now_ns + ((f->spec[0] & 0x0F) ? (f->spec[0] & 0x0Fu) : 16u) * 16u * unit_ns[f->rate];
    }
    sysdma__fdc_to_result(f, res, 7, true);
}

/* Normal or end-of-cylinder termination after sector x.r: the ID the result
 * phase reports follows the data sheet's table (MT, head, final sector vs
 * EOT). */
static void finish_after_sector(sysdma_emu_fdc *f, uint8_t st0, uint8_t st1)
{
    const sysdma_emu_fdc_exec *x = &f->x;
    uint8_t c = x->c, h = x->h, r = (uint8_t)(x->r + 1);
    if (x->r == x->eot) {
        r = 1;
        if (!x->mt) {
            c++;
        } else {
            h ^= 1;
            if (x->hds == 1)
                c++;
        }
    }
    sysdma__fdc_finish(f, st0, st1, 0, c, h, r, x->n);
}

static void abort_exec(sysdma_emu_fdc *f)
{
    memset(&f->x, 0, sizeof f->x);
    f->x.stage = ST_NONE;
}

/* Software reset (DOR bit 2 low, DSR bit 7): the command and interrupt
 * state goes; SPECIFY values, data rate and cylinder numbers stay;
 * CONFIGURE's EFIFO/FIFOTHR/PRETRK stay only when locked. */
static void soft_reset(sysdma_emu_fdc *f)
{
    abort_exec(f);
    f->phase = PH_RESET;
    f->cmd_len = f->cmd_need = 0;
    f->res_len = f->res_pos = 0;
    f->result_irq = false;
    f->reset_pending = 0;
    f->seek_pending = 0;
    memset(f->seek_ns, 0, sizeof f->seek_ns);
    if (f->lock) {
        f->config &= 0x2F;
    } else {
        f->config = 0x20;
        f->pretrk = 0;
    }
    f->perp &= 0x3C;
}

/* Leaving reset: ready for commands, and (polling on, as reset leaves it)
 * one "ready changed" interrupt per drive select. */
static void leave_reset(sysdma_emu_fdc *f)
{
    f->phase = PH_COMMAND;
    f->reset_pending = 0x0F;
}

/* ---- Drive timing ---------------------------------------------------------- */

uint64_t sysdma__fdc_step_ns(const sysdma_emu_fdc *f)
{
    return (16u - (f->spec[0] >> 4)) * unit_ns[f->rate];
}

/* Time from `when` until the start of sector index k (0-based) under the
 * head; sectors are laid out one per slot from the index hole. */
uint64_t sysdma__fdc_latency(const sysdma_emu_fdc_drive *d, uint64_t when, unsigned k)
{
    uint64_t slot = REV_NS / d->sectors;
    uint64_t at = (uint64_t)k * slot, pos = when % REV_NS;
    return at >= pos ? at - pos : REV_NS - pos + at;
}

/* What a data command waits before the disk: the rest of a seek still in
 * progress on the drive, then the head load time if the head has unloaded
 * since the last command. */
uint64_t sysdma__fdc_head_load(const sysdma_emu_fdc *f, unsigned ds)
{
    if (!f->timing)
        return 0;
    uint64_t t = f->seek_ns[ds];
    if (f->now_ns + t >= f->unload_at[ds]) {
        unsigned hlt = f->spec[1] >> 1;
        t += (hlt ? hlt : 128u) * 2u * unit_ns[f->rate];
    }
    return t;
}

/* ---- Finding sectors ---------------------------------------------------- */

/* Look for sector x.c/x.h/x.r/x.n on the current track. On failure set
 * the status bits a real search would end with. */
static bool locate(const sysdma_emu_fdc *f, uint8_t *st1, uint8_t *st2)
{
    const sysdma_emu_fdc_exec *x = &f->x;
    const sysdma_emu_fdc_drive *d = &f->drive[x->drive];
    *st1 = *st2 = 0;
    if (!track_readable(f, d)) {
        *st1 = SYSDMA_EMU_FDC_ST1_MA | SYSDMA_EMU_FDC_ST1_ND;
        return false;
    }
    if (x->c != d->cyl) {
        *st1 = SYSDMA_EMU_FDC_ST1_ND;
        *st2 = x->c == 0xFF ? SYSDMA_EMU_FDC_ST2_BC | SYSDMA_EMU_FDC_ST2_WC
                            : SYSDMA_EMU_FDC_ST2_WC;
        return false;
    }
    /* Every ID on an image track reads (cyl, head, 1..sectors, 2). */
    if (x->h != x->hds || x->n != 2 || !sector_ptr(d, x->hds, x->r)) {
        *st1 = SYSDMA_EMU_FDC_ST1_ND;
        return false;
    }
    return true;
}

/* The data of sector x.r starts now: locate it, or end with the error. */
static void start_data(sysdma_emu_fdc *f)
{
    uint8_t st1, st2;
    if (!locate(f, &st1, &st2)) {
        finish_here(f, SYSDMA_EMU_FDC_ST0_ABNORMAL, st1, st2);
        return;
    }
    f->x.stage = ST_DATA;
    f->x.pos = 0;
    f->x.credit = 0;
    f->x.frac_ns = 0;
}

/* Go for sector x.r after a delay `pre` (seek, head load). Untimed it is
 * there at once; timed it comes round after the rotational latency, or
 * after two revolutions of searching when it is not on the track. */
void sysdma__fdc_begin_sector(sysdma_emu_fdc *f, uint64_t pre)
{
    if (!f->timing) {
        start_data(f);
        return;
    }
    uint8_t st1, st2;
    const sysdma_emu_fdc_drive *d = &f->drive[f->x.drive];
    f->x.stage = ST_WAIT;
    f->x.wait_ns = pre + (locate(f, &st1, &st2)
                              ? sysdma__fdc_latency(d, f->now_ns + pre, f->x.r - 1u)
                              : 2 * REV_NS);
}

/* The sector in x has moved all its bytes. */
static void sector_done(sysdma_emu_fdc *f)
{
    sysdma_emu_fdc_exec *x = &f->x;
    sysdma_emu_fdc_drive *d = &f->drive[x->drive];
    /* The next sector is looked for at once: it comes round after the gap,
     * by the disk's angle (sysdma__fdc_begin_sector), however late in the
     * gap the DMA took this sector's last byte. */
    x->stage = ST_BETWEEN;
    x->wait_ns = 0;
    d->next_id = (uint8_t)(x->r % d->sectors);
}

/* Leave the between-sectors stage: the next sector (crossing to head 1
 * with MT), or end of cylinder when the range is done. */
static void next_sector(sysdma_emu_fdc *f)
{
    sysdma_emu_fdc_exec *x = &f->x;
    if (at_end_of_range(f)) {
        finish_after_sector(f, SYSDMA_EMU_FDC_ST0_ABNORMAL, SYSDMA_EMU_FDC_ST1_EN);
        return;
    }
    if (x->r == x->eot) {
        x->hds = 1;
        x->h ^= 1;
        x->r = 1;
    } else {
        x->r++;
    }
    sysdma__fdc_begin_sector(f, 0);
}

/* ---- Data phase ------------------------------------------------------------ */

/* Format: the four ID bytes of one sector have arrived. The image keeps
 * only sectors of its own layout; other IDs are taken and dropped. */
static void format_sector(sysdma_emu_fdc *f)
{
    sysdma_emu_fdc_exec *x = &f->x;
    const sysdma_emu_fdc_drive *d = &f->drive[x->drive];
    if (x->drive < SYSDMA_EMU_FDC_DRIVES && track_readable(f, d) && x->n == 2 &&
        x->id[0] == d->cyl && x->id[1] == x->hds && x->id[3] == 2) {
        uint8_t *p = sector_ptr(d, x->hds, x->id[2]);
        if (p)
            memset(p, x->fill, SECTOR);
    }
    x->pos = 0;
    x->formatted++;
    if (x->formatted >= x->sc) {
        if (f->timing) {
            x->stage = ST_TAIL;
            x->wait_ns = REV_NS;
        } else {
            sysdma__fdc_finish(f, 0, 0, 0, x->id[0], x->id[1], x->id[2], x->id[3]);
        }
    }
}

/*
 * Move up to n bytes of the data phase between `buf` and the disk (to buf
 * for a read, from buf for a write or format). buf NULL: the other side
 * carries no data (8237 verify or wrong direction); a write then puts 0xFF
 * on the disk. Returns the bytes moved.
 */
size_t sysdma__fdc_data_move(sysdma_emu_fdc *f, uint8_t *buf, size_t n)
{
    sysdma_emu_fdc_exec *x = &f->x;
    size_t done = 0;
    while (done < n && f->phase == PH_EXEC) {
        if (x->stage == ST_BETWEEN) {
            if (f->timing || at_end_of_range(f))
                break;
            next_sector(f);
            continue;
        }
        if (x->stage != ST_DATA)
            break;
        if (x->op == SYSDMA_EMU_FDC_CMD_FORMAT) {
            if (x->pos >= 4)
                break;
            x->id[x->pos] = buf ? buf[done] : 0xFF;
            x->pos++;
            done++;
            if (x->pos == 4)
                format_sector(f);
            continue;
        }
        size_t k = SECTOR - x->pos;
        if (k > n - done)
            k = n - done;
        if (f->timing && k > x->credit)
            k = x->credit;
        uint8_t *sec = sector_ptr(&f->drive[x->drive], x->hds, x->r);
        if (!k || !sec)
            break;
        if (!x->write) {
            if (buf)
                memcpy(buf + done, sec + x->pos, k);
        } else if (buf) {
            memcpy(sec + x->pos, buf + done, k);
        } else {
            memset(sec + x->pos, 0xFF, k);
        }
        x->pos = (uint16_t)(x->pos + k);
        if (f->timing)
            x->credit -= (uint32_t)k;
        done += k;
        if (x->pos == SECTOR) {
            sector_done(f);
            if (x->pio && !f->timing && at_end_of_range(f))
                next_sector(f); /* no terminal count in non-DMA mode */
        }
    }
    return done;
}

/* Untimed, a finished sector waits only for terminal count, which has had
 * its chance by the time anything else happens: move on. */
static void settle(sysdma_emu_fdc *f)
{
    if (f->phase == PH_EXEC && f->x.stage == ST_BETWEEN && !f->timing)
        next_sector(f);
}

static size_t dma_transfer(void *ctx, unsigned channel, sysdma_emu_xfer kind, uint8_t *buf,
                           size_t units)
{
    sysdma_emu_fdc *f = ctx;
    if (kind == SYSDMA_EMU_XFER_CASCADE)
        return 0;
    /* Not in a DMA data phase, or DACK not gated through: the controller
     * takes no part (a software request on its channel runs without it). */
    if (channel != f->channel || f->phase != PH_EXEC || f->x.pio ||
        !(f->dor & SYSDMA_EMU_FDC_DOR_DMAGATE))
        return SYSDMA_EMU_XFER_ABSENT;
    bool carries = (kind == SYSDMA_EMU_XFER_READ && f->x.write) ||
                   (kind == SYSDMA_EMU_XFER_WRITE && !f->x.write);
    size_t moved = sysdma__fdc_data_move(f, carries ? buf : NULL, units);
    if (!carries && kind == SYSDMA_EMU_XFER_WRITE && moved)
        memset(buf, 0xFF, moved); /* nobody drives the data bus */
    update_lines(f);
    return moved;
}

static void dma_terminal_count(void *ctx, unsigned channel)
{
    sysdma_emu_fdc *f = ctx;
    sysdma_emu_fdc_exec *x = &f->x;
    if (channel != f->channel || f->phase != PH_EXEC || x->pio)
        return;
    if (x->op == SYSDMA_EMU_FDC_CMD_FORMAT) {
        if (x->stage == ST_DATA)
            sysdma__fdc_finish(f, 0, 0, 0, x->id[0], x->id[1], x->id[2], x->id[3]);
    } else if (x->stage == ST_DATA || x->stage == ST_BETWEEN) {
        if (x->stage == ST_DATA && x->write && x->pos > 0) {
            /* The rest of a sector cut short is written as zeros. */
            uint8_t *sec = sector_ptr(&f->drive[x->drive], x->hds, x->r);
            if (sec)
                memset(sec + x->pos, 0, SECTOR - x->pos);
        }
        finish_after_sector(f, 0, 0);
    }
    update_lines(f);
}

/* ---- Public interface ------------------------------------------------------ */

bool sysdma_emu_fdc_claims(uint16_t port)
{
    return port >= 0x3F0 && port <= 0x3F7 && port != 0x3F6;
}

uint8_t sysdma_emu_fdc_inb(sysdma_emu_fdc *f, uint16_t port)
{
    uint8_t v = 0xFF;
    settle(f);
    switch (port) {
    case SYSDMA_EMU_FDC_DOR:
        v = f->dor;
        break;
    case SYSDMA_EMU_FDC_TDR:
        v = f->tdr;
        break;
    case SYSDMA_EMU_FDC_MSR:
        v = sysdma__fdc_msr(f);
        break;
    case SYSDMA_EMU_FDC_FIFO:
        v = sysdma__fdc_fifo_read(f);
        break;
    case SYSDMA_EMU_FDC_DIR: {
        unsigned sel = f->dor & SYSDMA_EMU_FDC_DOR_SEL;
        v = sel < SYSDMA_EMU_FDC_DRIVES && f->drive[sel].changed ? 0x80 : 0x00;
        break;
    }
    default:
        break; /* SRA, SRB (AT mode) and ports not ours */
    }
    update_lines(f);
    return v;
}

void sysdma_emu_fdc_outb(sysdma_emu_fdc *f, uint16_t port, uint8_t v)
{
    settle(f);
    switch (port) {
    case SYSDMA_EMU_FDC_DOR: {
        bool was = (f->dor & SYSDMA_EMU_FDC_DOR_NRESET) != 0;
        bool now = (v & SYSDMA_EMU_FDC_DOR_NRESET) != 0;
        f->dor = v;
        if (was && !now)
            soft_reset(f);
        else if (!was && now)
            leave_reset(f);
        break;
    }
    case SYSDMA_EMU_FDC_TDR:
        f->tdr = v & 3;
        break;
    case SYSDMA_EMU_FDC_DSR:
        f->dsr = v & 0x7F;
        f->rate = v & 3;
        if ((v & SYSDMA_EMU_FDC_DSR_RESET) && f->phase != PH_RESET) {
            soft_reset(f);
            leave_reset(f);
        }
        break;
    case SYSDMA_EMU_FDC_FIFO:
        sysdma__fdc_fifo_write(f, v);
        break;
    case SYSDMA_EMU_FDC_CCR:
        f->rate = v & 3;
        f->dsr = (uint8_t)((f->dsr & ~3u) | f->rate);
        break;
    default:
        break;
    }
    update_lines(f);
}

/* A timed wait of the execution phase has run out. */
static void stage_end(sysdma_emu_fdc *f)
{
    sysdma_emu_fdc_exec *x = &f->x;
    switch (x->stage) {
    case ST_WAIT:
        if (x->op == SYSDMA_EMU_FDC_CMD_FORMAT)
            x->stage = ST_DATA;
        else
            start_data(f);
        break;
    case ST_BETWEEN:
        next_sector(f);
        break;
    case ST_TAIL:
        if (x->op == SYSDMA_EMU_FDC_CMD_FORMAT)
            sysdma__fdc_finish(f, 0, 0, 0, x->id[0], x->id[1], x->id[2], x->id[3]);
        else if (track_readable(f, &f->drive[x->drive]))
            finish_here(f, 0, 0, 0);
        else
            finish_here(f, SYSDMA_EMU_FDC_ST0_ABNORMAL, SYSDMA_EMU_FDC_ST1_MA, 0);
        break;
    default:
        break;
    }
}

void sysdma_emu_fdc_advance(sysdma_emu_fdc *f, uint64_t ns)
{
    settle(f);
    uint64_t end = f->now_ns + ns;
    if (f->timing && f->phase != PH_RESET) {
        for (unsigned ds = 0; ds < 4; ds++) {
            if (!f->seek_ns[ds])
                continue;
            if (ns >= f->seek_ns[ds])
                post_seek(f, ds);
            else
                f->seek_ns[ds] -= ns;
        }
        uint64_t left = ns;
        /* Each pass ends a stage or uses up the time, so this terminates. */
        while (f->phase == PH_EXEC) {
            sysdma_emu_fdc_exec *x = &f->x;
            if (x->stage == ST_WAIT || x->stage == ST_BETWEEN || x->stage == ST_TAIL) {
                if (left < x->wait_ns) {
                    x->wait_ns -= left;
                    break;
                }
                left -= x->wait_ns;
                f->now_ns += x->wait_ns;
                x->wait_ns = 0;
                stage_end(f);
                continue;
            }
            if (x->stage == ST_DATA && x->op != SYSDMA_EMU_FDC_CMD_FORMAT) {
                uint64_t have = (uint64_t)x->pos + x->credit;
                uint64_t need = have < SECTOR ? SECTOR - have : 0;
                uint64_t bn = byte_ns[f->drive[x->drive].rate];
                uint64_t t = x->frac_ns + left;
                if (t / bn >= need) {
                    x->credit += (uint32_t)need; /* the rest waits for the DMA */
                    x->frac_ns = 0;
                } else {
                    x->credit += (uint32_t)(t / bn);
                    x->frac_ns = t % bn;
                }
            }
            break;
        }
    }
    f->now_ns = end;
    update_lines(f);
}

uint64_t sysdma_emu_fdc_next_event_ns(const sysdma_emu_fdc *f)
{
    uint64_t next = UINT64_MAX;
    if (f->phase == PH_RESET)
        return next;
    for (unsigned ds = 0; ds < 4; ds++)
        if (f->seek_ns[ds] && f->seek_ns[ds] < next)
            next = f->seek_ns[ds];
    if (f->phase != PH_EXEC)
        return next;
    const sysdma_emu_fdc_exec *x = &f->x;
    if (!f->timing)
        return x->stage == ST_BETWEEN ? 0 : next;
    if (x->stage == ST_WAIT || x->stage == ST_BETWEEN || x->stage == ST_TAIL) {
        if (x->wait_ns < next)
            next = x->wait_ns;
    } else if (x->stage == ST_DATA && x->op != SYSDMA_EMU_FDC_CMD_FORMAT &&
               x->pos + x->credit < SECTOR) {
        uint64_t bn = byte_ns[f->drive[x->drive].rate];
        if (bn - x->frac_ns < next)
            next = bn - x->frac_ns;
    }
    return next;
}

void sysdma_emu_fdc_set_timing(sysdma_emu_fdc *f, bool on)
{
    settle(f);
    /* Credit is timed-mode bookkeeping; start it afresh either way. */
    f->x.credit = 0;
    f->x.frac_ns = 0;
    if (f->timing && !on) {
        /* Pending waits end now. */
        for (unsigned ds = 0; ds < 4; ds++)
            if (f->seek_ns[ds])
                post_seek(f, ds);
        f->timing = false;
        if (f->phase == PH_EXEC && f->x.stage != ST_DATA && f->x.stage != ST_BETWEEN)
            stage_end(f);
    }
    f->timing = on;
    update_lines(f);
}

void sysdma_emu_fdc_reset(sysdma_emu_fdc *f)
{
    soft_reset(f);
    f->dor = 0;
    f->tdr = 0;
    f->dsr = SYSDMA_EMU_FDC_RATE_250K;
    f->rate = SYSDMA_EMU_FDC_RATE_250K;
    f->spec[0] = f->spec[1] = 0;
    f->config = 0x20;
    f->pretrk = 0;
    f->perp = 0;
    f->lock = false;
    f->last_sc_eot = 0;
    memset(f->pcn, 0, sizeof f->pcn);
    memset(f->unload_at, 0, sizeof f->unload_at);
    update_lines(f);
}

bool sysdma_emu_fdc_init(sysdma_emu_fdc *f, sysdma_emu_i8237 *dma, unsigned dma_channel,
                         void (*irq)(void *ctx, bool level), void *irq_ctx)
{
    if (!dma || dma_channel > 3)
        return false;
    memset(f, 0, sizeof *f);
    f->dma = dma;
    f->channel = dma_channel;
    f->irq = irq;
    f->irq_ctx = irq_ctx;
    for (unsigned i = 0; i < SYSDMA_EMU_FDC_DRIVES; i++)
        f->drive[i].changed = true;
    sysdma_emu_dma_device dev = {dma_transfer, dma_terminal_count, f};
    if (!sysdma_emu_i8237_attach(dma, dma_channel, &dev))
        return false;
    sysdma_emu_i8237_dreq(dma, dma_channel, false);
    sysdma_emu_fdc_reset(f);
    return true;
}

/* A command running on `drive` ends as the disk goes: not ready. */
static void disk_gone(sysdma_emu_fdc *f, unsigned drive)
{
    if (f->phase == PH_EXEC && f->x.drive == drive)
        finish_here(f, SYSDMA_EMU_FDC_ST0_ABNORMAL | SYSDMA_EMU_FDC_ST0_NR, 0, 0);
}

bool sysdma_emu_fdc_insert(sysdma_emu_fdc *f, unsigned drive, uint8_t *image, size_t size,
                           bool write_protected)
{
    if (drive >= SYSDMA_EMU_FDC_DRIVES || !image)
        return false;
    for (unsigned g = 0; g < sizeof geometries / sizeof geometries[0]; g++) {
        if (geometries[g].size != size)
            continue;
        disk_gone(f, drive);
        sysdma_emu_fdc_drive *d = &f->drive[drive];
        d->image = image;
        d->size = size;
        d->write_protected = write_protected;
        d->cylinders = 80;
        d->heads = 2;
        d->sectors = geometries[g].sectors;
        d->rate = geometries[g].rate;
        d->next_id = 0;
        d->changed = true;
        update_lines(f);
        return true;
    }
    return false;
}

void sysdma_emu_fdc_eject(sysdma_emu_fdc *f, unsigned drive)
{
    if (drive >= SYSDMA_EMU_FDC_DRIVES || !f->drive[drive].image)
        return;
    disk_gone(f, drive);
    sysdma_emu_fdc_drive *d = &f->drive[drive];
    d->image = NULL;
    d->size = 0;
    d->write_protected = false;
    d->cylinders = d->heads = d->sectors = 0;
    d->changed = true;
    update_lines(f);
}