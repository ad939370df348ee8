/*
 * model.h - the shared model between the scanner thread and the UI.
 *
 * The scanner publishes complete snapshots; publish swaps a pointer under
 * a mutex and bumps the generation, then wakes the UI through an eventfd
 * (mt_model_wake_fd(), to poll together with stdin). Readers acquire a
 * reference under the same mutex. Requests from the UI to the scanner
 * (interval, pause, rescan, selected pid, quit) are a small struct under
 * the same mutex plus a condition variable.
 */
#ifndef MEMTOP_MODEL_H
#define MEMTOP_MODEL_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include "memtop/snapshot.h"

struct mt_model;

#define MT_SHOWN_MAX 512
#define MT_FOCUS_VMAS_MAX 256

struct mt_requests {
	uint64_t interval_ms;
	bool paused;
	bool rescan;       /* one scan now, then cleared by the scanner */
	bool quit;
	pid_t selected;    /* process whose smaps is wanted (0: none) */
	double cpu_limit;  /* share of one core the scanner may use (0.1) */
	/* the processes the viewer shows (sorted; the selected one, its VMA
	 * pane's, the rows on screen): priority scanning reads their
	 * expensive figures at every scan (scan.h) */
	pid_t shown[MT_SHOWN_MAX];
	size_t nshown;
	pid_t focus;       /* of those, the selected process (0: none) */
	/* its VMAs on screen, the selected one first */
	struct mt_addr_range focus_vmas[MT_FOCUS_VMAS_MAX];
	size_t nfocus_vmas;
	/* --replay (the viewer on a recording): a jump to frame replay_to
	 * when replay_seq changes; playing at replay_speed times the
	 * recorded pace; the frame marked for comparing (from 1; 0 none) */
	uint64_t replay_seq;
	size_t replay_to;
	bool replay_play;
	double replay_speed;
	size_t replay_mark;
	uint64_t seq;      /* bumped by every change */
};

struct mt_model *mt_model_new(void);
void mt_model_free(struct mt_model *m);

/* Scanner side. Takes over the caller's reference to s. */
void mt_model_publish(struct mt_model *m, struct mt_snapshot *s);
/* Reader side: newest snapshot with a new reference, or NULL. */
struct mt_snapshot *mt_model_acquire(struct mt_model *m);
uint64_t mt_model_generation(struct mt_model *m);

/* fd that becomes readable on publish; mt_model_drain_wake() resets it. */
int mt_model_wake_fd(const struct mt_model *m);
void mt_model_drain_wake(struct mt_model *m);

/* Requests. get copies them; update applies fn under the lock and
 * signals the scanner. */
void mt_model_get_requests(struct mt_model *m, struct mt_requests *out);
void mt_model_update_requests(struct mt_model *m,
			      void (*fn)(struct mt_requests *r, void *arg),
			      void *arg);
/* Scanner: wait until the deadline (CLOCK_MONOTONIC ns) or a request
 * change; returns the requests. */
void mt_model_wait(struct mt_model *m, uint64_t deadline_ns,
		   uint64_t seen_seq, struct mt_requests *out);
/* Set by quit, for scans to stop early. */
atomic_bool *mt_model_cancel_flag(struct mt_model *m);

/* Status text from the scanner (last error etc.), copied out. */
void mt_model_set_status(struct mt_model *m, const char *msg);
void mt_model_get_status(struct mt_model *m, char *buf, size_t len);

#endif
