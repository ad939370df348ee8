/*
 * scanner.c - the scanner thread: scan, publish, wait, repeat.
 */
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <time.h>

#include "memtop/scanner.h"
#include "memtop/util.h"

struct mt_scanner {
	pthread_t thread;
	struct mt_model *m;
	struct mt_scan_ctx *ctx;
	struct mt_scan_opts opts;
};

uint64_t mt_scanner_delay_ms(uint64_t interval_ms, uint64_t cpu_ns,
			     double limit)
{
	if (!(limit > 0) || limit >= 1)
		return interval_ms;
	double need_ms = (double)cpu_ns / 1e6 * (1.0 - limit) / limit;
	uint64_t need = (uint64_t)(need_ms + 0.999);
	return need > interval_ms ? need : interval_ms;
}

static void clear_rescan(struct mt_requests *r, void *arg)
{
	r->rescan = false;
}

int64_t mt_scanner_credit(int64_t credit_ns, double limit, uint64_t wall_ns,
			  uint64_t cpu_ns, uint64_t interval_ms)
{
	if (!(limit > 0) || limit >= 1)
		return INT64_MAX / 4; /* no limit: sweep everything */
	double c = (double)credit_ns + limit * (double)wall_ns - (double)cpu_ns;
	double cap = limit * (double)interval_ms * 1e6 * MT_SWEEP_CAP_INTERVALS;
	if (c > cap)
		c = cap;
	if (c < -1e15)
		c = -1e15;
	return (int64_t)c;
}

static void *scanner_main(void *arg)
{
	struct mt_scanner *sc = arg;
	struct mt_model *m = sc->m;
	struct mt_requests req;
	mt_model_get_requests(m, &req);
	/* The sweep's CPU credit (priority scanning): it earns the limit's
	 * share of the time that passes, pays every scan's CPU, and the
	 * sweep reads while it is positive. */
	int64_t credit = 0;
	uint64_t last = 0;
	for (;;) {
		if (req.quit)
			break;
		struct mt_scan_opts o = sc->opts;
		o.smaps_pid = req.selected;
		o.cancel = mt_model_cancel_flag(m);
		o.focus_pid = req.focus ? req.focus : req.selected;
		o.prio_pids = req.shown;
		o.nprio = req.nshown;
		o.focus_vmas = req.focus_vmas;
		o.nfocus_vmas = req.nfocus_vmas;
		o.sweep_budget_ns = credit > 0 ? (uint64_t)credit : 0;
		/* of the interval's share, about a third for the PFN
		 * figures of what is on screen, a third for walking the
		 * rest, and what is left (with the time's) for the sweep */
		o.must_budget_ns = req.cpu_limit > 0 && req.cpu_limit < 1
			? (uint64_t)(req.cpu_limit * (double)req.interval_ms *
				     1e6 * 0.35)
			: UINT64_MAX;
		o.walk_budget_ns = o.must_budget_ns;
		o.slice_ns = o.must_budget_ns == UINT64_MAX ? 0
							    : o.must_budget_ns;
		/* new processes: about a second of walks at most per scan
		 * (a big machine's first screen does not wait for its
		 * biggest process) */
		o.fresh_ns = o.must_budget_ns == UINT64_MAX ? 0 : 1000000000u;
		if (req.rescan)
			mt_model_update_requests(m, clear_rescan, NULL);
		uint64_t cpu0 = mt_thread_cpu_ns();
		uint64_t start = mt_now_ns();
		struct mt_snapshot *s = mt_scan(sc->ctx, &o);
		if (atomic_load(o.cancel)) {
			mt_snapshot_unref(s);
			break;
		}
		/* not published yet: still ours to fill in */
		s->cpu_ns = mt_thread_cpu_ns() - cpu0 + s->sys_cpu_ns;
		/* the wait keeps what must be read (everything, without
		 * priority scanning) within the limit; the sweep lives on
		 * its credit */
		uint64_t must = s->cpu_ns;
		if (o.priority)
			must -= MT_MIN(must, s->sweep_cpu_ns);
		s->next_ms = mt_scanner_delay_ms(req.interval_ms, must,
						 req.cpu_limit);
		credit = mt_scanner_credit(credit, req.cpu_limit,
					   last ? start - last : 0, s->cpu_ns,
					   req.interval_ms);
		last = start;
		uint64_t cpu_ns = must;
		uint64_t done = mt_now_ns();
		mt_model_publish(m, s);

		/* Wait for the interval, or a request worth a scan now. The
		 * wait starts when the scan ends and is stretched so that
		 * scanning stays within the CPU limit. */
		mt_model_get_requests(m, &req);
		pid_t selected = req.selected;
		for (;;) {
			uint64_t wait_ms = mt_scanner_delay_ms(
				req.interval_ms, cpu_ns, req.cpu_limit);
			uint64_t due = done + wait_ms * 1000000u;
			uint64_t deadline = req.paused ? UINT64_MAX : due;
			uint64_t seq = req.seq;
			mt_model_wait(m, deadline, seq, &req);
			if (req.quit || req.rescan || req.selected != selected)
				break;
			if (!req.paused && mt_now_ns() >= due)
				break;
		}
	}
	return NULL;
}

struct mt_scanner *mt_scanner_start(struct mt_model *m,
				    struct mt_scan_ctx *ctx,
				    const struct mt_scan_opts *opts)
{
	struct mt_scanner *sc = xcalloc(1, sizeof(*sc));
	sc->m = m;
	sc->ctx = ctx;
	sc->opts = *opts;
	/* the thread inherits a full signal mask: signals go to the UI */
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	int r = pthread_create(&sc->thread, NULL, scanner_main, sc);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (r != 0) {
		free(sc);
		return NULL;
	}
	return sc;
}

static void set_quit(struct mt_requests *r, void *arg)
{
	r->quit = true;
}

void mt_scanner_stop(struct mt_scanner *sc)
{
	if (!sc)
		return;
	mt_model_update_requests(sc->m, set_quit, NULL);
	pthread_join(sc->thread, NULL);
	free(sc);
}
