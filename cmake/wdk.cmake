# SPDX-License-Identifier: MIT
# libsysdma-wdk: the WDK shim (include/sysdma-wdk: <wdm.h>, <ntddk.h>, ...)
# and its kernel services, scheduler and harness (src/wdk), over the core
# and the simulated PC; and the tool's `sysdma wdk-run`. Included from the
# top CMakeLists.txt after the tool's target.
file(GLOB SYSDMA_WDK_SOURCES CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/src/wdk/*.c)
add_library(sysdma-wdk STATIC ${SYSDMA_WDK_SOURCES})
# A driver's own `#include <wdm.h>` finds the shim's headers.
target_include_directories(sysdma-wdk PUBLIC ${SYSDMA_PUBLIC_INCLUDE}
  $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/include/sysdma-wdk>
  $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}/sysdma-wdk>
  PRIVATE ${PROJECT_SOURCE_DIR}/src/wdk)
target_link_libraries(sysdma-wdk PUBLIC sysdma sysdma-sim Threads::Threads ${CMAKE_DL_LIBS})
target_compile_options(sysdma-wdk PRIVATE ${SYSDMA_WARNINGS}
  # WCHAR is 16 bits: a driver's L"..." literals must be too; pool tags
  # are multi-character constants ('tseT').
  INTERFACE -fshort-wchar -Wno-multichar)
target_compile_definitions(sysdma-wdk PRIVATE _GNU_SOURCE)
set_target_properties(sysdma-wdk PROPERTIES POSITION_INDEPENDENT_CODE ON)

# `sysdma wdk-run DRIVER.so`: the tool exports the whole shim, so a driver
# it loads with dlopen finds the kernel's names in it.
target_sources(sysdma-tool PRIVATE ${PROJECT_SOURCE_DIR}/tools/wdk_run.c)
set_target_properties(sysdma-tool PROPERTIES ENABLE_EXPORTS ON)
target_link_libraries(sysdma-tool PRIVATE "$<LINK_LIBRARY:WHOLE_ARCHIVE,sysdma-wdk>")

# The headers alone, for a driver built as a module that `sysdma wdk-run`
# loads (its kernel calls resolve against the tool at load time).
add_library(sysdma-wdk-headers INTERFACE)
target_include_directories(sysdma-wdk-headers INTERFACE ${SYSDMA_PUBLIC_INCLUDE}
  $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/include/sysdma-wdk>
  $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}/sysdma-wdk>)
target_compile_options(sysdma-wdk-headers INTERFACE -fshort-wchar -Wno-multichar)
