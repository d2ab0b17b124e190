/* SPDX-License-Identifier: MIT */
/*
 * PCM WAV files for the emulated sound card: a writer the simulated PC uses
 * as the SB16's sink (what the card played ends up in a file a person can
 * listen to) and a reader for recording sources and for tests. User space
 * only (stdio).
 */
#ifndef SYSDMA_EMU_WAV_H
#define SYSDMA_EMU_WAV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "sysdma/emu_sb16.h"

typedef struct sysdma_emu_wav {
    FILE *f;
    uint32_t data_bytes;
    sysdma_emu_sb16_format fmt;
} sysdma_emu_wav;

/* Create `path` for PCM in `fmt` (8-bit unsigned or 16-bit signed). */
bool sysdma_emu_wav_create(sysdma_emu_wav *w, const char *path, const sysdma_emu_sb16_format *fmt);
bool sysdma_emu_wav_write(sysdma_emu_wav *w, const void *pcm, size_t bytes);
/* Fix the header's sizes and close. */
bool sysdma_emu_wav_close(sysdma_emu_wav *w);

/* Read a PCM WAV: its format and its data (malloc'd; the caller frees). */
bool sysdma_emu_wav_load(const char *path, sysdma_emu_sb16_format *fmt, uint8_t **data,
                         size_t *bytes);

/* An SB16 play sink writing to a WAV (ctx = sysdma_emu_wav *, created on
 * the first call with the card's format). Use it as config.play. */
void sysdma_emu_wav_sink(void *ctx, const uint8_t *pcm, size_t bytes,
                         const sysdma_emu_sb16_format *fmt);

#endif
