# SPDX-License-Identifier: MIT
# Every public header compiles on its own, as C11 and as C++11, with the
# project's warnings: a translation unit holding only `#include "sysdma/X.h"`.
# The parts of sysdma/wdm.h (wdm_*.h) must refuse to be included alone.
# Run as: cmake -DSRC=<source dir> -DCC=<C compiler> -DCXX=<C++ compiler> -DOUT=<dir> -P this
if(NOT CXX)
  message(FATAL_ERROR "no C++ compiler found: install g++ (scripts/setup does)")
endif()
file(MAKE_DIRECTORY ${OUT})
file(GLOB headers ${SRC}/include/sysdma/*.h)
set(failed "")
foreach(h ${headers})
  get_filename_component(name ${h} NAME)
  get_filename_component(stem ${h} NAME_WE)
  file(WRITE ${OUT}/${stem}.c "#include \"sysdma/${name}\"\n")
  file(WRITE ${OUT}/${stem}.cpp "#include \"sysdma/${name}\"\n")
  execute_process(COMMAND ${CC} -std=c11 -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes
                          -Wmissing-prototypes -Wvla -I${SRC}/include -fsyntax-only ${OUT}/${stem}.c
                  RESULT_VARIABLE crc OUTPUT_VARIABLE cout ERROR_VARIABLE cout)
  execute_process(COMMAND ${CXX} -std=c++11 -Wall -Wextra -Werror -Wshadow -I${SRC}/include
                          -fsyntax-only ${OUT}/${stem}.cpp
                  RESULT_VARIABLE xrc OUTPUT_VARIABLE xout ERROR_VARIABLE xout)
  if(name MATCHES "^wdm_")
    # A part of wdm.h: included alone it must stop with its #error.
    if(crc EQUAL 0 OR xrc EQUAL 0 OR NOT cout MATCHES "include sysdma/wdm.h")
      message(SEND_ERROR "${name} compiles alone: it must say to include sysdma/wdm.h")
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
  message(FATAL_ERROR "headers that do not compile alone: ${failed}")
endif()
message(STATUS "${n} public headers compile alone as C11 and C++11")
