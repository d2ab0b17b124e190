/* SPDX-License-Identifier: MIT */
/*
 * <csq.h> of sysdma-wdk: the cancel-safe IRP queue (IO_CSQ,
 * IoCsqInitialize, IoCsqInsertIrp, IoCsqRemoveNextIrp, ...). The shim
 * declares it in <wdm.h> (as newer WDKs do); this header only includes it.
 */
#ifndef SYSDMA_WDK_CSQ_H
#define SYSDMA_WDK_CSQ_H
#include "wdm.h"
#endif
