/* SPDX-License-Identifier: MIT */
/*
 * The shim's strings, wide-string runtime, registry and machine
 * description, as drivers use them: counted strings and integer
 * conversion, the kernel's swprintf on 16-bit characters, the services
 * key and its Parameters values through RtlQueryRegistryValues and
 * ZwQueryValueKey, IoQueryDeviceDescription's floppy controller and drive,
 * bus address translation — and the ReactOS debug macros compile.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "sysdma-wdk/sysdma_wdk.h"
#include <csq.h>
#include <mountdev.h>
#include <ntdddisk.h>
#include <ntddk.h>
#include <debug.h> /* reactos/: the ReactOS macros */

#define ENTRY(fn) ((sysdma_wdk_entry_fn)(void (*)(void))(fn))

static char got[32][96];
static unsigned ngot;

static void note(const char *fmt, ...)
{
    if (ngot >= 32)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(got[ngot++], sizeof got[0], fmt, ap);
    va_end(ap);
}

static void narrow(char *dst, size_t cap, const WCHAR *w)
{
    size_t k = 0;
    for (; w[k] && k + 1 < cap; k++)
        dst[k] = (char)w[k];
    dst[k] = 0;
}

/* ---- strings -------------------------------------------------------------------------------- */

static NTSTATUS strings_entry(PDRIVER_OBJECT d, PUNICODE_STRING r)
{
    UNREFERENCED_PARAMETER(d);
    UNREFERENCED_PARAMETER(r);
    WCHAR buf[128];
    char a[128];
    int n = _swprintf(buf, L"\\Device\\Floppy%d", 3);
    narrow(a, sizeof a, buf);
    note("%d %s %u", n, a, (unsigned)wcslen(buf));
    swprintf(buf, L"[%5s|%-4S|%04x|%lu|%I64d|%c%%]", L"ab", "cd", 0xBEEFu, 4000000000ul,
             (long long)-5, 'Z');
    narrow(a, sizeof a, buf);
    note("%s", a);
    UNICODE_STRING s, t;
    WCHAR tbuf[32];
    RtlInitUnicodeString(&s, L"Floppy");
    RtlInitEmptyUnicodeString(&t, tbuf, sizeof tbuf);
    RtlCopyUnicodeString(&t, &s);
    RtlAppendUnicodeToString(&t, L"0");
    note("%u %u %d %d", s.Length, t.Length, RtlEqualUnicodeString(&s, &t, FALSE),
         RtlCompareUnicodeString(&s, &t, TRUE) < 0);
    WCHAR nbuf[16];
    UNICODE_STRING num;
    ULONG v = 0;
    RtlInitEmptyUnicodeString(&num, nbuf, sizeof nbuf);
    RtlIntegerToUnicodeString(0x3F0, 16, &num);
    RtlUnicodeStringToInteger(&num, 16, &v);
    narrow(a, sizeof a, nbuf);
    note("%s %lx", a, (unsigned long)v);
    DECLARE_CONST_UNICODE_STRING(link, L"\\DosDevices\\A:");
    note("%u %d", link.Length, RtlCompareUnicodeString(&link, &link, FALSE));
    ANSI_STRING as;
    UNICODE_STRING us;
    RtlInitAnsiString(&as, "ansi");
    RtlAnsiStringToUnicodeString(&us, &as, TRUE);
    note("%u %d", us.Length, wcscmp(us.Buffer, L"ansi"));
    RtlFreeUnicodeString(&us);
    TRACE_(FLOPPY, "not printed %d\n", 1);
    /* DbgPrint with the Windows model's sizes and strings */
    UNICODE_STRING dev;
    RtlInitUnicodeString(&dev, L"\\Device\\Floppy0");
    ULONG status = 0xC0000034;
    DbgPrint("%lx %08X %wZ %I64d %s %S %ws %hs %-3d| %Ix\n", status, 0x1Fu, &dev, (LONGLONG)-3, "n",
             L"w", L"w2", "h", 7, (ULONG_PTR)0x1234);
    DbgPrintEx(DPFLTR_IHVDRIVER_ID, DPFLTR_ERROR_LEVEL, "%u%%\n", 50u);
    ERR_(FLOPPY, "err %lu\n", (ULONG)9);
    return STATUS_SUCCESS;
}

