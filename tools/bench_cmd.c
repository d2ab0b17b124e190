/* SPDX-License-Identifier: MIT */
/*
 * `sysdma bench`: runs the benchmark programs and tabulates their JSON
 * lines. The programs are found beside the tool: in bench/ next to it (a
 * build tree) or in ../libexec/sysdma/ from its directory (an installed
 * or copied tool), or in the directory given with --dir.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tool.h"

/* ---- bench ------------------------------------------------------------------ */

/* The project's goals, by figure (docs/user-guide.md lists them): kind 'r' = ratio at least, 'v' = value
 * at most, 'V' = value at least. */
static const struct goal {
    const char *bench;
    char kind;
    double target;
} goals[] = {
    {"emu.block_64k", 'r', 0.8},          {"emu.single_ns_per_byte", 'v', 5.0},
    {"core.roundtrip_null_ns", 'v', 100}, {"core.bounce_64k", 'r', 0.9},
    {"sb16.playback_x_realtime", 'V', 1000}, {"sg.build_1g_ns_per_page", 'v', 5.0},
    {"sg.build_1g_vs_1m", 'v', 1.2},
    {"verifier.overhead", 'v', 3.0},      {"core.roundtrip_null_locks", 'v', 15},
    {"emu.lint_overhead", 'v', 1.5},      {"emu.pl080_block_64k", 'r', 0.8},
    /* the PL080 driver programs a 1 MiB list in at most twice the time the
     * core takes to build it (sg.build_1m's work, same run) */
    {"pl080.sg_1m_ns_per_page", 'r', 0.5},
};

/* snprintf's result `n` fitted in `cap` bytes (a path cut short is no path). */
static bool fits(int n, size_t cap)
{
    return n >= 0 && (size_t)n < cap;
}

/* The number after "key": in one JSON line; false when the key is absent. */
static bool json_num(const char *line, const char *key, double *out)
{
    char pat[64];
    snprintf(pat, sizeof pat, "\"%s\":", key);
    const char *p = strstr(line, pat);
    if (!p)
        return false;
    *out = strtod(p + strlen(pat), NULL);
    return true;
}

static bool json_str(const char *line, const char *key, char *out, size_t cap)
{
    char pat[64];
    snprintf(pat, sizeof pat, "\"%s\":\"", key);
    const char *p = strstr(line, pat);
    if (!p)
        return false;
    p += strlen(pat);
    size_t n = 0;
    while (p[n] && p[n] != '"' && n + 1 < cap) {
        out[n] = p[n];
        n++;
    }
    out[n] = 0;
    return true;
}

/* Start `path` --json [--quick] with its stdout on a pipe (its stderr is
 * ours, so a failing benchmark's message shows). NULL when it cannot run. */
static FILE *bench_start(const char *path, bool quick, pid_t *pid)
{
    int fd[2];
    if (pipe(fd) != 0)
        return NULL;
    fflush(stdout);
    *pid = fork();
    if (*pid < 0) {
        close(fd[0]);
        close(fd[1]);
        return NULL;
    }
    if (*pid == 0) {
        dup2(fd[1], 1);
        close(fd[0]);
        close(fd[1]);
        char *args[] = {(char *)path, "--json", quick ? "--quick" : NULL, NULL};
        execv(path, args);
        fprintf(stderr, "sysdma bench: cannot run %s\n", path);
        _exit(127);
    }
    close(fd[1]);
    FILE *f = fdopen(fd[0], "r");
    if (!f) {
        close(fd[0]);
        while (waitpid(*pid, NULL, 0) < 0 && errno == EINTR)
            ;
    }
    return f;
}

/* Wait for a benchmark program: true when it exited with status 0; else
 * says why on stderr. */
