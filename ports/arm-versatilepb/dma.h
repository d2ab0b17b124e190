/* SPDX-License-Identifier: MIT */
/* The ARM kernel's sysdma system over the PL080 (dma.c). */
#ifndef SYSDMA_ARM_DMA_H
#define SYSDMA_ARM_DMA_H

#include <stdbool.h>
#include <stdint.h>

#include "sysdma/sysdma.h"

/* The system, made on first use (the driver, the core, the VIC line and
 * IRQs on); NULL, with an error line printed, when that fails. */
sysdma_system *dma_system(void);
/* What the driver answers for query_fragments (fragments per program). */
unsigned dma_query_fragments(unsigned channel);
/* Linked-list items of the channel's current (last) program. */
uint32_t dma_items(unsigned channel);
/* PL080 interrupts taken so far. */
uint32_t dma_interrupts(void);
/* Linked-list items of all the programs the driver accepted so far. */
uint32_t dma_items_total(void);
/* Wait (bounded) until *flag is set by a completion or done call. */
bool dma_wait(volatile bool *flag);

/* Program `channel` through the port's controller table directly (not
 * through the core), for the driver's own list scenarios; the channel's
 * completion, as the driver's handle_interrupt reports it, is then awaited
 * with dma_wait_channel (bounded; false when no terminal-count interrupt
 * reported it). */
sysdma_status dma_program_direct(unsigned channel, const sysdma_program *p);
bool dma_wait_channel(unsigned channel);

/* Byte k of the buffers the scenarios send (tests/qemu/arm-dma.sh knows it). */
uint8_t pattern(uint32_t k);

/* The scenarios (scenarios.c, driver_lists.c). */
int uart_sg_scenario(const char *sc);
int m2m_packet_scenario(const char *sc);
int m2m_sg_scenario(const char *sc);
int driver_uart_scenario(const char *sc);
int driver_m2m_max_scenario(const char *sc);

#endif