static char logged[8][160];
static unsigned nlogged;

static void on_log(void *ctx, const char *line)
{
    (void)ctx;
    if (nlogged < 8)
        snprintf(logged[nlogged++], sizeof logged[0], "%s", line);
}

static void test_strings(void **state)
{
    (void)state;
    sysdma_wdk_config cfg;
    sysdma_wdk_result res;
    memset(&cfg, 0, sizeof cfg);
    cfg.driver_entry = ENTRY(strings_entry);
    cfg.log = on_log;
    nlogged = 0;
    ngot = 0;
    assert_int_equal(sysdma_wdk_run(&cfg, &res), 0);
    const char *want[] = {"15 \\Device\\Floppy3 15", "[   ab|cd  |beef|4000000000|-5|Z%]",
                          "12 14 0 1", "3F0 3f0", "28 0", "8 0"};
    assert_int_equal(ngot, sizeof want / sizeof want[0]);
    for (unsigned k = 0; k < ngot; k++)
        assert_string_equal(got[k], want[k]);
    assert_int_equal(nlogged, 4);
    assert_string_equal(logged[0], "c0000034 0000001F \\Device\\Floppy0 -3 n w w2 h 7  | 1234");
    assert_string_equal(logged[1], "50%");
    assert_non_null(strstr(logged[2], "test_wdk_rtl.c"));
    assert_string_equal(logged[3], "err 9");
}

/* ---- registry --------------------------------------------------------------------------------- */

static NTSTATUS count_values(PWSTR ValueName, ULONG ValueType, PVOID ValueData, ULONG ValueLength,
                             PVOID Context, PVOID EntryContext)
{
    UNREFERENCED_PARAMETER(ValueName);
    UNREFERENCED_PARAMETER(ValueData);
    UNREFERENCED_PARAMETER(ValueLength);
    UNREFERENCED_PARAMETER(EntryContext);
    if (ValueType == REG_DWORD)
        (*(PULONG)Context)++;
    return STATUS_SUCCESS;
}

static NTSTATUS registry_entry(PDRIVER_OBJECT d, PUNICODE_STRING r)
{
    UNREFERENCED_PARAMETER(d);
    char a[200];
    narrow(a, sizeof a, r->Buffer);
    note("%s", a);
    ULONG start = 0, rate = 0, dflt = 7, missing = 99, dwords = 0;
    RTL_QUERY_REGISTRY_TABLE t[6];
    RtlZeroMemory(t, sizeof t);
    t[0].Flags = RTL_QUERY_REGISTRY_DIRECT;
    t[0].Name = L"Start";
    t[0].EntryContext = &start;
    t[1].Flags = RTL_QUERY_REGISTRY_SUBKEY;
    t[1].Name = L"Parameters";
    t[2].Flags = RTL_QUERY_REGISTRY_DIRECT;
    t[2].Name = L"Rate";
    t[2].EntryContext = &rate;
    t[3].Flags = RTL_QUERY_REGISTRY_DIRECT;
    t[3].Name = L"Absent";
    t[3].EntryContext = &missing;
    t[3].DefaultType = REG_DWORD;
    t[3].DefaultData = &dflt;
    t[3].DefaultLength = sizeof dflt;
    t[4].QueryRoutine = count_values; /* every value of Parameters */
    NTSTATUS st = RtlQueryRegistryValues(RTL_REGISTRY_ABSOLUTE, r->Buffer, t, &dwords, NULL);
    note("0x%x %lu %lu %lu %lu", (unsigned)st, (unsigned long)start, (unsigned long)rate,
         (unsigned long)missing, (unsigned long)dwords);
    RtlZeroMemory(t, sizeof t);
    t[0].Flags = RTL_QUERY_REGISTRY_DIRECT | RTL_QUERY_REGISTRY_REQUIRED;
    t[0].Name = L"Absent";
    t[0].EntryContext = &missing;
    note("required 0x%x", (unsigned)RtlQueryRegistryValues(RTL_REGISTRY_SERVICES, L"regtest", t,
                                                           NULL, NULL));
    note("no key 0x%x", (unsigned)RtlQueryRegistryValues(RTL_REGISTRY_SERVICES, L"nosuch", t,
                                                         NULL, NULL));
    OBJECT_ATTRIBUTES oa;
    HANDLE key;
    UNICODE_STRING vn;
    InitializeObjectAttributes(&oa, r, OBJ_CASE_INSENSITIVE | OBJ_KERNEL_HANDLE, NULL, NULL);
    st = ZwOpenKey(&key, KEY_READ, &oa);
    UCHAR info[64];
    ULONG len = 0;
    RtlInitUnicodeString(&vn, L"Type");
    NTSTATUS q = ZwQueryValueKey(key, &vn, KeyValuePartialInformation, info, sizeof info, &len);
    PKEY_VALUE_PARTIAL_INFORMATION p = (PKEY_VALUE_PARTIAL_INFORMATION)info;
    note("open 0x%x query 0x%x type %lu len %lu value %lu", (unsigned)st, (unsigned)q,
         (unsigned long)p->Type, (unsigned long)p->DataLength, (unsigned long)*(PULONG)p->Data);
    NTSTATUS first = ZwClose(key);
    note("close 0x%x again 0x%x", (unsigned)first, (unsigned)ZwClose(key));
    return STATUS_SUCCESS;
}

