/* SPDX-License-Identifier: MIT */
/*
 * `sysdma demo` (demo.c): the machine, the options and the results shared
 * by its files; its output files are in demo_files.c.
 */
#ifndef SYSDMA_TOOL_DEMO_H
#define SYSDMA_TOOL_DEMO_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "sysdma/ctrl_i8237.h"
#include "sysdma/emu_fdc.h"
#include "sysdma/emu_sb16.h"
#include "sysdma/emu_testdev.h"
#include "sysdma/emu_wav.h"
#include "sysdma/sysdma.h"
#include "timeline.h"
#include "tool.h"

#define DISK_BYTES 1474560u
#define SECTOR 512u

typedef struct demo {
    /* options */
    const char *image_path, *wav_path, *trace_path, *timeline_path;
    double seconds;
    sysdma_sim_placement placement;
    uint32_t seed;
    unsigned sb16_bits;
    bool verify;
    bool lint; /* --lint: the 8237 hardware lint on, findings printed */
    uint32_t fdc_sectors, sg_bytes;
    /* machine */
    sysdma_sim *sim;
    sysdma_platform pf;
    sysdma_i8237_driver drv;
    sysdma_controller ctrl;
    sysdma_system *sys;
    sysdma_emu_fdc fdc;
    unsigned fdc_edges;
    bool fdc_level;
    sysdma_emu_sb16 sb;
    unsigned sb_edges;
    bool sb_level;
    sysdma_stats stats[3];
    sysdma_emu_wav wav;
    bool wav_open, wav_failed, wav_format_differs;
    uint64_t wav_limit; /* bytes of PCM asked for: the WAV holds exactly these */
    uint32_t trace_mb;
    vcd_options trace_opt;
    FILE *timeline_file;
    sysdma_emu_testdev sgdev;
    uint8_t *sg_fifo;
    uint8_t *image;
    int image_fd;
    vcd trace;
    timeline *tl;
    uint64_t units[8], tcs[8];
    unsigned channels[3];
    /* results */
    char fdc_line[160], sb_line[200], sg_line[200];
    bool sb_done;
    uint64_t sg_lists, sg_elements, sg_bytes_moved;
    unsigned sg_passes;
} demo;

/* Open every output file before the run (image, WAV, timeline, trace):
 * false, said on stderr, when one cannot be written. */
bool demo_open_outputs(demo *d);
/* Finish every output file: false when any write failed (said on stderr). */
bool demo_close_outputs(demo *d);
/* The SB16's play sink: the WAV, up to the length asked for. */
void demo_sb_play(void *ctx, const uint8_t *pcm, size_t bytes, const sysdma_emu_sb16_format *fmt);

/* `sysdma demo --machine soc` (demo_soc.c): the simulated SoC with the
 * PL080 driver; 0 when every check passed. */
int demo_soc(uint32_t seed, double seconds, bool verify);

#endif
