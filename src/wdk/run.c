/* SPDX-License-Identifier: MIT */
/*
 * sysdma_wdk_run: one driver on a fresh simulated PC (see
 * sysdma-wdk/sysdma_wdk.h). The harness's own thread is the scheduler's
 * thread 0: it calls DriverEntry, AddDevice and the start request, runs
 * the script, calls Unload, and is where a failed run lands (longjmp) to
 * be torn down: driver threads still asleep are made to leave, pool and
 * the machine are freed, the leaks counted.
 */
#include <dlfcn.h>
#include <stdlib.h>
#include <string.h>

#include "wdk_script.h"

#define DISK_BYTES 1474560u
#define TAG_DRV 0x76697244 /* 'Driv' */

PDRIVER_DISPATCH sysdma__wdk_invalid_request(void);

uint8_t *sysdma_wdk_testdev_fifo(size_t *bytes)
{
    if (!W)
        return NULL;
    if (bytes)
        *bytes = sizeof W->testdev_fifo;
    return W->testdev_fifo;
}

sysdma_sim *sysdma_wdk_sim(void)
{
    return W ? W->sim : NULL;
}

void sysdma_wdk_set_irq(unsigned irq, bool level)
{
    if (W)
        sysdma__wdk_irq_line(irq, level);
}

static NTSTATUS bus_pnp(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    (void)DeviceObject;
    NTSTATUS st = Irp->IoStatus.Status;
    if (IoGetCurrentIrpStackLocation(Irp)->MinorFunction == IRP_MN_START_DEVICE)
        st = STATUS_SUCCESS;
    Irp->IoStatus.Status = st;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return st;
}

static PDRIVER_OBJECT driver_object(const char *name)
{
    size_t bytes = sizeof(DRIVER_OBJECT) + sizeof(DRIVER_EXTENSION) + 2 * 128 * sizeof(WCHAR);
    PDRIVER_OBJECT d = sysdma__wdk_alloc(bytes, TAG_DRV);
    if (!d)
        return NULL;
    memset(d, 0, bytes);
    d->Type = 4;
    d->Size = (CSHORT)sizeof(DRIVER_OBJECT);
    d->DriverExtension = (PDRIVER_EXTENSION)(d + 1);
    d->DriverExtension->DriverObject = d;
    WCHAR *names = (WCHAR *)(d->DriverExtension + 1);
    char full[128];
    snprintf(full, sizeof full, "\\Driver\\%s", name);
    sysdma__wdk_wcs_from_ascii(names, 128, full);
    RtlInitUnicodeString(&d->DriverName, names);
    sysdma__wdk_wcs_from_ascii(names + 128, 128, name);
    RtlInitUnicodeString(&d->DriverExtension->ServiceKeyName, names + 128);
    for (int k = 0; k <= IRP_MJ_MAXIMUM_FUNCTION; k++)
        d->MajorFunction[k] = sysdma__wdk_invalid_request();
    return d;
}

/* The resources of the device AddDevice's PDO stands for. */
static ULONG resources(const char *which, CM_RESOURCE_LIST *list)
{
    memset(list, 0, sizeof *list);
    CM_FULL_RESOURCE_DESCRIPTOR *f = &list->List[0];
    list->Count = 1;
    f->InterfaceType = Isa;
    f->PartialResourceList.Version = 1;
    f->PartialResourceList.Revision = 1;
    CM_PARTIAL_RESOURCE_DESCRIPTOR *d = f->PartialResourceList.PartialDescriptors;
    ULONG port = 0x3F0, plen = 8, irq = 6, dma[2] = {2, 99};
    if (which && !strcmp(which, "sb16"))
        port = 0x220, plen = 16, irq = 5, dma[0] = 1, dma[1] = 5;
    else if (which && !strcmp(which, "testdev"))
        port = 0x300, plen = 8, irq = 10, dma[0] = 3;
    unsigned n = 0;
    d[n].Type = CmResourceTypePort;
    d[n].Flags = CM_RESOURCE_PORT_IO;
    d[n].u.Port.Start.QuadPart = port;
    d[n++].u.Port.Length = plen;
    d[n].Type = CmResourceTypeInterrupt;
    d[n].Flags = CM_RESOURCE_INTERRUPT_LATCHED;
    d[n].u.Interrupt.Level = d[n].u.Interrupt.Vector = irq;
    d[n++].u.Interrupt.Affinity = 1;
    for (int k = 0; k < 2; k++)
        if (dma[k] != 99) {
            d[n].Type = CmResourceTypeDma;
            d[n++].u.Dma.Channel = dma[k];
        }
    f->PartialResourceList.Count = n;
    return n;
}

