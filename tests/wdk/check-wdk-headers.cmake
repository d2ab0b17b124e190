# SPDX-License-Identifier: MIT
# Every header a driver includes from sysdma-wdk (<wdm.h>, <ntddk.h>,
# <ntdddisk.h>, <mountdev.h>, <mountmgr.h>, <csq.h>, reactos/debug.h) and
# the harness's sysdma_wdk.h compile on their own, as C11 and as C++11, with
# the project's warnings and -fshort-wchar; the parts of <wdm.h> (wdk_*.h)
# refuse to be included alone. Run as:
#   cmake -DSRC=<source dir> -DCC=<C compiler> -DCXX=<C++ compiler> -DOUT=<dir> -P this
if(NOT CXX)
  message(FATAL_ERROR "no C++ compiler found: install g++ (scripts/setup does)")
endif()
file(MAKE_DIRECTORY ${OUT})
set(dir ${SRC}/include/sysdma-wdk)
file(GLOB headers RELATIVE ${dir} ${dir}/*.h ${dir}/reactos/*.h)
set(failed "")
foreach(name ${headers})
  string(MAKE_C_IDENTIFIER ${name} stem)
  file(WRITE ${OUT}/${stem}.c "#include <${name}>\n")
  file(WRITE ${OUT}/${stem}.cpp "#include <${name}>\n")
  set(inc -I${SRC}/include -I${dir})
  execute_process(COMMAND ${CC} -std=c11 -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes
                          -Wmissing-prototypes -Wvla -fshort-wchar ${inc} -fsyntax-only
                          ${OUT}/${stem}.c
                  RESULT_VARIABLE crc OUTPUT_VARIABLE cout ERROR_VARIABLE cout)
  execute_process(COMMAND ${CXX} -std=c++11 -Wall -Wextra -Werror -Wshadow -fshort-wchar ${inc}
                          -fsyntax-only ${OUT}/${stem}.cpp
                  RESULT_VARIABLE xrc OUTPUT_VARIABLE xout ERROR_VARIABLE xout)
  if(name MATCHES "^wdk_")
    if(crc EQUAL 0 OR xrc EQUAL 0 OR NOT cout MATCHES "include <wdm.h>")
      message(SEND_ERROR "${name} compiles alone: it must say to include <wdm.h>")
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
  message(FATAL_ERROR "sysdma-wdk headers that do not stand alone: ${failed}")
endif()
message(STATUS "${n} sysdma-wdk headers checked")
