/* SPDX-License-Identifier: MIT */
/*
 * The emulated Sound Blaster 16 (see include/sysdma/emu_sb16.h).
 *
 * The DSP is a byte-wide command parser: a command byte, then the number
 * of parameter bytes that command takes; answers queue up for the data
 * port. A transfer command starts a block of `length + 1` samples (bytes
 * on 8-bit commands, words on 16-bit ones); simulated time makes bytes due
 * at rate × channels × sample size; the DMA callback moves at most what is
 * due and what is left of the block, hands played bytes to the sink (or
 * fills recorded ones from the source), and at the end of each block
 * raises the interrupt and, in auto-init mode, starts the next block.
 */
#include "sysdma/emu_sb16.h"

#include <string.h>

static void irq(sysdma_emu_sb16 *sb, bool level)
{
    if (sb->cfg.irq_fn)
        sb->cfg.irq_fn(sb->cfg.ctx, sb->cfg.irq, level);
}

static void answer(sysdma_emu_sb16 *sb, uint8_t v)
{
    if (sb->out_count < sizeof sb->out) {
        sb->out[(sb->out_head + sb->out_count) % sizeof sb->out] = v;
        sb->out_count++;
    }
}

static unsigned width(const sysdma_emu_sb16 *sb)
{
    return sb->wide ? 2u : 1u;
}

static unsigned channel(const sysdma_emu_sb16 *sb)
{
    return sb->wide ? sb->cfg.dma16 : sb->cfg.dma8;
}

/* Request DMA while a whole unit is due and the block wants more. */
static void update_dreq(sysdma_emu_sb16 *sb)
{
    if (!sb->dma)
        return;
    bool want = sb->active && !sb->paused && sb->block_left >= width(sb) &&
                sb->due_milli >= 1000u * width(sb);
    sysdma_emu_i8237_dreq(sb->dma, channel(sb), want);
    if (!want) /* the other channel never requests while this one is in use */
        sysdma_emu_i8237_dreq(sb->dma, sb->wide ? sb->cfg.dma8 : sb->cfg.dma16, false);
}

static void stop(sysdma_emu_sb16 *sb)
{
    sb->active = false;
    sb->due_milli = 0;
    if (sb->dma) {
        sysdma_emu_i8237_dreq(sb->dma, sb->cfg.dma8, false);
        sysdma_emu_i8237_dreq(sb->dma, sb->cfg.dma16, false);
    }
}

static void dsp_reset(sysdma_emu_sb16 *sb)
{
    stop(sb);
    sb->out_count = sb->out_head = 0;
    sb->cmd = sb->nparams = sb->need = 0;
    sb->speaker = false;
    sb->rate = 22050;
    sb->block8 = 0x7FF;
    sb->paused = sb->exit_after_block = false;
    if (sb->irq_status) {
        sb->irq_status = 0;
        irq(sb, false);
    }
}

static void start(sysdma_emu_sb16 *sb, bool wide, bool autoinit, bool input, uint8_t mode,
                  uint32_t length_minus_one)
{
    sb->wide = wide;
    sb->autoinit = autoinit;
    sb->input = input;
    sb->paused = false;
    sb->exit_after_block = false;
    sb->fmt.rate = sb->rate ? sb->rate : 1;
    sb->fmt.bits = wide ? 16 : 8;
    sb->fmt.channels = (mode & 0x20) ? 2 : 1;
    sb->fmt.is_signed = (mode & 0x10) != 0;
    sb->block_bytes = (length_minus_one + 1) * width(sb);
    sb->block_left = sb->block_bytes;
    sb->due_milli = 0;
    sb->due_rem = 0;
    sb->active = true;
    update_dreq(sb);
}

/* Parameter bytes each command takes (0 for none or unknown). */
static uint8_t params_of(uint8_t c)
{
    if ((c & 0xF0) == 0xB0 || (c & 0xF0) == 0xC0)
        return 3;
    switch (c) {
    case 0x10: case 0x40:
        return 1;
    case 0x14: case 0x24: case 0x41: case 0x42: case 0x48:
        return 2;
    default:
        return 0;
    }
}

