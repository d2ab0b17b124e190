/* SPDX-License-Identifier: MIT */
/*
 * Status messages and names, generated from SYSDMA_STATUS_MAP so that they
 * can never disagree with the enum.
 */
#include "sysdma/status.h"

const char *sysdma_strerror(int s)
{
    switch (s) {
#define SYSDMA_STATUS_MSG_(name, value, msg) \
    case value:                              \
        return msg;
        SYSDMA_STATUS_MAP(SYSDMA_STATUS_MSG_)
#undef SYSDMA_STATUS_MSG_
    }
    return "unknown status";
}

const char *sysdma_status_name(int s)
{
    switch (s) {
#define SYSDMA_STATUS_NAME_(name, value, msg) \
    case value:                               \
        return #name;
        SYSDMA_STATUS_MAP(SYSDMA_STATUS_NAME_)
#undef SYSDMA_STATUS_NAME_
    }
    return "?";
}