static bool bench_finish(const char *name, pid_t pid)
{
    int status = 0;
    pid_t got;
    while ((got = waitpid(pid, &status, 0)) < 0 && errno == EINTR)
        ;
    if (got < 0) {
        fprintf(stderr, "sysdma bench: %s: lost track of it\n", name);
        return false;
    }
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
        return true;
    if (WIFEXITED(status))
        fprintf(stderr, "sysdma bench: %s failed (exit status %d)\n", name, WEXITSTATUS(status));
    else if (WIFSIGNALED(status))
        fprintf(stderr, "sysdma bench: %s failed (killed by signal %d)\n", name, WTERMSIG(status));
    else
        fprintf(stderr, "sysdma bench: %s failed\n", name);
    return false;
}

/* Where an installed tool finds the programs, relative to its own
 * directory: bin/ and libexec/sysdma/ under one prefix. A build that
 * installs them elsewhere defines this (with the trailing '/'). */
#ifndef SYSDMA_TOOL_LIBEXEC_REL
#define SYSDMA_TOOL_LIBEXEC_REL "../libexec/sysdma/"
#endif

static const char *const programs[] = {"bench_emu", "bench_core", "bench_sg", "bench_fdc",
                                        "bench_sb16", "bench_pl080"};
#define NPROGRAMS (sizeof programs / sizeof programs[0])

/* The directory of the running tool's file, with a trailing '/': from
 * /proc/self/exe, else from argv[0] (a path, or a name found on PATH). */