static void run_command(sysdma_emu_sb16 *sb)
{
    uint8_t c = sb->cmd, *p = sb->params;
    if ((c & 0xF0) == 0xB0 || (c & 0xF0) == 0xC0) {
        start(sb, (c & 0xF0) == 0xB0, (c & 0x04) != 0, (c & 0x08) != 0, p[0],
              (uint32_t)(p[1] | p[2] << 8));
        return;
    }
    switch (c) {
    case 0x14: start(sb, false, false, false, 0x00, (uint32_t)(p[0] | p[1] << 8)); break;
    case 0x24: start(sb, false, false, true, 0x00, (uint32_t)(p[0] | p[1] << 8)); break;
    case 0x1C: start(sb, false, true, false, 0x00, sb->block8); break;
    case 0x2C: start(sb, false, true, true, 0x00, sb->block8); break;
    case 0x40: { /* time constant: 256 − 1000000 / rate (mono) */
        uint32_t d = 256u - p[0];
        sb->rate = 1000000u / (d ? d : 1);
        break;
    }
    case 0x41: case 0x42: sb->rate = (uint32_t)(p[0] << 8 | p[1]); break;
    case 0x48: sb->block8 = (uint16_t)(p[0] | p[1] << 8); break;
    case 0xD0: case 0xD5: sb->paused = true; update_dreq(sb); break;
    case 0xD4: case 0xD6: sb->paused = false; update_dreq(sb); break;
    case 0xD1: sb->speaker = true; break;
    case 0xD3: sb->speaker = false; break;
    case 0xD8: answer(sb, sb->speaker ? 0xFF : 0x00); break;
    case 0xD9: case 0xDA: sb->exit_after_block = true; break;
    case 0xE1: answer(sb, 4); answer(sb, 5); break;
    case 0xF2: sb->irq_status |= 1; sb->irqs++; irq(sb, true); break;
    case 0xF3: sb->irq_status |= 2; sb->irqs++; irq(sb, true); break;
    default: break; /* 0x10 direct output and unknown commands: ignored */
    }
}

static void dsp_write(sysdma_emu_sb16 *sb, uint8_t v)
{
    if (sb->need) {
        sb->params[sb->nparams++] = v;
        if (sb->nparams == sb->need) {
            sb->need = 0;
            run_command(sb);
        }
        return;
    }
    sb->cmd = v;
    sb->nparams = 0;
    sb->need = params_of(v);
    if (!sb->need)
        run_command(sb);
}

static void ack(sysdma_emu_sb16 *sb, uint8_t bit)
{
    sb->irq_status &= (uint8_t)~bit;
    if (!sb->irq_status)
        irq(sb, false);
}

static size_t on_dma(void *ctx, unsigned ch, sysdma_emu_xfer kind, uint8_t *buf, size_t units)
{
    sysdma_emu_sb16 *sb = ctx;
    if (!sb->active || sb->paused || ch != channel(sb))
        return SYSDMA_EMU_XFER_ABSENT; /* no transfer of its own: not on the bus */
    unsigned w = width(sb);
    size_t n = units;
    size_t due = (size_t)(sb->due_milli / 1000u) / w, left = sb->block_left / w;
    if (n > due)
        n = due;
    if (n > left)
        n = left;
    if (!n)
        return 0;
    size_t bytes = n * w;
    if (buf && kind == SYSDMA_EMU_XFER_READ && !sb->input) {
        if (sb->cfg.play)
            sb->cfg.play(sb->cfg.ctx, buf, bytes, &sb->fmt);
        sb->bytes_played += bytes;
    } else if (buf && kind == SYSDMA_EMU_XFER_WRITE && sb->input) {
        size_t got = sb->cfg.record ? sb->cfg.record(sb->cfg.ctx, buf, bytes, &sb->fmt) : 0;
        if (got < bytes)
            memset(buf + got, sb->fmt.is_signed ? 0x00 : 0x80, bytes - got);
        sb->bytes_recorded += bytes;
    }
    sb->due_milli -= (uint64_t)bytes * 1000u;
    sb->block_left -= (uint32_t)bytes;
    if (sb->block_left < w) {
        sb->irq_status |= sb->wide ? 2 : 1;
        sb->irqs++;
        irq(sb, true);
        if (sb->autoinit && !sb->exit_after_block)
            sb->block_left = sb->block_bytes;
        else
            stop(sb);
    }
    update_dreq(sb);
    return n;
}

