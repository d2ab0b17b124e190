/* SPDX-License-Identifier: MIT */
/*
 * The emulated floppy controller's commands (see fdc.c for the phase
 * machine, fdc_internal.h for how the two files share the work).
 *
 * In the command phase the host writes an opcode and its parameter bytes
 * to the FIFO; once the last one is in, execute() runs the command. Most
 * commands end at once, back in the command phase or in the result phase.
 * SEEK and RECALIBRATE move the head here; their interrupt is posted at
 * once, or with timing on when fdc.c's clock has run out the step time.
 * READ DATA, WRITE DATA, READ ID and FORMAT TRACK set up the execution
 * phase (f->x), which fdc.c runs from then on.
 */
#include <string.h>

#include "fdc_internal.h"

/* ---- Drives and seeks ---------------------------------------------------------- */

/* Drive ds is there, has a disk in and its motor on. */
static bool ready(const sysdma_emu_fdc *f, unsigned ds)
{
    return ds < SYSDMA_EMU_FDC_DRIVES && f->drive[ds].image &&
           (f->dor & (SYSDMA_EMU_FDC_DOR_MOTOR0 << ds));
}

/* Move drive ds's head `steps` cylinders in (up) or out; the mechanism
 * stops at its ends. A step with a disk in resets the disk-change line. */
static void step_head(sysdma_emu_fdc *f, unsigned ds, unsigned steps, bool up)
{
    if (ds >= SYSDMA_EMU_FDC_DRIVES || steps == 0)
        return;
    sysdma_emu_fdc_drive *d = &f->drive[ds];
    unsigned cyl = d->cyl;
    if (up)
        cyl = cyl + steps > SYSDMA_EMU_FDC_MAX_CYL ? SYSDMA_EMU_FDC_MAX_CYL : cyl + steps;
    else
        cyl = steps > cyl ? 0 : cyl - steps;
    d->cyl = (uint8_t)cyl;
    if (d->image)
        d->changed = false;
}

/* SEEK / RELATIVE SEEK to `target`, or RECALIBRATE (at most 79 step
 * pulses; equipment check when track 0 is not reached). The head moves at
 * once; with timing on the interrupt comes after the step time. */
static void do_seek(sysdma_emu_fdc *f, unsigned ds, unsigned hds, unsigned target, bool recal)
{
    unsigned steps;
    uint8_t st0 = SYSDMA_EMU_FDC_ST0_SE;
    if (recal) {
        hds = 0;
        bool present = ds < SYSDMA_EMU_FDC_DRIVES;
        unsigned from = present ? f->drive[ds].cyl : 255;
        steps = from < 79 ? from : 79;
        step_head(f, ds, steps, false);
        if (present && f->drive[ds].cyl == 0) {
            f->pcn[ds] = 0;
        } else {
            st0 |= SYSDMA_EMU_FDC_ST0_ABNORMAL | SYSDMA_EMU_FDC_ST0_EC;
            f->pcn[ds] = (uint8_t)(f->pcn[ds] > steps ? f->pcn[ds] - steps : 0);
        }
    } else {
        unsigned pcn = f->pcn[ds];
        bool up = target > pcn;
        steps = up ? target - pcn : pcn - target;
        step_head(f, ds, steps, up);
        f->pcn[ds] = (uint8_t)target;
    }
    f->seek_st0[ds] = (uint8_t)(st0 | (hds << 2) | ds);
    uint64_t t = f->timing ? steps * sysdma__fdc_step_ns(f) : 0;
    if (t) {
        f->seek_ns[ds] = t;
        f->seek_pending &= (uint8_t)~(1u << ds);
    } else {
        post_seek(f, ds);
    }
}

/* ---- Commands ---------------------------------------------------------------- */

/* Parameter bytes after the opcode, or -1 for an invalid opcode. */
static int params_of(uint8_t op)
{
    switch (op & 0x1F) {
    case SYSDMA_EMU_FDC_CMD_READ_DATA:
        return 8;
    case SYSDMA_EMU_FDC_CMD_WRITE_DATA:
        return (op & SYSDMA_EMU_FDC_SK) ? -1 : 8;
    case SYSDMA_EMU_FDC_CMD_READ_ID: /* MFM is the only flag */
        return (op & (SYSDMA_EMU_FDC_MT | SYSDMA_EMU_FDC_SK)) ? -1 : 1;
    case SYSDMA_EMU_FDC_CMD_FORMAT:
        return (op & (SYSDMA_EMU_FDC_MT | SYSDMA_EMU_FDC_SK)) ? -1 : 5;
    default:
        break;
    }
    switch (op) {
    case SYSDMA_EMU_FDC_CMD_SPECIFY:
    case SYSDMA_EMU_FDC_CMD_SEEK:
    case 0x8F: /* RELATIVE SEEK out */
    case 0xCF: /* RELATIVE SEEK in */
        return 2;
    case SYSDMA_EMU_FDC_CMD_SENSE_DRIVE:
    case SYSDMA_EMU_FDC_CMD_RECALIBRATE:
    case SYSDMA_EMU_FDC_CMD_PERPENDICULAR:
        return 1;
    case SYSDMA_EMU_FDC_CMD_CONFIGURE:
        return 3;
    case SYSDMA_EMU_FDC_CMD_SENSE_INT:
    case SYSDMA_EMU_FDC_CMD_VERSION:
    case SYSDMA_EMU_FDC_CMD_DUMPREG:
    case SYSDMA_EMU_FDC_CMD_LOCK:
    case SYSDMA_EMU_FDC_CMD_LOCK | 0x80:
        return 0;
    default:
        return -1;
    }
}

