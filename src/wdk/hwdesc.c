/* SPDX-License-Identifier: MIT */
/*
 * IoQueryDeviceDescription over the machine description: the ISA bus 0
 * with the floppy controller (DiskController 0: ports 0x3F0-0x3F7, IRQ 6
 * latched, DMA channel 2; its FloppyDiskPeripheral 0, a 1.44 MB drive
 * with the BIOS's parameters) and the Sound Blaster 16 (AudioController 0:
 * ports 0x220-0x22F, IRQ 5 latched, DMA channels 1 and 5). Each
 * information array handed to the callout holds the identifier, the
 * configuration data (a CM_FULL_RESOURCE_DESCRIPTOR, with the floppy
 * parameters behind a device-specific descriptor) and the component
 * information, as KEY_VALUE_FULL_INFORMATION blocks from pool.
 */
#include <string.h>

#include "wdk_internal.h"

#define TAG_DESC 0x63736544 /* 'Desc' */

typedef struct component {
    CONFIGURATION_TYPE type;
    const char *identifier;
    const char *path;
    unsigned nres;
    CM_PARTIAL_RESOURCE_DESCRIPTOR res[4];
    bool floppy_data;
} component;

static void port(CM_PARTIAL_RESOURCE_DESCRIPTOR *d, ULONG start, ULONG len)
{
    memset(d, 0, sizeof *d);
    d->Type = CmResourceTypePort;
    d->ShareDisposition = CmResourceShareDeviceExclusive;
    d->Flags = CM_RESOURCE_PORT_IO;
    d->u.Port.Start.QuadPart = start;
    d->u.Port.Length = len;
}

static void irq(CM_PARTIAL_RESOURCE_DESCRIPTOR *d, ULONG line)
{
    memset(d, 0, sizeof *d);
    d->Type = CmResourceTypeInterrupt;
    d->ShareDisposition = CmResourceShareDeviceExclusive;
    d->Flags = CM_RESOURCE_INTERRUPT_LATCHED;
    d->u.Interrupt.Level = line;
    d->u.Interrupt.Vector = line;
    d->u.Interrupt.Affinity = 1;
}

static void dma(CM_PARTIAL_RESOURCE_DESCRIPTOR *d, ULONG channel)
{
    memset(d, 0, sizeof *d);
    d->Type = CmResourceTypeDma;
    d->ShareDisposition = CmResourceShareDeviceExclusive;
    d->Flags = channel >= 4 ? CM_RESOURCE_DMA_16 : CM_RESOURCE_DMA_8;
    d->u.Dma.Channel = channel;
}

static void floppy_data(CM_FLOPPY_DEVICE_DATA *f)
{
    memset(f, 0, sizeof *f);
    f->Version = 2;
    memcpy(f->Size, "3.5", 4);
    f->MaxDensity = 1440;
    f->StepRateHeadUnloadTime = 0xAF;
    f->HeadLoadTime = 0x02;
    f->MotorOffTime = 0x25;
    f->SectorLengthCode = 2;
    f->SectorPerTrack = 18;
    f->ReadWriteGapLength = 0x1B;
    f->DataTransferLength = 0xFF;
    f->FormatGapLength = 0x6C;
    f->FormatFillCharacter = 0xF6;
    f->HeadSettleTime = 0x0F;
    f->MotorSettleTime = 8;
    f->MaximumTrackValue = 79;
    f->DataTransferRate = 0;
}

/* One KEY_VALUE_FULL_INFORMATION block: name, type, data (8-aligned). */
static PKEY_VALUE_FULL_INFORMATION value(const char *name, ULONG type, const void *data,
                                         ULONG len)
{
    size_t nlen = strlen(name) * sizeof(WCHAR);
    size_t off = (offsetof(KEY_VALUE_FULL_INFORMATION, Name) + nlen + 7) & ~(size_t)7;
    PKEY_VALUE_FULL_INFORMATION v = sysdma__wdk_alloc(off + len, TAG_DESC);
    if (!v)
        return NULL;
    memset(v, 0, off + len);
    v->Type = type;
    v->DataOffset = (ULONG)off;
    v->DataLength = len;
    v->NameLength = (ULONG)nlen;
    for (size_t k = 0; name[k]; k++)
        v->Name[k] = (WCHAR)name[k];
    memcpy((char *)v + off, data, len);
    return v;
}

