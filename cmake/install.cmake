# SPDX-License-Identifier: MIT
# What `cmake --install` puts under the prefix, and the shared libraries:
#   include/sysdma/*.h                     the public headers
#   include/sysdma-wdk/*.h                 the WDK shim's headers (<wdm.h>, <ntddk.h>, ...)
#   lib/libsysdma{,-emu,-sim,-wdk}.a       static libraries (what the tests link)
#   lib/libsysdma{,-emu,-sim}.so.X.Y.Z     shared libraries, SONAME lib*.so.<SOVERSION>
#   lib/pkgconfig/sysdma{,-emu,-sim}.pc    pkg-config files (relocatable)
#   lib/cmake/sysdma/                      the CMake package: find_package(sysdma)
#   bin/sysdma                             the tool
#   libexec/sysdma/bench_*                 the benchmark programs `sysdma bench` runs
#   share/doc/sysdma/                      LICENSE, README.md, CHANGELOG.md, docs/
# (lib is CMAKE_INSTALL_LIBDIR, and so on: GNUInstallDirs decides.)

# Before 1.0 a minor release may change the API (include/sysdma/version.h),
# so the shared libraries' ABI is named by MAJOR.MINOR; from 1.0 on by MAJOR.
if(PROJECT_VERSION_MAJOR EQUAL 0)
  set(SYSDMA_SOVERSION ${PROJECT_VERSION_MAJOR}.${PROJECT_VERSION_MINOR})
  set(SYSDMA_COMPATIBILITY SameMinorVersion)
else()
  set(SYSDMA_SOVERSION ${PROJECT_VERSION_MAJOR})
  set(SYSDMA_COMPATIBILITY SameMajorVersion)
endif()

# Imported target names in the package: sysdma::core_static, sysdma::core_shared, ...
set_target_properties(sysdma PROPERTIES EXPORT_NAME core_static)
set_target_properties(sysdma-emu PROPERTIES EXPORT_NAME emu_static)
set_target_properties(sysdma-sim PROPERTIES EXPORT_NAME sim_static)
set_target_properties(sysdma-wdk PROPERTIES EXPORT_NAME wdk_static)
set_target_properties(sysdma-wdk-headers PROPERTIES EXPORT_NAME wdk_headers)
set(SYSDMA_INSTALL_LIBS sysdma sysdma-emu sysdma-sim sysdma-wdk sysdma-wdk-headers)

# A shared library is linked from the very objects of its static twin (they
# are position-independent). Only the public names (sysdma_*, sysdma_emu_*,
# never the internal sysdma__*) are exported (cmake/exports.map).
function(sysdma_shared_twin static export_name)
  add_library(${static}-shared SHARED $<TARGET_OBJECTS:${static}>)
  set_target_properties(${static}-shared PROPERTIES
    OUTPUT_NAME ${static} EXPORT_NAME ${export_name}_shared
    VERSION ${PROJECT_VERSION} SOVERSION ${SYSDMA_SOVERSION}
    LINK_DEPENDS ${PROJECT_SOURCE_DIR}/cmake/exports.map)
  target_include_directories(${static}-shared PUBLIC ${SYSDMA_PUBLIC_INCLUDE})
  target_link_options(${static}-shared PRIVATE
                      -Wl,--version-script=${PROJECT_SOURCE_DIR}/cmake/exports.map)
  if(NOT (SYSDMA_SANITIZE OR SYSDMA_TSAN OR SYSDMA_FUZZ))
    # Every symbol resolved at link time (clang's sanitizers leave theirs open).
    target_link_options(${static}-shared PRIVATE -Wl,-z,defs)
  endif()
endfunction()

