/* SPDX-License-Identifier: MIT */
/*
 * The only C library functions the core and the controller drivers use.
 * A freestanding build (a kernel) must provide these four; a hosted build
 * gets them from <string.h>.
 */
#ifndef SYSDMA_FREESTANDING_H
#define SYSDMA_FREESTANDING_H

#include <stddef.h>

#if __STDC_HOSTED__
#include <string.h>
#else
void *memcpy(void *restrict dst, const void *restrict src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
#endif

#endif
