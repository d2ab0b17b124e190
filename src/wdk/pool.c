/* SPDX-License-Identifier: MIT */
/*
 * Pool and handles. Pool blocks are RAM of the simulated PC — each block
 * its own mapping of scattered physical pages, below and above 16 MiB,
 * as nonpaged pool is on a real machine — so a driver may describe pool
 * with an MDL and hand it to DMA (the core bounces what the controller
 * cannot reach). A header keeps each block on the list of live blocks
 * (leaks are listed at the end of a run, with their tags). The last
 * blocks freed stay known, so freeing one again is reported as a double
 * free (a bug check) instead of being undefined behaviour. Handles are
 * small numbers (multiples of 4, as on Windows) naming threads and
 * registry keys.
 */
#include <stdlib.h>
#include <string.h>

#include "wdk_internal.h"

#define LIVE 0x5359534c49564521ull /* "SYSLIVE!" */
#define DEAD 0x5359534445414421ull

#define QUARANTINE 256

static wdk_pool dead = {0, 0, 0, &dead, &dead, 0};
static unsigned ndead;

static void unlink_block(wdk_pool *b)
{
    b->prev->next = b->next;
    b->next->prev = b->prev;
}

static void link_block(wdk_pool *head, wdk_pool *b)
{
    b->next = head;
    b->prev = head->prev;
    head->prev->next = b;
    head->prev = b;
}

void *sysdma__wdk_alloc(size_t bytes, ULONG tag)
{
    if (!W->pool.next) {
        W->pool.next = W->pool.prev = &W->pool;
        dead.next = dead.prev = &dead;
        ndead = 0;
    }
    if (bytes > ((size_t)1 << 28) || !W->sim)
        return NULL;
    wdk_pool *b = sysdma_sim_buffer_alloc(W->sim, sizeof *b + bytes, 0, SYSDMA_SIM_SCATTERED);
    if (!b)
        return NULL;
    b->magic = LIVE;
    b->tag = tag;
    b->bytes = bytes;
    link_block(&W->pool, b);
    W->pool_live++;
    return b + 1;
}

static bool on_list(wdk_pool *head, wdk_pool *b)
{
    if (!head->next)
        return false;
    for (wdk_pool *x = head->next; x != head; x = x->next)
        if (x == b)
            return true;
    return false;
}

void sysdma__wdk_free(void *p)
{
    if (!p)
        sysdma__wdk_fail(true, "ExFreePool(NULL)");
    wdk_pool *b = (wdk_pool *)p - 1;
    if (!on_list(&W->pool, b)) {
        if (on_list(&dead, b))
            sysdma__wdk_fail(true, "pool block (tag '%.4s', %zu bytes) freed twice",
                             (const char *)&b->tag, b->bytes);
        sysdma__wdk_fail(true, "ExFreePool of memory the pool never gave out");
    }
    unlink_block(b);
    b->magic = DEAD;
    memset(b + 1, 0xDD, b->bytes);
    link_block(&dead, b);
    W->pool_live--;
    if (++ndead > QUARANTINE) {
        wdk_pool *old = dead.next;
        unlink_block(old);
        ndead--;
        sysdma_sim_buffer_free(W->sim, old);
    }
}

PVOID ExAllocatePoolWithTag(POOL_TYPE PoolType, SIZE_T NumberOfBytes, ULONG Tag)
{
    (void)PoolType;
    if (sysdma__wdk_self()->irql > DISPATCH_LEVEL)
        sysdma__wdk_fail(true, "ExAllocatePool above DISPATCH_LEVEL");
    if (NumberOfBytes == 0)
        NumberOfBytes = 1;
    return sysdma__wdk_alloc(NumberOfBytes, Tag);
}

PVOID ExAllocatePool(POOL_TYPE PoolType, SIZE_T NumberOfBytes)
{
    return ExAllocatePoolWithTag(PoolType, NumberOfBytes, 0x656e6f4e /* 'None' */);
}

PVOID ExAllocatePoolZero(POOL_TYPE PoolType, SIZE_T NumberOfBytes, ULONG Tag)
{
    PVOID p = ExAllocatePoolWithTag(PoolType, NumberOfBytes, Tag);
    if (p)
        memset(p, 0, NumberOfBytes);
    return p;
}

VOID ExFreePool(PVOID P)
{
    sysdma__wdk_free(P);
}

VOID ExFreePoolWithTag(PVOID P, ULONG Tag)
{
    if (P && on_list(&W->pool, (wdk_pool *)P - 1) && ((wdk_pool *)P - 1)->tag != Tag)
        sysdma__wdk_fail(true, "ExFreePoolWithTag: tag '%.4s' but the block's is '%.4s'",
                         (const char *)&Tag, (const char *)&((wdk_pool *)P - 1)->tag);
    sysdma__wdk_free(P);
}

unsigned sysdma__wdk_pool_report(void)
{
    unsigned n = 0;
    if (!W->pool.next)
        return 0;
    for (wdk_pool *b = W->pool.next; b != &W->pool; b = b->next) {
        sysdma__wdk_log("sysdma-wdk: leak: pool block tag '%.4s', %zu bytes",
                        (const char *)&b->tag, b->bytes);
        n++;
    }
    return n;
}

void sysdma__wdk_pool_fini(void)
{
    wdk_pool *heads[2] = {&W->pool, &dead};
    for (int k = 0; k < 2; k++) {
        if (!heads[k]->next)
            continue;
        wdk_pool *b = heads[k]->next;
        while (b != heads[k]) {
            wdk_pool *next = b->next;
            sysdma_sim_buffer_free(W->sim, b);
            b = next;
        }
        heads[k]->next = heads[k]->prev = heads[k];
    }
    ndead = 0;
    W->pool_live = 0;
}

int sysdma__wdk_handle_new(wdk_handle_kind kind, void *obj)
{
    for (int k = 0; k < WDK_HANDLES; k++)
        if (W->handles[k].kind == WDK_H_FREE) {
            W->handles[k].kind = kind;
            W->handles[k].obj = obj;
            return k;
        }
    return -1;
}

void *sysdma__wdk_handle_get(HANDLE h, wdk_handle_kind kind)
{
    uintptr_t v = (uintptr_t)h;
    if (v == 0 || v % 4 || v / 4 > WDK_HANDLES)
        return NULL;
    unsigned k = (unsigned)(v / 4 - 1);
    return W->handles[k].kind == kind ? W->handles[k].obj : NULL;
}