static void cmd_sense_int(sysdma_emu_fdc *f)
{
    uint8_t res[2];
    unsigned ds;
    if (f->reset_pending) {
        for (ds = 0; !(f->reset_pending & (1u << ds)); ds++)
            ;
        f->reset_pending &= (uint8_t)~(1u << ds);
        res[0] = (uint8_t)(SYSDMA_EMU_FDC_ST0_POLL | ds);
    } else if (f->seek_pending) {
        for (ds = 0; !(f->seek_pending & (1u << ds)); ds++)
            ;
        f->seek_pending &= (uint8_t)~(1u << ds);
        res[0] = f->seek_st0[ds];
    } else {
        res[0] = SYSDMA_EMU_FDC_ST0_INVALID;
        sysdma__fdc_to_result(f, res, 1, false);
        return;
    }
    res[1] = f->pcn[ds];
    sysdma__fdc_to_result(f, res, 2, false);
}

/* READ DATA, WRITE DATA: check the drive, implied seek, then the sector. */
static void cmd_rw(sysdma_emu_fdc *f, bool write)
{
    const uint8_t *p = f->cmd;
    sysdma_emu_fdc_exec *x = &f->x;
    memset(x, 0, sizeof *x);
    x->op = p[0] & 0x1F;
    x->write = write;
    x->mt = (p[0] & SYSDMA_EMU_FDC_MT) != 0;
    x->mfm = (p[0] & SYSDMA_EMU_FDC_MFM) != 0;
    x->pio = f->spec[1] & 1;
    x->drive = p[1] & 3;
    x->hds = (p[1] >> 2) & 1;
    x->c = p[2];
    x->h = p[3];
    x->r = p[4];
    x->n = p[5];
    x->eot = p[6];
    f->last_sc_eot = x->eot;
    f->phase = PH_EXEC;
    if (!ready(f, x->drive)) {
        finish_here(f, SYSDMA_EMU_FDC_ST0_ABNORMAL | SYSDMA_EMU_FDC_ST0_NR, 0, 0);
        return;
    }
    if (write && f->drive[x->drive].write_protected) {
        finish_here(f, SYSDMA_EMU_FDC_ST0_ABNORMAL, SYSDMA_EMU_FDC_ST1_NW, 0);
        return;
    }
    uint64_t pre = sysdma__fdc_head_load(f, x->drive);
    if ((f->config & 0x40) && x->c != f->pcn[x->drive]) {
        unsigned pcn = f->pcn[x->drive];
        bool up = x->c > pcn;
        unsigned steps = up ? x->c - pcn : pcn - x->c;
        step_head(f, x->drive, steps, up);
        f->pcn[x->drive] = x->c;
        if (f->timing)
            pre += steps * sysdma__fdc_step_ns(f);
    }
    sysdma__fdc_begin_sector(f, pre);
}

static void cmd_read_id(sysdma_emu_fdc *f)
{
    sysdma_emu_fdc_exec *x = &f->x;
    memset(x, 0, sizeof *x);
    x->op = SYSDMA_EMU_FDC_CMD_READ_ID;
    x->mfm = (f->cmd[0] & SYSDMA_EMU_FDC_MFM) != 0;
    x->drive = f->cmd[1] & 3;
    x->hds = (f->cmd[1] >> 2) & 1;
    f->phase = PH_EXEC;
    if (!ready(f, x->drive)) {
        sysdma__fdc_finish(f, SYSDMA_EMU_FDC_ST0_ABNORMAL | SYSDMA_EMU_FDC_ST0_NR,
                           0, 0, 0, 0, 0, 0);
        return;
    }
    sysdma_emu_fdc_drive *d = &f->drive[x->drive];
    x->c = d->cyl;
    x->h = x->hds;
    x->n = 2;
    if (!f->timing) {
        x->r = (uint8_t)(d->next_id + 1);
        d->next_id = (uint8_t)(x->r % d->sectors);
        x->stage = ST_TAIL; /* ends at once below */
        x->wait_ns = 0;
    } else {
        /* The next ID to pass the head after the head load. */
        uint64_t pre = sysdma__fdc_head_load(f, x->drive), when = f->now_ns + pre;
        uint64_t slot = REV_NS / d->sectors;
        unsigned k = (unsigned)((when % REV_NS + slot - 1) / slot) % d->sectors;
        x->r = (uint8_t)(k + 1);
        x->stage = ST_TAIL;
        x->wait_ns = pre + sysdma__fdc_latency(d, when, k);
    }
    if (!x->wait_ns) {
        if (track_readable(f, d))
            finish_here(f, 0, 0, 0);
        else
            finish_here(f, SYSDMA_EMU_FDC_ST0_ABNORMAL, SYSDMA_EMU_FDC_ST1_MA, 0);
    }
}

