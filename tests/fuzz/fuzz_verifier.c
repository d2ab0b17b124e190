/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target: fuzz_core_api's random API sequences (valid and
 * invalid) through the DMA verifier. Besides no crash and no sanitizer
 * finding, every call the core refuses as misuse must have been reported,
 * and every refusal by the verifier must come with a report.
 */
#define FUZZ_VERIFIER 1
#include "fuzz_core_api.c"
