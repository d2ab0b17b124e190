/* SPDX-License-Identifier: MIT */
/*
 * Counted strings on 16-bit characters (RtlInitUnicodeString and the
 * rest), and the HAL's and memory manager's address services for the
 * simulated PC: bus addresses translate to themselves (ports stay port
 * numbers, memory is simulated RAM's physical view), contiguous memory
 * is simulated RAM, the configuration counts are the machine's.
 */
#include <stdlib.h>
#include <string.h>

#include "wdk_internal.h"

#define TAG_STR 0x72745355 /* 'UStr' */

size_t sysdma__wdk_wcslen(const WCHAR *s)
{
    size_t n = 0;
    while (s[n])
        n++;
    return n;
}

void sysdma__wdk_wcs_from_ascii(WCHAR *dst, size_t cap, const char *src)
{
    size_t k = 0;
    for (; src[k] && k + 1 < cap; k++)
        dst[k] = (WCHAR)(unsigned char)src[k];
    if (cap)
        dst[k] = 0;
}

void sysdma__wdk_ascii_from_us(char *dst, size_t cap, const UNICODE_STRING *us)
{
    size_t n = us && us->Buffer ? us->Length / sizeof(WCHAR) : 0, k = 0;
    for (; k < n && k + 1 < cap; k++)
        dst[k] = us->Buffer[k] < 128 ? (char)us->Buffer[k] : '?';
    if (cap)
        dst[k] = 0;
}

static WCHAR up(WCHAR c)
{
    return c >= 'a' && c <= 'z' ? (WCHAR)(c - 32) : c;
}

int sysdma__wdk_wcsicmp(const WCHAR *a, const WCHAR *b)
{
    for (;; a++, b++) {
        WCHAR x = up(*a), y = up(*b);
        if (x != y)
            return x < y ? -1 : 1;
        if (!x)
            return 0;
    }
}

WCHAR RtlUpcaseUnicodeChar(WCHAR SourceCharacter)
{
    return up(SourceCharacter);
}

VOID RtlInitUnicodeString(PUNICODE_STRING DestinationString, PCWSTR SourceString)
{
    if (!SourceString) {
        DestinationString->Length = DestinationString->MaximumLength = 0;
        DestinationString->Buffer = NULL;
        return;
    }
    size_t n = sysdma__wdk_wcslen(SourceString) * sizeof(WCHAR);
    if (n > 0xFFFC)
        n = 0xFFFC;
    DestinationString->Length = (USHORT)n;
    DestinationString->MaximumLength = (USHORT)(n + sizeof(WCHAR));
    DestinationString->Buffer = (PWSTR)SourceString;
}

VOID RtlInitAnsiString(PANSI_STRING DestinationString, PCSZ SourceString)
{
    size_t n = SourceString ? strlen(SourceString) : 0;
    if (n > 0xFFFE)
        n = 0xFFFE;
    DestinationString->Length = (USHORT)n;
    DestinationString->MaximumLength = (USHORT)(SourceString ? n + 1 : 0);
    DestinationString->Buffer = (PCHAR)SourceString;
}

VOID RtlInitString(PSTRING DestinationString, PCSZ SourceString)
{
    RtlInitAnsiString(DestinationString, SourceString);
}

VOID RtlCopyUnicodeString(PUNICODE_STRING DestinationString, PCUNICODE_STRING SourceString)
{
    if (!SourceString) {
        DestinationString->Length = 0;
        return;
    }
    USHORT n = SourceString->Length < DestinationString->MaximumLength
                   ? SourceString->Length
                   : DestinationString->MaximumLength;
    memmove(DestinationString->Buffer, SourceString->Buffer, n);
    DestinationString->Length = n;
    if (n + sizeof(WCHAR) <= DestinationString->MaximumLength)
        DestinationString->Buffer[n / sizeof(WCHAR)] = 0;
}

static NTSTATUS append(PUNICODE_STRING d, const WCHAR *s, size_t bytes)
{
    if ((size_t)d->Length + bytes > d->MaximumLength)
        return STATUS_BUFFER_TOO_SMALL;
    memmove((char *)d->Buffer + d->Length, s, bytes);
    d->Length = (USHORT)(d->Length + bytes);
    if (d->Length + sizeof(WCHAR) <= d->MaximumLength)
        d->Buffer[d->Length / sizeof(WCHAR)] = 0;
    return STATUS_SUCCESS;
}

NTSTATUS RtlAppendUnicodeToString(PUNICODE_STRING Destination, PCWSTR Source)
{
    return Source ? append(Destination, Source, sysdma__wdk_wcslen(Source) * sizeof(WCHAR))
                  : STATUS_SUCCESS;
}

NTSTATUS RtlAppendUnicodeStringToString(PUNICODE_STRING Destination, PCUNICODE_STRING Source)
{
    return append(Destination, Source->Buffer, Source->Length);
}