static void cmd_format(sysdma_emu_fdc *f)
{
    const uint8_t *p = f->cmd;
    sysdma_emu_fdc_exec *x = &f->x;
    memset(x, 0, sizeof *x);
    x->op = SYSDMA_EMU_FDC_CMD_FORMAT;
    x->mfm = (p[0] & SYSDMA_EMU_FDC_MFM) != 0;
    x->write = true;
    x->pio = f->spec[1] & 1;
    x->drive = p[1] & 3;
    x->hds = (p[1] >> 2) & 1;
    x->n = p[2];
    x->sc = p[3];
    x->fill = p[5];
    f->last_sc_eot = x->sc;
    f->phase = PH_EXEC;
    if (!ready(f, x->drive)) {
        sysdma__fdc_finish(f, SYSDMA_EMU_FDC_ST0_ABNORMAL | SYSDMA_EMU_FDC_ST0_NR,
                           0, 0, 0, 0, 0, 0);
        return;
    }
    if (f->drive[x->drive].write_protected) {
        sysdma__fdc_finish(f, SYSDMA_EMU_FDC_ST0_ABNORMAL, SYSDMA_EMU_FDC_ST1_NW, 0, 0, 0, 0, 0);
        return;
    }
    if (x->sc == 0) {
        sysdma__fdc_finish(f, 0, 0, 0, 0, 0, 0, 0);
        return;
    }
    if (f->timing) {
        /* Formatting starts at the index hole. */
        uint64_t pre = sysdma__fdc_head_load(f, x->drive);
        x->stage = ST_WAIT;
        x->wait_ns = pre + sysdma__fdc_latency(&f->drive[x->drive], f->now_ns + pre, 0);
    } else {
        x->stage = ST_DATA;
    }
}

/* All bytes of a command are in: run it. */
static void execute(sysdma_emu_fdc *f)
{
    const uint8_t *p = f->cmd;
    uint8_t res[10];
    unsigned ds = p[1] & 3;
    switch (p[0] & 0x1F) {
    case SYSDMA_EMU_FDC_CMD_READ_DATA:
        cmd_rw(f, false);
        return;
    case SYSDMA_EMU_FDC_CMD_WRITE_DATA:
        cmd_rw(f, true);
        return;
    case SYSDMA_EMU_FDC_CMD_READ_ID:
        cmd_read_id(f);
        return;
    case SYSDMA_EMU_FDC_CMD_FORMAT:
        cmd_format(f);
        return;
    default:
        break;
    }
    f->phase = PH_COMMAND;
    f->cmd_len = f->cmd_need = 0;
    switch (p[0]) {
    case SYSDMA_EMU_FDC_CMD_SPECIFY:
        f->spec[0] = p[1];
        f->spec[1] = p[2];
        return;
    case SYSDMA_EMU_FDC_CMD_SENSE_DRIVE: {
        bool t0 = ds < SYSDMA_EMU_FDC_DRIVES && f->drive[ds].cyl == 0;
        bool wp = ds < SYSDMA_EMU_FDC_DRIVES && f->drive[ds].image &&
                  f->drive[ds].write_protected;
        res[0] = (uint8_t)((wp ? SYSDMA_EMU_FDC_ST3_WP : 0) | 0x20 |
                           (t0 ? SYSDMA_EMU_FDC_ST3_T0 : 0) | 0x08 | (p[1] & 7));
        sysdma__fdc_to_result(f, res, 1, false);
        return;
    }
    case SYSDMA_EMU_FDC_CMD_RECALIBRATE:
        do_seek(f, ds, 0, 0, true);
        return;
    case SYSDMA_EMU_FDC_CMD_SENSE_INT:
        cmd_sense_int(f);
        return;
    case SYSDMA_EMU_FDC_CMD_SEEK:
        do_seek(f, ds, (p[1] >> 2) & 1, p[2], false);
        return;
    case 0x8F:
    case 0xCF: {
        int t = (p[0] & 0x40) ? f->pcn[ds] + p[2] : f->pcn[ds] - p[2];
        do_seek(f, ds, (p[1] >> 2) & 1, t < 0 ? 0 : t > 255 ? 255 : (unsigned)t, false);
        return;
    }
    case SYSDMA_EMU_FDC_CMD_VERSION:
        res[0] = 0x90;
        sysdma__fdc_to_result(f, res, 1, false);
        return;
    case SYSDMA_EMU_FDC_CMD_CONFIGURE:
        f->config = p[2] & 0x7F;
        f->pretrk = p[3];
        return;
    case SYSDMA_EMU_FDC_CMD_DUMPREG:
        memcpy(res, f->pcn, 4);
        res[4] = f->spec[0];
        res[5] = f->spec[1];
        res[6] = f->last_sc_eot;
        res[7] = (uint8_t)((f->lock ? 0x80 : 0) | (f->perp & 0x3F));
        res[8] = f->config;
        res[9] = f->pretrk;
        sysdma__fdc_to_result(f, res, 10, false);
        return;
    case SYSDMA_EMU_FDC_CMD_PERPENDICULAR:
        if (p[1] & 0x80)
            f->perp = p[1] & 0x3F;
        else
            f->perp = (uint8_t)((f->perp & 0x3C) | (p[1] & 0x03));
        return;
    case SYSDMA_EMU_FDC_CMD_LOCK:
    case SYSDMA_EMU_FDC_CMD_LOCK | 0x80:
        f->lock = (p[0] & 0x80) != 0;
        res[0] = f->lock ? 0x10 : 0x00;
        sysdma__fdc_to_result(f, res, 1, false);
        return;
    default:
        break;
    }
}

