/* SPDX-License-Identifier: MIT */
/*
 * <wdm.h> of sysdma-wdk: the kernel-mode driver header a Windows-model
 * (WDM or legacy NT) driver includes, for running it unmodified in user
 * space on sysdma's simulated PC (libsysdma-wdk).
 *
 * With sysdma-wdk's cflags (pkg-config sysdma-wdk, or CMake sysdma::wdk)
 * the include path holds this directory, so a driver's own
 * `#include <wdm.h>`, <ntddk.h>, <ntdddisk.h>, <mountdev.h> and <csq.h>
 * find these files. The DMA half — DEVICE_DESCRIPTION, DMA_ADAPTER and
 * DMA_OPERATIONS, MDLs, port and register access, the Rtl memory
 * routines — is sysdma/wdm.h, included here with its DEVICE_OBJECT opened
 * to the WDK's members (sysdma-wdk/wdk_types.h). The kernel services are
 * in wdk_ke.h, the I/O manager in wdk_io.h, strings, the registry and the
 * legacy configuration in wdk_rtl.h. Every name has the WDK's spelling and
 * signature; a name the shim lacks is undeclared and fails to compile or
 * link, never silently. docs/wdk-shim.md lists what is provided.
 *
 * Wide strings: WCHAR is 16 bits, as on Windows. Compile with
 * -fshort-wchar so that L"..." literals are WCHAR strings.
 */
#ifndef SYSDMA_WDK_H
#define SYSDMA_WDK_H

#include <string.h> /* memset, memcpy, ...: a kernel driver's compiler knows them built in */

#include "sysdma-wdk/wdk_sal.h"

#ifndef _WDMDDK_
#define _WDMDDK_
#endif
#ifndef _NTDDK_
#define _NTDDK_
#endif

#define SYSDMA_WDM_OPEN_DEVICE_OBJECT "sysdma-wdk/wdk_types.h"
#include "sysdma/wdm.h"

#ifdef __cplusplus
extern "C" {
#endif

#include "sysdma-wdk/wdk_ke.h"
#include "sysdma-wdk/wdk_io.h"
#include "sysdma-wdk/wdk_rtl.h"

#ifdef __cplusplus
}
#endif
#endif /* SYSDMA_WDK_H */
