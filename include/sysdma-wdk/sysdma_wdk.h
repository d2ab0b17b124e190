/* SPDX-License-Identifier: MIT */
/*
 * sysdma-wdk/sysdma_wdk.h: the harness of libsysdma-wdk — run one
 * Windows-model driver on a fresh simulated PC with the DMA verifier on,
 * deterministically, and drive it with IRPs from a script. The tool's
 * `sysdma wdk-run` is this call with a command line around it.
 *
 * The machine: 64 MiB of RAM, the 8237A pair, an ISA floppy controller
 * at 0x3F0 (IRQ 6, DMA 2) with a 1.44 MB disk in drive 0, a Sound Blaster
 * 16 at 0x220 (IRQ 5, DMA 1 and 5), and sysdma's generic test device at
 * 0x300 (IRQ 10, DMA 3; see sysdma/emu_testdev.h) for tests, as the
 * firmware hands it over (the floppy controller out of reset and waiting
 * for a command, drive 0's disk-change line off). The run: DriverEntry, then AddDevice
 * (if the driver set one) with a physical device object for the machine,
 * and IRP_MN_START_DEVICE with the device's resources, then the script's
 * requests in order, then the driver's Unload (if set), then the checks:
 * the disk must hold what the script wrote, and — for a driver that
 * unloads — nothing may be left allocated (pool, contiguous memory, DMA
 * resources: the verifier's leak report; adapters from HalGetAdapter are
 * the HAL's, put by the run). Everything runs on the scheduler of
 * wdk_ke.h, so two runs with the same configuration give the same
 * trace, bit for bit.
 *
 * The script, one request per line ('#' starts a comment; numbers are
 * decimal or 0x hexadecimal):
 *   open NAME                 later requests go to the device NAME (a
 *                             device or symbolic link name, "\Device\Floppy0");
 *                             by default the driver's first device
 *   read LBA COUNT            IRP_MJ_READ of COUNT 512-byte sectors at LBA;
 *                             the data must equal the disk's
 *   write LBA COUNT           IRP_MJ_WRITE of COUNT sectors of a pattern
 *                             (from the seed, LBA and pass); the disk must
 *                             hold it at the end
 *   format CYL HEAD           IOCTL_DISK_FORMAT_TRACKS of one track (1.44 MB
 *                             media); its sectors read as the fill byte 0xF6
 *   ioctl CODE [IN [OUT]]     IRP_MJ_DEVICE_CONTROL, IN zero bytes in, OUT out
 *   play MS [RATE [BITS]]     IRP_MJ_WRITE of MS milliseconds of a mono tone
 *                             (default 22050 Hz, 16 bits); the card must
 *                             play exactly these bytes
 *   expect STATUS             the previous request must have ended with
 *                             STATUS (a number, or a name: success, pending,
 *                             timeout, cancelled, invalid_parameter,
 *                             no_media_in_device, not_supported, ...)
 *   sleep MS                  the harness thread waits MS ms of simulated time
 *   eject / insert            take the disk out of drive 0, put it back
 * A request that does not end with the expected status (success unless
 * `expect` follows) fails the run.
 */
#ifndef SYSDMA_WDK_HARNESS_H
#define SYSDMA_WDK_HARNESS_H

#include <stdbool.h>
#include <stdint.h>

#include "sysdma/sim.h"
#include "sysdma/sysdma.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A driver's DriverEntry, as a plain function pointer: the harness passes
 * its DRIVER_OBJECT and registry path (PDRIVER_OBJECT, PUNICODE_STRING)
 * and takes its NTSTATUS. */
typedef int32_t (*sysdma_wdk_entry_fn)(void *driver_object, void *registry_path);

typedef struct sysdma_wdk_config {
    const char *driver_path;         /* a shared object exporting DriverEntry (dlopen) ... */
    sysdma_wdk_entry_fn driver_entry; /* ... or a DriverEntry linked into the program */
    const char *service_name;        /* \Driver\NAME and its services key; NULL: "wdkdriver" */
    const char *script;              /* the script's text (see above); NULL: no requests */
    const char *floppy_image;        /* a 1.44 MB image file to start from; NULL: a zeroed disk */
    const char *floppy_out;          /* write the disk here after the run; NULL: not written */
    uint64_t seed;                   /* patterns and the machine's placements; 0: 1 */
    uint64_t hang_ns;                /* simulated time with every thread waiting for ever and
                                        no device event before the run is a hang; 0: 5 s */
    uint64_t limit_ns;               /* the longest run in simulated time; 0: 600 s */
    bool no_verifier;                /* run without the DMA verifier */
    /* The device AddDevice's physical device object stands for, and the
     * resources IRP_MN_START_DEVICE gives it: "floppy" (NULL), "sb16" or
     * "testdev". */
    const char *pnp_device;
    /* REG_DWORD values in the driver's services key's Parameters subkey,
     * "Name=NUMBER" separated by commas or spaces; NULL: none. */
    const char *parameters;
    /* Each scheduler event ("12.345678 ms thread 2 waits event 0x.."), in order. */
    void (*trace)(void *ctx, const char *line);
    /* DbgPrint output and the run's reports, one line each; NULL: stderr. */
    void (*log)(void *ctx, const char *line);
    /* Called once the machine is built, before DriverEntry: hook the
     * 8237's events (a VCD), the lint, and so on. */
    void (*machine)(void *ctx, sysdma_sim *sim, sysdma_system *sys);
    /* Called after each step of simulated time (a timeline). */
    void (*tick)(void *ctx, sysdma_sim *sim, sysdma_system *sys);
    void *ctx;
} sysdma_wdk_config;

typedef struct sysdma_wdk_result {
    unsigned failures;          /* all of the below */
    unsigned requests;          /* script requests run */
    unsigned request_failures;  /* wrong status or wrong data */
    uint64_t verifier_reports;
    unsigned leaks;             /* pool blocks, IRPs, devices, threads left at the end */
    bool hang;                  /* the scheduler found every thread waiting for ever */
    bool bugcheck;              /* KeBugCheck, a failed ASSERT, a kernel-rule violation */
    int32_t entry_status;       /* DriverEntry's */
    uint64_t sim_ns;            /* simulated time at the end */
    char reason[512];           /* the first failure, one line ("" when none) */
} sysdma_wdk_result;

/* Run as described above. Returns 0 when the run passed (no failure of
 * any kind), 1 when it failed (res says why), 2 for a configuration that
 * cannot run (no driver, an unreadable image, a bad script line: res->reason).
 * One run at a time in a process — the kernel's calls name no context, so
 * they find the run through a global; a call while another runs returns 2.
 * The callbacks run on the thread that holds the simulated processor. */
int sysdma_wdk_run(const sysdma_wdk_config *cfg, sysdma_wdk_result *res);

/* During a run (from a driver or a callback): the test device's FIFO
 * (64 KiB, its size in *bytes) and the machine. NULL outside a run. */
uint8_t *sysdma_wdk_testdev_fifo(size_t *bytes);
sysdma_sim *sysdma_wdk_sim(void);
/* During a run: drive IRQ line 0-15 of the machine as a device would (a
 * device model a program adds, or a test); the interrupt is delivered at
 * the scheduler's next chance. */
void sysdma_wdk_set_irq(unsigned irq, bool level);

#ifdef __cplusplus
}
#endif
#endif /* SYSDMA_WDK_HARNESS_H */