/* ---- The FIFO: command and result bytes, non-DMA data --------------------- */

void sysdma__fdc_fifo_write(sysdma_emu_fdc *f, uint8_t v)
{
    if (f->phase == PH_EXEC) {
        if (f->x.pio && f->x.write)
            sysdma__fdc_data_move(f, &v, 1);
        return;
    }
    if (f->phase != PH_COMMAND)
        return; /* result phase and reset ignore writes */
    if (f->cmd_len == 0) {
        int n = params_of(v);
        if (n < 0) {
            uint8_t st0 = SYSDMA_EMU_FDC_ST0_INVALID;
            sysdma__fdc_to_result(f, &st0, 1, false);
            return;
        }
        f->cmd_need = (uint8_t)(n + 1);
    }
    if (f->cmd_len < sizeof f->cmd)
        f->cmd[f->cmd_len++] = v;
    if (f->cmd_len >= f->cmd_need)
        execute(f);
}

uint8_t sysdma__fdc_fifo_read(sysdma_emu_fdc *f)
{
    if (f->phase == PH_RESULT) {
        uint8_t v = f->res_pos < f->res_len ? f->res[f->res_pos] : 0xFF;
        f->res_pos++;
        f->result_irq = false;
        if (f->res_pos >= f->res_len) {
            f->phase = PH_COMMAND;
            f->res_len = f->res_pos = 0;
        }
        return v;
    }
    if (f->phase == PH_EXEC && f->x.pio && !f->x.write) {
        uint8_t v = 0xFF;
        sysdma__fdc_data_move(f, &v, 1);
        return v;
    }
    return 0xFF;
}

/* ---- Main status register ------------------------------------------------- */

uint8_t sysdma__fdc_msr(const sysdma_emu_fdc *f)
{
    uint8_t busy = 0;
    for (unsigned ds = 0; ds < 4; ds++)
        if (f->seek_ns[ds])
            busy |= (uint8_t)(1u << ds);
    switch (f->phase) {
    case PH_COMMAND:
        return (uint8_t)(SYSDMA_EMU_FDC_MSR_RQM | (f->cmd_len ? SYSDMA_EMU_FDC_MSR_CB : 0) | busy);
    case PH_EXEC:
        if (!f->x.pio)
            return (uint8_t)(SYSDMA_EMU_FDC_MSR_CB | busy);
        return (uint8_t)(SYSDMA_EMU_FDC_MSR_CB | SYSDMA_EMU_FDC_MSR_NDMA | busy |
                         (sysdma__fdc_data_ready(f) ? SYSDMA_EMU_FDC_MSR_RQM : 0) |
                         (f->x.write ? 0 : SYSDMA_EMU_FDC_MSR_DIO));
    case PH_RESULT:
        return (uint8_t)(SYSDMA_EMU_FDC_MSR_RQM | SYSDMA_EMU_FDC_MSR_DIO |
                         SYSDMA_EMU_FDC_MSR_CB | busy);
    default:
        return 0;
    }
}
