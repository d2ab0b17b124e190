/* SPDX-License-Identifier: MIT */
/*
 * sysdma's DMA verifier: catches a driver's misuse of the adapter API and
 * says what to fix.
 *
 * It is a decorator. Switched on for a system (every adapter got from then
 * on, and those already got) or for one adapter, it puts its own operations
 * table in front of the adapter's and checks every call before passing it
 * on; the core does not change. An adapter it does not wrap runs exactly as
 * before, so the verifier costs nothing when off.
 *
 * A misuse is reported — a structured report to a callback (by default one
 * line through the platform's log) — and, in SYSDMA_VERIFIER_CONTINUE mode,
 * the call is refused with SYSDMA_E_VERIFIER and changes nothing. Misuse
 * that can only be seen afterwards (guard bytes overwritten, a bounced
 * buffer changed while the device owned it) is reported when it is seen
 * and the call is still carried out, returning SYSDMA_E_VERIFIER. In
 * SYSDMA_VERIFIER_STOP mode the first report stops the machine (the
 * platform's halt, else a trap).
 *
 * The checks are the union of Windows Driver Verifier's DMA checks and
 * Linux dma-debug's that apply to this API; the table below
 * names each. Reports carry the caller's file and line when the driver
 * includes this header with SYSDMA_VERIFIER_SITES defined: the public
 * calls then become macros that note their call site first.
 */
#ifndef SYSDMA_VERIFIER_H
#define SYSDMA_VERIFIER_H

#include "sysdma/sysdma.h"

