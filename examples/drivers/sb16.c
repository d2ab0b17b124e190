/* SPDX-License-Identifier: MIT */
/*
 * Example Sound Blaster 16 playback driver over the sysdma adapter API (see
 * sb16.h): AllocateCommonBuffer, an adapter described with
 * auto-initialize, AllocateAdapterChannel, one MapTransfer of the whole
 * common buffer, then the DSP's block interrupts refill the halves until
 * the source is done; FlushAdapterBuffers and FreeAdapterChannel at the end.
 */
#include "sb16.h"

#include "freestanding.h"

enum { RESET = 0x6, READ = 0xA, WRITE = 0xC, RSTATUS = 0xE, ACK16 = 0xF };

static bool dsp_write(sb16_driver *d, uint8_t v)
{
    for (int k = 0; k < 100000; k++) {
        if (!(d->env.inb(d->env.ctx, (uint16_t)(d->base + WRITE)) & 0x80)) {
            d->env.outb(d->env.ctx, (uint16_t)(d->base + WRITE), v);
            return true;
        }
    }
    return false;
}

static bool dsp_read(sb16_driver *d, uint8_t *v)
{
    for (int k = 0; k < 100000; k++) {
        if (d->env.inb(d->env.ctx, (uint16_t)(d->base + RSTATUS)) & 0x80) {
            *v = d->env.inb(d->env.ctx, (uint16_t)(d->base + READ));
            return true;
        }
    }
    return false;
}

sysdma_status sb16_open(sb16_driver *d, sysdma_system *sys, const sb16_env *env, uint16_t base)
{
    if (!d || !sys || !env)
        return SYSDMA_E_INVALID_ARGUMENT;
    *d = (sb16_driver){*env, sys, base, {0, 0}, false};
    d->env.outb(d->env.ctx, (uint16_t)(base + RESET), 1);
    d->env.delay(d->env.ctx, 10);
    d->env.outb(d->env.ctx, (uint16_t)(base + RESET), 0);
    uint8_t v = 0;
    if (!dsp_read(d, &v) || v != 0xAA)
        return SYSDMA_E_DEVICE;
    if (!dsp_write(d, 0xE1) || !dsp_read(d, &d->version[0]) || !dsp_read(d, &d->version[1]))
        return SYSDMA_E_DEVICE;
    return d->version[0] >= 4 ? SYSDMA_OK : SYSDMA_E_NOT_SUPPORTED;
}

static sysdma_allocation_action on_channel(void *device, sysdma_map_registers *regs, void *ctx)
{
    (void)device;
    (void)regs;
    *(bool *)ctx = true;
    return SYSDMA_KEEP_OBJECT;
}

/* Fill one half from the source; silence (0x80 for unsigned 8-bit, 0 for
 * signed 16-bit) where it falls short. Returns whether it holds any data. */
static bool fill(uint8_t *half, uint32_t bytes, uint8_t bits, sb16_source_fn source, void *ctx,
                 uint64_t *left, sb16_stats *st)
{
    uint32_t want = *left < bytes ? (uint32_t)*left : bytes;
    uint32_t got = want ? source(ctx, half, want) : 0;
    if (got > want)
        got = want;
    if (got < want)
        st->underruns++;
    *left -= got;
    st->bytes += got;
    memset(half + got, bits == 8 ? 0x80 : 0, bytes - got);
    return got > 0;
}

