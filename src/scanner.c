/*
 * scanner.c - the scanner thread: scan, publish, wait, repeat.
 */
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "memtop/record.h"
#include "memtop/scanner.h"
#include "memtop/util.h"

struct mt_scanner {
	pthread_t thread;
	struct mt_model *m;
	struct mt_scan_ctx *ctx;
	struct mt_scan_opts opts;
	struct mt_recorder *rec;
	/* or, for --replay, the recording and its first frame */
	struct mt_replay *replay;
	size_t replay_begin;
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

/* --record: the scan as the next frame, and how the recording stands
 * (the header shows it). The frame's own CPU time is the scan's too:
 * it is on the scanner's clock. */
static void record(struct mt_recorder *rec, struct mt_snapshot *s)
{
	char err[256] = "";
	enum mt_rec_state was = mt_recorder_state(rec);
	enum mt_rec_state st = mt_recorder_write(rec, s, err, sizeof(err));
	s->rec_state = (int)st;
	s->rec_bytes = mt_recorder_bytes(rec);
	s->rec_frames = mt_recorder_frames(rec);
	if (st != MT_REC_ON && (st != was || *err))
		s->rec_msg = *err ? mt_arena_strndup(s->arena, err, strlen(err))
				  : NULL;
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
		if (sc->rec)
			record(sc->rec, s);
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
				    const struct mt_scan_opts *opts,
				    struct mt_recorder *rec)
{
	struct mt_scanner *sc = xcalloc(1, sizeof(*sc));
	sc->rec = rec;
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

/* ---- --replay ------------------------------------------------------- */

/* Frame i, published; false when it cannot be read (the recording ends
 * before it: the status line says why). */
static bool publish_frame(struct mt_scanner *sc, struct mt_replay *r,
			  size_t i, const struct mt_requests *req)
{
	struct mt_snapshot *s = mt_replay_get(r, i);
	if (!s) {
		const char *d = mt_replay_damage(r);
		mt_model_set_status(sc->m, d ? d : "no such frame");
		return false;
	}
	s->replay = true;
	s->replay_index = i;
	s->replay_count = mt_replay_count(r);
	s->replay_mark = req->replay_mark;
	s->next_ms = 0;
	mt_model_publish(sc->m, s);
	return true;
}

static void *replayer_main(void *arg)
{
	struct mt_scanner *sc = arg;
	struct mt_replay *r = sc->replay;
	struct mt_requests req;
	mt_model_get_requests(sc->m, &req);
	size_t cur = sc->replay_begin;
	uint64_t seq_to = req.replay_seq;
	size_t mark = req.replay_mark;
	if (!publish_frame(sc, r, cur, &req) && mt_replay_count(r))
		cur = 0;
	for (;;) {
		/* playing: the next frame when its recorded time has come */
		uint64_t deadline = UINT64_MAX;
		size_t n = mt_replay_count(r);
		if (req.replay_play && cur + 1 < n) {
			double gap = (double)(mt_replay_time_ns(r, cur + 1) -
					      mt_replay_time_ns(r, cur));
			double sp = req.replay_speed > 0 ? req.replay_speed : 1;
			double wait = gap / sp;
			if (wait > 10e9)
				wait = 10e9; /* a long pause in the recording */
			deadline = mt_now_ns() + (uint64_t)wait;
		}
		mt_model_wait(sc->m, deadline, req.seq, &req);
		if (req.quit)
			break;
		size_t want = cur;
		if (req.replay_seq != seq_to) {
			seq_to = req.replay_seq;
			want = req.replay_to;
		} else if (req.replay_play && cur + 1 < n &&
			   mt_now_ns() >= deadline) {
			want = cur + 1;
		} else if (req.replay_mark == mark && !req.rescan) {
			continue;
		}
		mark = req.replay_mark;
		n = mt_replay_count(r);
		if (want >= n)
			want = n ? n - 1 : 0;
		if (publish_frame(sc, r, want, &req))
			cur = want;
		if (req.rescan)
			mt_model_update_requests(sc->m, clear_rescan, NULL);
	}
	return NULL;
}

struct mt_scanner *mt_replayer_start(struct mt_model *m, struct mt_replay *r,
				     size_t begin)
{
	struct mt_scanner *sc = xcalloc(1, sizeof(*sc));
	sc->m = m;
	sc->replay = r;
	sc->replay_begin = begin;
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	int e = pthread_create(&sc->thread, NULL, replayer_main, sc);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (e != 0) {
		free(sc);
		return NULL;
	}
	return sc;
}
