/* SPDX-License-Identifier: MIT */
/* PCM WAV writer and reader (see include/sysdma/emu_wav.h). */
#include "sysdma/emu_wav.h"

#include <stdlib.h>
#include <string.h>

static void le32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

static void le16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static void header(uint8_t h[44], const sysdma_emu_sb16_format *fmt, uint32_t data)
{
    uint16_t block = (uint16_t)(fmt->channels * (fmt->bits / 8u));
    memcpy(h, "RIFF", 4);
    le32(h + 4, 36 + data);
    memcpy(h + 8, "WAVEfmt ", 8);
    le32(h + 16, 16);
    le16(h + 20, 1); /* PCM */
    le16(h + 22, fmt->channels);
    le32(h + 24, fmt->rate);
    le32(h + 28, fmt->rate * block);
    le16(h + 32, block);
    le16(h + 34, fmt->bits);
    memcpy(h + 36, "data", 4);
    le32(h + 40, data);
}

bool sysdma_emu_wav_create(sysdma_emu_wav *w, const char *path, const sysdma_emu_sb16_format *fmt)
{
    memset(w, 0, sizeof *w);
    w->f = fopen(path, "wb");
    if (!w->f)
        return false;
    w->fmt = *fmt;
    uint8_t h[44];
    header(h, fmt, 0);
    return fwrite(h, 1, sizeof h, w->f) == sizeof h;
}

bool sysdma_emu_wav_write(sysdma_emu_wav *w, const void *pcm, size_t bytes)
{
    if (!w->f || fwrite(pcm, 1, bytes, w->f) != bytes)
        return false;
    w->data_bytes += (uint32_t)bytes;
    return true;
}

bool sysdma_emu_wav_close(sysdma_emu_wav *w)
{
    if (!w->f)
        return false;
    uint8_t h[44];
    header(h, &w->fmt, w->data_bytes);
    bool ok = fseek(w->f, 0, SEEK_SET) == 0 && fwrite(h, 1, sizeof h, w->f) == sizeof h;
    ok = fclose(w->f) == 0 && ok;
    w->f = NULL;
    return ok;
}

void sysdma_emu_wav_sink(void *ctx, const uint8_t *pcm, size_t bytes,
                         const sysdma_emu_sb16_format *fmt)
{
    sysdma_emu_wav *w = ctx;
    if (w->f && w->data_bytes == 0)
        w->fmt = *fmt; /* the first format played is the file's */
    sysdma_emu_wav_write(w, pcm, bytes);
}

bool sysdma_emu_wav_load(const char *path, sysdma_emu_sb16_format *fmt, uint8_t **data,
                         size_t *bytes)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return false;
    uint8_t h[12];
    bool ok = fread(h, 1, 12, f) == 12 && !memcmp(h, "RIFF", 4) && !memcmp(h + 8, "WAVE", 4);
    bool have_fmt = false;
    *data = NULL;
    while (ok) {
        uint8_t c[8];
        if (fread(c, 1, 8, f) != 8)
            break;
        uint32_t n = (uint32_t)c[4] | (uint32_t)c[5] << 8 | (uint32_t)c[6] << 16 |
                     (uint32_t)c[7] << 24;
        if (!memcmp(c, "fmt ", 4) && n >= 16 && n < 1024) {
            uint8_t b[1024];
            ok = fread(b, 1, n, f) == n;
            fmt->channels = b[2];
            fmt->rate = (uint32_t)b[4] | (uint32_t)b[5] << 8 | (uint32_t)b[6] << 16 |
                        (uint32_t)b[7] << 24;
            fmt->bits = b[14];
            fmt->is_signed = fmt->bits == 16;
            have_fmt = true;
        } else if (!memcmp(c, "data", 4) && have_fmt && n < (1u << 30)) {
            *data = malloc(n ? n : 1);
            ok = *data && fread(*data, 1, n, f) == n;
            *bytes = n;
            break;
        } else {
            ok = fseek(f, n, SEEK_CUR) == 0;
        }
    }
    fclose(f);
    if (!ok || !*data) {
        free(*data);
        *data = NULL;
        return false;
    }
    return true;
}
