/* SPDX-License-Identifier: MIT */
/* Status codes: every code has a distinct message and name. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "sysdma/status.h"

static const int all[] = {
#define X_(name, value, msg) value,
    SYSDMA_STATUS_MAP(X_)
#undef X_
};

static void test_messages_distinct(void **state)
{
    (void)state;
    size_t n = sizeof all / sizeof all[0];
    for (size_t i = 0; i < n; i++) {
        assert_string_not_equal(sysdma_strerror(all[i]), "unknown status");
        assert_string_not_equal(sysdma_status_name(all[i]), "?");
        for (size_t j = i + 1; j < n; j++) {
            assert_int_not_equal(all[i], all[j]);
            assert_string_not_equal(sysdma_strerror(all[i]), sysdma_strerror(all[j]));
        }
    }
    assert_string_equal(sysdma_status_name(SYSDMA_E_LENGTH), "E_LENGTH");
    assert_string_equal(sysdma_status_name(SYSDMA_E_TRANSFER_ERROR), "E_TRANSFER_ERROR");
    assert_int_equal(SYSDMA_E_TRANSFER_ERROR, -27);
    assert_string_equal(sysdma_strerror(12345), "unknown status");
    assert_string_equal(sysdma_status_name(-999), "?");
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_messages_distinct)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
