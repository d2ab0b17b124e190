/* SPDX-License-Identifier: MIT */
/*
 * The demo's SVG timeline (timeline.c): per channel row, when requests
 * waited, when the channel was held and when bytes moved, and the
 * map-register pool's use, over simulated time.
 */
#ifndef SYSDMA_TOOL_TIMELINE_H
#define SYSDMA_TOOL_TIMELINE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

enum { TIMELINE_WAITING, TIMELINE_HELD, TIMELINE_MOVING, TIMELINE_KINDS };

typedef struct timeline timeline;

timeline *timeline_new(void);
void timeline_free(timeline *t);
/* A row for `channel`; returns its index or -1 (at most 8). */
int timeline_add_row(timeline *t, unsigned channel, const char *label);
/* Units the 8237 moved on `channel` (from its event hook). */
void timeline_units(timeline *t, unsigned channel, uint32_t units);
/* The state since the previous sample, per row (TIMELINE_MOVING is taken
 * from the units reported meanwhile), and the pool. */
void timeline_sample(timeline *t, uint64_t now_ns, const bool state[][TIMELINE_KINDS],
                     uint32_t pool_used, uint32_t pool_pages);
/* Draw it into `f` (the caller opened it, and closes and checks it);
 * false when a write failed. */
bool timeline_write_svg(const timeline *t, FILE *f, const char *title);

#endif
