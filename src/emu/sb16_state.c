/* SPDX-License-Identifier: MIT */
/*
 * Save states of the emulated Sound Blaster 16 (see docs/emulator.md,
 * "Save states", and state.h for the byte format).
 *
 * Saved: the DSP (reset latch, answer queue, command and parameters being
 * collected, speaker, rate, 0x48 block size), the transfer under way (its
 * format, block size and what is left of it, the bytes due and the time
 * remainder that paces them, pause and exit-auto-init flags), the interrupt
 * status, the mixer, and the byte and interrupt counters. Not saved: the
 * configuration (ports, channels, IRQ, the play/record callbacks and their
 * context) and the 8237 it is attached to, which the embedder passes to
 * sysdma_emu_sb16_init() as before.
 */
#include <string.h>

#include "sysdma/emu_sb16.h"
#include "state.h"

#define PAYLOAD (SYSDMA_EMU_SB16_SAVE_BYTES - SYSDMA__STATE_HEAD)
#define MAX_RATE 1000000u /* command 0x40 gives at most 1 MHz, 0x41/0x42 64 kHz */

sysdma_status sysdma_emu_sb16_save_state(const sysdma_emu_sb16 *sb, void *buf, size_t cap,
                                         size_t *written)
{
    if (!sb || !written || (!buf && cap))
        return SYSDMA_E_INVALID_ARGUMENT;
    *written = 0;
    if (!buf || cap < SYSDMA_EMU_SB16_SAVE_BYTES) {
        *written = SYSDMA_EMU_SB16_SAVE_BYTES;
        return SYSDMA_E_BUFFER_TOO_SMALL;
    }
    sysdma__state_wr w;
    sysdma__state_begin(&w, buf, cap);
    sysdma__state_u8(&w, sb->reset_latch);
    sysdma__state_bytes(&w, sb->out, sizeof sb->out);
    sysdma__state_u8(&w, sb->out_head);
    sysdma__state_u8(&w, sb->out_count);
    sysdma__state_u8(&w, sb->last_read);
    sysdma__state_u8(&w, sb->cmd);
    sysdma__state_bytes(&w, sb->params, sizeof sb->params);
    sysdma__state_u8(&w, sb->nparams);
    sysdma__state_u8(&w, sb->need);
    sysdma__state_u8(&w, sb->speaker);
    sysdma__state_u32(&w, sb->rate);
    sysdma__state_u16(&w, sb->block8);
    sysdma__state_u8(&w, sb->active);
    sysdma__state_u8(&w, sb->wide);
    sysdma__state_u8(&w, sb->autoinit);
    sysdma__state_u8(&w, sb->input);
    sysdma__state_u8(&w, sb->paused);
    sysdma__state_u8(&w, sb->exit_after_block);
    sysdma__state_u32(&w, sb->fmt.rate);
    sysdma__state_u8(&w, sb->fmt.bits);
    sysdma__state_u8(&w, sb->fmt.channels);
    sysdma__state_u8(&w, sb->fmt.is_signed);
    sysdma__state_u32(&w, sb->block_bytes);
    sysdma__state_u32(&w, sb->block_left);
    sysdma__state_u64(&w, sb->due_milli);
    sysdma__state_u64(&w, sb->due_rem);
    sysdma__state_u8(&w, sb->irq_status);
    sysdma__state_u8(&w, sb->mixer_index);
    sysdma__state_bytes(&w, sb->mixer, sizeof sb->mixer);
    sysdma__state_u64(&w, sb->bytes_played);
    sysdma__state_u64(&w, sb->bytes_recorded);
    sysdma__state_u64(&w, sb->irqs);
    *written = sysdma__state_end(&w, SYSDMA_EMU_SAVE_MODEL_SB16, SYSDMA_EMU_SB16_SAVE_VERSION);
    return *written == SYSDMA_EMU_SB16_SAVE_BYTES ? SYSDMA_OK : SYSDMA_E_STATE_CORRUPT;
}

