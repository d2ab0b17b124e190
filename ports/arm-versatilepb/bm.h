/* SPDX-License-Identifier: MIT */
/* The bare-metal ARM port's shared declarations: the machine (QEMU
 * versatilepb: an ARM926EJ-S, a PL190 VIC, PL011 UARTs, a PL080 DMAC) and
 * the platform in platform.c. */
#ifndef SYSDMA_ARM_BM_H
#define SYSDMA_ARM_BM_H

#include <stdbool.h>
#include <stdint.h>

#include "pages.h" /* ports/common */
#include "sysdma/sysdma.h"

/* Where things are on versatilepb. */
#define BM_RAM_BYTES (128u << 20)      /* QEMU's default; the tests pass -m 128 */
#define BM_UART0 0x101F1000u           /* PL011 */
#define BM_UART_DR 0x000u              /* data register */
#define BM_UART_FR 0x018u              /* flags: bit 5 TXFF (transmit FIFO full) */
#define BM_VIC 0x10140000u             /* PL190 */
#define BM_VIC_IRQSTATUS 0x000u
#define BM_VIC_RAWINTR 0x008u
#define BM_VIC_INTENABLE 0x010u
#define BM_VIC_INTENCLEAR 0x014u
#define BM_PL080 0x10130000u           /* PL080 DMAC */
#define BM_PL080_IRQ 17u               /* its VIC line (DMACINTR) */
#define BM_ARG_ADDR 0x00100000u        /* the scenario's name, loaded by QEMU */
#define BM_PROBE_PAGE 0x00300000u      /* the register probe's 4 KiB of RAM */
#define BM_RESERVED_BYTES 0x00400000u  /* vectors, kernel, argument, probe page */

static inline uint32_t mmio_rd(uint32_t addr)
{
    return *(volatile uint32_t *)(uintptr_t)addr;
}

static inline void mmio_wr(uint32_t addr, uint32_t v)
{
    *(volatile uint32_t *)(uintptr_t)addr = v;
}

/* CPSR I bit: interrupts masked at the CPU. irq_save masks them and
 * returns the old CPSR for irq_restore. */
static inline uint32_t irq_save(void)
{
    uint32_t cpsr;
    __asm__ volatile("mrs %0, cpsr" : "=r"(cpsr));
    __asm__ volatile("msr cpsr_c, %0" : : "r"(cpsr | 0x80u) : "memory");
    return cpsr;
}

static inline void irq_restore(uint32_t cpsr)
{
    __asm__ volatile("msr cpsr_c, %0" : : "r"(cpsr) : "memory");
}

static inline void irq_enable(void)
{
    uint32_t cpsr;
    __asm__ volatile("mrs %0, cpsr" : "=r"(cpsr));
    __asm__ volatile("msr cpsr_c, %0" : : "r"(cpsr & ~0x80u) : "memory");
}

/* Wait for an interrupt (the ARM926's wait-for-interrupt CP15 operation). */
static inline void wait_for_interrupt(void)
{
    __asm__ volatile("mcr p15, 0, %0, c7, c0, 4" : : "r"(0) : "memory");
}

/* platform.c */
/* Pages and the heap (ports/common/pages.c) over BM_RAM_BYTES, the first
 * BM_RESERVED_BYTES kept back. */
void bm_memory_init(void);
void bm_mmu_init(void);
void *bm_map_scattered(uint32_t bytes, uint32_t offset);
void bm_platform(sysdma_platform *out);
/* The platform's virt_to_phys: through the window, else the identity. */
bool bm_virt_to_phys(const void *va, uint32_t *phys);
/* How many times the core called dma_sync (a no-op: caches are off). */
uint32_t bm_dma_syncs(void);

/* The interrupt handler kmain installs for the VIC line of the PL080. */
void bm_set_dma_isr(void (*fn)(void));

#endif
