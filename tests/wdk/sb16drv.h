/* SPDX-License-Identifier: MIT */
/* The SB16 playback test driver (sb16drv.c). */
#ifndef SYSDMA_SB16DRV_H
#define SYSDMA_SB16DRV_H

#include <wdm.h>

extern ULONG sb16drv_short; /* non-zero: the last piece of a request is not played */
DRIVER_INITIALIZE Sb16DriverEntry;

#endif
