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
    *d = (sb16_driver){*env, sys, base, {0, 0}};
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
