/* SPDX-License-Identifier: MIT */
/*
 * A driver that calls a kernel routine the shim does not provide
 * (declaring it itself, as a driver written for a newer WDK might). It
 * builds as a module, and `sysdma wdk-run` must refuse to load it, naming
 * the routine, instead of running it with a stand-in.
 */
#include <wdm.h>

NTSTATUS IoWMIRegistrationControl(PDEVICE_OBJECT DeviceObject, ULONG Action);
DRIVER_INITIALIZE DriverEntry;

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(RegistryPath);
    return IoWMIRegistrationControl(DriverObject->DeviceObject, 1);
}
