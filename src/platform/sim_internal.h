/* SPDX-License-Identifier: MIT */
/* Shared between sim.c, sim_platform.c and sim_testdev.c only. */
#ifndef SYSDMA_SIM_INTERNAL_H
#define SYSDMA_SIM_INTERNAL_H

#include "sysdma/sim.h"

/* The platform context the machine keeps for sysdma_sim_platform(). */
typedef struct sim_pf {
    sysdma_sim *sim;
    long *fail_after;
} sim_pf;

sim_pf *sysdma__sim_platform_ctx(sysdma_sim *sim);

/* The machine's list of attached test devices (sim_testdev.c), freed by
 * sysdma_sim_destroy through sysdma__sim_testdevs_free. */
struct sysdma_sim_testdev **sysdma__sim_testdevs(sysdma_sim *sim);
void sysdma__sim_testdevs_free(sysdma_sim *sim);

/* Whether sysdma_sim_add_ports(first, last) would succeed (SYSDMA_OK) or
 * which status it would return; nothing changes. */
sysdma_status sysdma__sim_ports_free(const sysdma_sim *sim, uint16_t first, uint16_t last);
/* Whether sysdma_sim_add_clock has room for one more clock. */
bool sysdma__sim_clock_free(const sysdma_sim *sim);

#endif
