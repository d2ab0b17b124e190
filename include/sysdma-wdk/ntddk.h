/* SPDX-License-Identifier: MIT */
/*
 * <ntddk.h> of sysdma-wdk: the legacy NT driver header. Everything it
 * names (HalGetInterruptVector, HalTranslateBusAddress,
 * IoQueryDeviceDescription, IoGetConfigurationInformation, ...) is in the
 * shim's <wdm.h>, which a legacy driver may include instead.
 */
#ifndef SYSDMA_WDK_NTDDK_H
#define SYSDMA_WDK_NTDDK_H
#include "wdm.h"
#endif
