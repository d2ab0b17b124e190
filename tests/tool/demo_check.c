/* SPDX-License-Identifier: MIT */
/*
 * Checks what `sysdma demo` leaves behind:
 *   demo_check image FILE SEED LBA COUNT  — the written sectors hold the
 *       demo's pattern and every other sector its formatted contents;
 *   demo_check wav FILE SECONDS BITS       — a stereo 22050 Hz WAV of that
 *       sample size holding about SECONDS of a 440 Hz tone (zero crossings
 *       and peak level of each channel), exactly as long as asked;
 *   demo_check wavlen FILE SECONDS BITS    — only that it is exactly as long
 *       as asked: floor(SECONDS * 22050) stereo frames.
 * Exit 0 when it holds, 1 (with the reason) when not, 2 for usage.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DISK 1474560u
#define SECTOR 512u

static int fail(const char *why)
{
    fprintf(stderr, "demo_check: %s\n", why);
    return 1;
}

static unsigned char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *b = n > 0 ? malloc((size_t)n) : NULL;
    if (b && fread(b, 1, (size_t)n, f) != (size_t)n) {
        free(b);
        b = NULL;
    }
    fclose(f);
    *len = b ? (size_t)n : 0;
    return b;
}

static int check_image(const char *path, uint32_t seed, uint32_t lba, uint32_t count)
{
    size_t n;
    unsigned char *img = slurp(path, &n);
    if (!img || n != DISK)
        return fail("image missing or not 1474560 bytes");
    for (uint32_t k = 0; k < DISK; k++) {
        uint32_t s = k / SECTOR, i = k % SECTOR;
        uint8_t want = s >= lba && s < lba + count ? (uint8_t)(s * 7u + i * 13u + seed * 101u + 1u)
                                                   : (uint8_t)(s + i);
        if (img[k] != want) {
            fprintf(stderr, "demo_check: image byte %u (sector %u) is %u, want %u\n", k, s,
                    img[k], want);
            free(img);
            return 1;
        }
    }
    free(img);
    printf("image: sectors %u-%u hold what was written, the rest is untouched\n", lba,
           lba + count - 1);
    return 0;
}

static uint32_t u32(const unsigned char *p) { return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24; }
static uint16_t u16(const unsigned char *p) { return (uint16_t)(p[0] | p[1] << 8); }

static int check_wav(const char *path, double seconds, unsigned bits, bool length_only)
{
    size_t n;
    unsigned char *w = slurp(path, &n);
    if (!w || n < 44 || memcmp(w, "RIFF", 4) || memcmp(w + 8, "WAVE", 4))
        return fail("not a RIFF/WAVE file");
    size_t off = 12;
    const unsigned char *fmt = NULL, *data = NULL;
    uint32_t data_len = 0;
    while (off + 8 <= n) {
        uint32_t len = u32(w + off + 4);
        if (!memcmp(w + off, "fmt ", 4))
            fmt = w + off + 8;
        if (!memcmp(w + off, "data", 4)) {
            data = w + off + 8;
            data_len = len <= n - off - 8 ? len : (uint32_t)(n - off - 8);
        }
        off += 8 + len + (len & 1);
    }
    if (!fmt || !data)
        return fail("no fmt or data chunk");
    unsigned ch = u16(fmt + 2), rate = u32(fmt + 4), b = u16(fmt + 14);
    if (ch != 2 || rate != 22050 || b != bits) {
        fprintf(stderr, "demo_check: format %u ch %u Hz %u bits, want 2 ch 22050 Hz %u bits\n", ch,
                rate, b, bits);
        return 1;
    }
    uint32_t frames = data_len / (2 * (bits / 8));
    double got_s = (double)frames / rate;
    uint32_t want = (uint32_t)(seconds * 22050.0);
    if (frames != want || data_len % (2 * (bits / 8))) {
        fprintf(stderr, "demo_check: %u frames (%u bytes, %.4f s) of audio, want %u (%.4f s)\n",
                frames, data_len, got_s, want, seconds);
        free(w);
        return 1;
    }
    if (length_only) {
        printf("wav: %u frames, %.4f s\n", frames, got_s);
        free(w);
        return 0;
    }
    for (unsigned c = 0; c < 2; c++) {
        long crossings = 0;
        double peak = 0, prev = 0;
        uint32_t tone_frames = (uint32_t)(seconds * rate);
        for (uint32_t f = 0; f < tone_frames; f++) {
            const unsigned char *p = data + (size_t)f * 2 * (bits / 8) + c * (bits / 8);
            double v = bits == 16 ? (double)(int16_t)u16(p) / 32768.0 : ((double)p[0] - 128.0) / 128.0;
            if (f && ((prev < 0 && v >= 0) || (prev >= 0 && v < 0)))
                crossings++;
            if (v > peak)
                peak = v;
            prev = v;
        }
        double hz = crossings / 2.0 / seconds;
        if (hz < 430 || hz > 450 || peak < 0.55 || peak > 0.65) {
            fprintf(stderr, "demo_check: channel %u: %.1f Hz, peak %.2f (want 440 Hz, 0.6)\n", c,
                    hz, peak);
            return 1;
        }
        printf("wav: channel %u: %.1f Hz tone, peak %.2f, %.3f s\n", c, hz, peak, got_s);
    }
    free(w);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 6 && !strcmp(argv[1], "image"))
        return check_image(argv[2], (uint32_t)strtoul(argv[3], NULL, 0),
                           (uint32_t)strtoul(argv[4], NULL, 0), (uint32_t)strtoul(argv[5], NULL, 0));
    if (argc == 5 && (!strcmp(argv[1], "wav") || !strcmp(argv[1], "wavlen")))
        return check_wav(argv[2], strtod(argv[3], NULL), (unsigned)atoi(argv[4]),
                         !strcmp(argv[1], "wavlen"));
    fprintf(stderr, "usage: demo_check image FILE SEED LBA COUNT | wav|wavlen FILE SECONDS BITS\n");
    return 2;
}
