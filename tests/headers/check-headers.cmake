# SPDX-License-Identifier: MIT
# Every public header compiles on its own, as C11 and as C++11, with the
# project's warnings: a translation unit holding only its #include.
#  - SET=sysdma (default): include/sysdma/*.h as "sysdma/X.h"; the parts of
#    sysdma/wdm.h (wdm_*.h) must refuse to be included alone.
#  - SET=wdk: the sysdma-wdk headers a driver includes (<wdm.h>, <ntddk.h>,
#    <ntdddisk.h>, <mountdev.h>, <mountmgr.h>, <csq.h>, reactos/debug.h) and
#    the harness's sysdma_wdk.h, as <X.h>, with -fshort-wchar; the parts of
#    <wdm.h> (wdk_*.h) must refuse to be included alone.
# Run as: cmake -DSRC=<source dir> -DCC=<C compiler> -DCXX=<C++ compiler> -DOUT=<dir>
#         [-DSET=wdk] -P this
if(NOT CXX)
  message(FATAL_ERROR "no C++ compiler found: install g++ (scripts/setup does)")
endif()
file(MAKE_DIRECTORY ${OUT})
if(SET STREQUAL "wdk")
  set(dir ${SRC}/include/sysdma-wdk)
  file(GLOB headers RELATIVE ${dir} ${dir}/*.h ${dir}/reactos/*.h)
  set(open "<")
  set(close ">")
  set(extra -fshort-wchar -I${dir})
  set(part "^wdk_")
  set(part_says "include <wdm.h>")
  set(what "sysdma-wdk headers")
else()
  set(dir ${SRC}/include)
  file(GLOB headers RELATIVE ${dir} ${dir}/sysdma/*.h)
  set(open "\"")
  set(close "\"")
  set(extra "")
  set(part "^sysdma/wdm_")
  set(part_says "include sysdma/wdm.h")
  set(what "public headers")
endif()
set(failed "")
foreach(name ${headers})
  string(MAKE_C_IDENTIFIER ${name} stem)
  file(WRITE ${OUT}/${stem}.c "#include ${open}${name}${close}\n")
  file(WRITE ${OUT}/${stem}.cpp "#include ${open}${name}${close}\n")
  execute_process(COMMAND ${CC} -std=c11 -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes
                          -Wmissing-prototypes -Wvla ${extra} -I${SRC}/include -fsyntax-only
                          ${OUT}/${stem}.c
                  RESULT_VARIABLE crc OUTPUT_VARIABLE cout ERROR_VARIABLE cout)
  execute_process(COMMAND ${CXX} -std=c++11 -Wall -Wextra -Werror -Wshadow ${extra}
                          -I${SRC}/include -fsyntax-only ${OUT}/${stem}.cpp
                  RESULT_VARIABLE xrc OUTPUT_VARIABLE xout ERROR_VARIABLE xout)
  if(name MATCHES "${part}")
    # A part of a larger header: included alone it must stop with its #error.
    if(crc EQUAL 0 OR xrc EQUAL 0 OR NOT cout MATCHES "${part_says}")
      message(SEND_ERROR "${name} compiles alone: it must say to ${part_says}")
      list(APPEND failed ${name})
    endif()
    continue()
  endif()
  if(NOT crc EQUAL 0)
    message(SEND_ERROR "${name} as C11:\n${cout}")
    list(APPEND failed "${name}(C11)")
  endif()
  if(NOT xrc EQUAL 0)
    message(SEND_ERROR "${name} as C++11:\n${xout}")
    list(APPEND failed "${name}(C++)")
  endif()
endforeach()
list(LENGTH headers n)
if(failed)
  message(FATAL_ERROR "${what} that do not compile alone: ${failed}")
endif()
message(STATUS "${n} ${what} compile alone as C11 and C++11")
