/* SPDX-License-Identifier: MIT */
/*
 * Check that a WAV file recorded by QEMU's SB16 holds the waveform the
 * bare-metal kernel played (the same function as kmain.c's wave()):
 * somewhere in the data, `frames` consecutive frames equal to the waveform
 * from frame 0 on. Leading and trailing silence are allowed; anything
 * missing, repeated or changed inside the run is not.
 * The file may have more channels than was played: QEMU's WAV output
 * duplicates a mono voice into each of its channels.
 * With a sixth argument `gaps`, silent frames (every channel 0x80 for
 * 8-bit, 0 for 16-bit) may also stand between the waveform's frames: QEMU
 * writes silence while its SB16 is idle between two single-cycle blocks.
 * The waveform's frames must still all be there, in order, unchanged.
 * usage: wavcheck FILE BITS CHANNELS FRAMES FILE_CHANNELS [gaps]
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint32_t wave(uint32_t f, uint32_t c, unsigned bits)
{
    uint32_t v = f * 97u + c * 5000u;
    return bits == 16 ? (uint16_t)(v * 13u) : (uint8_t)(v >> 1);
}

static uint32_t sample(const uint8_t *p, unsigned bps)
{
    return bps == 2 ? (uint32_t)(p[0] | p[1] << 8) : p[0];
}

/* Frame `at` of the file equals waveform frame k (0) or is silent (1) or
 * neither (-1); a frame that is both counts as the waveform's. */
static int frame_is(const uint8_t *d, size_t at, unsigned bits, unsigned played, unsigned ch, long k)
{
    unsigned bps = bits / 8;
    int wav = 1, quiet = 1;
    uint32_t silence = bits == 8 ? 0x80 : 0;
    for (unsigned c = 0; c < ch; c++) {
        uint32_t v = sample(d + (at * ch + c) * bps, bps);
        wav &= v == wave((uint32_t)k, played == 1 ? 0 : c, bits);
        quiet &= v == silence;
    }
    return wav ? 0 : quiet ? 1 : -1;
}

/* From the first frame equal to the waveform's frame 0: each file frame
 * is the next waveform frame, or silence. A silent-valued waveform frame
 * taken as the waveform's when it was an inserted silence is corrected
 * once the real frame follows. */
static int check_with_gaps(const uint8_t *d, size_t total, unsigned bits, unsigned played,
                           unsigned ch, long frames)
{
    for (size_t start = 0; start < total; start++) {
        if (frame_is(d, start, bits, played, ch, 0) != 0)
            continue;
        long k = 0;
        size_t silent = 0, runs = 0;
        int in_gap = 0;
        for (size_t at = start; at < total && k < frames; at++) {
            int w = frame_is(d, at, bits, played, ch, k);
            if (w == 0) {
                k++;
                in_gap = 0;
            } else if (w == 1) {
                silent++;
                runs += !in_gap;
                in_gap = 1;
            } else if (k > 0 && frame_is(d, at, bits, played, ch, k - 1) == 0) {
                silent++; /* the frame taken for k - 1 was an inserted silence */
            } else {
                break;
            }
        }
        if (k == frames) {
            printf("wavcheck: all %ld frames found in order from frame %zu, with %zu silent frames "
                   "in %zu gaps between them\n", frames, start, silent, runs);
            return 0;
        }
    }
    fprintf(stderr, "wavcheck: the waveform's %ld frames are not in order in the file (silence "
                    "allowed between them)\n", frames);
    return 1;
}

int main(int argc, char **argv)
{
    if (argc != 6 && !(argc == 7 && strcmp(argv[6], "gaps") == 0)) {
        fprintf(stderr, "usage: wavcheck FILE BITS CHANNELS FRAMES FILE_CHANNELS [gaps]\n");
        return 2;
    }
    int gaps = argc == 7;
    unsigned bits = (unsigned)atoi(argv[2]), played = (unsigned)atoi(argv[3]);
    unsigned ch = (unsigned)atoi(argv[5]);
    long frames = atol(argv[4]);
    FILE *f = fopen(argv[1], "rb");
    if (!f) {
        perror(argv[1]);
        return 1;
    }
    static uint8_t file[64 << 20];
    size_t n = fread(file, 1, sizeof file, f);
    fclose(f);
    size_t at = 12, data = 0, len = 0;
    while (at + 8 <= n) {
        uint32_t sz = (uint32_t)file[at + 4] | (uint32_t)file[at + 5] << 8 |
                      (uint32_t)file[at + 6] << 16 | (uint32_t)file[at + 7] << 24;
        if (memcmp(file + at, "data", 4) == 0) {
            data = at + 8;
            len = n - data < sz ? n - data : sz;
            break;
        }
        at += 8 + sz;
    }
    if (!data) {
        fprintf(stderr, "wavcheck: no data chunk\n");
        return 1;
    }
    unsigned bps = bits / 8, fs = bps * ch;
    size_t total = len / fs;
    if (gaps)
        return check_with_gaps(file + data, total, bits, played, ch, frames);
    for (size_t start = 0; start + (size_t)frames <= total; start++) {
        long k = 0;
        for (; k < frames; k++) {
            int ok = 1;
            for (unsigned c = 0; c < ch && ok; c++) {
                uint32_t v = sample(file + data + (start + (size_t)k) * fs + c * bps, bps);
                ok = v == wave((uint32_t)k, played == 1 ? 0 : c, bits);
            }
            if (!ok)
                break;
        }
        if (k == frames) {
            printf("wavcheck: all %ld frames found in order at frame %zu of %zu\n", frames, start, total);
            return 0;
        }
    }
    fprintf(stderr, "wavcheck: the waveform's %ld frames are not in %s (%zu frames)\n", frames, argv[1],
            total);
    return 1;
}
