/* SPDX-License-Identifier: MIT */
/*
 * The four C library functions the freestanding core needs (memcpy,
 * memmove, memset, memcmp), for the bare-metal ports, which have no C
 * library: built into the x86 and the ARM kernels alike.
 */
#include <stddef.h>
#include <stdint.h>

#define SYSDMA_FREESTANDING_LIBC /* defines them: no builtin macros here */
#include "freestanding.h" /* the core's declarations of them */

void *memcpy(void *restrict dst, const void *restrict src, size_t n)
{
    uint8_t *d = dst;
    const uint8_t *s = src;
    while (n--)
        *d++ = *s++;
    return dst;
}

void *memmove(void *dst, const void *src, size_t n)
{
    uint8_t *d = dst;
    const uint8_t *s = src;
    if (d < s)
        while (n--)
            *d++ = *s++;
    else
        while (n--)
            d[n] = s[n];
    return dst;
}

void *memset(void *dst, int c, size_t n)
{
    uint8_t *d = dst;
    while (n--)
        *d++ = (uint8_t)c;
    return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
    const uint8_t *x = a, *y = b;
    for (; n; n--, x++, y++)
        if (*x != *y)
            return *x < *y ? -1 : 1;
    return 0;
}
