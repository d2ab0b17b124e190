/* SPDX-License-Identifier: MIT */
/* The ARM kernel's helpers shared by its scenario files: serial output on
 * the PL011, numbers, CRC-32, the scenario's words. */
#ifndef SYSDMA_ARM_KERNEL_H
#define SYSDMA_ARM_KERNEL_H

#include <stdbool.h>
#include <stdint.h>

#include "sysdma/sysdma.h"

void serial_puts(const char *s);
/* "error: WHAT: <status name>" and a newline. */
void say_error(const char *what, sysdma_status st);
void put_hex(uint32_t v);
void put_dec(uint32_t v);
void put_field(const char *label, uint32_t v); /* label, then a decimal number */
uint32_t crc32(const uint8_t *p, uint32_t n);
bool word_is(const char *s, const char *w);
const char *arg_after(const char *sc);
uint32_t parse_num(const char **p);

#endif
