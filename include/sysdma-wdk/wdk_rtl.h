/* SPDX-License-Identifier: MIT */
/*
 * sysdma-wdk/wdk_rtl.h: part of the sysdma-wdk headers (include <wdm.h>).
 * Counted strings, the registry (RtlQueryRegistryValues, ZwOpenKey,
 * ZwQueryValueKey) and the legacy configuration a driver of the ISA era
 * asks for (IoQueryDeviceDescription, HalGetInterruptVector,
 * HalTranslateBusAddress, MmMapIoSpace, IoGetConfigurationInformation,
 * resource descriptors). The registry and the configuration are answered
 * from the harness's machine description: an ISA floppy controller at
 * 0x3F0, IRQ 6, DMA 2, with a 1.44 MB drive 0; a Sound Blaster 16 at
 * 0x220, IRQ 5, DMA 1 and 5; plus the values the run configures.
 */
#ifndef SYSDMA_WDK_RTL_H
#define SYSDMA_WDK_RTL_H

#ifndef SYSDMA_WDK_H
#error "include <wdm.h> (sysdma-wdk), not sysdma-wdk/wdk_rtl.h"
#endif

/* ---- strings ---------------------------------------------------------------------------- */

#define RTL_CONSTANT_STRING(s) {sizeof(s) - sizeof((s)[0]), sizeof(s), (PWSTR)(s)}
#define DECLARE_CONST_UNICODE_STRING(name, s)                                                     \
    const WCHAR name##_buffer[] = s;                                                              \
    const UNICODE_STRING name = {sizeof(name##_buffer) - sizeof(WCHAR), sizeof(name##_buffer),    \
                                 (PWSTR)name##_buffer}
#define DECLARE_UNICODE_STRING_SIZE(name, size)                                                   \
    WCHAR name##_buffer[size];                                                                    \
    UNICODE_STRING name = {0, (size) * sizeof(WCHAR), name##_buffer}

static inline VOID RtlInitEmptyUnicodeString(PUNICODE_STRING UnicodeString, PWCHAR Buffer,
                                             USHORT BufferSize)
{
    UnicodeString->Length = 0;
    UnicodeString->MaximumLength = BufferSize;
    UnicodeString->Buffer = Buffer;
}

VOID RtlInitUnicodeString(PUNICODE_STRING DestinationString, PCWSTR SourceString);
VOID RtlInitAnsiString(PANSI_STRING DestinationString, PCSZ SourceString);
VOID RtlInitString(PSTRING DestinationString, PCSZ SourceString);
VOID RtlCopyUnicodeString(PUNICODE_STRING DestinationString, PCUNICODE_STRING SourceString);
NTSTATUS RtlAppendUnicodeToString(PUNICODE_STRING Destination, PCWSTR Source);
NTSTATUS RtlAppendUnicodeStringToString(PUNICODE_STRING Destination, PCUNICODE_STRING Source);
LONG RtlCompareUnicodeString(PCUNICODE_STRING String1, PCUNICODE_STRING String2,
                             BOOLEAN CaseInSensitive);
BOOLEAN RtlEqualUnicodeString(PCUNICODE_STRING String1, PCUNICODE_STRING String2,
                              BOOLEAN CaseInSensitive);
/* Decimal (Base 0 or 10), hexadecimal (16), octal (8) or binary (2). */
NTSTATUS RtlIntegerToUnicodeString(ULONG Value, ULONG Base, PUNICODE_STRING String);
NTSTATUS RtlUnicodeStringToInteger(PCUNICODE_STRING String, ULONG Base, PULONG Value);
/* AllocateDestinationString TRUE: the buffer comes from pool and is
 * freed by RtlFreeUnicodeString / RtlFreeAnsiString. Characters outside
 * ASCII become '?'. */
NTSTATUS RtlAnsiStringToUnicodeString(PUNICODE_STRING DestinationString,
                                      PCANSI_STRING SourceString,
                                      BOOLEAN AllocateDestinationString);
NTSTATUS RtlUnicodeStringToAnsiString(PANSI_STRING DestinationString,
                                      PCUNICODE_STRING SourceString,
                                      BOOLEAN AllocateDestinationString);
VOID RtlFreeUnicodeString(PUNICODE_STRING UnicodeString);
VOID RtlFreeAnsiString(PANSI_STRING AnsiString);
WCHAR RtlUpcaseUnicodeChar(WCHAR SourceCharacter);

/* The 16-bit wide-string routines of the NT kernel's C runtime. They are
 * macros for libsysdma-wdk's own (the C library's work on its 32-bit
 * wchar_t), so a driver's calls reach them even where the C library's
 * names are in scope. swprintf and _swprintf are the kernel's (no count):
 * (Buffer, Format, ...), formatting as DbgPrint does except that %s is
 * wide (%S, %hs narrow). The declaration takes the Buffer as const, as
 * drivers that declare swprintf themselves do. */
size_t sysdma_wdk_wcslen(const WCHAR *String);
WCHAR *sysdma_wdk_wcscpy(WCHAR *Destination, const WCHAR *Source);
WCHAR *sysdma_wdk_wcscat(WCHAR *Destination, const WCHAR *Source);
int sysdma_wdk_wcscmp(const WCHAR *String1, const WCHAR *String2);
int sysdma_wdk_wcsicmp(const WCHAR *String1, const WCHAR *String2);
#if defined(__GNUC__) && !defined(__clang__) && __GNUC__ >= 11
/* The buffer is written, never read: no -Wmaybe-uninitialized for it. */
__attribute__((access(none, 1)))
#endif
int sysdma_wdk_swprintf(const WCHAR *Buffer, ...);
#define wcslen sysdma_wdk_wcslen
#define wcscpy sysdma_wdk_wcscpy
#define wcscat sysdma_wdk_wcscat
#define wcscmp sysdma_wdk_wcscmp
#define _wcsicmp sysdma_wdk_wcsicmp
#define swprintf sysdma_wdk_swprintf
#define _swprintf sysdma_wdk_swprintf

/* ---- the registry ----------------------------------------------------------------------- */

#define REG_NONE 0
#define REG_SZ 1
#define REG_EXPAND_SZ 2
#define REG_BINARY 3
#define REG_DWORD 4
#define REG_DWORD_LITTLE_ENDIAN 4
#define REG_DWORD_BIG_ENDIAN 5
#define REG_LINK 6
#define REG_MULTI_SZ 7
#define REG_RESOURCE_LIST 8
#define REG_FULL_RESOURCE_DESCRIPTOR 9
#define REG_RESOURCE_REQUIREMENTS_LIST 10
#define REG_QWORD 11

#define KEY_QUERY_VALUE 0x0001
#define KEY_SET_VALUE 0x0002
#define KEY_CREATE_SUB_KEY 0x0004
#define KEY_ENUMERATE_SUB_KEYS 0x0008
#define KEY_READ 0x20019
#define KEY_WRITE 0x20006
#define KEY_ALL_ACCESS 0xF003F

#define RTL_REGISTRY_ABSOLUTE 0
#define RTL_REGISTRY_SERVICES 1
#define RTL_REGISTRY_CONTROL 2
#define RTL_REGISTRY_WINDOWS_NT 3
#define RTL_REGISTRY_DEVICEMAP 4
#define RTL_REGISTRY_USER 5
#define RTL_REGISTRY_MAXIMUM 6
#define RTL_REGISTRY_HANDLE 0x40000000
#define RTL_REGISTRY_OPTIONAL 0x80000000

#define RTL_QUERY_REGISTRY_SUBKEY 0x00000001
#define RTL_QUERY_REGISTRY_TOPKEY 0x00000002
#define RTL_QUERY_REGISTRY_REQUIRED 0x00000004
#define RTL_QUERY_REGISTRY_NOVALUE 0x00000008
#define RTL_QUERY_REGISTRY_NOEXPAND 0x00000010
#define RTL_QUERY_REGISTRY_DIRECT 0x00000020
#define RTL_QUERY_REGISTRY_DELETE 0x00000040
#define RTL_QUERY_REGISTRY_TYPECHECK 0x00000100
#define RTL_QUERY_REGISTRY_TYPECHECK_SHIFT 24

typedef NTSTATUS RTL_QUERY_REGISTRY_ROUTINE(PWSTR ValueName, ULONG ValueType, PVOID ValueData,
                                            ULONG ValueLength, PVOID Context,
                                            PVOID EntryContext);
typedef RTL_QUERY_REGISTRY_ROUTINE *PRTL_QUERY_REGISTRY_ROUTINE;

typedef struct _RTL_QUERY_REGISTRY_TABLE {
    PRTL_QUERY_REGISTRY_ROUTINE QueryRoutine;
    ULONG Flags;
    PWSTR Name;
    PVOID EntryContext;
    ULONG DefaultType;
    PVOID DefaultData;
    ULONG DefaultLength;
} RTL_QUERY_REGISTRY_TABLE, *PRTL_QUERY_REGISTRY_TABLE;

/* The values of one key (Path under RelativeTo) through the table, as the
 * WDK describes: DIRECT stores a REG_DWORD into EntryContext (a ULONG) and
 * a string into the UNICODE_STRING there (its buffer from pool when
 * Buffer is NULL); else QueryRoutine is called per value; a missing value
 * takes the default, or fails the call if REQUIRED. SUBKEY entries
 * change the key for the entries after them. */
NTSTATUS RtlQueryRegistryValues(ULONG RelativeTo, PCWSTR Path,
                                PRTL_QUERY_REGISTRY_TABLE QueryTable, PVOID Context,
                                PVOID Environment);
NTSTATUS RtlWriteRegistryValue(ULONG RelativeTo, PCWSTR Path, PCWSTR ValueName, ULONG ValueType,
                               PVOID ValueData, ULONG ValueLength);
NTSTATUS RtlCheckRegistryKey(ULONG RelativeTo, PWSTR Path);

typedef enum _KEY_VALUE_INFORMATION_CLASS {
    KeyValueBasicInformation,
    KeyValueFullInformation,
    KeyValuePartialInformation,
    KeyValueFullInformationAlign64,
    KeyValuePartialInformationAlign64,
    MaxKeyValueInfoClass
} KEY_VALUE_INFORMATION_CLASS;

typedef struct _KEY_VALUE_BASIC_INFORMATION {
    ULONG TitleIndex;
    ULONG Type;
    ULONG NameLength;
    WCHAR Name[1];
} KEY_VALUE_BASIC_INFORMATION, *PKEY_VALUE_BASIC_INFORMATION;

typedef struct _KEY_VALUE_FULL_INFORMATION {
    ULONG TitleIndex;
    ULONG Type;
    ULONG DataOffset;
    ULONG DataLength;
    ULONG NameLength;
    WCHAR Name[1];
} KEY_VALUE_FULL_INFORMATION, *PKEY_VALUE_FULL_INFORMATION;

typedef struct _KEY_VALUE_PARTIAL_INFORMATION {
    ULONG TitleIndex;
    ULONG Type;
    ULONG DataLength;
    UCHAR Data[1];
} KEY_VALUE_PARTIAL_INFORMATION, *PKEY_VALUE_PARTIAL_INFORMATION;

/* Keys of the machine description, as handles until ZwClose. */
NTSTATUS ZwOpenKey(PHANDLE KeyHandle, ACCESS_MASK DesiredAccess,
                   POBJECT_ATTRIBUTES ObjectAttributes);
NTSTATUS ZwCreateKey(PHANDLE KeyHandle, ACCESS_MASK DesiredAccess,
                     POBJECT_ATTRIBUTES ObjectAttributes, ULONG TitleIndex,
                     PUNICODE_STRING Class, ULONG CreateOptions, PULONG Disposition);
NTSTATUS ZwQueryValueKey(HANDLE KeyHandle, PUNICODE_STRING ValueName,
                         KEY_VALUE_INFORMATION_CLASS KeyValueInformationClass,
                         PVOID KeyValueInformation, ULONG Length, PULONG ResultLength);
NTSTATUS ZwSetValueKey(HANDLE KeyHandle, PUNICODE_STRING ValueName, ULONG TitleIndex, ULONG Type,
                       PVOID Data, ULONG DataSize);
#define REG_OPTION_NON_VOLATILE 0
#define REG_OPTION_VOLATILE 1
#define REG_CREATED_NEW_KEY 1
#define REG_OPENED_EXISTING_KEY 2

/* ---- resources and the legacy configuration -------------------------------------------- */

#define CmResourceTypeNull 0
#define CmResourceTypePort 1
#define CmResourceTypeInterrupt 2
#define CmResourceTypeMemory 3
#define CmResourceTypeDma 4
#define CmResourceTypeDeviceSpecific 5
#define CmResourceTypeBusNumber 6

typedef enum _CM_SHARE_DISPOSITION {
    CmResourceShareUndetermined,
    CmResourceShareDeviceExclusive,
    CmResourceShareDriverExclusive,
    CmResourceShareShared
} CM_SHARE_DISPOSITION;

#define CM_RESOURCE_PORT_MEMORY 0x0000
#define CM_RESOURCE_PORT_IO 0x0001
#define CM_RESOURCE_INTERRUPT_LEVEL_SENSITIVE 0x0000
#define CM_RESOURCE_INTERRUPT_LATCHED 0x0001
#define CM_RESOURCE_DMA_8 0x0000
#define CM_RESOURCE_DMA_16 0x0001

typedef struct _CM_PARTIAL_RESOURCE_DESCRIPTOR {
    UCHAR Type;
    UCHAR ShareDisposition;
    USHORT Flags;
    union {
        struct {
            PHYSICAL_ADDRESS Start;
            ULONG Length;
        } Generic, Port, Memory;
        struct {
            ULONG Level;
            ULONG Vector;
            KAFFINITY Affinity;
        } Interrupt;
        struct {
            ULONG Channel;
            ULONG Port;
            ULONG Reserved1;
        } Dma;
        struct {
            ULONG Data[3];
        } DevicePrivate;
        struct {
            ULONG Start;
            ULONG Length;
            ULONG Reserved;
        } BusNumber;
        struct {
            ULONG DataSize;
            ULONG Reserved1;
            ULONG Reserved2;
        } DeviceSpecificData;
    } u;
} CM_PARTIAL_RESOURCE_DESCRIPTOR, *PCM_PARTIAL_RESOURCE_DESCRIPTOR;

typedef struct _CM_PARTIAL_RESOURCE_LIST {
    USHORT Version;
    USHORT Revision;
    ULONG Count;
    CM_PARTIAL_RESOURCE_DESCRIPTOR PartialDescriptors[1];
} CM_PARTIAL_RESOURCE_LIST, *PCM_PARTIAL_RESOURCE_LIST;

typedef struct _CM_FULL_RESOURCE_DESCRIPTOR {
    INTERFACE_TYPE InterfaceType;
    ULONG BusNumber;
    CM_PARTIAL_RESOURCE_LIST PartialResourceList;
} CM_FULL_RESOURCE_DESCRIPTOR, *PCM_FULL_RESOURCE_DESCRIPTOR;

typedef struct _CM_RESOURCE_LIST {
    ULONG Count;
    CM_FULL_RESOURCE_DESCRIPTOR List[1];
} CM_RESOURCE_LIST, *PCM_RESOURCE_LIST;

/* The floppy drive's BIOS parameters (the device-specific data of a
 * FloppyDiskPeripheral). */
typedef struct _CM_FLOPPY_DEVICE_DATA {
    USHORT Version;
    USHORT Revision;
    CHAR Size[8];
    ULONG MaxDensity;
    ULONG MountDensity;
    UCHAR StepRateHeadUnloadTime;
    UCHAR HeadLoadTime;
    UCHAR MotorOffTime;
    UCHAR SectorLengthCode;
    UCHAR SectorPerTrack;
    UCHAR ReadWriteGapLength;
    UCHAR DataTransferLength;
    UCHAR FormatGapLength;
    UCHAR FormatFillCharacter;
    UCHAR HeadSettleTime;
    UCHAR MotorSettleTime;
    UCHAR MaximumTrackValue;
    UCHAR DataTransferRate;
} CM_FLOPPY_DEVICE_DATA, *PCM_FLOPPY_DEVICE_DATA;

typedef enum _CONFIGURATION_TYPE {
    ArcSystem,
    CentralProcessor,
    FloatingPointProcessor,
    PrimaryIcache,
    PrimaryDcache,
    SecondaryIcache,
    SecondaryDcache,
    SecondaryCache,
    EisaAdapter,
    TcAdapter,
    ScsiAdapter,
    DtiAdapter,
    MultiFunctionAdapter,
    DiskController,
    TapeController,
    CdromController,
    WormController,
    SerialController,
    NetworkController,
    DisplayController,
    ParallelController,
    PointerController,
    KeyboardController,
    AudioController,
    OtherController,
    DiskPeripheral,
    FloppyDiskPeripheral,
    TapePeripheral,
    ModemPeripheral,
    MonitorPeripheral,
    PrinterPeripheral,
    PointerPeripheral,
    KeyboardPeripheral,
    TerminalPeripheral,
    OtherPeripheral,
    LinePeripheral,
    NetworkPeripheral,
    SystemMemory,
    DockingInformation,
    RealModeIrqRoutingTable,
    RealModePCIEnumeration,
    MaximumType
} CONFIGURATION_TYPE, *PCONFIGURATION_TYPE;

typedef enum _IO_QUERY_DEVICE_DATA_FORMAT {
    IoQueryDeviceIdentifier = 0,
    IoQueryDeviceConfigurationData,
    IoQueryDeviceComponentInformation,
    IoQueryDeviceMaxData
} IO_QUERY_DEVICE_DATA_FORMAT, *PIO_QUERY_DEVICE_DATA_FORMAT;

typedef NTSTATUS IO_QUERY_DEVICE_ROUTINE(PVOID Context, PUNICODE_STRING PathName,
                                         INTERFACE_TYPE BusType, ULONG BusNumber,
                                         PKEY_VALUE_FULL_INFORMATION *BusInformation,
                                         CONFIGURATION_TYPE ControllerType,
                                         ULONG ControllerNumber,
                                         PKEY_VALUE_FULL_INFORMATION *ControllerInformation,
                                         CONFIGURATION_TYPE PeripheralType,
                                         ULONG PeripheralNumber,
                                         PKEY_VALUE_FULL_INFORMATION *PeripheralInformation);
typedef IO_QUERY_DEVICE_ROUTINE *PIO_QUERY_DEVICE_ROUTINE;

/* Calls CalloutRoutine for each matching component of the machine
 * description (NULL numbers match all): an Isa bus 0 holding a
 * DiskController 0 (ports 0x3F0-0x3F7, IRQ 6 latched, DMA 2) with a
 * FloppyDiskPeripheral 0 (CM_FLOPPY_DEVICE_DATA of a 1.44 MB drive),
 * and an AudioController 0 (the SB16). Each information array holds
 * IoQueryDeviceMaxData entries (identifier, configuration data as a
 * CM_FULL_RESOURCE_DESCRIPTOR, component information).
 * STATUS_OBJECT_NAME_NOT_FOUND when nothing matches; else the callout's
 * last status. */
NTSTATUS IoQueryDeviceDescription(PINTERFACE_TYPE BusType, PULONG BusNumber,
                                  PCONFIGURATION_TYPE ControllerType, PULONG ControllerNumber,
                                  PCONFIGURATION_TYPE PeripheralType, PULONG PeripheralNumber,
                                  PIO_QUERY_DEVICE_ROUTINE CalloutRoutine, PVOID Context);

typedef struct _CONFIGURATION_INFORMATION {
    ULONG DiskCount;
    ULONG FloppyCount;
    ULONG CdRomCount;
    ULONG TapeCount;
    ULONG ScsiPortCount;
    ULONG SerialCount;
    ULONG ParallelCount;
    BOOLEAN AtDiskPrimaryAddressClaimed;
    BOOLEAN AtDiskSecondaryAddressClaimed;
    ULONG Version;
    ULONG MediumChangerCount;
} CONFIGURATION_INFORMATION, *PCONFIGURATION_INFORMATION;

PCONFIGURATION_INFORMATION IoGetConfigurationInformation(VOID);

NTSTATUS IoReportResourceUsage(PUNICODE_STRING DriverClassName, PDRIVER_OBJECT DriverObject,
                               PCM_RESOURCE_LIST DriverList, ULONG DriverListSize,
                               PDEVICE_OBJECT DeviceObject, PCM_RESOURCE_LIST DeviceList,
                               ULONG DeviceListSize, BOOLEAN OverrideConflict,
                               PBOOLEAN ConflictDetected);

/* ISA IRQ n is vector 0x30 + n at IRQL 27 - n (x86's mapping); Irql and
 * Affinity receive them. 0 for a line past 15. */
ULONG HalGetInterruptVector(INTERFACE_TYPE InterfaceType, ULONG BusNumber,
                            ULONG BusInterruptLevel, ULONG BusInterruptVector, PKIRQL Irql,
                            PKAFFINITY Affinity);
#define SYSDMA_WDK_VECTOR_BASE 0x30

/* Port space translates to itself (*AddressSpace stays 1: use the port
 * number as the register address for READ_PORT_*); memory space to the
 * same physical address (*AddressSpace 0: map it with MmMapIoSpace).
 * FALSE for a bus other than Internal, Isa, PNPISABus and a port past
 * 0xFFFF. */
BOOLEAN HalTranslateBusAddress(INTERFACE_TYPE InterfaceType, ULONG BusNumber,
                               PHYSICAL_ADDRESS BusAddress, PULONG AddressSpace,
                               PPHYSICAL_ADDRESS TranslatedAddress);

typedef enum _MEMORY_CACHING_TYPE {
    MmNonCached = 0,
    MmCached = 1,
    MmWriteCombined = 2,
    MmHardwareCoherentCached,
    MmNonCachedUnordered,
    MmUSWCCached,
    MmMaximumCacheType
} MEMORY_CACHING_TYPE;

/* Simulated RAM's physical range as a host pointer (the physical view);
 * NULL for a range outside RAM. */
PVOID MmMapIoSpace(PHYSICAL_ADDRESS PhysicalAddress, SIZE_T NumberOfBytes,
                   MEMORY_CACHING_TYPE CacheType);
VOID MmUnmapIoSpace(PVOID BaseAddress, SIZE_T NumberOfBytes);
PHYSICAL_ADDRESS MmGetPhysicalAddress(PVOID BaseAddress);
/* Host memory the simulated PC's RAM backs, physically contiguous below
 * HighestAcceptableAddress; MmFreeContiguousMemory frees it. */
PVOID MmAllocateContiguousMemory(SIZE_T NumberOfBytes, PHYSICAL_ADDRESS HighestAcceptableAddress);
VOID MmFreeContiguousMemory(PVOID BaseAddress);

#endif /* SYSDMA_WDK_RTL_H */
