/*
 * demo.h - workload processes that make huge page adoption visible within
 * a minute on a default (THP enabled=madvise) system, changing no setting:
 *
 *   demo-thp       MADV_HUGEPAGE region touched a step at a time
 *   demo-collapse  4K pages, then MADV_COLLAPSE one step at a time (6.1+)
 *   demo-frag      huge pages, then holes punched (splits), refilled, freed
 *   demo-file      a file mapping read in (page cache folios)
 *
 * They die with the parent (PR_SET_PDEATHSIG) and are stopped by
 * mt_demo_stop().
 */
#ifndef MEMTOP_DEMO_H
#define MEMTOP_DEMO_H

#include <stddef.h>
#include <sys/types.h>

#define MT_DEMO_PROCS 4

/* Start the workloads; fills pids (MT_DEMO_PROCS entries, sorted).
 * Returns 0, or -1 with a message in err. */
int mt_demo_start(pid_t *pids, char *err, size_t errlen);
void mt_demo_stop(const pid_t *pids);

#endif
