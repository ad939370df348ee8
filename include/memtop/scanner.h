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

struct mt_recorder;

/* Starts the thread. ctx and the options (copied) stay owned by the caller
 * but must outlive mt_scanner_stop(); so does rec (NULL: none), the
 * recording every scan is written to before it is published. Returns NULL
 * if the thread could not be created. */
struct mt_scanner *mt_scanner_start(struct mt_model *m,
				    struct mt_scan_ctx *ctx,
				    const struct mt_scan_opts *opts,
				    struct mt_recorder *rec);
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

/*
 * --replay: a thread in the scanner's place that publishes the frames
 * of a recording (record.h) instead of scans: frame begin first, then
 * the one the requests ask for (replay_to), or the next ones at the
 * recorded pace times replay_speed while replay_play is set. Each
 * snapshot says where it is (mt_snapshot.replay_index). r stays the
 * caller's and must outlive mt_scanner_stop().
 */
struct mt_replay;
struct mt_scanner *mt_replayer_start(struct mt_model *m, struct mt_replay *r,
				     size_t begin);

#endif
