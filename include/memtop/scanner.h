/*
 * scanner.h - the background scanner thread.
 *
 * It scans, publishes the snapshot into the model, then waits for the
 * interval or a request (rescan, pause, interval change, selection, quit).
 * Signals are blocked in the thread so SIGWINCH and SIGINT reach the UI.
 * It never touches the terminal.
 */
#ifndef MEMTOP_SCANNER_H
#define MEMTOP_SCANNER_H

#include "memtop/model.h"
#include "memtop/scan.h"
#include <stdint.h>

struct mt_scanner;

/* Starts the thread. ctx and the options (copied) stay owned by the caller
 * but must outlive mt_scanner_stop(). Returns NULL if the thread could not
 * be created. */
struct mt_scanner *mt_scanner_start(struct mt_model *m,
				    struct mt_scan_ctx *ctx,
				    const struct mt_scan_opts *opts);
/*
 * The wait after a scan that took cpu_ns of CPU: the interval, or longer
 * so that scanning uses at most limit (0 < limit <= 1) of one core:
 * cpu / (cpu + wait) <= limit.
 */
uint64_t mt_scanner_delay_ms(uint64_t interval_ms, uint64_t cpu_ns,
			     double limit);

/*
 * Priority scanning's credit for the sweep (scan.h): credit_ns plus the
 * limit's share of wall_ns (the time since the previous scan began)
 * less the scan's cpu_ns, at most MT_SWEEP_CAP_INTERVALS intervals'
 * worth. The sweep reads while it is positive; one process may overdraw
 * it, and the following scans pay that back by sweeping less, so that
 * over any stretch of time the scanner uses the limit's share, plus at
 * most the cap and one process's walk.
 */
#define MT_SWEEP_CAP_INTERVALS 2
int64_t mt_scanner_credit(int64_t credit_ns, double limit, uint64_t wall_ns,
			  uint64_t cpu_ns, uint64_t interval_ms);

/* Requests quit, cancels a scan under way and joins the thread. */
void mt_scanner_stop(struct mt_scanner *s);

#endif
