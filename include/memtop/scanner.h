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

/* Requests quit, cancels a scan under way and joins the thread. */
void mt_scanner_stop(struct mt_scanner *s);

#endif
