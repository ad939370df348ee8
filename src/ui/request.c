/*
 * request.c - what keys and the loop tell the rest of memtop: requests to
 * the scanner (interval, pause, rescan, the selected process, quit), when
 * its next snapshot is due, and the footer's one-off status message.
 *
 * Below the keys and the panes; it calls neither. The requests go through
 * mt_model_update_requests(), so they are safe while the scanner thread
 * runs; u->model may be NULL (nothing is sent). UI thread only.
 */
#include "ui_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void ui_set_status(struct ui *u, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(u->status, sizeof(u->status), fmt, ap);
	va_end(ap);
}

/* ---- requests to the scanner ----------------------------------------- */

struct req {
	enum { REQ_INTERVAL, REQ_PAUSED, REQ_RESCAN, REQ_SELECTED,
	       REQ_QUIT, REQ_REPLAY_TO, REQ_REPLAY_PLAY } what;
	uint64_t interval_ms;
	bool paused;
	pid_t pid;
	size_t frame, mark;
	double speed;
};

static void apply_req(struct mt_requests *r, void *arg)
{
	const struct req *q = arg;
	switch (q->what) {
	case REQ_INTERVAL: r->interval_ms = q->interval_ms; break;
	case REQ_PAUSED: r->paused = q->paused; break;
	case REQ_RESCAN: r->rescan = true; break;
	case REQ_SELECTED:
		r->selected = q->pid;
		if (q->pid > 0)
			r->rescan = true; /* smaps for it soon */
		break;
	case REQ_QUIT: r->quit = true; break;
	case REQ_REPLAY_TO:
		r->replay_to = q->frame;
		r->replay_seq++;
		break;
	case REQ_REPLAY_PLAY:
		r->replay_play = q->paused == false;
		r->replay_speed = q->speed;
		r->replay_mark = q->mark;
		break;
	}
}

static void send_req(struct ui *u, struct req q)
{
	if (u->model)
		mt_model_update_requests(u->model, apply_req, &q);
}

void ui_send_interval(struct ui *u)
{
	send_req(u, (struct req){ .what = REQ_INTERVAL,
			      .interval_ms = u->interval_ms });
}

void ui_send_paused(struct ui *u)
{
	send_req(u, (struct req){ .what = REQ_PAUSED, .paused = u->paused });
}

void ui_send_replay_to(struct ui *u, size_t frame)
{
	send_req(u, (struct req){ .what = REQ_REPLAY_TO, .frame = frame });
}

void ui_send_replay_play(struct ui *u)
{
	send_req(u, (struct req){ .what = REQ_REPLAY_PLAY,
			      .paused = !u->replay_play,
			      .speed = u->replay_speed,
			      .mark = u->mark ? u->mark->replay_index + 1 : 0 });
}

void ui_send_rescan(struct ui *u)
{
	send_req(u, (struct req){ .what = REQ_RESCAN });
}

void ui_send_selected(struct ui *u, pid_t pid)
{
	send_req(u, (struct req){ .what = REQ_SELECTED, .pid = pid });
}

void ui_send_quit(struct ui *u)
{
	send_req(u, (struct req){ .what = REQ_QUIT });
}

/* ---- what is on screen ---------------------------------------------- */

struct shown_req {
	const pid_t *pids;
	size_t n;
	pid_t focus;
	const struct mt_addr_range *vmas;
	size_t nvmas;
};

static void apply_shown(struct mt_requests *r, void *arg)
{
	const struct shown_req *q = arg;
	memcpy(r->shown, q->pids, q->n * sizeof(pid_t));
	r->nshown = q->n;
	r->focus = q->focus;
	memcpy(r->focus_vmas, q->vmas, q->nvmas * sizeof(*q->vmas));
	r->nfocus_vmas = q->nvmas;
}

static int cmp_pid(const void *a, const void *b)
{
	pid_t x = *(const pid_t *)a, y = *(const pid_t *)b;
	return (x > y) - (x < y);
}