#ifdef __cplusplus
extern "C" {
#endif

/* X(name, what the driver did wrong) */
#define SYSDMA_VERIFIER_CHECKS(X)                                                                 \
    X(INVALID_DESCRIPTION, "device description refused (version, channel, width or fields)")     \
    X(USE_AFTER_PUT, "adapter used after its last put")                                          \
    X(PUT_WITH_RESOURCES, "adapter put while it holds a channel, registers, buffers or lists")    \
    X(TOO_MANY_MAP_REGISTERS, "more map registers asked than the adapter allows")                \
    X(ALLOCATE_OUTSTANDING, "a second channel request from a device that has one outstanding")   \
    X(ALLOCATE_IN_CONTROL, "channel requested from inside an AdapterControl routine")            \
    X(BAD_ALLOCATION_ACTION, "AdapterControl returned an invalid action, or released a channel " \
                             "whose transfer is still mapped")                                   \
    X(FREE_CHANNEL_NOT_OWNER, "channel freed twice or without holding it")                       \
    X(FREE_CHANNEL_MAPPED, "channel freed while a transfer is mapped and not flushed")           \
    X(FREE_REGISTERS_NOT_HELD, "map registers freed twice, not kept, or with another count")     \
    X(FREE_REGISTERS_MAPPED, "map registers freed while a transfer through them is mapped")      \
    X(MAP_WITHOUT_CHANNEL, "transfer mapped without holding the channel")                        \
    X(MAP_STALE_REGISTERS, "transfer mapped with a map register base that is not the one held")  \
    X(MAP_WHILE_MAPPED, "transfer mapped while the previous one is not flushed (or a list runs)") \
    X(OUT_OF_MDL, "CurrentVa/length not inside the MDL")                                         \
    X(ZERO_LENGTH, "zero-length mapping")                                                        \
    X(TOO_LONG, "piece longer than the channel or the map registers held allow")                 \
    X(ODD_16BIT, "odd address or length on a 16-bit channel")                                    \
    X(OVERLAPPING_MAPPING, "buffer mapped while an overlapping mapping from the device is live") \
    X(FLUSH_WITHOUT_MAP, "buffers flushed with nothing mapped")                                  \
    X(FLUSH_MISMATCH, "flush with another MDL, CurrentVa, length or register base than the map") \
    X(FLUSH_DIRECTION, "flush in the other direction than the map")                              \
    X(FLUSH_BEFORE_COMPLETION, "version-3 flush of a transfer neither complete nor cancelled")    \
    X(BOUNCED_WRITE_TOUCHED, "buffer changed by the CPU between map and flush of a bounced write") \
    X(BOUNCE_GUARD, "map-register bytes before or past the mapped piece were written")           \
    X(COMMON_BAD_FREE, "common buffer freed twice or with another length, address or cache flag") \
    X(COMMON_GUARD, "common buffer written before its start or past its end")                   \
    X(LIST_PUT_UNKNOWN, "scatter/gather list put twice or not this adapter's")                   \
    X(LIST_DIRECTION, "scatter/gather list put or run in the other direction")                   \
    X(LIST_PUT_RUNNING, "scatter/gather list put or started again while it runs")               \
    X(LEAK, "resources never released")                                                          \
    X(V3_ARGUMENTS, "version-3 call with a context not initialized for this adapter, bad flags, "  \
                    "or an offset or length outside the MDL chain")

typedef enum sysdma_verifier_check {
#define SYSDMA_X(name, text) SYSDMA_VCHECK_##name,
    SYSDMA_VERIFIER_CHECKS(SYSDMA_X)
#undef SYSDMA_X
        SYSDMA_VCHECK_COUNT
} sysdma_verifier_check;

/* One report. Strings are static or live until the callback returns. */
typedef struct sysdma_verifier_report {
    sysdma_verifier_check check;
    const char *check_name;  /* "MAP_WHILE_MAPPED" */
    const char *message;     /* what to fix, one line */
    sysdma_adapter *adapter; /* NULL for system-wide reports */
    uint32_t channel;        /* 0xFFFFFFFF for a bus master or none */
    const char *call;        /* the API function, "sysdma_map_transfer" */
    const char *file;        /* caller's file and line, or NULL/0 */
    int line;
    uint64_t count;          /* LEAK and PUT_WITH_RESOURCES: how many of `what` */
    const char *what;        /* ...of what: "channel", "map register sets", ... */
} sysdma_verifier_report;

typedef void (*sysdma_verifier_report_fn)(void *ctx, const sysdma_verifier_report *report);

typedef enum sysdma_verifier_mode {
    SYSDMA_VERIFIER_CONTINUE = 0, /* report, refuse the call, go on */
    SYSDMA_VERIFIER_STOP = 1      /* report, then stop */
} sysdma_verifier_mode;

typedef struct sysdma_verifier_config {
    sysdma_verifier_mode mode;
    sysdma_verifier_report_fn report; /* NULL: one line through the platform's log */
    void *report_ctx;
    bool all_adapters;                /* wrap every adapter of the system (else: none yet,
                                       * see sysdma_verifier_wrap) */
} sysdma_verifier_config;

/* Switch the verifier on for `sys` (config copied; NULL: continue mode,
 * all adapters, log output). Adapters already got are wrapped too when
 * all_adapters. SYSDMA_E_WRONG_STATE when already on; SYSDMA_E_NO_MEMORY.
 * It stays on until the system is destroyed, when it lists what was
 * never released. */
sysdma_status sysdma_verifier_enable(sysdma_system *sys, const sysdma_verifier_config *config);

/* Verify one adapter (the verifier must be on for its system).
 * SYSDMA_OK also when it is already wrapped. */
sysdma_status sysdma_verifier_wrap(sysdma_adapter *adapter);

/* Reports so far, of one check or (SYSDMA_VCHECK_COUNT) of all. */
uint64_t sysdma_verifier_reports(sysdma_system *sys, sysdma_verifier_check check);

const char *sysdma_verifier_check_name(sysdma_verifier_check check);

/* Note the call site of the next sysdma call on this thread (the macros
 * below do it). */
void sysdma_verifier_site(const char *file, int line);

#ifdef SYSDMA_VERIFIER_SITES
#define SYSDMA__SITE(call) (sysdma_verifier_site(__FILE__, __LINE__), call)
#define sysdma_adapter_get(...) SYSDMA__SITE((sysdma_adapter_get)(__VA_ARGS__))
#define sysdma_adapter_put(...) SYSDMA__SITE((sysdma_adapter_put)(__VA_ARGS__))
#define sysdma_channel_allocate(...) SYSDMA__SITE((sysdma_channel_allocate)(__VA_ARGS__))
#define sysdma_channel_free(...) SYSDMA__SITE((sysdma_channel_free)(__VA_ARGS__))
#define sysdma_map_registers_free(...) SYSDMA__SITE((sysdma_map_registers_free)(__VA_ARGS__))
#define sysdma_map_transfer(...) SYSDMA__SITE((sysdma_map_transfer)(__VA_ARGS__))
#define sysdma_flush_adapter_buffers(...) SYSDMA__SITE((sysdma_flush_adapter_buffers)(__VA_ARGS__))
#define sysdma_common_buffer_allocate(...) SYSDMA__SITE((sysdma_common_buffer_allocate)(__VA_ARGS__))
#define sysdma_common_buffer_free(...) SYSDMA__SITE((sysdma_common_buffer_free)(__VA_ARGS__))
#define sysdma_sg_get(...) SYSDMA__SITE((sysdma_sg_get)(__VA_ARGS__))
#define sysdma_sg_put(...) SYSDMA__SITE((sysdma_sg_put)(__VA_ARGS__))
#define sysdma_sg_build(...) SYSDMA__SITE((sysdma_sg_build)(__VA_ARGS__))
#define sysdma_sg_start(...) SYSDMA__SITE((sysdma_sg_start)(__VA_ARGS__))
#define sysdma_channel_allocate_ex(...) SYSDMA__SITE((sysdma_channel_allocate_ex)(__VA_ARGS__))
#define sysdma_channel_cancel(...) SYSDMA__SITE((sysdma_channel_cancel)(__VA_ARGS__))
#define sysdma_adapter_free_object(...) SYSDMA__SITE((sysdma_adapter_free_object)(__VA_ARGS__))
#define sysdma_map_transfer_ex(...) SYSDMA__SITE((sysdma_map_transfer_ex)(__VA_ARGS__))
#define sysdma_flush_adapter_buffers_ex(...) SYSDMA__SITE((sysdma_flush_adapter_buffers_ex)(__VA_ARGS__))
#define sysdma_sg_get_ex(...) SYSDMA__SITE((sysdma_sg_get_ex)(__VA_ARGS__))
#define sysdma_common_buffer_allocate_ex(...) SYSDMA__SITE((sysdma_common_buffer_allocate_ex)(__VA_ARGS__))
#endif

#ifdef __cplusplus
}
#endif
#endif /* SYSDMA_VERIFIER_H */
