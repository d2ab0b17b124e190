/* SPDX-License-Identifier: MIT */
/*
 * A register-level probe of an ARM PrimeCell PL080 DMAC, written once and
 * run two ways: on bare metal against QEMU's PL080 (the ARM port's
 * probe-pl080 scenario), and in user space against sysdma's emulated PL080
 * (sysdma emu-probe-pl080). Both print the same lines, so a diff of the
 * two outputs shows every way the two models differ. Freestanding: no
 * libc, output through the caller's print function.
 *
 * Every transfer the probe starts is memory to memory (flow type 0) inside
 * the 4 KiB of RAM the caller gives; no other flow type is ever enabled.
 */
#ifndef SYSDMA_PL080_PROBE_H
#define SYSDMA_PL080_PROBE_H

#include <stdint.h>

typedef struct sysdma_pl080_probe_io {
    uint32_t (*rd)(uint32_t offset);            /* 32-bit read of the register block */
    void (*wr)(uint32_t offset, uint32_t value); /* 32-bit write */
    /* Let the DMAC run what it was given (QEMU's already has: nothing to
     * do; the emulator: run until nothing is pending). */
    void (*settle)(void);
    void (*print)(const char *line);
    uint8_t *mem;  /* 4 KiB of RAM the probe may use (the CPU's view) */
    uint32_t bus;  /* its bus address (page aligned) */
} sysdma_pl080_probe_io;

/* Run the probe: one printed line per observation ("name: value", eight
 * hex digits). Leaves every channel and the DMAC disabled, interrupts
 * cleared. */
void sysdma_pl080_probe(const sysdma_pl080_probe_io *io);

#endif
