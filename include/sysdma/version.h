/* SPDX-License-Identifier: MIT */
/*
 * sysdma's version, in one place. CMake reads it from here for the project,
 * the libraries, the pkg-config files and the CMake package; `sysdma --version`
 * prints SYSDMA_VERSION_STRING; CHANGELOG.md's newest release entry names it
 * (the test `version_matches_changelog` checks all three agree).
 *
 * Before 1.0, a MINOR increase may change the stable API (CHANGELOG.md says
 * how); a PATCH increase never does.
 */
#ifndef SYSDMA_VERSION_H
#define SYSDMA_VERSION_H

#define SYSDMA_VERSION_MAJOR 0
#define SYSDMA_VERSION_MINOR 2
#define SYSDMA_VERSION_PATCH 0
#define SYSDMA_VERSION_STRING "0.2.0"

/* One number that orders versions: 0x00MMmmpp. */
#define SYSDMA_VERSION_NUMBER \
    ((SYSDMA_VERSION_MAJOR << 16) | (SYSDMA_VERSION_MINOR << 8) | SYSDMA_VERSION_PATCH)

#endif /* SYSDMA_VERSION_H */
