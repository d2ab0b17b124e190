/* SPDX-License-Identifier: MIT */
/* Files the tool writes, checked to the end (see tool.h). */
#include <errno.h>
#include <string.h>

#include "tool.h"

FILE *tool_open_output(const char *command, const char *path)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        fprintf(stderr, "sysdma %s: cannot write %s: %s\n", command, path, strerror(errno));
    return f;
}

bool tool_check_output(const char *command, const char *path, FILE *f)
{
    errno = 0;
    if (fflush(f) == 0 && !ferror(f))
        return true;
    fprintf(stderr, "sysdma %s: writing %s failed: %s\n", command, path,
            errno ? strerror(errno) : "write error");
    return false;
}

bool tool_close_output(const char *command, const char *path, FILE *f)
{
    if (!f)
        return true;
    bool ok = tool_check_output(command, path, f);
    errno = 0;
    if (fclose(f) != 0 && ok) {
        fprintf(stderr, "sysdma %s: closing %s failed: %s\n", command, path,
                errno ? strerror(errno) : "write error");
        ok = false;
    }
    return ok;
}