static void test_registry(void **state)
{
    (void)state;
    sysdma_wdk_config cfg;
    sysdma_wdk_result res;
    memset(&cfg, 0, sizeof cfg);
    cfg.driver_entry = ENTRY(registry_entry);
    cfg.service_name = "regtest";
    cfg.parameters = "Rate=0x1F4, Other=3";
    ngot = 0;
    assert_int_equal(sysdma_wdk_run(&cfg, &res), 0);
    const char *want[] = {"\\Registry\\Machine\\System\\CurrentControlSet\\Services\\regtest",
                          "0x0 1 500 7 3", "required 0xc0000034", "no key 0xc0000034",
                          "open 0x0 query 0x0 type 4 len 4 value 1", "close 0x0 again 0xc0000008"};
    assert_int_equal(ngot, sizeof want / sizeof want[0]);
    for (unsigned k = 0; k < ngot; k++)
        assert_string_equal(got[k], want[k]);
}

/* ---- the machine description ------------------------------------------------------------------ */

static NTSTATUS on_controller(PVOID Context, PUNICODE_STRING PathName, INTERFACE_TYPE BusType,
                              ULONG BusNumber, PKEY_VALUE_FULL_INFORMATION *BusInformation,
                              CONFIGURATION_TYPE ControllerType, ULONG ControllerNumber,
                              PKEY_VALUE_FULL_INFORMATION *ControllerInformation,
                              CONFIGURATION_TYPE PeripheralType, ULONG PeripheralNumber,
                              PKEY_VALUE_FULL_INFORMATION *PeripheralInformation)
{
    UNREFERENCED_PARAMETER(Context);
    UNREFERENCED_PARAMETER(PathName);
    UNREFERENCED_PARAMETER(BusInformation);
    UNREFERENCED_PARAMETER(PeripheralNumber);
    PKEY_VALUE_FULL_INFORMATION c = ControllerInformation[IoQueryDeviceConfigurationData];
    PCM_FULL_RESOURCE_DESCRIPTOR f = (PCM_FULL_RESOURCE_DESCRIPTOR)((PCHAR)c + c->DataOffset);
    note("bus %d/%lu controller %d/%lu peripheral %d", BusType, (unsigned long)BusNumber,
         ControllerType, (unsigned long)ControllerNumber, PeripheralType);
    for (ULONG k = 0; k < f->PartialResourceList.Count; k++) {
        PCM_PARTIAL_RESOURCE_DESCRIPTOR d = &f->PartialResourceList.PartialDescriptors[k];
        if (d->Type == CmResourceTypePort) {
            ULONG space = 1;
            PHYSICAL_ADDRESS tr;
            BOOLEAN ok = HalTranslateBusAddress(BusType, BusNumber, d->u.Port.Start, &space, &tr);
            note("port 0x%llx len %lu -> %d 0x%llx space %lu", (unsigned long long)d->u.Port.Start.QuadPart,
                 (unsigned long)d->u.Port.Length, ok, (unsigned long long)tr.QuadPart,
                 (unsigned long)space);
        } else if (d->Type == CmResourceTypeInterrupt) {
            KIRQL irql;
            KAFFINITY aff;
            ULONG vec = HalGetInterruptVector(BusType, BusNumber, d->u.Interrupt.Level,
                                              d->u.Interrupt.Vector, &irql, &aff);
            note("irq %lu latched %d vector 0x%lx irql %u", (unsigned long)d->u.Interrupt.Level,
                 (d->Flags & CM_RESOURCE_INTERRUPT_LATCHED) != 0, (unsigned long)vec, irql);
        } else if (d->Type == CmResourceTypeDma) {
            note("dma %lu", (unsigned long)d->u.Dma.Channel);
        }
    }
    if (PeripheralInformation) {
        PKEY_VALUE_FULL_INFORMATION p = PeripheralInformation[IoQueryDeviceConfigurationData];
        PCM_FULL_RESOURCE_DESCRIPTOR pf = (PCM_FULL_RESOURCE_DESCRIPTOR)((PCHAR)p + p->DataOffset);
        PCM_PARTIAL_RESOURCE_DESCRIPTOR d = &pf->PartialResourceList.PartialDescriptors[0];
        PCM_FLOPPY_DEVICE_DATA fd = (PCM_FLOPPY_DEVICE_DATA)(d + 1);
        note("drive: type %u, %lu KB, %u sectors, %u tracks, fill 0x%02X", d->Type,
             (unsigned long)fd->MaxDensity, fd->SectorPerTrack, fd->MaximumTrackValue + 1,
             fd->FormatFillCharacter);
    }
    return STATUS_SUCCESS;
}