static bool info(PKEY_VALUE_FULL_INFORMATION out[IoQueryDeviceMaxData], const char *id,
                 const CM_PARTIAL_RESOURCE_DESCRIPTOR *res, unsigned nres, bool with_floppy)
{
    WCHAR wid[32];
    sysdma__wdk_wcs_from_ascii(wid, 32, id);
    uint8_t buf[sizeof(CM_FULL_RESOURCE_DESCRIPTOR) + 4 * sizeof(CM_PARTIAL_RESOURCE_DESCRIPTOR) +
                sizeof(CM_FLOPPY_DEVICE_DATA)];
    memset(buf, 0, sizeof buf);
    CM_FULL_RESOURCE_DESCRIPTOR *full = (CM_FULL_RESOURCE_DESCRIPTOR *)buf;
    full->InterfaceType = Isa;
    full->BusNumber = 0;
    full->PartialResourceList.Version = 1;
    full->PartialResourceList.Revision = 1;
    full->PartialResourceList.Count = nres + (with_floppy ? 1 : 0);
    for (unsigned k = 0; k < nres; k++)
        full->PartialResourceList.PartialDescriptors[k] = res[k];
    size_t len = offsetof(CM_FULL_RESOURCE_DESCRIPTOR, PartialResourceList.PartialDescriptors) +
                 nres * sizeof(CM_PARTIAL_RESOURCE_DESCRIPTOR);
    if (with_floppy) {
        CM_PARTIAL_RESOURCE_DESCRIPTOR *d = &full->PartialResourceList.PartialDescriptors[nres];
        d->Type = CmResourceTypeDeviceSpecific;
        d->u.DeviceSpecificData.DataSize = sizeof(CM_FLOPPY_DEVICE_DATA);
        len += sizeof(CM_PARTIAL_RESOURCE_DESCRIPTOR);
        floppy_data((CM_FLOPPY_DEVICE_DATA *)(buf + len));
        len += sizeof(CM_FLOPPY_DEVICE_DATA);
    }
    uint8_t component_info[16] = {0};
    out[IoQueryDeviceIdentifier] = value("Identifier", REG_SZ, wid,
                                         (ULONG)((strlen(id) + 1) * sizeof(WCHAR)));
    out[IoQueryDeviceConfigurationData] =
        value("Configuration Data", REG_FULL_RESOURCE_DESCRIPTOR, buf, (ULONG)len);
    out[IoQueryDeviceComponentInformation] =
        value("Component Information", REG_BINARY, component_info, sizeof component_info);
    return out[0] && out[1] && out[2];
}

static void drop(PKEY_VALUE_FULL_INFORMATION a[IoQueryDeviceMaxData])
{
    for (int k = 0; k < IoQueryDeviceMaxData; k++)
        if (a[k])
            sysdma__wdk_free(a[k]);
}

NTSTATUS IoQueryDeviceDescription(PINTERFACE_TYPE BusType, PULONG BusNumber,
                                  PCONFIGURATION_TYPE ControllerType, PULONG ControllerNumber,
                                  PCONFIGURATION_TYPE PeripheralType, PULONG PeripheralNumber,
                                  PIO_QUERY_DEVICE_ROUTINE CalloutRoutine, PVOID Context)
{
    if (!BusType || !CalloutRoutine)
        return STATUS_INVALID_PARAMETER;
    if (*BusType != Isa || (BusNumber && *BusNumber != 0))
        return STATUS_OBJECT_NAME_NOT_FOUND;
    component comps[2];
    memset(comps, 0, sizeof comps);
    comps[0].type = DiskController;
    comps[0].identifier = "FLOPPY";
    comps[0].path = "\\Registry\\Machine\\Hardware\\Description\\System\\MultifunctionAdapter\\0"
                    "\\DiskController\\0";
    port(&comps[0].res[0], 0x3F0, 8);
    irq(&comps[0].res[1], 6);
    dma(&comps[0].res[2], 2);
    comps[0].nres = 3;
    comps[0].floppy_data = true;
    comps[1].type = AudioController;
    comps[1].identifier = "SB16";
    comps[1].path = "\\Registry\\Machine\\Hardware\\Description\\System\\MultifunctionAdapter\\0"
                    "\\AudioController\\0";
    port(&comps[1].res[0], 0x220, 16);
    irq(&comps[1].res[1], 5);
    dma(&comps[1].res[2], 1);
    dma(&comps[1].res[3], 5);
    comps[1].nres = 4;
    NTSTATUS st = STATUS_OBJECT_NAME_NOT_FOUND;
    for (int c = 0; c < 2; c++) {
        component *k = &comps[c];
        if (ControllerType && (*ControllerType != k->type || (ControllerNumber && *ControllerNumber)))
            continue;
        if (PeripheralType && (!k->floppy_data || *PeripheralType != FloppyDiskPeripheral ||
                               (PeripheralNumber && *PeripheralNumber)))
            continue;
        PKEY_VALUE_FULL_INFORMATION bus[IoQueryDeviceMaxData] = {0};
        PKEY_VALUE_FULL_INFORMATION ctl[IoQueryDeviceMaxData] = {0};
        PKEY_VALUE_FULL_INFORMATION per[IoQueryDeviceMaxData] = {0};
        bool ok = info(bus, "ISA", NULL, 0, false) && info(ctl, k->identifier, k->res, k->nres, false) &&
                  (!PeripheralType || info(per, "GENERIC_FLOPPY_DRIVE", NULL, 0, true));
        if (ok) {
            WCHAR wpath[160];
            UNICODE_STRING path;
            sysdma__wdk_wcs_from_ascii(wpath, 160, k->path);
            RtlInitUnicodeString(&path, wpath);
            st = CalloutRoutine(Context, &path, Isa, 0, bus, k->type, 0, ctl,
                                PeripheralType ? FloppyDiskPeripheral : (CONFIGURATION_TYPE)0, 0,
                                PeripheralType ? per : NULL);
        } else {
            st = STATUS_INSUFFICIENT_RESOURCES;
        }
        drop(bus);
        drop(ctl);
        drop(per);
        if (!NT_SUCCESS(st))
            break;
        if (!ControllerType)
            break; /* the bus alone: one call */
    }
    return st;
}