LONG RtlCompareUnicodeString(PCUNICODE_STRING String1, PCUNICODE_STRING String2,
                             BOOLEAN CaseInSensitive)
{
    size_t n1 = String1->Length / 2, n2 = String2->Length / 2;
    for (size_t k = 0; k < n1 && k < n2; k++) {
        WCHAR a = String1->Buffer[k], b = String2->Buffer[k];
        if (CaseInSensitive)
            a = up(a), b = up(b);
        if (a != b)
            return (LONG)a - (LONG)b;
    }
    return (LONG)n1 - (LONG)n2;
}

BOOLEAN RtlEqualUnicodeString(PCUNICODE_STRING String1, PCUNICODE_STRING String2,
                              BOOLEAN CaseInSensitive)
{
    return String1->Length == String2->Length &&
           RtlCompareUnicodeString(String1, String2, CaseInSensitive) == 0;
}

NTSTATUS RtlIntegerToUnicodeString(ULONG Value, ULONG Base, PUNICODE_STRING String)
{
    if (Base == 0)
        Base = 10;
    if (Base != 2 && Base != 8 && Base != 10 && Base != 16)
        return STATUS_INVALID_PARAMETER;
    WCHAR tmp[33];
    int n = 0;
    do {
        ULONG d = Value % Base;
        tmp[n++] = (WCHAR)(d < 10 ? '0' + d : 'A' + d - 10);
        Value /= Base;
    } while (Value);
    if ((size_t)n * sizeof(WCHAR) > String->MaximumLength)
        return STATUS_BUFFER_OVERFLOW;
    for (int k = 0; k < n; k++)
        String->Buffer[k] = tmp[n - 1 - k];
    String->Length = (USHORT)(n * sizeof(WCHAR));
    if (String->Length + sizeof(WCHAR) <= String->MaximumLength)
        String->Buffer[n] = 0;
    return STATUS_SUCCESS;
}

NTSTATUS RtlUnicodeStringToInteger(PCUNICODE_STRING String, ULONG Base, PULONG Value)
{
    size_t n = String->Length / 2, k = 0;
    while (k < n && String->Buffer[k] == ' ')
        k++;
    if (Base == 0) {
        Base = 10;
        if (k + 1 < n && String->Buffer[k] == '0') {
            WCHAR p = up(String->Buffer[k + 1]);
            Base = p == 'X' ? 16 : p == 'O' ? 8 : p == 'B' ? 2 : 10;
            if (Base != 10)
                k += 2;
        }
    }
    ULONG v = 0;
    for (; k < n; k++) {
        WCHAR c = up(String->Buffer[k]);
        ULONG d = c >= '0' && c <= '9' ? (ULONG)(c - '0') : c >= 'A' && c <= 'F' ? (ULONG)(c - 'A' + 10) : 99;
        if (d >= Base)
            break;
        v = v * Base + d;
    }
    *Value = v;
    return STATUS_SUCCESS;
}

NTSTATUS RtlAnsiStringToUnicodeString(PUNICODE_STRING DestinationString,
                                      PCANSI_STRING SourceString,
                                      BOOLEAN AllocateDestinationString)
{
    size_t bytes = (size_t)SourceString->Length * 2;
    if (bytes > 0xFFFC)
        return STATUS_INVALID_PARAMETER;
    if (AllocateDestinationString) {
        DestinationString->Buffer = sysdma__wdk_alloc(bytes + 2, TAG_STR);
        if (!DestinationString->Buffer)
            return STATUS_NO_MEMORY;
        DestinationString->MaximumLength = (USHORT)(bytes + 2);
    } else if (bytes > DestinationString->MaximumLength) {
        return STATUS_BUFFER_OVERFLOW;
    }
    for (size_t k = 0; k < SourceString->Length; k++)
        DestinationString->Buffer[k] = (WCHAR)(unsigned char)SourceString->Buffer[k];
    DestinationString->Length = (USHORT)bytes;
    if (bytes + 2 <= DestinationString->MaximumLength)
        DestinationString->Buffer[bytes / 2] = 0;
    return STATUS_SUCCESS;
}

NTSTATUS RtlUnicodeStringToAnsiString(PANSI_STRING DestinationString,
                                      PCUNICODE_STRING SourceString,
                                      BOOLEAN AllocateDestinationString)
{
    size_t n = SourceString->Length / 2;
    if (AllocateDestinationString) {
        DestinationString->Buffer = sysdma__wdk_alloc(n + 1, TAG_STR);
        if (!DestinationString->Buffer)
            return STATUS_NO_MEMORY;
        DestinationString->MaximumLength = (USHORT)(n + 1);
    } else if (n > DestinationString->MaximumLength) {
        return STATUS_BUFFER_OVERFLOW;
    }
    for (size_t k = 0; k < n; k++) {
        WCHAR c = SourceString->Buffer[k];
        DestinationString->Buffer[k] = c < 128 ? (CHAR)c : '?';
    }
    DestinationString->Length = (USHORT)n;
    if (n + 1 <= DestinationString->MaximumLength)
        DestinationString->Buffer[n] = 0;
    return STATUS_SUCCESS;
}

