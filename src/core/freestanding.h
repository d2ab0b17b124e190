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
/* -ffreestanding turns the compiler's knowledge of these off, so a copy of
 * 16 bytes became a call. Through the builtins the compiler inlines the
 * small, fixed-size ones again and calls the four functions above for the
 * rest. (Not in the file that defines them: SYSDMA_FREESTANDING_LIBC.) */
#if (defined(__GNUC__) || defined(__clang__)) && !defined(SYSDMA_FREESTANDING_LIBC)
#define memcpy(d, s, n) __builtin_memcpy((d), (s), (n))
#define memmove(d, s, n) __builtin_memmove((d), (s), (n))
#define memset(d, c, n) __builtin_memset((d), (c), (n))
#define memcmp(a, b, n) __builtin_memcmp((a), (b), (n))
#endif
#endif

#endif