bool sysdma_emu_sb16_init(sysdma_emu_sb16 *sb, sysdma_emu_i8237 *dma,
                          const sysdma_emu_sb16_config *cfg)
{
    if (!dma || !cfg || cfg->dma8 > 3 || cfg->dma16 < 5 || cfg->dma16 > 7 || cfg->irq > 15)
        return false;
    memset(sb, 0, sizeof *sb);
    sb->cfg = *cfg;
    sb->dma = dma;
    sysdma_emu_dma_device d = {on_dma, NULL, sb};
    sysdma_emu_i8237_attach(dma, cfg->dma8, &d);
    sysdma_emu_i8237_attach(dma, cfg->dma16, &d);
    dsp_reset(sb);
    /* Mixer: IRQ and DMA select as configured (plug-and-play defaults). */
    static const uint8_t irq_bits[16] = {[2] = 1, [5] = 2, [7] = 4, [10] = 8};
    sb->mixer[0x80] = irq_bits[cfg->irq];
    sb->mixer[0x81] = (uint8_t)((1u << cfg->dma8) | (1u << cfg->dma16));
    return true;
}

bool sysdma_emu_sb16_claims(const sysdma_emu_sb16 *sb, uint16_t port)
{
    return port >= sb->cfg.base && port < sb->cfg.base + 16u;
}

uint8_t sysdma_emu_sb16_inb(sysdma_emu_sb16 *sb, uint16_t port)
{
    switch ((uint16_t)(port - sb->cfg.base)) {
    case 0x5:
        if (sb->mixer_index == 0x82)
            return sb->irq_status;
        return sb->mixer[sb->mixer_index];
    case 0xA:
        if (sb->out_count) {
            sb->last_read = sb->out[sb->out_head];
            sb->out_head = (uint8_t)((sb->out_head + 1) % sizeof sb->out);
            sb->out_count--;
        }
        return sb->last_read;
    case 0xC:
        return 0x7F; /* bit 7 clear: ready for a command */
    case 0xE:
        ack(sb, 1);
        return sb->out_count ? 0xFF : 0x7F;
    case 0xF:
        ack(sb, 2);
        return 0xFF;
    default:
        return 0xFF;
    }
}

void sysdma_emu_sb16_outb(sysdma_emu_sb16 *sb, uint16_t port, uint8_t v)
{
    switch ((uint16_t)(port - sb->cfg.base)) {
    case 0x4:
        sb->mixer_index = v;
        break;
    case 0x5:
        if (sb->mixer_index == 0x00) { /* mixer reset keeps IRQ/DMA select */
            uint8_t i = sb->mixer[0x80], d = sb->mixer[0x81];
            memset(sb->mixer, 0, sizeof sb->mixer);
            sb->mixer[0x80] = i;
            sb->mixer[0x81] = d;
        } else if (sb->mixer_index != 0x82) {
            sb->mixer[sb->mixer_index] = v;
        }
        break;
    case 0x6:
        if ((sb->reset_latch & 1) && !(v & 1)) {
            dsp_reset(sb);
            answer(sb, 0xAA);
        }
        sb->reset_latch = v;
        break;
    case 0xC:
        dsp_write(sb, v);
        break;
    default:
        break;
    }
}

void sysdma_emu_sb16_advance(sysdma_emu_sb16 *sb, uint64_t ns)
{
    if (!sb->active || sb->paused)
        return;
    uint64_t bps = (uint64_t)sb->fmt.rate * sb->fmt.channels * (sb->fmt.bits / 8u);
    /* bytes × 1000 due = ns × bytes/s / 1e6, the remainder carried so the
     * rate is exact over any number of steps; capped at one block ahead. */
    uint64_t total = ns * bps + sb->due_rem;
    sb->due_milli += total / 1000000u;
    sb->due_rem = total % 1000000u;
    uint64_t cap = (uint64_t)(sb->block_bytes + 4) * 1000u;
    if (sb->due_milli > cap)
        sb->due_milli = cap;
    update_dreq(sb);
}