static void add_pid(pid_t *v, size_t *n, pid_t pid)
{
	if (pid > 0 && *n < MT_SHOWN_MAX)
		v[(*n)++] = pid;
}

size_t ui_shown_pids(const struct ui *u, pid_t *v)
{
	const struct ui_data *d = &u->data;
	size_t n = 0;
	add_pid(v, &n, u->sel_pid);
	if (u->vma_mode)
		add_pid(v, &n, u->vpid);
	for (int r = 0; r < u->list_rows && u->top + (size_t)r < d->nlines;
	     r++) {
		const struct ui_line *l = &d->lines[u->top + (size_t)r];
		if (l->kind != UI_LINE_GROUP) {
			add_pid(v, &n, d->ps[l->idx].p->pid);
			continue;
		}
		/* a cgroup row sums its members */
		const struct ui_group *g = &d->groups[l->idx];
		for (size_t i = 0; i < g->n; i++)
			add_pid(v, &n, d->ps[d->gmembers[g->first + i]].p->pid);
	}
	qsort(v, n, sizeof(*v), cmp_pid);
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		if (!k || v[i] != v[k - 1])
			v[k++] = v[i];
	return k;
}

size_t ui_shown_vmas(const struct ui *u, struct mt_addr_range *v)
{
	const struct ui_data *d = &u->data;
	size_t n = 0;
	if (!u->vma_mode || d->vproc < 0 || !d->nvrows)
		return 0;
	if (u->vsel < d->nvrows) {
		const struct mt_vma *m = d->vs[d->vrows[u->vsel]].v;
		v[n++] = (struct mt_addr_range){m->start, m->end};
	}
	for (int r = 0; r < u->vma_rows && u->vtop + (size_t)r < d->nvrows &&
			n < MT_FOCUS_VMAS_MAX;
	     r++) {
		const struct mt_vma *m = d->vs[d->vrows[u->vtop + (size_t)r]].v;
		v[n++] = (struct mt_addr_range){m->start, m->end};
	}
	return n;
}

void ui_send_shown(struct ui *u)
{
	pid_t v[MT_SHOWN_MAX];
	struct mt_addr_range fv[MT_FOCUS_VMAS_MAX];
	size_t n = u->snap ? ui_shown_pids(u, v) : 0;
	size_t nf = u->snap ? ui_shown_vmas(u, fv) : 0;
	pid_t focus = u->vma_mode ? u->vpid : u->sel_is_group ? 0 : u->sel_pid;
	if (n == u->nshown && focus == u->focus &&
	    !memcmp(v, u->shown, n * sizeof(pid_t)) &&
	    nf == u->nfocus_vmas &&
	    !memcmp(fv, u->focus_vmas, nf * sizeof(*fv)))
		return;
	memcpy(u->shown, v, n * sizeof(pid_t));
	u->nshown = n;
	u->focus = focus;
	memcpy(u->focus_vmas, fv, nf * sizeof(*fv));
	u->nfocus_vmas = nf;
	struct shown_req q = { u->shown, n, focus, u->focus_vmas, nf };
	if (u->model)
		mt_model_update_requests(u->model, apply_shown, &q);
}

/* ---- when the next snapshot is due ---------------------------------- */

/* Expected time of the next snapshot (monotonic ns), 0 if none is
 * expected (paused, or nothing yet). A second of grace. */
uint64_t ui_snapshot_due(const struct ui *u)
{
	if (!u->snap || u->paused || !u->snap_mono || u->replay)
		return 0;
	uint64_t wait_ms = u->snap->next_ms ? u->snap->next_ms : u->interval_ms;
	wait_ms = MT_MAX(wait_ms, u->interval_ms);
	return u->snap_mono + wait_ms * 1000000u + u->snap->duration_ns +
	       1000000000u;
}

bool ui_snapshot_late(const struct ui *u, double *age_s)
{
	uint64_t due = ui_snapshot_due(u), now = mt_now_ns();
	*age_s = u->snap_mono ? (double)(now - u->snap_mono) / 1e9 +
					(double)u->snap->duration_ns / 1e9
			      : 0;
	return due && now > due;
}
