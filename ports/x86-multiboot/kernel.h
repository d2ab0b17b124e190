/* SPDX-License-Identifier: MIT */
/* The bare-metal kernel's helpers shared by its scenario files (kmain.c,
 * completions.c): serial output, placement of buffers, the sysdma system
 * over this machine, the port-I/O environment the example drivers use. */
#ifndef SYSDMA_BM_KERNEL_H
#define SYSDMA_BM_KERNEL_H

#include <stdbool.h>
#include <stdint.h>

#include "sysdma/ctrl_i8237.h"
#include "sysdma/sysdma.h"

void serial_puts(const char *s);
/* "error: WHAT: <status name>" and a newline, on the serial line. */
void say_error(const char *what, sysdma_status st);
void put_hex(uint32_t v);
void put_dec(uint32_t v);
void put_field(const char *label, uint32_t v); /* label, then a decimal number */
uint32_t crc32(const uint8_t *p, uint32_t n);
bool word_is(const char *s, const char *w);
const char *arg_after(const char *sc);
uint32_t parse_num(const char **p);
void io_delay(uint32_t us);
uint8_t env_in(void *ctx, uint16_t port);
void env_out(void *ctx, uint16_t port, uint8_t v);
void env_delay(void *ctx, uint32_t us);
/* A buffer of `bytes` placed as `how` says (low, high, straddle64k,
 * scattered: the one virtual window, pages alternately below and above
 * 16 MiB); *phys is its address (the window's for scattered). */
bool place(const char *how, uint32_t bytes, uint32_t *phys);
sysdma_system *make_system(void);
/* The waveform tests/qemu/wavcheck.c knows: frame f, channel c. */
uint32_t wave(uint32_t f, uint32_t c, uint8_t bits);

/* completions.c */
int sb16_sg_scenario(const char *sc);
int both_scenario(const char *sc);

#endif
