/* SPDX-License-Identifier: MIT */
/*
 * Save states of the emulated 8237A pair: its registers to and from the
 * endian-stable byte format of state.c (see docs/emulator.md, "Save
 * states"). A load decodes into a copy, has sysdma_emu_i8237_restore()
 * check every field against what the registers can hold, and only then
 * replaces the instance's state; memory, devices, hooks and statistics are
 * the instance's own and stay as they are.
 */
#include <string.h>

#include "state.h"

/* Payload of format version 1: per controller, per channel base address,
 * base count, current address, current count (u16 each) and mode; then
 * command, TC, request, mask, temporary, flip-flop, lowest priority and
 * active; then the 16 page latches, the DREQ lines and pending EOPs. */
#define PAYLOAD (SYSDMA_EMU_I8237_SAVE_BYTES - SYSDMA__STATE_HEAD)

sysdma_status sysdma_emu_i8237_save_state(const sysdma_emu_i8237 *e, void *buf, size_t cap,
                                          size_t *written)
{
    if (!e || !written || (!buf && cap))
        return SYSDMA_E_INVALID_ARGUMENT;
    *written = 0;
    if (e->in_service)
        return SYSDMA_E_WRONG_STATE;
    if (!buf || cap < SYSDMA_EMU_I8237_SAVE_BYTES) {
        *written = SYSDMA_EMU_I8237_SAVE_BYTES;
        return SYSDMA_E_BUFFER_TOO_SMALL;
    }
    sysdma__state_wr w;
    sysdma__state_begin(&w, buf, cap);
    for (unsigned c = 0; c < 2; c++) {
        const sysdma_emu_i8237_ctrl *k = &e->s.ctrl[c];
        for (unsigned i = 0; i < 4; i++) {
            const sysdma_emu_i8237_chan *ch = &k->ch[i];
            sysdma__state_u16(&w, ch->base_addr);
            sysdma__state_u16(&w, ch->base_count);
            sysdma__state_u16(&w, ch->cur_addr);
            sysdma__state_u16(&w, ch->cur_count);
            sysdma__state_u8(&w, ch->mode);
        }
        sysdma__state_u8(&w, k->command);
        sysdma__state_u8(&w, k->tc);
        sysdma__state_u8(&w, k->request);
        sysdma__state_u8(&w, k->mask);
        sysdma__state_u8(&w, k->temp);
        sysdma__state_u8(&w, k->flipflop);
        sysdma__state_u8(&w, k->lowest);
        sysdma__state_u8(&w, k->active);
    }
    sysdma__state_bytes(&w, e->s.page, sizeof e->s.page);
    sysdma__state_u8(&w, e->s.dreq);
    sysdma__state_u8(&w, e->s.eop);
    *written = sysdma__state_end(&w, SYSDMA_EMU_SAVE_MODEL_I8237, SYSDMA_EMU_I8237_SAVE_VERSION);
    return *written == SYSDMA_EMU_I8237_SAVE_BYTES ? SYSDMA_OK : SYSDMA_E_STATE_CORRUPT;
}

sysdma_status sysdma_emu_i8237_load_state(sysdma_emu_i8237 *e, const void *buf, size_t len)
{
    if (!e)
        return SYSDMA_E_INVALID_ARGUMENT;
    sysdma__state_rd r;
    sysdma_status st = sysdma__state_open(&r, buf, len, SYSDMA_EMU_SAVE_MODEL_I8237,
                                          SYSDMA_EMU_I8237_SAVE_VERSION, PAYLOAD);
    if (st != SYSDMA_OK)
        return st;
    if (e->in_service)
        return SYSDMA_E_WRONG_STATE;
    /* Fields this format does not carry keep the instance's values. */
    sysdma_emu_i8237_state s = e->s;
    s.version = SYSDMA_EMU_I8237_STATE_VERSION;
    for (unsigned c = 0; c < 2; c++) {
        sysdma_emu_i8237_ctrl *k = &s.ctrl[c];
        for (unsigned i = 0; i < 4; i++) {
            sysdma_emu_i8237_chan *ch = &k->ch[i];
            ch->base_addr = sysdma__state_get16(&r);
            ch->base_count = sysdma__state_get16(&r);
            ch->cur_addr = sysdma__state_get16(&r);
            ch->cur_count = sysdma__state_get16(&r);
            ch->mode = sysdma__state_get8(&r);
        }
        k->command = sysdma__state_get8(&r);
        k->tc = sysdma__state_get8(&r);
        k->request = sysdma__state_get8(&r);
        k->mask = sysdma__state_get8(&r);
        k->temp = sysdma__state_get8(&r);
        k->flipflop = sysdma__state_get8(&r);
        k->lowest = sysdma__state_get8(&r);
        k->active = sysdma__state_get8(&r);
    }
    sysdma__state_getn(&r, s.page, sizeof s.page);
    s.dreq = sysdma__state_get8(&r);
    s.eop = sysdma__state_get8(&r);
    if (!sysdma__state_done(&r))
        return SYSDMA_E_STATE_CORRUPT;
    /* restore() refuses any field a register cannot hold, changing nothing. */
    return sysdma_emu_i8237_restore(e, &s) ? SYSDMA_OK : SYSDMA_E_STATE_CORRUPT;
}