/* Playback (source) or recording (sink) through a two-half common buffer. */
static sysdma_status stream(sb16_driver *d, const sb16_format *fmt, uint32_t buffer_bytes,
                            uint64_t total_bytes, sb16_source_fn source, sb16_sink_fn sink,
                            void *source_ctx, sb16_stats *stats)
{
    bool input = sink != NULL;
    if (!d || !fmt || (!source && !sink) || !stats || (fmt->bits != 8 && fmt->bits != 16) ||
        (fmt->channels != 1 && fmt->channels != 2) || fmt->rate < 5000 || fmt->rate > 44100 ||
        buffer_bytes < 64 || buffer_bytes % 4)
        return SYSDMA_E_INVALID_ARGUMENT;
    *stats = (sb16_stats){0};
    bool wide = fmt->bits == 16;
    sysdma_device_description desc = {0};
    desc.version = 2;
    desc.auto_initialize = true;
    desc.channel = wide ? 5 : 1;
    desc.width = wide ? SYSDMA_WIDTH_16 : SYSDMA_WIDTH_8;
    desc.interface_type = SYSDMA_INTERFACE_ISA;
    desc.maximum_length = buffer_bytes;
    sysdma_adapter *a;
    sysdma_status st = sysdma_adapter_get(d->sys, &desc, &a, NULL);
    if (st != SYSDMA_OK)
        return st;
    void *va;
    uint64_t logical;
    st = sysdma_common_buffer_allocate(a, buffer_bytes, true, &va, &logical);
    if (st != SYSDMA_OK) {
        sysdma_adapter_put(a);
        return st;
    }
    uint8_t *buf = va;
    uint32_t half = buffer_bytes / 2;
    uint64_t left = total_bytes;
    bool has_data[2] = {false, false};
    if (!input) {
        has_data[0] = fill(buf, half, fmt->bits, source, source_ctx, &left, stats);
        has_data[1] = fill(buf + half, half, fmt->bits, source, source_ctx, &left, stats);
    }

    sysdma_mdl *mdl = NULL;
    bool granted = false;
    st = sysdma_mdl_create(d->sys, buf, buffer_bytes, &mdl);
    if (st == SYSDMA_OK)
        st = sysdma_channel_allocate(a, d, 0, on_channel, &granted);
    if (st == SYSDMA_OK && !granted)
        st = SYSDMA_E_WRONG_STATE;
    uint32_t len = buffer_bytes;
    if (st == SYSDMA_OK)
        st = sysdma_map_transfer(a, mdl, NULL, buf, &len, !input, NULL); /* auto-initialize */
    if (st == SYSDMA_OK) {
        uint32_t units = wide ? half / 2 : half; /* the DSP counts words for 16-bit */
        uint8_t mode = (uint8_t)((wide ? 0x10 : 0x00) | (fmt->channels == 2 ? 0x20 : 0x00));
        /* Output: speaker on, output rate, 0xB6/0xC6; input: input rate,
         * 0xBE/0xCE (bit 3 = input). */
        if ((!input && !dsp_write(d, 0xD1)) || !dsp_write(d, input ? 0x42 : 0x41) ||
            !dsp_write(d, (uint8_t)(fmt->rate >> 8)) || !dsp_write(d, (uint8_t)fmt->rate) ||
            !dsp_write(d, (uint8_t)((wide ? 0xB6 : 0xC6) | (input ? 0x08 : 0))) ||
            !dsp_write(d, mode) || !dsp_write(d, (uint8_t)(units - 1)) ||
            !dsp_write(d, (uint8_t)((units - 1) >> 8)))
            st = SYSDMA_E_DEVICE;
    }
    /* Each interrupt: one half has been played. Which one: the DMA counter
     * says where the controller is now; refill the other. Play until the
     * source has given everything and every half holding its data has been
     * played (a late source costs silence, never data). */
    sysdma_position pos;
    sysdma_position_init(&pos, buffer_bytes);
    /* Twice a block's playing time, in 32-bit arithmetic (no 64-bit
     * division helpers in a kernel). */
    uint32_t bytes_per_ms = fmt->rate * (fmt->bits / 8u) * fmt->channels / 1000u;
    uint32_t timeout_us = half / (bytes_per_ms ? bytes_per_ms : 1) * 2000u + 500000u;
    while (st == SYSDMA_OK && (left || has_data[0] || has_data[1])) {
        if (!d->env.wait_irq(d->env.ctx, timeout_us)) {
            st = SYSDMA_E_TIMEOUT;
            break;
        }
        d->env.inb(d->env.ctx, (uint16_t)(d->base + (wide ? ACK16 : RSTATUS))); /* acknowledge */
        stats->blocks++;
        /* Two counter samples back to back: the controller moves a few
         * bytes between them at most, so a second one behind the first by
         * up to half the buffer is a counter that went backwards (further
         * behind: it wrapped at the end of the buffer). Such a sample is
         * counted and not used. */
        uint32_t residue = sysdma_read_dma_counter(a);
        uint32_t again = sysdma_read_dma_counter(a);
        uint32_t first = residue >= buffer_bytes ? 0 : buffer_bytes - residue;
        uint32_t second = again >= buffer_bytes ? 0 : buffer_bytes - again;
        if (second < first && first - second <= buffer_bytes / 2)
            stats->backwards++;
        else
            residue = again;
        sysdma_position_update(&pos, residue);
        stats->position = pos.position;
        stats->wraps = pos.wraps;
        uint32_t at = residue >= buffer_bytes ? 0 : buffer_bytes - residue;
        unsigned done = at >= half ? 0 : 1; /* the half not playing now */
        if (input) {
            uint32_t n = left < half ? (uint32_t)left : half;
            sink(source_ctx, buf + done * half, n);
            left -= n;
            stats->bytes += n;
        } else {
            has_data[done] = fill(buf + done * half, half, fmt->bits, source, source_ctx, &left, stats);
        }
    }
    /* Stop: leave auto-init (the current block ends), take its interrupt,
     * speaker off, stop the channel. */
    dsp_write(d, wide ? 0xD9 : 0xDA);
    if (st == SYSDMA_OK && d->env.wait_irq(d->env.ctx, timeout_us))
        d->env.inb(d->env.ctx, (uint16_t)(d->base + (wide ? ACK16 : RSTATUS)));
    dsp_write(d, 0xD3);
    if (granted) {
        sysdma_flush_adapter_buffers(a, mdl, NULL, buf, buffer_bytes, !input);
        sysdma_channel_free(a);
    }
    if (mdl)
        sysdma_mdl_free(d->sys, mdl);
    sysdma_common_buffer_free(a, buffer_bytes, logical, va, true);
    sysdma_adapter_put(a);
    return st;
}

