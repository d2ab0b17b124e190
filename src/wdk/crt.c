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

/* One conversion, formatted by the C library into `tmp` (narrow), then
 * widened; %s and %ls arguments are wide and copied as they are. */
int sysdma_wdk_swprintf(const WCHAR *Buffer, ...)
{
    WCHAR *out = (WCHAR *)Buffer;
    va_list ap;
    va_start(ap, Buffer);
    const WCHAR *f = va_arg(ap, const WCHAR *);
    size_t n = 0;
    while (*f) {
        if (*f != '%') {
            out[n++] = *f++;
            continue;
        }
        char spec[32];
        size_t k = 0;
        spec[k++] = (char)*f++;
        while (*f && strchr("-+ #0", (int)*f) && k < 8)
            spec[k++] = (char)*f++;
        while (*f >= '0' && *f <= '9' && k < 16)
            spec[k++] = (char)*f++;
        if (*f == '.') {
            spec[k++] = (char)*f++;
            while (*f >= '0' && *f <= '9' && k < 24)
                spec[k++] = (char)*f++;
        }
        int size = 0; /* 0 int, 1 long, 2 long long, -1 short */
        bool wide_s = true;
        for (;;) {
            if (*f == 'l') {
                size++;
                f++;
            } else if (*f == 'h') {
                size = -1;
                wide_s = false;
                f++;
            } else if (f[0] == 'I' && f[1] == '6' && f[2] == '4') {
                size = 2;
                f += 3;
            } else if (*f == 'w') {
                f++;
            } else {
                break;
            }
        }
        WCHAR conv = *f ? *f++ : 0;
        char tmp[128];
        tmp[0] = 0;
        if (conv == '%') {
            out[n++] = '%';
            continue;
        }
        if (conv == 's' || conv == 'S') {
            bool wide = conv == 's' ? wide_s : size > 0;
            const void *s = va_arg(ap, const void *);
            int width = 0, left = 0;
            for (size_t i = 1; i < k; i++)
                if (spec[i] == '-')
                    left = 1;
                else if (spec[i] >= '0' && spec[i] <= '9' && (i == 1 || spec[i - 1] != '.'))
                    width = width * 10 + (spec[i] - '0');
            size_t len = !s ? 6 : wide ? sysdma__wdk_wcslen(s) : strlen(s);
            for (int pad = width - (int)len; !left && pad > 0; pad--)
                out[n++] = ' ';
            for (size_t i = 0; i < len; i++)
                out[n++] = !s ? (WCHAR) "(null)"[i]
                           : wide ? ((const WCHAR *)s)[i]
                                  : (WCHAR)(unsigned char)((const char *)s)[i];
            for (int pad = width - (int)len; left && pad > 0; pad--)
                out[n++] = ' ';
            continue;
        }
        if (conv == 'c' || conv == 'C') {
            out[n++] = (WCHAR)va_arg(ap, int);
            continue;
        }
        if (!conv || !strchr("diuxXop", (int)conv)) {
            out[n++] = '%';
            continue;
        }
        spec[k] = 0;
        char fmt[40];
        bool is_signed = conv == 'd' || conv == 'i';
        if (conv == 'p') {
            snprintf(fmt, sizeof fmt, "%sp", spec);
            snprintf(tmp, sizeof tmp, fmt, va_arg(ap, void *));
        } else if (size >= 2) {
            snprintf(fmt, sizeof fmt, "%sll%c", spec, (char)conv);
            if (is_signed)
                snprintf(tmp, sizeof tmp, fmt, va_arg(ap, long long));
            else
                snprintf(tmp, sizeof tmp, fmt, va_arg(ap, unsigned long long));
        } else {
            /* int and long are both 32 bits in the Windows model */
            snprintf(fmt, sizeof fmt, "%s%c", spec, (char)conv);
            if (is_signed) {
                int v = va_arg(ap, int);
                snprintf(tmp, sizeof tmp, fmt, size < 0 ? (int)(short)v : v);
            } else {
                unsigned v = va_arg(ap, unsigned);
                snprintf(tmp, sizeof tmp, fmt, size < 0 ? (unsigned)(unsigned short)v : v);
            }
        }
        for (size_t i = 0; tmp[i]; i++)
            out[n++] = (WCHAR)(unsigned char)tmp[i];
    }
    out[n] = 0;
    va_end(ap);
    return (int)n;
}
