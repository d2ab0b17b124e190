/* SPDX-License-Identifier: MIT */
/*
 * libsysdma-wdk's internals: one run's state (struct wdk_run, reached
 * through sysdma__wdk), the scheduler's thread records and the helpers the
 * service files share. One run at a time per process: the WDK's calls
 * name no context, so they find the run through this global, as a kernel
 * finds its own.
 *
 * The baton: every driver thread is a pthread, but only the one named by
 * run->current executes driver code; the others sleep on their own
 * condition variable. Everything below is read and written by the baton
 * holder only (under run->mu while handing the baton over), which is what
 * makes a run deterministic and what ThreadSanitizer checks.
 */
#ifndef SYSDMA_WDK_INTERNAL_H
#define SYSDMA_WDK_INTERNAL_H

#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>

#include "sysdma-wdk/wdm.h"
#include "sysdma-wdk/ntdddisk.h"
#include "sysdma-wdk/sysdma_wdk.h"
#include "sysdma/emu_fdc.h"
#include "sysdma/emu_sb16.h"
#include "sysdma/emu_testdev.h"
#include "sysdma/ctrl_i8237.h"
#include "sysdma/sim.h"
#include "sysdma/verifier.h"

#define WDK_MAX_WAIT 64
#define WDK_HANDLES 256
#define WDK_NAMES 64
#define WDK_INTERRUPTS 16
#define WDK_STEP_NS 10000u /* idle time advances in steps of this */
#define WDK_QUANTUM_NS 15625000u /* a thread at PASSIVE_LEVEL is preempted after this */
#define WDK_PORT_NS 1000u /* one port access takes 1 µs of simulated time */

/* A driver thread (the harness's own thread is number 0). The dispatcher
 * header comes first, so the thread is a waitable object (signalled when
 * it ends) and PKTHREAD/PETHREAD point here. */
struct _KTHREAD {
    DISPATCHER_HEADER Header;
    int id;
    pthread_t pt;
    pthread_cond_t cv;
    bool started;         /* pthread created */
    bool ready;           /* in the ready queue */
    bool done;
    bool waiting;
    KIRQL irql;
    KPRIORITY priority;
    LONG refs;            /* ObReference / handle references */
    /* the current wait */
    ULONG nobj;
    PVOID objs[WDK_MAX_WAIT];
    WAIT_TYPE wait_type;
    uint64_t deadline;    /* simulated ns; UINT64_MAX: none */
    NTSTATUS wake_status;
    const char *wait_what; /* for the hang report */
    PKSTART_ROUTINE start;
    PVOID start_ctx;
    struct _KTHREAD *next_ready;
    struct _KTHREAD *next_all;
};
typedef struct _KTHREAD wdk_thread;

/* A handle's object. */
typedef enum { WDK_H_FREE, WDK_H_THREAD, WDK_H_KEY } wdk_handle_kind;

/* An interrupt object on one IRQ line. */
struct _KINTERRUPT {
    PKSERVICE_ROUTINE isr;
    PVOID ctx;
    unsigned irq;
    KIRQL sync_irql;
    KINTERRUPT_MODE mode;
    BOOLEAN share;
    KSPIN_LOCK lock;
    BOOLEAN connected;
};

/* A name of the object directory: a device, or a symbolic link to a name. */
typedef struct wdk_name {
    WCHAR name[128];
    WCHAR target[128];       /* a symbolic link's target ("" for a device) */
    PDEVICE_OBJECT device;
} wdk_name;

/* A pool block's header (the caller's bytes follow). */
typedef struct wdk_pool {
    uint64_t magic;
    ULONG tag;
    size_t bytes;
    struct wdk_pool *prev, *next;
    uint64_t pad; /* the caller's bytes start 16-byte aligned */
} wdk_pool;

/* A registry value of the machine description. */
typedef struct wdk_value {
    char key[160];           /* full path, as ASCII, "\Registry\Machine\..." (case-insensitive) */
    char name[64];
    ULONG type;
    ULONG len;
    uint8_t data[256];
} wdk_value;

