/* SPDX-License-Identifier: MIT */
/*
 * The NT kernel's wide-string C runtime on 16-bit WCHARs (sysdma-wdk's
 * wcslen, wcscpy, wcscat, wcscmp, _wcsicmp, swprintf/_swprintf; the
 * headers map the C names onto these): the C library's work on its own
 * 32-bit wchar_t and cannot serve a driver's L"..." strings.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "wdk_internal.h"

size_t sysdma_wdk_wcslen(const WCHAR *String)
{
    return sysdma__wdk_wcslen(String);
}

WCHAR *sysdma_wdk_wcscpy(WCHAR *Destination, const WCHAR *Source)
{
    size_t n = sysdma__wdk_wcslen(Source);
    memmove(Destination, Source, (n + 1) * sizeof(WCHAR));
    return Destination;
}

WCHAR *sysdma_wdk_wcscat(WCHAR *Destination, const WCHAR *Source)
{
    sysdma_wdk_wcscpy(Destination + sysdma__wdk_wcslen(Destination), Source);
    return Destination;
}

int sysdma_wdk_wcscmp(const WCHAR *String1, const WCHAR *String2)
{
    for (;; String1++, String2++) {
        if (*String1 != *String2)
            return *String1 < *String2 ? -1 : 1;
        if (!*String1)
            return 0;
    }
}

int sysdma_wdk_wcsicmp(const WCHAR *String1, const WCHAR *String2)
{
    return sysdma__wdk_wcsicmp(String1, String2);
}

/*
 * The Windows-model printf: `long` is 32 bits (l is the int size), I64 and
 * ll are 64 bits, I alone is pointer-sized; %s is the format's own width
 * of string (wide in swprintf, narrow in DbgPrint), %S the other, %ls and
 * %ws wide, %hs narrow, %wZ a PUNICODE_STRING, %Z a PANSI_STRING. Numbers
 * are formatted by the C library one at a time, characters go out through
 * `put`.
 */
typedef void put_fn(void *ctx, unsigned ch);

static unsigned fmt_at(const void *f, bool wide, size_t k)
{
    return wide ? ((const WCHAR *)f)[k] : (unsigned char)((const char *)f)[k];
}

static void put_string(put_fn *put, void *ctx, const void *s, size_t len, bool wide, int width,
                       bool left)
{
    for (int pad = width - (int)len; !left && pad > 0; pad--)
        put(ctx, ' ');
    for (size_t i = 0; i < len; i++)
        put(ctx, wide ? ((const WCHAR *)s)[i] : (unsigned char)((const char *)s)[i]);
    for (int pad = width - (int)len; left && pad > 0; pad--)
        put(ctx, ' ');
}

