/* SPDX-License-Identifier: MIT */
/* The harness's script: parsed commands and the state of their run (script.c). */
#ifndef SYSDMA_WDK_SCRIPT_H
#define SYSDMA_WDK_SCRIPT_H

#include "wdk_internal.h"

typedef enum {
    WDK_OPEN,
    WDK_READ,
    WDK_WRITE,
    WDK_FORMAT,
    WDK_IOCTL,
    WDK_PLAY,
    WDK_SLEEP,
    WDK_EJECT,
    WDK_INSERT
} wdk_op;

typedef struct wdk_cmd {
    wdk_op op;
    unsigned line;
    uint64_t a, b, c;
    char name[128];
    NTSTATUS expect;
} wdk_cmd;

typedef struct wdk_script {
    wdk_cmd *cmds;
    unsigned n;
    PDEVICE_OBJECT target;
    uint8_t *shadow;     /* what the disk must hold */
    unsigned pass;       /* writes so far (varies the pattern) */
    uint8_t *pcm;        /* what the card must play */
    size_t pcm_len;
} wdk_script;

int sysdma__wdk_script_parse(const char *text, wdk_cmd **out, unsigned *count, char *why,
                             size_t cap);
void sysdma__wdk_script_run(wdk_script *sc);
void sysdma__wdk_script_check(wdk_script *sc);

#endif
