/* SPDX-License-Identifier: MIT */
/*
 * Shared by the sysdma tool's files: VCD traces of the emulated 8237
 * (vcd.c), the SVG timeline (timeline.c) and the demo (demo.c).
 */
#ifndef SYSDMA_TOOL_H
#define SYSDMA_TOOL_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "sysdma/emu.h"
#include "cli.h"
#include "sysdma/version.h"
#include "sysdma/sim.h"

#define SYSDMA_TOOL_VERSION SYSDMA_VERSION_STRING

/*
 * A Value Change Dump of the emulated 8237's lines, per channel: DREQ, DACK
 * (a pulse per instant with service), TC (a pulse per terminal count or
 * EOP), the mask bit, and a 32-bit counter of units moved. Times are
 * simulated nanoseconds. GTKWave and any VCD reader open it.
 *
 * Only changes are written: a line that is set again to the value it has,
 * and a counter's values within one instant other than the last, are left
 * out. A window keeps the file to a span of simulated time (the state at
 * the window's start is dumped there), and a limit stops the trace at the
 * first instant that would start beyond it, so a long run cannot fill the
 * disk; either way the file is a complete, valid VCD.
 */
typedef struct vcd_options {
    uint64_t from_ns, to_ns; /* the window; to_ns UINT64_MAX: to the end */
    uint64_t limit_bytes;    /* 0: no limit */
} vcd_options;

#define VCD_DEFAULT_LIMIT_MB 64u

typedef struct vcd {
    FILE *f;
    const char *path;
    sysdma_sim *sim;
    vcd_options opt;
    uint64_t bytes;  /* written so far */
    uint64_t t;      /* the current instant */
    uint64_t stamped_t;
    bool stamped, on, dumped, cut, failed;
    int err;         /* errno of the first failed write */
    uint64_t cut_ns; /* where the limit stopped it */
    uint32_t units[8];
    bool units_dirty[8], dreq[8], mask[8], pulse_dack[8], pulse_tc[8];
    bool chained; /* events come from the caller, not a hook of our own */
} vcd;

/* --trace-window FROM:TO in simulated milliseconds (either may be left
 * out); a cli.h custom parser, `dest` a vcd_options. */
const char *vcd_parse_window(const char *value, void *dest);

/* Open `path`, write the header (and flush it, so an unwritable file fails
 * here, before a run), and hook the sim's 8237 events (chain=false), or
 * let the caller forward events to vcd_event (chain=true). On failure says
 * why on stderr, as `command`, and returns false. */
bool vcd_open(vcd *v, const char *command, const char *path, sysdma_sim *sim, bool chain,
              const vcd_options *opt);
void vcd_event(void *ctx, sysdma_emu_i8237_event ev, unsigned ch, uint32_t value);
/* Finish and close: false (said on stderr) when any write failed. */
bool vcd_close(vcd *v, const char *command);

/* Files the tool writes (output.c): open before a run, then every write
 * checked to the end. Both say what failed on stderr as `command`. */
FILE *tool_open_output(const char *command, const char *path);
/* Flush and look for write errors so far (the file stays open). */
bool tool_check_output(const char *command, const char *path, FILE *f);
/* Flush, check and close (f may be NULL: nothing to do, true). */
bool tool_close_output(const char *command, const char *path, FILE *f);

/* The commands (demo.c, packet_demo.c, bench_cmd.c). */
int cmd_demo(int argc, char **argv);
int cmd_packet_demo(int argc, char **argv);
int cmd_bench(int argc, char **argv);
int cmd_emu_probe_pl080(int argc, char **argv); /* emu_probe_pl080.c */
int cmd_wdk_run(int argc, char **argv); /* wdk_run.c */
/* The tool's own file, for finding programs installed beside it. */
extern const char *tool_argv0;

/* Progress on stderr for long runs when stderr is a terminal: call often;
 * it prints at most a few times a second, after the first second. */
void tool_progress(const char *what, double fraction);
void tool_progress_done(void);
/* Host seconds on a monotonic clock. */
double tool_host_now(void);

#endif