if(SYSDMA_SHARED)
  sysdma_shared_twin(sysdma core)
  sysdma_shared_twin(sysdma-emu emu)
  sysdma_shared_twin(sysdma-sim sim)
  target_link_libraries(sysdma-sim-shared PUBLIC sysdma-emu-shared PRIVATE Threads::Threads)
  # libsysdma-sim finds libsysdma-emu beside it, wherever the prefix is: a
  # program's own RUNPATH does not serve its libraries' dependencies.
  set_target_properties(sysdma-sim-shared PROPERTIES INSTALL_RPATH "\$ORIGIN")
  # libsysdma-wdk exports the WDK's names too (cmake/wdk-exports.map).
  add_library(sysdma-wdk-shared SHARED $<TARGET_OBJECTS:sysdma-wdk>)
  set_target_properties(sysdma-wdk-shared PROPERTIES
    OUTPUT_NAME sysdma-wdk EXPORT_NAME wdk_shared
    VERSION ${PROJECT_VERSION} SOVERSION ${SYSDMA_SOVERSION}
    LINK_DEPENDS ${PROJECT_SOURCE_DIR}/cmake/wdk-exports.map INSTALL_RPATH "\$ORIGIN")
  target_include_directories(sysdma-wdk-shared PUBLIC ${SYSDMA_PUBLIC_INCLUDE}
    $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/include/sysdma-wdk>
    $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}/sysdma-wdk>)
  target_compile_options(sysdma-wdk-shared INTERFACE -fshort-wchar -Wno-multichar)
  target_link_libraries(sysdma-wdk-shared PUBLIC sysdma-shared sysdma-sim-shared
                        PRIVATE Threads::Threads ${CMAKE_DL_LIBS})
  target_link_options(sysdma-wdk-shared PRIVATE
                      -Wl,--version-script=${PROJECT_SOURCE_DIR}/cmake/wdk-exports.map)
  if(NOT (SYSDMA_SANITIZE OR SYSDMA_TSAN OR SYSDMA_FUZZ))
    target_link_options(sysdma-wdk-shared PRIVATE -Wl,-z,defs)
  endif()
  list(APPEND SYSDMA_INSTALL_LIBS sysdma-shared sysdma-emu-shared sysdma-sim-shared
       sysdma-wdk-shared)
endif()

install(TARGETS ${SYSDMA_INSTALL_LIBS} EXPORT sysdma-targets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
        RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(DIRECTORY include/sysdma include/sysdma-wdk DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}
        FILES_MATCHING PATTERN "*.h")

# The CMake package.
include(CMakePackageConfigHelpers)
set(SYSDMA_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/sysdma)
install(EXPORT sysdma-targets NAMESPACE sysdma:: FILE sysdmaTargets.cmake
        DESTINATION ${SYSDMA_CMAKE_DIR})
configure_package_config_file(cmake/sysdmaConfig.cmake.in
                              ${PROJECT_BINARY_DIR}/sysdmaConfig.cmake
                              INSTALL_DESTINATION ${SYSDMA_CMAKE_DIR})
write_basic_package_version_file(${PROJECT_BINARY_DIR}/sysdmaConfigVersion.cmake
                                 VERSION ${PROJECT_VERSION} COMPATIBILITY ${SYSDMA_COMPATIBILITY})
install(FILES ${PROJECT_BINARY_DIR}/sysdmaConfig.cmake ${PROJECT_BINARY_DIR}/sysdmaConfigVersion.cmake
        DESTINATION ${SYSDMA_CMAKE_DIR})

# pkg-config files. The prefix is found from the file's own place
# (${pcfiledir}), so `cmake --install build --prefix DIR` and DESTDIR work.
set(SYSDMA_PC_DIR ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
if(IS_ABSOLUTE "${SYSDMA_PC_DIR}")
  set(SYSDMA_PC_PREFIX "${CMAKE_INSTALL_PREFIX}")
else()
  file(RELATIVE_PATH SYSDMA_PC_UP /p/${SYSDMA_PC_DIR} /p)
  set(SYSDMA_PC_PREFIX "\${pcfiledir}/${SYSDMA_PC_UP}")
endif()
foreach(dir LIBDIR INCLUDEDIR)
  if(IS_ABSOLUTE "${CMAKE_INSTALL_${dir}}")
    set(SYSDMA_PC_${dir} "${CMAKE_INSTALL_${dir}}")
  else()
    set(SYSDMA_PC_${dir} "\${prefix}/${CMAKE_INSTALL_${dir}}")
  endif()
endforeach()
foreach(pc sysdma sysdma-emu sysdma-sim sysdma-wdk)
  configure_file(cmake/${pc}.pc.in ${PROJECT_BINARY_DIR}/${pc}.pc @ONLY)
  install(FILES ${PROJECT_BINARY_DIR}/${pc}.pc DESTINATION ${SYSDMA_PC_DIR})
endforeach()

# The tool, and the benchmark programs where `sysdma bench` looks for them
# (libexec/sysdma, relative to bin/sysdma).
install(TARGETS sysdma-tool RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
if(SYSDMA_BENCH)
  file(GLOB SYSDMA_BENCH_PROGRAMS CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/bench/bench_*.c)
  foreach(src ${SYSDMA_BENCH_PROGRAMS})
    get_filename_component(name ${src} NAME_WE)
    if(TARGET ${name})
      install(TARGETS ${name} RUNTIME DESTINATION ${CMAKE_INSTALL_LIBEXECDIR}/sysdma)
    endif()
  endforeach()
endif()

install(FILES LICENSE README.md CHANGELOG.md DESTINATION ${CMAKE_INSTALL_DOCDIR})
install(DIRECTORY docs/ DESTINATION ${CMAKE_INSTALL_DOCDIR}/docs)