static void nt_format(put_fn *put, void *ctx, const void *f, bool wide_fmt, va_list ap)
{
    size_t k = 0;
    while (fmt_at(f, wide_fmt, k)) {
        unsigned c = fmt_at(f, wide_fmt, k);
        if (c != '%') {
            put(ctx, c);
            k++;
            continue;
        }
        char spec[32];
        size_t n = 0;
        spec[n++] = '%';
        k++;
        int width = 0;
        bool left = false;
        while ((c = fmt_at(f, wide_fmt, k)) && strchr("-+ #0", (int)c) && n < 8) {
            left |= c == '-';
            spec[n++] = (char)c;
            k++;
        }
        if (fmt_at(f, wide_fmt, k) == '*') {
            width = va_arg(ap, int);
            n += (size_t)snprintf(spec + n, sizeof spec - n - 8, "%d", width);
            k++;
        }
        while ((c = fmt_at(f, wide_fmt, k)) >= '0' && c <= '9' && n < 16) {
            width = width * 10 + (int)(c - '0');
            spec[n++] = (char)c;
            k++;
        }
        if (fmt_at(f, wide_fmt, k) == '.') {
            spec[n++] = '.';
            k++;
            while ((c = fmt_at(f, wide_fmt, k)) >= '0' && c <= '9' && n < 24) {
                spec[n++] = (char)c;
                k++;
            }
        }
        int size = 0;    /* 0 int, 2 64-bit, 3 pointer-sized, -1 short */
        int strw = -1;   /* -1 the format's own, 0 narrow, 1 wide */
        for (;;) {
            c = fmt_at(f, wide_fmt, k);
            if (c == 'l') {
                if (fmt_at(f, wide_fmt, k + 1) == 'l') {
                    size = 2;
                    k++;
                }
                strw = 1;
                k++;
            } else if (c == 'h') {
                size = -1;
                strw = 0;
                k++;
            } else if (c == 'w') {
                strw = 1;
                k++;
            } else if (c == 'I' && fmt_at(f, wide_fmt, k + 1) == '6' &&
                       fmt_at(f, wide_fmt, k + 2) == '4') {
                size = 2;
                k += 3;
            } else if (c == 'I' && fmt_at(f, wide_fmt, k + 1) == '3' &&
                       fmt_at(f, wide_fmt, k + 2) == '2') {
                size = 0;
                k += 3;
            } else if (c == 'I') {
                size = 3;
                k++;
            } else if (c == 'z') {
                size = 3;
                k++;
            } else {
                break;
            }
        }
        unsigned conv = fmt_at(f, wide_fmt, k);
        if (conv)
            k++;
        if (conv == '%') {
            put(ctx, '%');
        } else if (conv == 's' || conv == 'S') {
            bool wide = strw >= 0 ? strw == 1 : (conv == 's') == wide_fmt;
            const void *s = va_arg(ap, const void *);
            if (!s)
                put_string(put, ctx, "(null)", 6, false, width, left);
            else
                put_string(put, ctx, s, wide ? sysdma__wdk_wcslen(s) : strlen(s), wide, width,
                           left);
        } else if (conv == 'Z') {
            const UNICODE_STRING *us = va_arg(ap, const UNICODE_STRING *);
            if (!us || !us->Buffer)
                put_string(put, ctx, "(null)", 6, false, width, left);
            else if (strw == 1)
                put_string(put, ctx, us->Buffer, us->Length / sizeof(WCHAR), true, width, left);
            else
                put_string(put, ctx, ((const STRING *)us)->Buffer, ((const STRING *)us)->Length,
                           false, width, left);
        } else if (conv == 'c' || conv == 'C') {
            put(ctx, (unsigned)va_arg(ap, int) & 0xFFFFu);
        } else if (conv && strchr("diuxXop", (int)conv)) {
            char fmt[40], tmp[96];
            spec[n] = 0;
            bool is_signed = conv == 'd' || conv == 'i';
            if (conv == 'p') {
                snprintf(fmt, sizeof fmt, "%sp", spec);
                snprintf(tmp, sizeof tmp, fmt, va_arg(ap, void *));
            } else if (size >= 2) {
                snprintf(fmt, sizeof fmt, "%sll%c", spec, (char)conv);
                long long v = size == 3 ? (long long)va_arg(ap, intptr_t) : va_arg(ap, long long);
                if (is_signed)
                    snprintf(tmp, sizeof tmp, fmt, v);
                else
                    snprintf(tmp, sizeof tmp, fmt, size == 3 ? (unsigned long long)(uintptr_t)v
                                                             : (unsigned long long)v);
            } else {
                snprintf(fmt, sizeof fmt, "%s%c", spec, (char)conv);
                int v = va_arg(ap, int);
                if (is_signed)
                    snprintf(tmp, sizeof tmp, fmt, size < 0 ? (int)(short)v : v);
                else
                    snprintf(tmp, sizeof tmp, fmt,
                             size < 0 ? (unsigned)(unsigned short)v : (unsigned)v);
            }
            for (size_t i = 0; tmp[i]; i++)
                put(ctx, (unsigned char)tmp[i]);
        } else {
            put(ctx, '%');
            if (conv)
                put(ctx, conv);
        }
    }
}

typedef struct wide_out {
    WCHAR *buf;
    size_t n, cap; /* cap 0: no limit (the kernel's swprintf) */
} wide_out;

static void put_wide(void *ctx, unsigned ch)
{
    wide_out *o = ctx;
    if (!o->cap || o->n + 1 < o->cap)
        o->buf[o->n] = (WCHAR)ch;
    o->n++;
}

int sysdma_wdk_swprintf(const WCHAR *Buffer, ...)
{
    wide_out o = {(WCHAR *)Buffer, 0, 0};
    va_list ap;
    va_start(ap, Buffer);
    const WCHAR *f = va_arg(ap, const WCHAR *);
    nt_format(put_wide, &o, f, true, ap);
    va_end(ap);
    o.buf[o.n] = 0;
    return (int)o.n;
}

typedef struct narrow_out {
    char *buf;
    size_t n, cap;
} narrow_out;

static void put_narrow(void *ctx, unsigned ch)
{
    narrow_out *o = ctx;
    if (o->n + 1 < o->cap)
        o->buf[o->n] = ch < 128 ? (char)ch : '?';
    o->n++;
}

size_t sysdma__wdk_vformat(char *buf, size_t cap, const char *fmt, va_list ap)
{
    narrow_out o = {buf, 0, cap};
    nt_format(put_narrow, &o, fmt, false, ap);
    if (cap)
        buf[o.n < cap ? o.n : cap - 1] = 0;
    return o.n;
}
