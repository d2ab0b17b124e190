/* SPDX-License-Identifier: MIT */
/*
 * The tool's option parser (cli.c): each command describes its options as
 * a table, one entry per option, and gets strict parsing, one style of
 * usage error and a generated --help from it.
 *
 * Rules, the same for every command:
 *   - options take their value as the next argument or after '=':
 *     `--bytes 4096` or `--bytes=4096`; flags take none;
 *   - whole numbers are decimal or 0x hex, without sign, spaces or anything
 *     after them, and within the entry's range; an empty value, a value
 *     that is itself an option (`--bytes --quiet`) and overflow are errors;
 *   - a usage error is one line on stderr,
 *       sysdma COMMAND: --OPTION: what is wrong (see 'sysdma help COMMAND')
 *     and exit status 2; --help (or -h) prints the help on stdout, status 0.
 *
 * Adding an option to a command is one more entry in its table.
 */
#ifndef SYSDMA_TOOL_CLI_H
#define SYSDMA_TOOL_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

typedef enum cli_kind {
    CLI_FLAG,   /* bool *: set to true */
    CLI_U32,    /* uint32_t *: a whole number in [lo, hi] */
    CLI_DOUBLE, /* double *: a decimal number in [dlo, dhi] */
    CLI_STRING, /* const char **: any non-empty text (a file name, ...) */
    CLI_CHOICE, /* int *: the index of the value in `choices` (NULL-ended) */
    CLI_CUSTOM, /* `parse(value, dest)`: NULL when good, else what is wrong */
} cli_kind;

typedef struct cli_option {
    const char *name;  /* "--bytes" */
    const char *alias; /* "-q", or NULL */
    cli_kind kind;
    void *dest;
    const char *metavar; /* "N", "FILE", ... (NULL for flags and choices) */
    const char *help;    /* one line */
    uint64_t lo, hi;     /* CLI_U32 */
    double dlo, dhi;     /* CLI_DOUBLE */
    const char *const *choices;                        /* CLI_CHOICE */
    const char *(*parse)(const char *value, void *dest); /* CLI_CUSTOM */
} cli_option;

/* One table entry per option. */
#define CLI_OPT_FLAG(NAME, ALIAS, DEST, HELP) \
    {.name = (NAME), .alias = (ALIAS), .kind = CLI_FLAG, .dest = (DEST), .help = (HELP)}
#define CLI_OPT_U32(NAME, DEST, META, LO, HI, HELP)                                          \
    {.name = (NAME), .kind = CLI_U32, .dest = (DEST), .metavar = (META), .help = (HELP), \
     .lo = (LO), .hi = (HI)}
#define CLI_OPT_DOUBLE(NAME, DEST, META, LO, HI, HELP)                                          \
    {.name = (NAME), .kind = CLI_DOUBLE, .dest = (DEST), .metavar = (META), .help = (HELP), \
     .dlo = (LO), .dhi = (HI)}
#define CLI_OPT_STRING(NAME, DEST, META, HELP) \
    {.name = (NAME), .kind = CLI_STRING, .dest = (DEST), .metavar = (META), .help = (HELP)}
#define CLI_OPT_CHOICE(NAME, DEST, CHOICES, HELP) \
    {.name = (NAME), .kind = CLI_CHOICE, .dest = (DEST), .choices = (CHOICES), .help = (HELP)}
#define CLI_OPT_CUSTOM(NAME, DEST, META, PARSE, HELP)                                            \
    {.name = (NAME), .kind = CLI_CUSTOM, .dest = (DEST), .metavar = (META), .parse = (PARSE), \
     .help = (HELP)}

typedef struct cli_spec {
    const char *command;     /* "packet-demo" */
    const char *args;        /* positional arguments for the usage line ("IMAGE"), or NULL */
    unsigned min_args, max_args;
    const char **argv_out;   /* where the positional arguments go (max_args of them) */
    const char *description; /* after the usage line in --help */
    const cli_option *options;
    size_t count;
} cli_spec;

/* Parse argv[1..argc-1] (argv[0] is the command's name). Returns -1 when
 * the command should run; otherwise the exit status to return now (0 after
 * --help, 2 after a usage error, which it has reported). */
int cli_parse(const cli_spec *spec, int argc, char **argv);

/* The command's help, from its table. */
void cli_help(const cli_spec *spec, FILE *f);

/* Report a usage error in the common style; returns 2. `option` may be
 * NULL (then the message stands alone). */
int cli_usage_error(const char *command, const char *option, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/* A strict whole number in [lo, hi]: decimal or 0x hex, nothing else. */
bool cli_parse_u64(const char *s, uint64_t lo, uint64_t hi, uint64_t *out);
/* A strict decimal number in [lo, hi]. */
bool cli_parse_double(const char *s, double lo, double hi, double *out);

#endif