sysdma_status sb16_play(sb16_driver *d, const sb16_format *fmt, uint32_t buffer_bytes,
                        uint64_t total_bytes, sb16_source_fn source, void *source_ctx,
                        sb16_stats *stats)
{
    if (!source)
        return SYSDMA_E_INVALID_ARGUMENT;
    return stream(d, fmt, buffer_bytes, total_bytes, source, NULL, source_ctx, stats);
}

sysdma_status sb16_record(sb16_driver *d, const sb16_format *fmt, uint32_t buffer_bytes,
                          uint64_t total_bytes, sb16_sink_fn sink, void *sink_ctx,
                          sb16_stats *stats)
{
    if (!sink)
        return SYSDMA_E_INVALID_ARGUMENT;
    return stream(d, fmt, buffer_bytes, total_bytes, NULL, sink, sink_ctx, stats);
}

/* ---- Scattered single-cycle playback (see sb16.h) ------------------------------------ */

enum { MIXER_INDEX = 0x4, MIXER_DATA = 0x5, IRQ_STATUS = 0x82 };

static void list_ready(void *device, sysdma_sg_list *list, void *ctx)
{
    (void)device;
    ((sb16_sg_play *)ctx)->list = list;
}

static void run_done(sysdma_adapter *a, sysdma_sg_list *list, sysdma_status st, void *ctx)
{
    (void)a;
    (void)list;
    sb16_sg_play *p = ctx;
    p->status = st;
    p->done = true;
}

/* The DSP's single-cycle output block for list element `k`: speaker on
 * (an emulator may turn it off at the end of a single-cycle block), then
 * 0xC0 (8-bit) or 0xB0 (16-bit) with the mode and the element's length in
 * samples − 1. */
static bool dsp_block(sb16_sg_play *p, uint32_t k)
{
    sb16_driver *d = p->d;
    uint32_t units = p->list->elements[k].length / (p->wide ? 2u : 1u);
    uint8_t mode = (uint8_t)((p->wide ? 0x10 : 0x00) | (p->stereo ? 0x20 : 0x00));
    return dsp_write(d, 0xD1) && dsp_write(d, p->wide ? 0xB0 : 0xC0) && dsp_write(d, mode) &&
           dsp_write(d, (uint8_t)(units - 1)) && dsp_write(d, (uint8_t)((units - 1) >> 8));
}