static void start_device(PDEVICE_OBJECT top)
{
    /* room for four descriptors behind the list's first */
    struct {
        CM_RESOURCE_LIST list;
        CM_PARTIAL_RESOURCE_DESCRIPTOR more[4];
    } raw;
    resources(W->cfg->pnp_device, &raw.list);
    PIRP irp = IoAllocateIrp(top->StackSize, FALSE);
    if (!irp)
        sysdma__wdk_fail(false, "no memory for the start request");
    KEVENT ev;
    IO_STATUS_BLOCK iosb = {{0}, 0};
    KeInitializeEvent(&ev, NotificationEvent, FALSE);
    irp->UserEvent = &ev;
    irp->UserIosb = &iosb;
    irp->IoStatus.Status = STATUS_NOT_SUPPORTED;
    PIO_STACK_LOCATION s = IoGetNextIrpStackLocation(irp);
    s->MajorFunction = IRP_MJ_PNP;
    s->MinorFunction = IRP_MN_START_DEVICE;
    s->Parameters.StartDevice.AllocatedResources = &raw.list;
    s->Parameters.StartDevice.AllocatedResourcesTranslated = &raw.list;
    if (IoCallDriver(top, irp) == STATUS_PENDING)
        KeWaitForSingleObject(&ev, Executive, KernelMode, FALSE, NULL);
    IoFreeIrp(irp);
    if (!NT_SUCCESS(iosb.Status))
        sysdma__wdk_fail(false, "IRP_MN_START_DEVICE failed: 0x%08X", (unsigned)iosb.Status);
}

static void drive(wdk_run *r, sysdma_wdk_entry_fn entry, wdk_script *sc)
{
    PDRIVER_OBJECT drv = driver_object(r->cfg->service_name);
    PDRIVER_OBJECT bus = driver_object("PnpManager");
    if (!drv || !bus)
        sysdma__wdk_fail(false, "no memory for the driver objects");
    r->driver = drv;
    WCHAR path[160];
    char key[160];
    snprintf(key, sizeof key, "\\Registry\\Machine\\System\\CurrentControlSet\\Services\\%s",
             r->cfg->service_name);
    sysdma__wdk_wcs_from_ascii(path, 160, key);
    UNICODE_STRING reg;
    RtlInitUnicodeString(&reg, path);
    sysdma__wdk_trace("DriverEntry");
    NTSTATUS st = entry(drv, &reg);
    r->res->entry_status = st;
    if (!NT_SUCCESS(st))
        sysdma__wdk_fail(false, "DriverEntry failed: 0x%08X", (unsigned)st);
    if (KeGetCurrentIrql() != PASSIVE_LEVEL)
        sysdma__wdk_fail(true, "DriverEntry returned at IRQL %u", KeGetCurrentIrql());
    if (drv->DriverExtension->AddDevice) {
        bus->MajorFunction[IRP_MJ_PNP] = bus_pnp;
        PDEVICE_OBJECT pdo;
        if (!NT_SUCCESS(IoCreateDevice(bus, 0, NULL, FILE_DEVICE_CONTROLLER, 0, FALSE, &pdo)))
            sysdma__wdk_fail(false, "no memory for the physical device object");
        pdo->Flags &= ~DO_DEVICE_INITIALIZING;
        r->pdo = pdo;
        sysdma__wdk_trace("AddDevice");
        st = drv->DriverExtension->AddDevice(drv, pdo);
        if (!NT_SUCCESS(st))
            sysdma__wdk_fail(false, "AddDevice failed: 0x%08X", (unsigned)st);
        PDEVICE_OBJECT top = pdo;
        while (top->AttachedDevice)
            top = top->AttachedDevice;
        if (top == pdo)
            sysdma__wdk_fail(false, "AddDevice attached no device to the stack");
        start_device(top);
        sc->target = top;
    } else {
        PDEVICE_OBJECT d = drv->DeviceObject;
        while (d && d->NextDevice)
            d = d->NextDevice; /* the first made */
        sc->target = d;
    }
    for (PDEVICE_OBJECT d = drv->DeviceObject; d; d = d->NextDevice)
        if (d->Flags & DO_DEVICE_INITIALIZING && !drv->DriverExtension->AddDevice)
            d->Flags &= ~DO_DEVICE_INITIALIZING; /* the I/O manager clears it after DriverEntry */
    sysdma__wdk_script_run(sc);
    if (drv->DriverUnload) {
        if (r->pdo) {
            /* the stack goes first: the PnP manager removes the device */
            r->ignore_leaks = false;
        }
        sysdma__wdk_trace("Unload");
        drv->DriverUnload(drv);
        if (KeGetCurrentIrql() != PASSIVE_LEVEL)
            sysdma__wdk_fail(true, "Unload returned at IRQL %u", KeGetCurrentIrql());
        for (PDEVICE_OBJECT d = drv->DeviceObject; d; d = d->NextDevice) {
            sysdma__wdk_log("sysdma-wdk: leak: a device object after Unload");
            r->res->leaks++;
        }
        /* the harness's own objects go too, so what is left is the driver's */
        if (r->pdo)
            IoDeleteDevice(r->pdo);
        if (!drv->DeviceObject)
            sysdma__wdk_free(drv);
        sysdma__wdk_free(bus);
    }
}

