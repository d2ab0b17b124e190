# SPDX-License-Identifier: MIT
# Compile every core, controller and example driver source with -m32 -ffreestanding -nostdinc
# (only the compiler's own freestanding headers) and link them together with
# no libc, to prove that the bare-metal port can use them as they are.
file(GLOB srcs ${SRC}/src/core/*.c ${SRC}/src/ctrl/*.c ${SRC}/examples/drivers/*.c
               ${SRC}/examples/wdm/*.c)
set(out ${CMAKE_CURRENT_BINARY_DIR}/freestanding-check)
file(MAKE_DIRECTORY ${out})
execute_process(COMMAND gcc -print-file-name=include OUTPUT_VARIABLE gccinc
                OUTPUT_STRIP_TRAILING_WHITESPACE)
set(objs)
foreach(s ${srcs})
  get_filename_component(n ${s} NAME_WE)
  get_filename_component(d ${s} DIRECTORY)
  get_filename_component(d ${d} NAME)
  set(o ${out}/${d}_${n}.o)
  execute_process(COMMAND gcc -m32 -std=c11 -ffreestanding -fno-builtin -fno-pic -fno-pie -nostdinc
                          -isystem ${gccinc} -I${SRC}/include -I${SRC}/src/core -I${SRC}/examples/wdm
                          -Wall -Wextra -Werror -O2 -c ${s} -o ${o}
                  RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "freestanding -m32 compile failed: ${s}")
  endif()
  list(APPEND objs ${o})
endforeach()
# Relocatable link: every symbol the core needs must be its own or memcpy/memset/memmove.
execute_process(COMMAND ld -m elf_i386 -r -o ${out}/core.o ${objs} RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "ld -m elf_i386 -r failed")
endif()
execute_process(COMMAND nm -u ${out}/core.o OUTPUT_VARIABLE undef)
string(REGEX REPLACE "[ \t]*U[ \t]+" "" undef "${undef}")
string(REPLACE "\n" ";" undef "${undef}")
foreach(sym ${undef})
  if(sym AND NOT sym MATCHES "^(memcpy|memset|memmove|memcmp)$")
    message(FATAL_ERROR "core needs a symbol a kernel may not have: ${sym}")
  endif()
endforeach()
message(STATUS "core builds freestanding for i386: ${srcs}")
