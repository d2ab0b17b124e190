/* SPDX-License-Identifier: MIT */
/* The floppy test driver (fdcdrv.c). */
#ifndef SYSDMA_FDCDRV_H
#define SYSDMA_FDCDRV_H

#include <ntdddisk.h>

extern ULONG fdcdrv_corrupt; /* non-zero: every read comes back with one bit flipped */
DRIVER_INITIALIZE FdcDriverEntry;

#endif
