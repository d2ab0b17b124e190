/* SPDX-License-Identifier: MIT */
/* The test driver (testdrv.c): what its tests can ask and see. */
#ifndef SYSDMA_TESTDRV_H
#define SYSDMA_TESTDRV_H

#include <wdm.h>

/* Mistakes it can be told to make (the "Bug" value of its Parameters key,
 * or testdrv_bug for a driver linked into a test). */
#define TESTDRV_BUG_NO_FLUSH 1   /* never calls IoFlushAdapterBuffers */
#define TESTDRV_BUG_FREE_TWICE 2 /* IoFreeAdapterChannel twice per request */
#define TESTDRV_BUG_NO_DPC 3     /* the ISR never requests its DPC: the worker waits for ever */
extern ULONG testdrv_bug;

#define IOCTL_TESTDRV_STATUS CTL_CODE(FILE_DEVICE_UNKNOWN, 0x800, METHOD_BUFFERED, FILE_ANY_ACCESS)

DRIVER_INITIALIZE DriverEntry;

#endif
