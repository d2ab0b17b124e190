/* SPDX-License-Identifier: MIT */
/*
 * Controllers added while other threads get and put adapters: a getter
 * sees a controller either not at all (SYSDMA_E_INVALID_CHANNEL) or whole
 * (its channels, its table), and adds racing each other are refused, not
 * interleaved; a controller is added once. Run under ThreadSanitizer (label tsan).
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "support/rig.h"

#define PG SYSDMA_PAGE_SIZE
#define ROUNDS 400

/* A controller of four 32-bit channels that programs nothing. */
typedef struct tctrl {
    sysdma_controller_ops ops;
    sysdma_controller ctrl;
} tctrl;

static sysdma_status t_limits(void *ctx, unsigned ch, sysdma_channel_limits *l)
{
    (void)ctx;
    if (ch >= 4)
        return SYSDMA_E_INVALID_CHANNEL;
    *l = (sysdma_channel_limits){.address_bits = 32, .width = 1, .min_unit = 1,
                                 .max_bytes = 0x10000, .max_fragments = 1};
    return SYSDMA_OK;
}

static sysdma_status t_program(void *ctx, unsigned ch, const sysdma_program *p)
{
    (void)ctx;
    (void)ch;
    (void)p;
    return SYSDMA_OK;
}

static sysdma_status t_flush(void *ctx, unsigned ch)
{
    (void)ctx;
    (void)ch;
    return SYSDMA_OK;
}

static unsigned t_count(void *ctx)
{
    (void)ctx;
    return 4;
}

typedef struct fx {
    rig r;
    tctrl c[4];
    sysdma_system *sys;
    _Atomic int added;   /* controllers added so far (by the adders) */
    _Atomic long got[4]; /* adapters had on each controller */
} fx;

static void *adder(void *arg)
{
    fx *x = arg;
    for (unsigned k = 1; k < 4; k++) {
        uint32_t index;
        sysdma_status st;
        do
            st = sysdma_system_add_controller(x->sys, &x->c[k].ctrl, &index);
        while (st == SYSDMA_E_BUSY);
        if (st == SYSDMA_OK)
            x->added++;
        else if (st != SYSDMA_E_INVALID_ARGUMENT) /* the other adder's already */
            abort();
    }
    return NULL;
}

static void *getter(void *arg)
{
    fx *x = arg;
    for (unsigned r = 0; r < ROUNDS; r++) {
        sysdma_device_description d = {0};
        d.version = 3;
        d.controller = r % 4;
        d.channel = 1 + r % 3;
        d.width = SYSDMA_WIDTH_8;
        d.maximum_length = 4 * PG;
        sysdma_adapter *a;
        uint32_t n;
        sysdma_status st = sysdma_adapter_get(x->sys, &d, &a, &n);
        if (st == SYSDMA_OK) {
            if (sysdma_adapter_channel(a) != d.channel || sysdma_adapter_put(a) != SYSDMA_OK)
                abort();
            x->got[d.controller]++;
        } else if (st != SYSDMA_E_INVALID_CHANNEL) {
            abort();
        }
    }
    return NULL;
}

static void test_add_while_getting(void **state)
{
    (void)state;
    fx *x = calloc(1, sizeof *x);
    assert_non_null(x);
    /* Controller 0 is the simulated PC's 8237 pair, under its real lock. */
    assert_int_equal(rig_init(&x->r, 32u << 20, 4096, NULL), SYSDMA_OK);
    x->sys = x->r.sys;
    for (unsigned k = 1; k < 4; k++) {
        x->c[k].ops = (sysdma_controller_ops){.size = sizeof x->c[k].ops,
                                              .channel_limits = t_limits, .program = t_program,
                                              .flush = t_flush, .channel_count = t_count};
        x->c[k].ctrl = (sysdma_controller){&x->c[k].ops, &x->c[k]};
    }
    pthread_t th[5];
    /* Two adders race: between them, exactly three controllers go in. */
    assert_int_equal(pthread_create(&th[0], NULL, adder, x), 0);
    assert_int_equal(pthread_create(&th[1], NULL, adder, x), 0);
    for (unsigned k = 2; k < 5; k++)
        assert_int_equal(pthread_create(&th[k], NULL, getter, x), 0);
    for (unsigned k = 0; k < 5; k++)
        assert_int_equal(pthread_join(th[k], NULL), 0);
    assert_int_equal(x->added, 3);
    assert_true(x->got[0] > 0);
    /* Afterwards every controller serves. */
    getter(x);
    for (unsigned k = 0; k < 4; k++)
        assert_true(x->got[k] > 0);
    rig_destroy(&x->r);
    free(x);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_add_while_getting),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
