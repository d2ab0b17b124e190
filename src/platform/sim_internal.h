/* SPDX-License-Identifier: MIT */
/* Shared between sim.c and sim_platform.c only. */
#ifndef SYSDMA_SIM_INTERNAL_H
#define SYSDMA_SIM_INTERNAL_H

#include "sysdma/sim.h"

/* The platform context the machine keeps for sysdma_sim_platform(). */
typedef struct sim_pf {
    sysdma_sim *sim;
    long *fail_after;
} sim_pf;

sim_pf *sysdma__sim_platform_ctx(sysdma_sim *sim);

#endif
