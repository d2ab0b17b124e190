/* SPDX-License-Identifier: MIT */
/*
 * Entry of the sysdma bare-metal ARM port (ARM926EJ-S, ARM state). QEMU's
 * -kernel loads the ELF where it is linked and starts at _start in SVC mode
 * with IRQ and FIQ masked, MMU and caches off. We give the IRQ, abort and
 * undefined modes stacks of their own, copy the exception vectors to
 * address 0 (where the ARM926 takes them, SCTLR.V being 0), clear .bss and
 * call kmain() in SVC mode.
 */
#define MODE_IRQ 0xD2 /* with I and F set */
#define MODE_SVC 0xD3
#define MODE_ABT 0xD7
#define MODE_UND 0xDB

    .arm
    .section .text.boot, "ax"
    .global _start
    .type _start, %function
_start:
    msr cpsr_c, #MODE_IRQ
    ldr sp, =irq_stack_top
    msr cpsr_c, #MODE_ABT
    ldr sp, =exc_stack_top
    msr cpsr_c, #MODE_UND
    ldr sp, =exc_stack_top
    msr cpsr_c, #MODE_SVC
    ldr sp, =svc_stack_top

    /* The vectors: eight "ldr pc, [pc, #24]" and the eight addresses they
     * load, 64 bytes, copied to 0. */
    ldr r0, =vectors
    mov r1, #0
    add r2, r0, #64
1:  ldr r3, [r0], #4
    str r3, [r1], #4
    cmp r0, r2
    blo 1b

    ldr r0, =__bss_start
    ldr r1, =__bss_end
    mov r2, #0
2:  cmp r0, r1
    strlo r2, [r0], #4
    blo 2b

    bl kmain
3:  b 3b

vectors:
    ldr pc, v_reset
    ldr pc, v_undef
    ldr pc, v_swi
    ldr pc, v_pabort
    ldr pc, v_dabort
    ldr pc, v_unused
    ldr pc, v_irq
    ldr pc, v_fiq
v_reset:  .word _start
v_undef:  .word undef_entry
v_swi:    .word swi_entry
v_pabort: .word pabort_entry
v_dabort: .word dabort_entry
v_unused: .word unused_entry
v_irq:    .word irq_entry
v_fiq:    .word fiq_entry

/* IRQ: save what the AAPCS lets a C function clobber, call bm_irq(), return
 * to the interrupted instruction with its CPSR restored. 6 words keep the
 * stack 8-byte aligned. */
irq_entry:
    sub lr, lr, #4
    stmfd sp!, {r0-r3, r12, lr}
    bl bm_irq
    ldmfd sp!, {r0-r3, r12, pc}^

/* Anything else is a bug: report it (bm_exception(kind, address)) and
 * leave QEMU with a failure. */
undef_entry:
    mov r0, #1
    sub r1, lr, #4
    b exc_common
swi_entry:
    mov r0, #2
    sub r1, lr, #4
    b exc_common
pabort_entry:
    mov r0, #3
    sub r1, lr, #4
    b exc_common
dabort_entry:
    mov r0, #4
    sub r1, lr, #8
    b exc_common
unused_entry:
    mov r0, #5
    mov r1, lr
    b exc_common
fiq_entry:
    mov r0, #6
    sub r1, lr, #4
exc_common:
    msr cpsr_c, #MODE_SVC
    bl bm_exception
4:  b 4b

    .section .bss
    .align 3
    .space 16384
irq_stack_top:
    .space 4096
exc_stack_top:
    .space 65536
svc_stack_top:
    .section .note.GNU-stack, "", %progbits
