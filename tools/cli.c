/* SPDX-License-Identifier: MIT */
/* The tool's option parser (see cli.h). */
#include "cli.h"

#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

int cli_usage_error(const char *command, const char *option, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "sysdma %s: ", command);
    if (option)
        fprintf(stderr, "%s: ", option);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, " (see 'sysdma help %s')\n", command);
    return 2;
}

bool cli_parse_u64(const char *s, uint64_t lo, uint64_t hi, uint64_t *out)
{
    unsigned base = 10;
    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        base = 16;
        s += 2;
    }
    if (!*s)
        return false;
    uint64_t v = 0;
    for (; *s; s++) {
        unsigned d;
        if (*s >= '0' && *s <= '9')
            d = (unsigned)(*s - '0');
        else if (base == 16 && *s >= 'a' && *s <= 'f')
            d = (unsigned)(*s - 'a' + 10);
        else if (base == 16 && *s >= 'A' && *s <= 'F')
            d = (unsigned)(*s - 'A' + 10);
        else
            return false;
        if (v > (UINT64_MAX - d) / base)
            return false; /* overflow */
        v = v * base + d;
    }
    if (v < lo || v > hi)
        return false;
    *out = v;
    return true;
}

bool cli_parse_double(const char *s, double lo, double hi, double *out)
{
    /* Digits and at most one point; strtod would also take spaces, signs,
     * exponents, hex, "inf" and "nan". */
    unsigned digits = 0, points = 0;
    for (const char *p = s; *p; p++) {
        if (*p >= '0' && *p <= '9')
            digits++;
        else if (*p == '.')
            points++;
        else
            return false;
    }
    if (!digits || points > 1)
        return false;
    double v = strtod(s, NULL);
    if (!isfinite(v) || v < lo || v > hi)
        return false;
    *out = v;
    return true;
}

static const cli_option *find(const cli_spec *spec, const char *arg, size_t len)
{
    for (size_t k = 0; k < spec->count; k++) {
        const cli_option *o = &spec->options[k];
        if ((strlen(o->name) == len && strncmp(o->name, arg, len) == 0) ||
            (o->alias && strlen(o->alias) == len && strncmp(o->alias, arg, len) == 0))
            return o;
    }
    return NULL;
}

/* Is `v` an option rather than a value? */
static bool looks_like_option(const cli_spec *spec, const cli_option *o, const char *v)
{
    if (strncmp(v, "--", 2) == 0 || find(spec, v, strlen(v)) || strcmp(v, "-h") == 0)
        return true;
    /* A name is never "-x"; a number's sign is reported as a bad number. */
    return (o->kind == CLI_STRING || o->kind == CLI_CHOICE) && v[0] == '-' && v[1];
}

static void choices_text(const cli_option *o, char *buf, size_t cap)
{
    buf[0] = 0;
    for (size_t i = 0; o->choices[i]; i++) {
        size_t n = strlen(buf);
        snprintf(buf + n, cap - n, "%s%s", i ? "|" : "", o->choices[i]);
    }
}

static int set_value(const cli_spec *spec, const cli_option *o, const char *v)
{
    const char *cmd = spec->command;
    if (!*v)
        return cli_usage_error(cmd, o->name, "empty value");
    switch (o->kind) {
    case CLI_U32: {
        uint64_t n;
        if (!cli_parse_u64(v, o->lo, o->hi, &n))
            return cli_usage_error(cmd, o->name, "'%s' is not a whole number from %llu to %llu", v,
                                   (unsigned long long)o->lo, (unsigned long long)o->hi);
        *(uint32_t *)o->dest = (uint32_t)n;
        return -1;
    }
    case CLI_DOUBLE:
        if (!cli_parse_double(v, o->dlo, o->dhi, (double *)o->dest))
            return cli_usage_error(cmd, o->name, "'%s' is not a number from %g to %g", v, o->dlo,
                                   o->dhi);
        return -1;
    case CLI_STRING:
        *(const char **)o->dest = v;
        return -1;
    case CLI_CHOICE:
        for (int i = 0; o->choices[i]; i++) {
            if (strcmp(v, o->choices[i]) == 0) {
                *(int *)o->dest = i;
                return -1;
            }
        }
        {
            char list[256];
            choices_text(o, list, sizeof list);
            return cli_usage_error(cmd, o->name, "'%s' is not one of %s", v, list);
        }
    case CLI_CUSTOM: {
        const char *why = o->parse(v, o->dest);
        if (why)
            return cli_usage_error(cmd, o->name, "'%s': %s", v, why);
        return -1;
    }
    case CLI_FLAG:
        break;
    }
    return cli_usage_error(cmd, o->name, "takes no value");
}

int cli_parse(const cli_spec *spec, int argc, char **argv)
{
    unsigned nargs = 0;
    bool options_done = false;
    for (int k = 1; k < argc; k++) {
        const char *a = argv[k];
        if (options_done || a[0] != '-' || strcmp(a, "-") == 0) {
            if (nargs == spec->max_args)
                return cli_usage_error(spec->command, NULL, "unexpected argument '%s'", a);
            spec->argv_out[nargs++] = a;
            continue;
        }
        if (strcmp(a, "--") == 0) {
            options_done = true;
            continue;
        }
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            cli_help(spec, stdout);
            return 0;
        }
        const char *eq = strncmp(a, "--", 2) == 0 ? strchr(a, '=') : NULL;
        size_t len = eq ? (size_t)(eq - a) : strlen(a);
        const cli_option *o = find(spec, a, len);
        if (!o)
            return cli_usage_error(spec->command, NULL, "unknown option '%.*s'", (int)len, a);
        if (o->kind == CLI_FLAG) {
            if (eq)
                return cli_usage_error(spec->command, o->name, "takes no value");
            *(bool *)o->dest = true;
            continue;
        }
        const char *v;
        if (eq) {
            v = eq + 1;
        } else if (k + 1 < argc) {
            v = argv[++k];
            if (looks_like_option(spec, o, v))
                return cli_usage_error(spec->command, o->name, "needs a value, got the option '%s'",
                                       v);
        } else {
            return cli_usage_error(spec->command, o->name, "needs a value");
        }
        int rc = set_value(spec, o, v);
        if (rc >= 0)
            return rc;
    }
    if (nargs < spec->min_args)
        return cli_usage_error(spec->command, NULL, "missing %s", spec->args);
    return -1;
}

void cli_help(const cli_spec *spec, FILE *f)
{
    fprintf(f, "usage: sysdma %s%s%s%s\n", spec->command, spec->count ? " [options]" : "",
            spec->args ? " " : "", spec->args ? spec->args : "");
    if (spec->description)
        fprintf(f, "\n%s\n", spec->description);
    fprintf(f, "\noptions:\n");
    for (size_t k = 0; k < spec->count; k++) {
        const cli_option *o = &spec->options[k];
        char left[320];
        char meta[256] = "";
        if (o->kind == CLI_CHOICE)
            choices_text(o, meta, sizeof meta);
        else if (o->kind != CLI_FLAG)
            snprintf(meta, sizeof meta, "%s", o->metavar ? o->metavar : "VALUE");
        snprintf(left, sizeof left, "%s%s%s%s%s", o->alias ? o->alias : "", o->alias ? ", " : "",
                 o->name, meta[0] ? " " : "", meta);
        if (strlen(left) > 24)
            fprintf(f, "  %s\n  %-24s  %s\n", left, "", o->help);
        else
            fprintf(f, "  %-24s  %s\n", left, o->help);
    }
    fprintf(f, "  %-24s  %s\n", "-h, --help", "this text");
}