static bool self_dir(char *out, size_t cap)
{
    char path[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", path, sizeof path - 1);
    if (n > 0) {
        path[n] = 0;
    } else if (strchr(tool_argv0, '/')) {
        snprintf(path, sizeof path, "%s", tool_argv0);
    } else {
        const char *env = getenv("PATH");
        bool found = false;
        while (env && *env && !found) {
            size_t len = strcspn(env, ":");
            snprintf(path, sizeof path, "%.*s/%s", (int)len, env, tool_argv0);
            found = access(path, X_OK) == 0;
            env += len + (env[len] == ':');
        }
        if (!found)
            return false;
    }
    char *slash = strrchr(path, '/');
    if (!slash)
        return false;
    slash[1] = 0;
    return fits(snprintf(out, cap, "%s", path), cap);
}

static bool has_programs(const char *dir)
{
    char path[PATH_MAX + 32];
    for (size_t k = 0; k < NPROGRAMS; k++) {
        if (fits(snprintf(path, sizeof path, "%s%s", dir, programs[k]), sizeof path) &&
            access(path, X_OK) == 0)
            return true;
    }
    return false;
}

/* Where the programs are: DIR from --dir, else bench/ beside the tool (a
 * build tree), else ../libexec/sysdma/ from the tool's directory (an
 * installed tool). False, having said where it looked, when none has them. */
static bool find_programs(const char *from, char *dir, size_t cap)
{
    if (from) {
        if (fits(snprintf(dir, cap, "%s/", from), cap) && has_programs(dir))
            return true;
        fprintf(stderr, "sysdma bench: no benchmark programs in %s\n", from);
        return false;
    }
    char self[PATH_MAX];
    if (!self_dir(self, sizeof self)) {
        fprintf(stderr, "sysdma bench: cannot tell where this tool is; give --dir DIR\n");
        return false;
    }
    char tried[2][PATH_MAX + 32];
    bool ok[2];
    ok[0] = fits(snprintf(tried[0], sizeof tried[0], "%sbench/", self), sizeof tried[0]);
    ok[1] = fits(snprintf(tried[1], sizeof tried[1], "%s" SYSDMA_TOOL_LIBEXEC_REL, self),
                 sizeof tried[1]);
    for (int k = 0; k < 2; k++) {
        if (ok[k] && has_programs(tried[k]) && fits(snprintf(dir, cap, "%s", tried[k]), cap))
            return true;
    }
    fprintf(stderr,
            "sysdma bench: no benchmark programs in %s or %s (build with -DSYSDMA_BENCH=ON, "
            "or give --dir DIR)\n",
            tried[0], tried[1]);
    return false;
}

int cmd_bench(int argc, char **argv)
{
    bool json = false, quick = false;
    const char *from = NULL;
    const cli_option opts[] = {
        CLI_OPT_FLAG("--json", NULL, &json, "print the benchmarks' JSON lines as they are"),
        CLI_OPT_FLAG("--quick", NULL, &quick, "repeat less (rougher figures)"),
        CLI_OPT_STRING("--dir", &from, "DIR", "run the programs in DIR"),
    };
    const cli_spec spec = {
        "bench", NULL, 0, 0, NULL,
        "Runs every benchmark program (bench_emu, bench_core, bench_sg, bench_fdc,\n"
        "bench_sb16) and prints a table of figures, ratios against their same-run\n"
        "baselines, and goals. The programs are looked for in bench/ beside this tool\n"
        "(a build tree), then in ../libexec/sysdma/ from its directory (installed).\n"
        "A program that is missing or fails (non-zero exit, or killed) fails the run:\n"
        "exit status 1, its name on stderr and no summary line; the others still run.\n"
        "Goals are reported, never enforced.",
        opts, sizeof opts / sizeof opts[0]};
    int rc = cli_parse(&spec, argc, argv);
    if (rc >= 0)
        return rc;
    char dir[PATH_MAX + 64];
    if (!find_programs(from, dir, sizeof dir))
        return 1;
    int ran = 0, missed = 0, failed = 0;
    if (!json)
        printf("%-26s %12s %-10s %8s  %s\n", "figure", "value", "unit", "ratio", "goal");
    for (size_t k = 0; k < NPROGRAMS; k++) {
        char path[PATH_MAX + 128];
        if (!fits(snprintf(path, sizeof path, "%s%s", dir, programs[k]), sizeof path) ||
            access(path, X_OK) != 0) {
            fprintf(stderr, "sysdma bench: %s is missing\n", path);
            failed++;
            continue;
        }
        pid_t pid;
        FILE *f = bench_start(path, quick, &pid);
        if (!f) {
            fprintf(stderr, "sysdma bench: cannot start %s\n", path);
            failed++;
            continue;
        }
        char line[512];
        while (fgets(line, sizeof line, f)) {
            if (line[0] != '{')
                continue;
            ran++;
            if (json) {
                fputs(line, stdout);
                continue;
            }
            char name[64] = "?", unit[32] = "";
            double value = 0, ratio = 0;
            json_str(line, "bench", name, sizeof name);
            json_str(line, "unit", unit, sizeof unit);
            json_num(line, "value", &value);
            bool has_ratio = json_num(line, "ratio", &ratio);
            char goal[48] = "";
            for (size_t g = 0; g < sizeof goals / sizeof goals[0]; g++) {
                if (strcmp(goals[g].bench, name) != 0)
                    continue;
                bool ok = goals[g].kind == 'r'   ? has_ratio && ratio >= goals[g].target
                          : goals[g].kind == 'v' ? value <= goals[g].target
                                                 : value >= goals[g].target;
                snprintf(goal, sizeof goal, "%s %s %g: %s", goals[g].kind == 'r' ? "ratio" : "value",
                         goals[g].kind == 'v' ? "<=" : ">=", goals[g].target, ok ? "met" : "MISSED");
                missed += !ok;
            }
            char r[16] = "";
            if (has_ratio)
                snprintf(r, sizeof r, "%.3f", ratio);
            printf("%-26s %12.4g %-10s %8s  %s\n", name, value, unit, r, goal);
            fflush(stdout);
        }
        fclose(f);
        failed += !bench_finish(programs[k], pid);
    }
    if (failed) {
        fprintf(stderr, "sysdma bench: %d benchmark program(s) missing or failed\n", failed);
        return 1;
    }
    if (!json)
        printf("\n%d figures, %d goal(s) missed\n", ran, missed);
    return 0;
}