static NTSTATUS config_entry(PDRIVER_OBJECT d, PUNICODE_STRING r)
{
    UNREFERENCED_PARAMETER(d);
    UNREFERENCED_PARAMETER(r);
    INTERFACE_TYPE bus = Isa;
    CONFIGURATION_TYPE ctl = DiskController, per = FloppyDiskPeripheral;
    note("0x%x", (unsigned)IoQueryDeviceDescription(&bus, NULL, &ctl, NULL, &per, NULL,
                                                     on_controller, NULL));
    ctl = AudioController;
    note("0x%x", (unsigned)IoQueryDeviceDescription(&bus, NULL, &ctl, NULL, NULL, NULL,
                                                     on_controller, NULL));
    bus = PCIBus;
    note("0x%x", (unsigned)IoQueryDeviceDescription(&bus, NULL, &ctl, NULL, NULL, NULL,
                                                     on_controller, NULL));
    IoGetConfigurationInformation()->FloppyCount++;
    note("floppies %lu", (unsigned long)IoGetConfigurationInformation()->FloppyCount);
    return STATUS_SUCCESS;
}

static void test_machine_description(void **state)
{
    (void)state;
    sysdma_wdk_config cfg;
    sysdma_wdk_result res;
    memset(&cfg, 0, sizeof cfg);
    cfg.driver_entry = ENTRY(config_entry);
    ngot = 0;
    assert_int_equal(sysdma_wdk_run(&cfg, &res), 0);
    const char *want[] = {
        "bus 1/0 controller 13/0 peripheral 26",
        "port 0x3f0 len 8 -> 1 0x3f0 space 1",
        "irq 6 latched 1 vector 0x36 irql 21",
        "dma 2",
        "drive: type 5, 1440 KB, 18 sectors, 80 tracks, fill 0xF6",
        "0x0",
        "bus 1/0 controller 23/0 peripheral 0",
        "port 0x220 len 16 -> 1 0x220 space 1",
        "irq 5 latched 1 vector 0x35 irql 22",
        "dma 1",
        "dma 5",
        "0x0",
        "0xc0000034",
        "floppies 1"};
    assert_int_equal(ngot, sizeof want / sizeof want[0]);
    for (unsigned k = 0; k < ngot; k++)
        assert_string_equal(got[k], want[k]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_strings),
        cmocka_unit_test(test_registry),
        cmocka_unit_test(test_machine_description),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