typedef struct wdk_run {
    const sysdma_wdk_config *cfg;
    sysdma_wdk_result *res;
    pthread_mutex_t mu;
    jmp_buf abort_to;        /* the harness thread's way out of a failed run */
    bool aborting;           /* the run is over: every thread leaves at its next turn */
    bool teardown;
    bool ignore_leaks;       /* the verifier's leak reports are not failures (no Unload, or aborted) */
    /* scheduler */
    wdk_thread *current;     /* the baton holder */
    wdk_thread *threads;     /* all, in creation order */
    wdk_thread *ready_head, *ready_tail;
    wdk_thread main;
    int next_id;
    uint64_t slice_start;    /* when the current thread got the baton */
    uint64_t port_debt;      /* port-access time not yet applied */
    int in_sim;              /* inside sysdma_sim_run: no nested time advance */
    int in_dpc;
    LIST_ENTRY dpcs;
    LIST_ENTRY timers;
    /* machine */
    sysdma_sim *sim;
    sysdma_system *sys;
    sysdma_platform pf;
    sysdma_platform_ops ops;         /* the sim's, with port access charged time */
    const sysdma_platform_ops *sim_ops;
    void *adapter_blocks[64];        /* live blocks the size of an adapter object */
    sysdma_emu_fdc fdc;
    sysdma_emu_sb16 sb;
    sysdma_emu_testdev testdev;
    uint8_t testdev_fifo[65536];
    sysdma_i8237_driver i8237;
    sysdma_controller ctrl;
    uint8_t *disk;                   /* the 1.44 MB image in drive 0 */
    uint8_t *played;                 /* what the SB16 played */
    size_t played_len, played_cap;
    unsigned edges[16];              /* rising edges per IRQ line */
    unsigned seen[16];               /* edges delivered */
    bool level[16];
    unsigned unclaimed[16];          /* level-sensitive rounds nobody claimed */
    PKINTERRUPT intr[16][2];
    /* objects */
    struct {
        wdk_handle_kind kind;
        void *obj;
    } handles[WDK_HANDLES];
    wdk_name names[WDK_NAMES];
    wdk_pool pool;                   /* list head of live blocks */
    size_t pool_live;
    wdk_value *values;
    unsigned nvalues, cap_values;
    KSPIN_LOCK cancel_lock;
    CONFIGURATION_INFORMATION config_info;
    PDRIVER_OBJECT driver;
    PDEVICE_OBJECT pdo;
} wdk_run;

extern wdk_run *sysdma__wdk;
#define W sysdma__wdk

/* ---- sched.c ------------------------------------------------------------------------- */
wdk_thread *sysdma__wdk_self(void);
void sysdma__wdk_sched_init(wdk_run *r);
void sysdma__wdk_sched_fini(wdk_run *r);
/* The calling thread gives up the baton (it waits, or it is preempted
 * when `requeue`) and returns when it gets it back. */
void sysdma__wdk_block(bool requeue);
void sysdma__wdk_make_ready(wdk_thread *t);
/* Simulated time passes (stall, port access); ISRs and DPCs run. */
void sysdma__wdk_advance(uint64_t ns);
void sysdma__wdk_charge_port(void);
void sysdma__wdk_run_dpcs(void);
void sysdma__wdk_trace(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void sysdma__wdk_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* End the run as failed: records `fmt`, never returns to the caller. */
__attribute__((noreturn)) void sysdma__wdk_fail(bool bugcheck, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
int sysdma__wdk_thread_start(wdk_thread *t);
uint64_t sysdma__wdk_now(void);
/* The hang report's description of a wait. */
void sysdma__wdk_describe_wait(const wdk_thread *t, char *buf, size_t cap);

/* ---- ke.c: dispatcher objects --------------------------------------------------------- */
/* An object was signalled: satisfy waiters in thread order. */
void sysdma__wdk_signal(PVOID object);
/* Timers and wait deadlines due at `now`. */
void sysdma__wdk_expire(uint64_t now);
uint64_t sysdma__wdk_next_deadline(void);

/* ---- intr.c ------------------------------------------------------------------------- */
void sysdma__wdk_irq_line(unsigned irq, bool level);
void sysdma__wdk_deliver_pending(void);
void sysdma__wdk_intr_init(void);

/* ---- pool.c ------------------------------------------------------------------------- */
void *sysdma__wdk_alloc(size_t bytes, ULONG tag);
void sysdma__wdk_free(void *p);
unsigned sysdma__wdk_pool_report(void);
void sysdma__wdk_pool_fini(void);
int sysdma__wdk_handle_new(wdk_handle_kind kind, void *obj);
void *sysdma__wdk_handle_get(HANDLE h, wdk_handle_kind kind);

/* ---- io.c ---------------------------------------------------------------------------- */
PDEVICE_OBJECT sysdma__wdk_device_by_name(const WCHAR *name);
void sysdma__wdk_io_fini(void);

/* ---- rtl.c ---------------------------------------------------------------------------- */
size_t sysdma__wdk_wcslen(const WCHAR *s);
void sysdma__wdk_wcs_from_ascii(WCHAR *dst, size_t cap, const char *src);
void sysdma__wdk_ascii_from_us(char *dst, size_t cap, const UNICODE_STRING *us);
int sysdma__wdk_wcsicmp(const WCHAR *a, const WCHAR *b);
unsigned sysdma__wdk_rtl_fini(void);
/* crt.c: DbgPrint's formatting, with the Windows model's sizes and %wZ. */
size_t sysdma__wdk_vformat(char *buf, size_t cap, const char *fmt, va_list ap);

/* ---- registry.c ----------------------------------------------------------------------- */
void sysdma__wdk_registry_init(void);
void sysdma__wdk_registry_fini(void);
void sysdma__wdk_registry_set(const char *key, const char *name, ULONG type, const void *data,
                              ULONG len);

/* ---- machine.c ------------------------------------------------------------------------ */
int sysdma__wdk_machine_up(wdk_run *r, char *why, size_t cap);
void sysdma__wdk_machine_down(wdk_run *r);

#endif /* SYSDMA_WDK_INTERNAL_H */
