/* SPDX-License-Identifier: MIT */
/*
 * <debug.h> for drivers from the ReactOS tree: its debug-print macros
 * (DPRINT, DPRINT1, the channel forms ERR_, FIXME_, WARN_, TRACE_, INFO_,
 * UNIMPLEMENTED), written over DbgPrint. Not a WDK header: add
 * -I<includedir>/sysdma-wdk/reactos to a ReactOS driver's flags. DPRINT1,
 * ERR_ and FIXME_ always print; DPRINT when NDEBUG is not defined; WARN_,
 * TRACE_ and INFO_ when SYSDMA_WDK_DEBUG_CHANNELS is non-zero. The channel
 * names a driver passes are not checked.
 */
#ifndef SYSDMA_WDK_REACTOS_DEBUG_H
#define SYSDMA_WDK_REACTOS_DEBUG_H

#include <wdm.h>

#ifndef SYSDMA_WDK_DEBUG_CHANNELS
#define SYSDMA_WDK_DEBUG_CHANNELS 0
#endif

#define SYSDMA_WDK_DEBUG_PRINT(on, kind, ...)                                                     \
    ((on) ? (void)(DbgPrint("(%s:%d) " kind, __FILE__, __LINE__), DbgPrint(__VA_ARGS__))          \
          : (void)0)

#define DPRINT1(...) SYSDMA_WDK_DEBUG_PRINT(1, "", __VA_ARGS__)
#ifdef NDEBUG
#define DPRINT(...) ((void)0)
#else
#define DPRINT(...) SYSDMA_WDK_DEBUG_PRINT(1, "", __VA_ARGS__)
#endif
#define ERR_(ch, ...) SYSDMA_WDK_DEBUG_PRINT(1, "err: ", __VA_ARGS__)
#define FIXME_(ch, ...) SYSDMA_WDK_DEBUG_PRINT(1, "fixme: ", __VA_ARGS__)
#define WARN_(ch, ...) SYSDMA_WDK_DEBUG_PRINT(SYSDMA_WDK_DEBUG_CHANNELS, "warn: ", __VA_ARGS__)
#define TRACE_(ch, ...) SYSDMA_WDK_DEBUG_PRINT(SYSDMA_WDK_DEBUG_CHANNELS, "trace: ", __VA_ARGS__)
#define INFO_(ch, ...) SYSDMA_WDK_DEBUG_PRINT(SYSDMA_WDK_DEBUG_CHANNELS, "info: ", __VA_ARGS__)
#define UNIMPLEMENTED DbgPrint("(%s:%d) %s is unimplemented\n", __FILE__, __LINE__, __func__)

#endif /* SYSDMA_WDK_REACTOS_DEBUG_H */
