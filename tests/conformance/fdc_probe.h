/* SPDX-License-Identifier: MIT */
/*
 * A command-level probe of a PC floppy controller, written once and run
 * two ways (like i8237_probe.h): on bare metal against QEMU's controller
 * and in user space against sysdma's emulated one, each with a 1.44 MiB
 * disk in drive 0. Both print the same lines; their diff lists every way
 * the two differ. Freestanding.
 */
#ifndef SYSDMA_FDC_PROBE_H
#define SYSDMA_FDC_PROBE_H

#include <stdbool.h>
#include <stdint.h>

typedef struct sysdma_fdc_probe_io {
    uint8_t (*inb)(uint16_t port);
    void (*outb)(uint16_t port, uint8_t value);
    bool (*wait_irq)(uint32_t timeout_us); /* IRQ 6 since the last call */
    void (*print)(const char *line);
    uint8_t *dma_buf;                      /* 512 bytes below 16 MiB, not crossing 64 KiB */
    uint32_t dma_phys;
} sysdma_fdc_probe_io;

/* Reset, VERSION, DUMPREG, SPECIFY, SENSE DRIVE STATUS, RECALIBRATE, SEEK,
 * READ ID, a DMA READ DATA of one sector, reads that fail, and an invalid
 * command; one line per result byte group. */
void sysdma_fdc_probe(const sysdma_fdc_probe_io *io);

#endif
