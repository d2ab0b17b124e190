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
#include "sysdma/version.h"
#include "sysdma/sim.h"

#define SYSDMA_TOOL_VERSION SYSDMA_VERSION_STRING

/*
 * A Value Change Dump of the emulated 8237's lines, per channel: DREQ, DACK
 * (a pulse per service), TC (a pulse per terminal count or EOP), the mask
 * bit, and a 32-bit counter of units moved. Times are simulated
 * nanoseconds. GTKWave and any VCD reader open it.
 */
typedef struct vcd {
    FILE *f;
    sysdma_sim *sim;
    uint64_t last_t;
    bool started;
    uint32_t units[8];
    bool pulse_dack[8], pulse_tc[8];
    bool chained; /* events come from the caller, not a hook of our own */
} vcd;

/* Open `path` and hook the sim's 8237 events (chain=false), or only write
 * the header and let the caller forward events to vcd_event (chain=true). */
bool vcd_open(vcd *v, const char *path, sysdma_sim *sim, bool chain);
void vcd_event(void *ctx, sysdma_emu_i8237_event ev, unsigned ch, uint32_t value);
void vcd_close(vcd *v);

/* The demo (demo.c). */
int cmd_demo(int argc, char **argv);

/* Progress on stderr for long runs when stderr is a terminal: call often;
 * it prints at most a few times a second, after the first second. */
void tool_progress(const char *what, double fraction);
void tool_progress_done(void);
/* Host seconds on a monotonic clock. */
double tool_host_now(void);

#endif
