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
	       REQ_QUIT } what;
	uint64_t interval_ms;
	bool paused;
	pid_t pid;
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

/* ---- when the next snapshot is due ---------------------------------- */

/* Expected time of the next snapshot (monotonic ns), 0 if none is
 * expected (paused, or nothing yet). A second of grace. */
uint64_t ui_snapshot_due(const struct ui *u)
{
	if (!u->snap || u->paused || !u->snap_mono)
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
