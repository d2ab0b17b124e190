/* SPDX-License-Identifier: MIT */
/*
 * sysdma-wdk/wdk_sal.h: part of the sysdma-wdk headers (include <wdm.h>).
 * The WDK's calling-convention words, source annotations (SAL) and
 * code-placement macros, all empty here: a driver's declarations keep
 * their annotations and compile with GCC and Clang unchanged. Only the
 * names drivers commonly write are listed; an unlisted annotation is a
 * compile error, never a silent mis-parse.
 */
#ifndef SYSDMA_WDK_SAL_H
#define SYSDMA_WDK_SAL_H

#ifndef SYSDMA_WDK_H
#error "include <wdm.h> (sysdma-wdk), not sysdma-wdk/wdk_sal.h"
#endif

/* Calling conventions and linkage: one ABI in user space. */
#define NTAPI
#define NTSYSAPI
#define NTSYSCALLAPI
#define NTKERNELAPI
#define NTHALAPI
#define DDKAPI
#define WINAPI
#define STDCALL
#define FASTCALL
#define CDECL
#define _cdecl
#define __cdecl
#define __stdcall
#define __fastcall
#define DECLSPEC_IMPORT
#define DECLSPEC_EXPORT
#define DECLSPEC_NORETURN __attribute__((noreturn))
#define DECLSPEC_ALIGN(x) __attribute__((aligned(x)))
#define DECLSPEC_NOINLINE __attribute__((noinline))
#define EXTERN_C
#define FORCEINLINE static inline
#define NTAPI_INLINE
#define POINTER_ALIGNMENT
#define ALLOC_PRAGMA 0
#define ALLOC_DATA_PRAGMA 0

/* Parameter directions (old style). */
#define IN
#define OUT
#define OPTIONAL
#define UNALIGNED
#define CONST const
#define VOLATILE volatile

/* SAL 2 parameter and function annotations. */
#define _In_
#define _In_opt_
#define _In_z_
#define _In_opt_z_
#define _Out_
#define _Out_opt_
#define _Inout_
#define _Inout_opt_
#define _Inout_z_
#define _Outptr_
#define _Outptr_opt_
#define _Outptr_result_maybenull_
#define _Outptr_result_bytebuffer_(s)
#define _Deref_out_
#define _Deref_out_opt_
#define _Reserved_
#define _In_reads_(s)
#define _In_reads_opt_(s)
#define _In_reads_bytes_(s)
#define _In_reads_bytes_opt_(s)
#define _Out_writes_(s)
#define _Out_writes_opt_(s)
#define _Out_writes_bytes_(s)
#define _Out_writes_bytes_opt_(s)
#define _Out_writes_bytes_to_(s, c)
#define _Out_writes_to_(s, c)
#define _Inout_updates_(s)
#define _Inout_updates_bytes_(s)
#define _Field_size_(s)
#define _Field_size_bytes_(s)
#define _Field_size_bytes_part_(s, c)
#define _Field_range_(a, b)
#define _In_range_(a, b)
#define _Out_range_(a, b)
#define _Ret_maybenull_
#define _Ret_range_(a, b)
#define _Post_invalid_
#define _Post_maybenull_
#define _Post_writable_byte_size_(s)
#define _Pre_notnull_
#define _Notnull_
#define _Maybenull_
#define _Null_terminated_
#define _NullNull_terminated_
#define _Must_inspect_result_
#define _Check_return_
#define _Success_(e)
#define _Return_type_success_(e)
#define _Use_decl_annotations_
#define _Function_class_(n)
#define _Dispatch_type_(t)
#define _Analysis_assume_(e)
#define _Analysis_noreturn_
#define _Kernel_float_saved_
#define _Kernel_float_restored_
#define _Kernel_requires_resource_held_(r)
#define _Kernel_requires_resource_not_held_(r)
#define _Kernel_acquires_resource_(r)
#define _Kernel_releases_resource_(r)
#define _Acquires_lock_(l)
#define _Releases_lock_(l)
#define _Requires_lock_held_(l)
#define _Requires_lock_not_held_(l)
#define _Acquires_exclusive_lock_(l)
#define _Releases_exclusive_lock_(l)
#define _Guarded_by_(l)
#define _Interlocked_
#define _Interlocked_operand_
#define _Literal_
#define _Strict_type_match_
#define _Points_to_data_
#define _When_(c, a)
#define _At_(t, a)
#define _IRQL_requires_(i)
#define _IRQL_requires_max_(i)
#define _IRQL_requires_min_(i)
#define _IRQL_requires_same_
#define _IRQL_raises_(i)
#define _IRQL_saves_
#define _IRQL_saves_global_(k, o)
#define _IRQL_restores_
#define _IRQL_restores_global_(k, o)
#define _IRQL_always_function_max_(i)
#define _IRQL_always_function_min_(i)
#define _IRQL_is_cancel_
#define _IRQL_uses_cancel_
#define _IRQL_requires_restored_
#define __drv_aliasesMem
#define __drv_allocatesMem(k)
#define __drv_freesMem(k)
#define __drv_maxIRQL(i)
#define __drv_minIRQL(i)
#define __drv_requiresIRQL(i)
#define __drv_savesIRQL
#define __drv_restoresIRQL
#define __drv_setsIRQL(i)
#define __drv_raisesIRQL(i)
#define __drv_when(c, a)
#define __drv_dispatchType(t)
#define __drv_functionClass(n)
#define __drv_strictTypeMatch(m)
#define __drv_useCancelIRQL
#define __in
#define __in_opt
#define __out
#define __out_opt
#define __inout
#define __inout_opt

/* Where code and data go (#pragma alloc_text and friends need no macro:
 * the driver's build decides what to do with unknown pragmas). */
#define PAGED_CODE() ((void)0)
#define PAGED_CODE_LOCKED() ((void)0)
#define INIT_FUNCTION
#define CODE_SEG(s)

#endif /* SYSDMA_WDK_SAL_H */
