/* SPDX-License-Identifier: MIT */
/*
 * Check that a WAV file recorded by QEMU's SB16 holds the waveform the
 * bare-metal kernel played (the same function as kmain.c's wave()):
 * somewhere in the data, `frames` consecutive frames equal to the waveform
 * from frame 0 on. Leading and trailing silence are allowed; anything
 * missing, repeated or changed inside the run is not.
 * The file may have more channels than was played: QEMU's WAV output
 * duplicates a mono voice into each of its channels.
 * usage: wavcheck FILE BITS CHANNELS FRAMES FILE_CHANNELS
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

int main(int argc, char **argv)
{
    if (argc != 6) {
        fprintf(stderr, "usage: wavcheck FILE BITS CHANNELS FRAMES FILE_CHANNELS\n");
        return 2;
    }
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
    for (size_t start = 0; start + (size_t)frames <= total; start++) {
        long k = 0;
        for (; k < frames; k++) {
            int ok = 1;
            for (unsigned c = 0; c < ch && ok; c++) {
                const uint8_t *p = file + data + (start + (size_t)k) * fs + c * bps;
                uint32_t v = bps == 2 ? (uint32_t)(p[0] | p[1] << 8) : p[0];
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
