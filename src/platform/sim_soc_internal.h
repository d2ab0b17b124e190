/* SPDX-License-Identifier: MIT */
/* Shared between sim_soc.c and sim_soc_platform.c only. */
#ifndef SYSDMA_SIM_SOC_INTERNAL_H
#define SYSDMA_SIM_SOC_INTERNAL_H

#include "sysdma/sim_soc.h"

/* The platform context the machine keeps for sysdma_sim_soc_platform(). */
typedef struct sysdma__soc_pf {
    sysdma_sim_soc *soc;
    long *fail_after;
} sysdma__soc_pf;

sysdma__soc_pf *sysdma__sim_soc_pf(sysdma_sim_soc *soc);
/* Whether the machine has the cache model. */
bool sysdma__sim_soc_cached(const sysdma_sim_soc *soc);

#endif
