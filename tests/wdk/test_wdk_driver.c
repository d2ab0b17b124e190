/* SPDX-License-Identifier: MIT */
/*
 * The test driver (testdrv.c: a CSQ-fed worker thread, ISR and DPC,
 * legacy packet DMA on the test device) under the harness: data moved
 * both ways byte for byte, requests queued while the worker runs, a
 * queued request cancelled, the device control path through the script,
 * Unload leaving nothing behind; and the same driver with its mistakes
 * switched on ends in the verifier's or the scheduler's report.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "sysdma-wdk/sysdma_wdk.h"
#include "testdrv.h"

#define ENTRY(fn) ((sysdma_wdk_entry_fn)(void (*)(void))(fn))
#define LEN 20000u

static NTSTATUS results[8];
static ULONG_PTR infos[8];
static int mismatches;
static char log_text[1 << 16];
static size_t log_len;

static void on_log(void *ctx, const char *line)
{
    (void)ctx;
    size_t n = strlen(line);
    if (log_len + n + 2 < sizeof log_text) {
        memcpy(log_text + log_len, line, n);
        log_len += n;
        log_text[log_len++] = '\n';
        log_text[log_len] = 0;
    }
}

/* One read or write through the I/O manager's own request builder. */
static PIRP request(PDEVICE_OBJECT d, ULONG major, PVOID buf, ULONG len, PKEVENT ev,
                    PIO_STATUS_BLOCK iosb)
{
    LARGE_INTEGER off;
    off.QuadPart = 0;
    KeInitializeEvent(ev, NotificationEvent, FALSE);
    return IoBuildSynchronousFsdRequest(major, d, buf, len, &off, ev, iosb);
}

static NTSTATUS call_and_wait(PDEVICE_OBJECT d, PIRP irp, PKEVENT ev, PIO_STATUS_BLOCK iosb)
{
    if (IoCallDriver(d, irp) == STATUS_PENDING)
        KeWaitForSingleObject(ev, Executive, KernelMode, FALSE, NULL);
    return iosb->Status;
}

static uint8_t byte_at(unsigned k, unsigned salt)
{
    return (uint8_t)(k * 7u + salt * 31u + (k >> 8));
}

/* The driver, then a client in DriverEntry's thread. */
static NTSTATUS client_entry(PDRIVER_OBJECT drv, PUNICODE_STRING reg)
{
    NTSTATUS st = DriverEntry(drv, reg);
    if (!NT_SUCCESS(st))
        return st;
    UNICODE_STRING link;
    PDEVICE_OBJECT d;
    PFILE_OBJECT file;
    RtlInitUnicodeString(&link, L"\\DosDevices\\SysdmaTest");
    if (!NT_SUCCESS(IoGetDeviceObjectPointer(&link, 0, &file, &d)))
        return STATUS_NO_SUCH_DEVICE;
    PUCHAR out = ExAllocatePoolWithTag(NonPagedPool, LEN, 'tilC');
    PUCHAR in = ExAllocatePoolWithTag(NonPagedPool, 3 * LEN, 'tilC');
    size_t fifo_bytes;
    uint8_t *fifo = sysdma_wdk_testdev_fifo(&fifo_bytes);
    KEVENT ev[4];
    IO_STATUS_BLOCK iosb[4];
    /* out to the device */
    for (unsigned k = 0; k < LEN; k++)
        out[k] = byte_at(k, 1);
    PIRP irp = request(d, IRP_MJ_WRITE, out, LEN, &ev[0], &iosb[0]);
    results[0] = call_and_wait(d, irp, &ev[0], &iosb[0]);
    infos[0] = iosb[0].Information;
    for (unsigned k = 0; k < LEN; k++)
        mismatches += fifo[k] != out[k];
    /* three reads queued at once: the worker takes them in turn */
    for (unsigned k = 0; k < LEN; k++)
        fifo[k] = byte_at(k, 2);
    RtlZeroMemory(in, 3 * LEN);
    PVOID events[3];
    for (int r = 0; r < 3; r++) {
        irp = request(d, IRP_MJ_READ, in + r * LEN, LEN, &ev[r], &iosb[r]);
        results[1 + r] = IoCallDriver(d, irp);
        events[r] = &ev[r];
    }
    /* a fourth, cancelled while still queued */
    irp = request(d, IRP_MJ_READ, out, LEN, &ev[3], &iosb[3]);
    IoCallDriver(d, irp);
    IoCancelIrp(irp);
    KWAIT_BLOCK blocks[3];
    KeWaitForMultipleObjects(3, events, WaitAll, Executive, KernelMode, FALSE, NULL, blocks);
    KeWaitForSingleObject(&ev[3], Executive, KernelMode, FALSE, NULL);
    for (int r = 0; r < 3; r++) {
        results[4 + r] = iosb[r].Status;
        infos[1 + r] = iosb[r].Information;
        for (unsigned k = 0; k < LEN; k++)
            mismatches += in[r * LEN + k] != byte_at(k, 2);
    }
    results[7] = iosb[3].Status;
    ExFreePoolWithTag(out, 'tilC');
    ExFreePoolWithTag(in, 'tilC');
    return STATUS_SUCCESS;
}