sysdma_status sb16_sg_start(sb16_driver *d, sb16_sg_play *p, const sb16_format *fmt, void *buf,
                            uint32_t bytes)
{
    if (!d || !p || !fmt || !buf || (fmt->bits != 8 && fmt->bits != 16) ||
        (fmt->channels != 1 && fmt->channels != 2) || fmt->rate < 5000 || fmt->rate > 44100 ||
        bytes == 0 || bytes % (fmt->bits / 8u * fmt->channels))
        return SYSDMA_E_INVALID_ARGUMENT;
    *p = (sb16_sg_play){0};
    p->d = d;
    p->buf = buf;
    p->bytes = bytes;
    p->wide = fmt->bits == 16;
    p->stereo = fmt->channels == 2;
    p->status = SYSDMA_PENDING;
    sysdma_device_description desc = {0};
    desc.version = 2;
    desc.scatter_gather = true; /* a pause between blocks is fine: chained runs */
    desc.channel = p->wide ? 5 : 1;
    desc.width = p->wide ? SYSDMA_WIDTH_16 : SYSDMA_WIDTH_8;
    desc.interface_type = SYSDMA_INTERFACE_ISA;
    desc.maximum_length = bytes;
    sysdma_status st = sysdma_adapter_get(d->sys, &desc, &p->adapter, NULL);
    if (st != SYSDMA_OK)
        return st;
    st = sysdma_mdl_create(d->sys, buf, bytes, &p->mdl);
    if (st == SYSDMA_OK) {
        sysdma_flush_io_buffers(d->sys, p->mdl, false);
        st = sysdma_sg_get(p->adapter, d, p->mdl, buf, bytes, list_ready, p, true);
    }
    if (st == SYSDMA_PENDING || (st == SYSDMA_OK && !p->list)) {
        /* Another driver holds the channel: wait a while for the list. */
        for (int k = 0; !p->list && k < 1000; k++)
            d->env.delay(d->env.ctx, 1000);
        st = p->list ? SYSDMA_OK : SYSDMA_E_BUSY;
    }
    if (st == SYSDMA_OK)
        st = sysdma_sg_start(p->adapter, p->list, true, run_done, p);
    if (st == SYSDMA_PENDING)
        st = SYSDMA_OK; /* queued behind another run: the card's requests wait
                         * until the runner programs the channel */
    if (st == SYSDMA_OK &&
        (!dsp_write(d, 0x41) || !dsp_write(d, (uint8_t)(fmt->rate >> 8)) ||
         !dsp_write(d, (uint8_t)fmt->rate) || !dsp_block(p, 0))) {
        sysdma_sg_cancel(p->adapter, p->list);
        st = SYSDMA_E_DEVICE;
    }
    if (st != SYSDMA_OK) {
        if (p->list)
            sysdma_sg_put(p->adapter, p->list, true);
        if (p->mdl)
            sysdma_mdl_free(d->sys, p->mdl);
        sysdma_adapter_put(p->adapter);
        *p = (sb16_sg_play){0};
        p->status = st;
    }
    return st;
}

bool sb16_sg_interrupt(sb16_sg_play *p)
{
    sb16_driver *d = p->d;
    d->env.outb(d->env.ctx, (uint16_t)(d->base + MIXER_INDEX), IRQ_STATUS);
    uint8_t why = d->env.inb(d->env.ctx, (uint16_t)(d->base + MIXER_DATA));
    if (!(why & (p->wide ? 2 : 1))) {
        p->spurious++; /* not the card's block end: touch nothing */
        return false;
    }
    d->env.inb(d->env.ctx, (uint16_t)(d->base + (p->wide ? ACK16 : RSTATUS))); /* acknowledge */
    unsigned ch = p->wide ? 5 : 1;
    if (!sysdma_channel_check(d->sys, 1u << ch)) {
        /* No terminal count in the status register. The card's block
         * length is the element's, and its interrupt status said the block
         * ended: where the 8237 does not latch the card's terminal count
         * (an emulator), that count may stand in, if the driver was told. */
        if (!d->trust_block_count || p->done || p->element >= p->list->count ||
            !sysdma_channel_device_done(d->sys, ch, p->list->elements[p->element].length)) {
            p->unconfirmed++; /* nothing advances */
            return true;
        }
        p->device_counted++;
    }
    p->blocks++;
    p->element++;
    if (!p->done && p->element < p->list->count && !dsp_block(p, p->element))
        sysdma_sg_cancel(p->adapter, p->list);
    return true;
}

sysdma_status sb16_sg_finish(sb16_sg_play *p)
{
    if (!p || !p->adapter)
        return SYSDMA_E_INVALID_ARGUMENT;
    sb16_driver *d = p->d;
    dsp_write(d, 0xD3);
    if (!p->done)
        sysdma_sg_cancel(p->adapter, p->list);
    sysdma_status st = p->done ? p->status : SYSDMA_E_WRONG_STATE;
    sysdma_sg_put(p->adapter, p->list, true);
    sysdma_mdl_free(d->sys, p->mdl);
    sysdma_adapter_put(p->adapter);
    p->adapter = NULL;
    return st;
}

sysdma_status sb16_play_scattered(sb16_driver *d, const sb16_format *fmt, void *buf,
                                  uint32_t bytes, sb16_sg_play *p)
{
    sysdma_status st = sb16_sg_start(d, p, fmt, buf, bytes);
    if (st != SYSDMA_OK)
        return st;
    /* The longest element's playing time twice, and half a second more. */
    uint32_t bytes_per_ms = fmt->rate * (fmt->bits / 8u) * fmt->channels / 1000u;
    uint32_t timeout_us = 65536u / (bytes_per_ms ? bytes_per_ms : 1) * 2000u + 500000u;
    while (!p->done) {
        if (!d->env.wait_irq(d->env.ctx, timeout_us))
            break;
        sb16_sg_interrupt(p);
    }
    st = sb16_sg_finish(p);
    return p->done ? st : SYSDMA_E_TIMEOUT;
}
