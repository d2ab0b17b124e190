/* SPDX-License-Identifier: MIT */
/*
 * A register-level probe of a PC/AT 8237A pair, written once and run two
 * ways: on bare metal against a real (or QEMU's) controller, and in user
 * space against sysdma's emulated pair. Both print the same lines, so a diff
 * of the two outputs shows every way the emulator and the other model
 * differ. Freestanding: no libc, output through a caller's print function.
 */
#ifndef SYSDMA_I8237_PROBE_H
#define SYSDMA_I8237_PROBE_H

#include <stdint.h>

typedef uint8_t (*sysdma_probe_inb_fn)(uint16_t port);
typedef void (*sysdma_probe_outb_fn)(uint16_t port, uint8_t value);
typedef void (*sysdma_probe_print_fn)(const char *line);

/* Run the probe: register writes and reads that need no device, one
 * printed line per observation ("name: value"). Leaves every channel
 * masked and the command registers cleared. */
void sysdma_i8237_probe(sysdma_probe_inb_fn in, sysdma_probe_outb_fn out,
                        sysdma_probe_print_fn print);

#endif