/* Every field is one the card can hold between calls (sb16.c's rules). */
static bool sb16_ok(const sysdma_emu_sb16 *sb)
{
    if (sb->out_head >= sizeof sb->out || sb->out_count > sizeof sb->out)
        return false;
    if (sb->need > 3 || (sb->need ? sb->nparams >= sb->need : sb->nparams > 3))
        return false;
    if (sb->rate > MAX_RATE || sb->irq_status > 3 || sb->fmt.rate > MAX_RATE)
        return false;
    if ((sb->fmt.bits != 0 && sb->fmt.bits != 8 && sb->fmt.bits != 16) || sb->fmt.channels > 2)
        return false;
    if (sb->block_bytes > 2u * 65536u || sb->block_left > sb->block_bytes ||
        sb->due_rem >= 1000000u)
        return false;
    if (!sb->active)
        return sb->due_milli == 0;
    unsigned w = sb->wide ? 2u : 1u;
    return sb->fmt.bits == 8u * w && sb->fmt.channels >= 1 && sb->fmt.rate >= 1 &&
           sb->block_bytes >= w && sb->block_bytes % w == 0 && sb->block_left >= w &&
           sb->block_left % w == 0 && sb->due_milli <= (uint64_t)(sb->block_bytes + 4) * 1000u;
}

sysdma_status sysdma_emu_sb16_load_state(sysdma_emu_sb16 *sb, const void *buf, size_t len)
{
    if (!sb)
        return SYSDMA_E_INVALID_ARGUMENT;
    sysdma__state_rd r;
    sysdma_status st = sysdma__state_open(&r, buf, len, SYSDMA_EMU_SAVE_MODEL_SB16,
                                          SYSDMA_EMU_SB16_SAVE_VERSION, PAYLOAD);
    if (st != SYSDMA_OK)
        return st;
    sysdma_emu_sb16 t = *sb; /* configuration and 8237 stay the instance's */
    t.reset_latch = sysdma__state_get8(&r);
    sysdma__state_getn(&r, t.out, sizeof t.out);
    t.out_head = sysdma__state_get8(&r);
    t.out_count = sysdma__state_get8(&r);
    t.last_read = sysdma__state_get8(&r);
    t.cmd = sysdma__state_get8(&r);
    sysdma__state_getn(&r, t.params, sizeof t.params);
    t.nparams = sysdma__state_get8(&r);
    t.need = sysdma__state_get8(&r);
    t.speaker = sysdma__state_getb(&r);
    t.rate = sysdma__state_get32(&r);
    t.block8 = sysdma__state_get16(&r);
    t.active = sysdma__state_getb(&r);
    t.wide = sysdma__state_getb(&r);
    t.autoinit = sysdma__state_getb(&r);
    t.input = sysdma__state_getb(&r);
    t.paused = sysdma__state_getb(&r);
    t.exit_after_block = sysdma__state_getb(&r);
    t.fmt.rate = sysdma__state_get32(&r);
    t.fmt.bits = sysdma__state_get8(&r);
    t.fmt.channels = sysdma__state_get8(&r);
    t.fmt.is_signed = sysdma__state_getb(&r);
    t.block_bytes = sysdma__state_get32(&r);
    t.block_left = sysdma__state_get32(&r);
    t.due_milli = sysdma__state_get64(&r);
    t.due_rem = sysdma__state_get64(&r);
    t.irq_status = sysdma__state_get8(&r);
    t.mixer_index = sysdma__state_get8(&r);
    sysdma__state_getn(&r, t.mixer, sizeof t.mixer);
    t.bytes_played = sysdma__state_get64(&r);
    t.bytes_recorded = sysdma__state_get64(&r);
    t.irqs = sysdma__state_get64(&r);
    if (!sysdma__state_done(&r) || !sb16_ok(&t))
        return SYSDMA_E_STATE_CORRUPT;
    *sb = t;
    /* Drive the request lines as the state has them (sb16.c update_dreq):
     * an init made after the DMA pair's load lowered both. */
    if (sb->dma) {
        unsigned w = sb->wide ? 2u : 1u;
        bool want = sb->active && !sb->paused && sb->block_left >= w &&
                    sb->due_milli >= 1000u * w;
        sysdma_emu_i8237_dreq(sb->dma, sb->wide ? sb->cfg.dma8 : sb->cfg.dma16, false);
        sysdma_emu_i8237_dreq(sb->dma, sb->wide ? sb->cfg.dma16 : sb->cfg.dma8, want);
    }
    return SYSDMA_OK;
}
