/* SPDX-License-Identifier: MIT */
/*
 * <mountmgr.h> of sysdma-wdk: the mount manager's name and the controls a
 * disk driver sends it. The simulated PC runs no mount manager: opening
 * MOUNTMGR_DEVICE_NAME fails with STATUS_OBJECT_NAME_NOT_FOUND, as on a
 * system that has none.
 */
#ifndef SYSDMA_WDK_MOUNTMGR_H
#define SYSDMA_WDK_MOUNTMGR_H
#include "wdm.h"

#define MOUNTMGR_DEVICE_NAME L"\\Device\\MountPointManager"
#define MOUNTMGRCONTROLTYPE 0x0000006D /* 'm' */
#define IOCTL_MOUNTMGR_CREATE_POINT                                                               \
    CTL_CODE(MOUNTMGRCONTROLTYPE, 0, METHOD_BUFFERED, FILE_READ_ACCESS | FILE_WRITE_ACCESS)
#define IOCTL_MOUNTMGR_VOLUME_ARRIVAL_NOTIFICATION                                                \
    CTL_CODE(MOUNTMGRCONTROLTYPE, 11, METHOD_BUFFERED, FILE_READ_ACCESS)

typedef struct _MOUNTMGR_TARGET_NAME {
    USHORT DeviceNameLength;
    WCHAR DeviceName[1];
} MOUNTMGR_TARGET_NAME, *PMOUNTMGR_TARGET_NAME;

#endif /* SYSDMA_WDK_MOUNTMGR_H */