static int run(sysdma_wdk_entry_fn entry, const char *script, ULONG bug, sysdma_wdk_result *res)
{
    memset(results, 0xAA, sizeof results);
    memset(infos, 0, sizeof infos);
    mismatches = 0;
    log_len = 0;
    log_text[0] = 0;
    testdrv_bug = bug;
    sysdma_wdk_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.driver_entry = entry;
    cfg.service_name = "sysdmatest";
    cfg.script = script;
    cfg.log = on_log;
    cfg.hang_ns = 200000000; /* 200 ms */
    int rc = sysdma_wdk_run(&cfg, res);
    testdrv_bug = 0;
    return rc;
}

static void test_queue_worker_isr_dpc(void **state)
{
    (void)state;
    sysdma_wdk_result res;
    int rc = run(ENTRY(client_entry), NULL, 0, &res);
    if (rc)
        fprintf(stderr, "%s", log_text);
    assert_int_equal(rc, 0);
    assert_int_equal(res.entry_status, STATUS_SUCCESS);
    assert_int_equal(results[0], STATUS_SUCCESS);
    assert_int_equal(infos[0], LEN);
    for (int r = 0; r < 3; r++) {
        assert_int_equal(results[1 + r], STATUS_PENDING);
        assert_int_equal(results[4 + r], STATUS_SUCCESS);
        assert_int_equal(infos[1 + r], LEN);
    }
    assert_int_equal(results[7], STATUS_CANCELLED);
    assert_int_equal(mismatches, 0);
    assert_int_equal(res.verifier_reports, 0);
    assert_int_equal(res.leaks, 0);
}

static void test_script_requests(void **state)
{
    (void)state;
    sysdma_wdk_result res;
    char script[256];
    snprintf(script, sizeof script,
             "open \\DosDevices\\SysdmaTest\n"
             "read 0 8      # the FIFO and the disk are both zero\n"
             "ioctl 0x%X 0 4\n"
             "ioctl 0x222777\n"
             "expect invalid_device_request\n"
             "read 0 200\n"
             "expect invalid_parameter   # more than 64 KiB\n",
             (unsigned)IOCTL_TESTDRV_STATUS);
    int rc = run(ENTRY(DriverEntry), script, 0, &res);
    if (rc)
        fprintf(stderr, "%s", log_text);
    assert_int_equal(rc, 0);
    assert_int_equal(res.requests, 4);
    /* a wrong expectation fails the run and says which line */
    rc = run(ENTRY(DriverEntry), "ioctl 0x222777\n", 0, &res);
    assert_int_equal(rc, 1);
    assert_int_equal(res.request_failures, 1);
    assert_non_null(strstr(res.reason, "script line 1"));
    /* a script that cannot be read is a configuration error */
    assert_int_equal(run(ENTRY(DriverEntry), "read 0\n", 0, &res), 2);
    assert_non_null(strstr(res.reason, "line 1"));
}

static void test_forgets_to_flush(void **state)
{
    (void)state;
    sysdma_wdk_result res;
    assert_int_equal(run(ENTRY(client_entry), NULL, TESTDRV_BUG_NO_FLUSH, &res), 1);
    assert_true(res.verifier_reports > 0);
    assert_non_null(strstr(res.reason, "DMA verifier: FREE_CHANNEL_MAPPED"));
}

static void test_frees_the_channel_twice(void **state)
{
    (void)state;
    sysdma_wdk_result res;
    assert_int_equal(run(ENTRY(client_entry), NULL, TESTDRV_BUG_FREE_TWICE, &res), 1);
    assert_true(res.verifier_reports > 0);
    assert_non_null(strstr(res.reason, "DMA verifier: FREE_CHANNEL_NOT_OWNER"));
}

static void test_waits_for_a_dpc_that_never_comes(void **state)
{
    (void)state;
    sysdma_wdk_result res;
    assert_int_equal(run(ENTRY(client_entry), NULL, TESTDRV_BUG_NO_DPC, &res), 1);
    assert_true(res.hang);
    assert_non_null(strstr(log_text, "thread 1 waits for ever on any of notification event"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_queue_worker_isr_dpc),
        cmocka_unit_test(test_script_requests),
        cmocka_unit_test(test_forgets_to_flush),
        cmocka_unit_test(test_frees_the_channel_twice),
        cmocka_unit_test(test_waits_for_a_dpc_that_never_comes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
