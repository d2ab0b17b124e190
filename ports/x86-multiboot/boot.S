/* SPDX-License-Identifier: MIT */
/*
 * Multiboot (version 1) entry for the sysdma bare-metal x86 port. The boot
 * loader (QEMU's -kernel) enters in 32-bit protected mode with paging off,
 * so all RAM is identity-mapped: virtual = physical, as the port's platform
 * assumes. We set up a stack and call kmain(magic, info).
 */
#define MB_MAGIC 0x1BADB002
#define MB_FLAGS 0x00000003 /* page-align modules, give a memory map */

    .section .multiboot, "a"
    .align 4
    .long MB_MAGIC
    .long MB_FLAGS
    .long -(MB_MAGIC + MB_FLAGS)

    .section .bss
    .align 16
stack_bottom:
    .skip 65536
stack_top:

    .section .text
    .global _start
    .type _start, @function
_start:
    cli
    mov $stack_top, %esp
    push %ebx /* multiboot info */
    push %eax /* magic */
    call kmain
1:  cli
    hlt
    jmp 1b
    .section .note.GNU-stack, "", @progbits