static void defaults(sysdma_wdk_config *c)
{
    if (!c->service_name)
        c->service_name = "wdkdriver";
    if (!c->seed)
        c->seed = 1;
    if (!c->hang_ns)
        c->hang_ns = 5000000000ull;
    if (!c->limit_ns)
        c->limit_ns = 600000000000ull;
}

int sysdma_wdk_run(const sysdma_wdk_config *config, sysdma_wdk_result *res)
{
    if (!res)
        return 2;
    memset(res, 0, sizeof *res);
    if (!config || (!config->driver_path && !config->driver_entry)) {
        snprintf(res->reason, sizeof res->reason, "no driver given");
        return 2;
    }
    if (W) {
        snprintf(res->reason, sizeof res->reason, "a run is under way already");
        return 2;
    }
    sysdma_wdk_config cfg = *config;
    defaults(&cfg);
    wdk_script sc;
    memset(&sc, 0, sizeof sc);
    if (sysdma__wdk_script_parse(cfg.script, &sc.cmds, &sc.n, res->reason, sizeof res->reason))
        return 2;
    void *so = NULL;
    sysdma_wdk_entry_fn entry = cfg.driver_entry;
    if (cfg.driver_path) {
        /* A bare file name is a file here, not a library to search for. */
        char path[4096];
        snprintf(path, sizeof path, "%s%s", strchr(cfg.driver_path, '/') ? "" : "./",
                 cfg.driver_path);
        so = dlopen(path, RTLD_NOW | RTLD_LOCAL);
        void *sym = so ? dlsym(so, "DriverEntry") : NULL;
        if (!sym) {
            snprintf(res->reason, sizeof res->reason, "%s: %s", cfg.driver_path,
                     so ? "no DriverEntry" : dlerror());
            if (so)
                dlclose(so);
            free(sc.cmds);
            return 2;
        }
        memcpy(&entry, &sym, sizeof entry);
    }
    wdk_run *r = calloc(1, sizeof *r);
    if (!r) {
        free(sc.cmds);
        if (so)
            dlclose(so);
        snprintf(res->reason, sizeof res->reason, "no memory");
        return 2;
    }
    r->cfg = &cfg;
    r->res = res;
    W = r;
    sysdma__wdk_sched_init(r);
    sysdma__wdk_intr_init();
    int rc = 0;
    char why[256] = "";
    if (sysdma__wdk_machine_up(r, why, sizeof why)) {
        snprintf(res->reason, sizeof res->reason, "%s", why);
        rc = 2;
    } else {
        sysdma__wdk_registry_init();
        sc.shadow = malloc(DISK_BYTES);
        if (!sc.shadow) {
            snprintf(res->reason, sizeof res->reason, "no memory");
            rc = 2;
        } else {
            memcpy(sc.shadow, r->disk, DISK_BYTES);
            if (cfg.machine)
                cfg.machine(cfg.ctx, r->sim, r->sys);
            r->ignore_leaks = true;
            if (setjmp(r->abort_to) == 0) {
                drive(r, entry, &sc);
                r->ignore_leaks = !r->driver->DriverUnload;
                sysdma__wdk_script_check(&sc);
            } else {
                r->in_sim = 0;
                r->in_dpc = 0;
                r->ignore_leaks = true;
            }
        }
    }
    res->sim_ns = sysdma__wdk_now();
    sysdma__wdk_sched_fini(r);
    if (!rc) {
        if (!r->ignore_leaks) {
            res->leaks += sysdma__wdk_pool_report();
            res->leaks += sysdma__wdk_rtl_fini();
        } else {
            (void)sysdma__wdk_rtl_fini();
        }
        res->failures += res->leaks;
        if (res->leaks && !res->reason[0])
            snprintf(res->reason, sizeof res->reason, "%u leak(s) after Unload", res->leaks);
        if (cfg.floppy_out) {
            FILE *f = fopen(cfg.floppy_out, "wb");
            if (!f || fwrite(r->disk, 1, DISK_BYTES, f) != DISK_BYTES) {
                res->failures++;
                if (!res->reason[0])
                    snprintf(res->reason, sizeof res->reason, "%s: cannot write", cfg.floppy_out);
            }
            if (f && fclose(f) != 0)
                res->failures++;
        }
    }
    sysdma_wdm_system_set(NULL);
    sysdma__wdk_pool_fini();
    sysdma__wdk_machine_down(r);
    sysdma__wdk_registry_fini();
    sysdma__wdk_io_fini();
    free(sc.cmds);
    free(sc.shadow);
    free(sc.pcm);
    W = NULL;
    free(r);
    if (so)
        dlclose(so);
    if (rc)
        return rc;
    return res->failures ? 1 : 0;
}