VOID RtlFreeUnicodeString(PUNICODE_STRING UnicodeString)
{
    if (UnicodeString->Buffer)
        sysdma__wdk_free(UnicodeString->Buffer);
    UnicodeString->Buffer = NULL;
    UnicodeString->Length = UnicodeString->MaximumLength = 0;
}

VOID RtlFreeAnsiString(PANSI_STRING AnsiString)
{
    if (AnsiString->Buffer)
        sysdma__wdk_free(AnsiString->Buffer);
    AnsiString->Buffer = NULL;
    AnsiString->Length = AnsiString->MaximumLength = 0;
}

/* ---- addresses ------------------------------------------------------------------------------ */

BOOLEAN HalTranslateBusAddress(INTERFACE_TYPE InterfaceType, ULONG BusNumber,
                               PHYSICAL_ADDRESS BusAddress, PULONG AddressSpace,
                               PPHYSICAL_ADDRESS TranslatedAddress)
{
    (void)BusNumber;
    if (!AddressSpace || !TranslatedAddress ||
        (InterfaceType != Internal && InterfaceType != Isa && InterfaceType != PNPISABus))
        return FALSE;
    if (*AddressSpace == 1 && (BusAddress.QuadPart < 0 || BusAddress.QuadPart > 0xFFFF))
        return FALSE;
    *TranslatedAddress = BusAddress;
    return TRUE;
}

PVOID MmMapIoSpace(PHYSICAL_ADDRESS PhysicalAddress, SIZE_T NumberOfBytes,
                   MEMORY_CACHING_TYPE CacheType)
{
    (void)CacheType;
    uint64_t ram = sysdma_sim_ram_bytes(W->sim);
    uint64_t pa = (uint64_t)PhysicalAddress.QuadPart;
    if (PhysicalAddress.QuadPart < 0 || !NumberOfBytes || pa >= ram || NumberOfBytes > ram - pa)
        return NULL;
    return sysdma_sim_phys_view(W->sim) + pa;
}

VOID MmUnmapIoSpace(PVOID BaseAddress, SIZE_T NumberOfBytes)
{
    (void)BaseAddress, (void)NumberOfBytes;
}

PHYSICAL_ADDRESS MmGetPhysicalAddress(PVOID BaseAddress)
{
    PHYSICAL_ADDRESS p;
    uint64_t pa = 0;
    p.QuadPart = sysdma_sim_virt_to_phys(W->sim, BaseAddress, &pa) ? (LONGLONG)pa : 0;
    return p;
}

#define CONTIG_SLOTS 64
static struct {
    void *va;
    uint64_t phys;
    size_t bytes;
} contig[CONTIG_SLOTS];

PVOID MmAllocateContiguousMemory(SIZE_T NumberOfBytes, PHYSICAL_ADDRESS HighestAcceptableAddress)
{
    for (int k = 0; k < CONTIG_SLOTS; k++)
        if (!contig[k].va) {
            uint64_t max = (uint64_t)HighestAcceptableAddress.QuadPart + 1;
            size_t bytes = (NumberOfBytes + 4095) & ~(size_t)4095;
            if (!bytes || sysdma_sim_alloc_contig(W->sim, bytes, max, 0, 4096, &contig[k].phys,
                                                  &contig[k].va) != SYSDMA_OK) {
                contig[k].va = NULL;
                return NULL;
            }
            contig[k].bytes = bytes;
            return contig[k].va;
        }
    return NULL;
}

VOID MmFreeContiguousMemory(PVOID BaseAddress)
{
    for (int k = 0; k < CONTIG_SLOTS; k++)
        if (contig[k].va && contig[k].va == BaseAddress) {
            sysdma_sim_free_contig(W->sim, contig[k].phys, contig[k].bytes);
            contig[k].va = NULL;
            return;
        }
    sysdma__wdk_fail(true, "MmFreeContiguousMemory of memory it never gave out");
}

PCONFIGURATION_INFORMATION IoGetConfigurationInformation(VOID)
{
    return &W->config_info;
}

NTSTATUS IoReportResourceUsage(PUNICODE_STRING DriverClassName, PDRIVER_OBJECT DriverObject,
                               PCM_RESOURCE_LIST DriverList, ULONG DriverListSize,
                               PDEVICE_OBJECT DeviceObject, PCM_RESOURCE_LIST DeviceList,
                               ULONG DeviceListSize, BOOLEAN OverrideConflict,
                               PBOOLEAN ConflictDetected)
{
    (void)DriverClassName, (void)DriverObject, (void)DriverList, (void)DriverListSize;
    (void)DeviceObject, (void)DeviceList, (void)DeviceListSize, (void)OverrideConflict;
    if (ConflictDetected)
        *ConflictDetected = FALSE;
    return STATUS_SUCCESS;
}

unsigned sysdma__wdk_rtl_fini(void)
{
    unsigned leaks = 0;
    for (int k = 0; k < CONTIG_SLOTS; k++)
        if (contig[k].va) {
            sysdma__wdk_log("sysdma-wdk: leak: contiguous memory, %zu bytes", contig[k].bytes);
            contig[k].va = NULL;
            leaks++;
        }
    return leaks;
}
