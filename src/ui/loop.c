/*
 * loop.c - the viewer's main loop, above every pane: it takes snapshots,
 * rebuilds the view model, reads keys and hands them to keys.c, keeps the
 * settings file, and draws a frame by calling each pane in turn.
 *
 * The loop sleeps in poll() on three fds: the terminal, the model's wake
 * fd (a snapshot was published) and a self-pipe written by the signal
 * handlers (term.c). Nothing else wakes it, so memtop uses no CPU between
 * scans, and a key is answered at once whatever the scanner is doing.
 * Only the loop calls the panes; it runs on the UI thread only and owns
 * struct ui (freed when mt_ui_run() returns).
 */
#include "ui_keys.h"
#include "ui_panes.h"

#include <errno.h>
#include <langinfo.h>
#include <locale.h>
#include <math.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "memtop/sysinfo.h"

/* ---- drawing --------------------------------------------------------- */

static void sync_window(struct ui *u, enum ui_pane p, const struct ui_rect *r)
{
	struct ui_rect *old = &u->wrect[p];
	if (u->win[p] && !ui_rect_empty(r) && old->y == r->y &&
	    old->x == r->x && old->h == r->h && old->w == r->w)
		return;
	if (u->win[p]) {
		delwin(u->win[p]);
		u->win[p] = NULL;
	}
	*old = *r;
	if (!ui_rect_empty(r))
		u->win[p] = newwin(r->h, r->w, r->y, r->x);
}

static void drop_windows(struct ui *u)
{
	static const struct ui_rect none;
	for (int p = 0; p < UI_W_COUNT; p++)
		sync_window(u, (enum ui_pane)p, &none);
}

static void draw_too_small(struct ui *u, int cols, int lines)
{
	drop_windows(u);
	werase(stdscr);
	char msg[64];
	const char *l1 = "terminal too small";
	snprintf(msg, sizeof(msg), "%dx%d, need %dx%d", cols, lines,
		 UI_MIN_COLS, UI_MIN_LINES);
	int y = lines / 2 - 1;
	if (y < 0)
		y = 0;
	wattrset(stdscr, ui_attr(u, UI_C_WARN));
	ui_put(stdscr, y, MT_MAX(0, (cols - (int)strlen(l1)) / 2), cols, l1,
	       false, false);
	wattrset(stdscr, A_NORMAL);
	if (y + 1 < lines)
		ui_put(stdscr, y + 1, MT_MAX(0, (cols - (int)strlen(msg)) / 2),
		       cols, msg, false, false);
	if (y + 2 < lines)
		ui_put(stdscr, y + 2, 0, cols, "q quits", false, false);
	wnoutrefresh(stdscr);
	doupdate();
}

static void draw_frame(struct ui *u)
{
	int lines, cols;
	getmaxyx(stdscr, lines, cols);
	bool over = u->help || u->compare; /* a full-screen text */
	bool sys = u->sysview && !over;
	bool vmas = u->vma_mode && !sys;
	/* the reasons box: its text is the list's width less a cell each
	 * side */
	bool hist = !sys && !u->set.hide_hist;
	int why_rows = vmas ? ui_data_why_rows(&u->data,
					       ui_layout_list_width(cols, hist) - 2,
					       u->utf8)
			    : 0;
	ui_layout_compute(&u->lay, cols, lines, ui_histpane_lines(u),
			  vmas ? 2 : 0, why_rows, hist);
	if (u->lay.too_small) {
		curs_set(0);
		draw_too_small(u, cols, lines);
		return;
	}
	static const struct ui_rect none;
	struct ui_rect help = { 0, 0, lines - 1, cols };
	bool body = !over && !sys;
	sync_window(u, UI_W_HEADER, over ? &none : &u->lay.header);
	sync_window(u, UI_W_INFO, body ? &u->lay.info : &none);
	sync_window(u, UI_W_LIST, body ? &u->lay.list : &none);
	sync_window(u, UI_W_WHY, body ? &u->lay.why : &none);
	sync_window(u, UI_W_HIST, body ? &u->lay.hist : &none);
	sync_window(u, UI_W_SYS, sys ? &u->lay.list : &none);
	sync_window(u, UI_W_HELP, over ? &help : &none);
	sync_window(u, UI_W_FOOTER, &u->lay.footer);

	if (u->help) {
		ui_draw_help(u, u->win[UI_W_HELP]);
	} else if (u->compare) {
		ui_draw_compare(u, u->win[UI_W_HELP]);
	} else if (sys) {
		ui_draw_header(u, u->win[UI_W_HEADER]);
		ui_draw_sysview(u, u->win[UI_W_SYS]);
	} else {
		ui_draw_header(u, u->win[UI_W_HEADER]);
		if (u->win[UI_W_INFO])
			ui_draw_info(u, u->win[UI_W_INFO]);
		if (u->vma_mode)
			ui_draw_vmas(u, u->win[UI_W_LIST]);
		else
			ui_draw_procs(u, u->win[UI_W_LIST]);
		if (u->win[UI_W_WHY])
			ui_draw_why(u, u->win[UI_W_WHY]);
		if (u->win[UI_W_HIST])
			ui_draw_hist(u, u->win[UI_W_HIST]);
	}
	for (int p = 0; p < UI_W_COUNT; p++)
		if (p != UI_W_FOOTER && u->win[p])
			wnoutrefresh(u->win[p]);
	/* the footer last: its cursor is the prompt's */
	ui_draw_footer(u, u->win[UI_W_FOOTER]);
	curs_set(u->prompt != UI_PROMPT_NONE ? 1 : 0);
	wnoutrefresh(u->win[UI_W_FOOTER]);
	doupdate();
	ui_send_shown(u);
}

/* ---- snapshots ------------------------------------------------------- */

/* The demo: start on demo-collapse, whose THP share rises. */
static void demo_pick(struct ui *u)
{
	const struct ui_data *d = &u->data;
	for (size_t r = 0; r < d->nlines; r++) {
		const struct ui_line *l = &d->lines[r];
		if (l->kind != UI_LINE_PROC ||
		    strcmp(ui_data_str(d, d->ps[l->idx].name),
			   "demo-collapse") != 0)
			continue;
		u->sel = r;
		ui_sync_selection(u);
		u->demo_pick = false;
		return;
	}
}

static void rebuild(struct ui *u)
{
	if (u->demo_view && u->snap) {
		/* the demo as root: what is huge, not what could be; not a
		 * choice of the user's, so not for memtoprc */
		u->demo_view = false;
		if (u->snap->have_kpageflags && u->set.view == UI_VIEW_PRESENT) {
			u->set.view = UI_VIEW_FOLIOS;
			ui_settings_to_rc(&u->set, u->interval_ms, &u->rc_seen,
					  &u->rc_seen);
		}
	}
	u->data.history = u->history;
	u->data.rate_window_ns = u->rate_window_ms * 1000000;
	ui_data_build(&u->data, u->snap, &u->set, u->vma_mode ? u->vpid : 0);
	if (u->vma_mode && u->data.vproc < 0 && u->snap) {
		ui_set_status(u, "process %d has exited", (int)u->vpid);
		u->vma_mode = false;
		u->vpid = 0;
		ui_send_selected(u, 0);
	}
	ui_fix_selection(u);
	if (u->demo_pick)
		demo_pick(u);
}

static void push_rate(struct mt_series *ser, const struct mt_sysinfo *si,
		      const char *key)
{
	const struct mt_counter *c = mt_counter_find(si->vmstat, si->nvmstat,
						     key);
	if (c && c->has_rate)
		mt_series_push(ser, c->rate);
}

/* The window of the rates of bursty events, from khugepaged's pace. */
static void update_rate_window(struct ui *u, const struct mt_sysinfo *si)
{
	const struct mt_counter *c =
		si ? mt_counter_find(si->khugepaged, si->nkhugepaged,
				     "scan_sleep_millisecs")
		   : NULL;
	u->rate_window_ms = ui_rate_window_ms(c ? c->value : 0,
					      u->interval_ms);
}

/* The header's rates: the counters' increases per scan, and their rates
 * over the window. */
static void update_sysrates(struct ui *u, const struct mt_snapshot *s)
{
	static const char *const keys[UI_R_COUNT] = {
		"thp_fault_alloc", "thp_fault_fallback", "thp_collapse_alloc",
		"thp_split_page",
	};
	struct ui_sysseries *ss = &u->ss;
	const struct mt_sysinfo *si = s->sys;
	ss->t[ss->inc[0].head] = s->time_ns;
	for (int k = 0; k < UI_R_COUNT; k++) {
		const struct mt_counter *c =
			mt_counter_find(si->vmstat, si->nvmstat, keys[k]);
		double inc = NAN;
		if (c) {
			/* a counter that went backwards was reset */
			inc = !ss->have_last[k] ? 0
			      : c->value >= ss->last[k]
				      ? (double)(c->value - ss->last[k])
				      : (double)c->value;
			ss->last[k] = c->value;
		}
		ss->have_last[k] = c != NULL;
		mt_series_push(&ss->inc[k], inc);
	}
	ss->span_s = 0;
	for (int k = 0; k < UI_R_COUNT; k++) {
		double span = 0;
		ss->has_rate[k] = mt_series_rate(&ss->inc[k], ss->t,
						 u->rate_window_ms * 1000000,
						 true, &ss->rate[k], &span);
		if (ss->has_rate[k])
			ss->span_s = span;
	}
}

/* The system series the viewer keeps: THP fault, fallback, collapse and
 * split rates, and the share of free memory in PMD-sized blocks. */
static void update_sysseries(struct ui *u, const struct mt_snapshot *s)
{
	struct ui_sysseries *ss = &u->ss;
	const struct mt_sysinfo *si = s->sys;
	if (!si || s->generation == ss->gen)
		return;
	ss->gen = s->generation;
	update_rate_window(u, si);
	update_sysrates(u, s);
	push_rate(&ss->fault, si, "thp_fault_alloc");
	push_rate(&ss->fallback, si, "thp_fault_fallback");
	push_rate(&ss->collapse, si, "thp_collapse_alloc");
	push_rate(&ss->split, si, "thp_split_page");
	uint64_t all = mt_buddy_free_pages(si, -1, 0);
	if (all)
		mt_series_push(&ss->free_pmd,
			       100.0 * (double)mt_buddy_free_pages(si, -1,
								   s->pmd_order) /
				       (double)all);
}

static void take_snapshot(struct ui *u)
{
	mt_model_drain_wake(u->model);
	struct mt_snapshot *s = mt_model_acquire(u->model);
	if (!s)
		return;
	if (s == u->snap) {
		mt_snapshot_unref(s);
		return;
	}
	/* the histogram shown now, to mark what the new scan changed */
	char title[8];
	const struct ui_dist *cur = ui_selected_dist(u, title, sizeof(title));
	ui_selid_free(&u->hist_sel);
	u->hist_prev_ok = cur != NULL;
	if (cur) {
		u->hist_prev = *cur;
		ui_selected_id(u, &u->hist_sel);
	}
	/* rows point into the old snapshot: rebuild before dropping it */
	struct mt_snapshot *old = u->snap;
	if (s->replay && old &&
	    (!old->replay || s->replay_index != old->replay_index + 1)) {
		/* a jump in a recording: plots and rates start again */
		mt_history_free(u->history);
		u->history = mt_history_new();
		memset(&u->ss, 0, sizeof(u->ss));
	}
	u->snap = s;
	if (s->replay && (long)s->replay_index == u->replay_to)
		u->replay_to = -1;
	u->snap_mono = mt_now_ns();
	mt_history_update(u->history, s);
	update_sysseries(u, s);
	rebuild(u);
	if (old)
		mt_snapshot_unref(old);
}

/* poll() timeout: wake up only when the next scan is overdue (to say how
 * old the figures are), then once a second until it arrives. */
static int poll_timeout(const struct ui *u)
{
	uint64_t due = ui_snapshot_due(u);
	if (!due)
		return -1;
	uint64_t now = mt_now_ns();
	if (now >= due)
		return 1000;
	uint64_t ms = (due - now) / 1000000u + 1;
	return ms > 86400000u ? 86400000 : (int)ms;
}

/* ---- settings ------------------------------------------------------- */

/* Read memtoprc into rc (defaults when there is none, or with
 * --no-config); problems go to the status line, never to stderr. */
static void load_rc(struct ui *u, const struct mt_ui_opts *o,
		    struct mt_settings *rc)
{
	mt_settings_defaults(rc);
	u->rc_save = false;
	if (o->no_config)
		return;
	u->rc_path = mt_settings_path();
	if (!u->rc_path) {
		ui_set_status(u, "no home directory: settings are not saved");
		return;
	}
	struct mt_buf warn = { 0 }, msg = { 0 };
	enum mt_settings_status st = mt_settings_load(u->rc_path, rc, &warn);
	u->rc_save = st != MT_SETTINGS_FOREIGN;
	/* one line: the warnings joined, each made safe for the screen */
	for (size_t i = 0; i < warn.len;) {
		const char *nl = memchr(warn.data + i, '\n', warn.len - i);
		size_t n = nl ? (size_t)(nl - warn.data) - i : warn.len - i;
		if (n) {
			/* the file's name without its directory: the
			 * warning must fit the footer (F1 help, README and
			 * memtop(1) say where the file is) */
			const char *t = warn.data + i;
			const char *slash = strrchr(u->rc_path, '/');
			size_t pl = strlen(u->rc_path);
			if (slash && n > pl && !strncmp(t, u->rc_path, pl)) {
				size_t skip = (size_t)(slash + 1 - u->rc_path);
				t += skip;
				n -= skip;
				i += skip;
			}
			if (msg.len)
				MT_BUF_LIT(&msg, "; ");
			ui_sanitize(&msg, t, n, u->utf8);
		}
		i += n + 1;
	}
	if (msg.len)
		ui_set_status(u, "%s%s", msg.data,
			      st == MT_SETTINGS_FOREIGN
				      ? " (not saved over)"
				      : " (the line is kept when saving)");
	mt_buf_free(&warn);
	mt_buf_free(&msg);
}

static enum ui_view view_of_rc(int v)
{
	switch (v) {
	case MT_SETTINGS_VIEW_MAPPABLE: return UI_VIEW_MAPPABLE;
	case MT_SETTINGS_VIEW_FOLIOS: return UI_VIEW_FOLIOS;
	default: return UI_VIEW_PRESENT;
	}
}

/* Start from the settings file; options given on the command line win,
 * and the demo starts on its own layout. */
static void init_settings(struct ui *u, const struct mt_ui_opts *o,
			  const struct mt_settings *rc)
{
	struct ui_settings *st = &u->set;
	memset(st, 0, sizeof(*st));
	st->view = view_of_rc(rc->view);
	st->show_kthreads = o->show_kthreads || rc->show_kthreads;
	st->omit_file = o->omit_file_backed || rc->omit_file_backed;
	st->omit_unfaulted = o->omit_unfaulted || rc->omit_unfaulted;
	st->utf8 = u->utf8;
	st->hide_hist = !rc->show_hist;
	st->hist_counts = rc->hist_counts;
	st->hist_log = rc->hist_log;
	st->show_cmdline = rc->show_cmdline;
	st->show_delta = rc->show_delta;
	if (o->sort_set) {
		st->psort = ui_proc_col_for_sort(o->sort);
		st->pdesc = st->psort >= 0 && ui_proc_cols[st->psort].desc;
	} else if (o->demo) {
		st->psort = ui_proc_col_for_sort(MT_SORT_PID);
		st->pdesc = false;
	} else {
		st->psort = ui_proc_col_for_sort(rc->sort);
		st->pdesc = rc->sort_desc;
	}
	if (st->psort < 0) {
		st->psort = ui_proc_col_for_sort(MT_SORT_HIST);
		st->pdesc = ui_proc_cols[st->psort].desc;
	}
	st->vsort = 0; /* by address */
	st->vdesc = false;
	if (o->demo) {
		st->show_delta = true;
		u->demo_pick = o->select_pid == 0;
		u->demo_view = true;
	}
	u->sel_pid = o->select_pid;
	double sec = o->interval_set ? o->interval_s : rc->interval_s;
	double ms = sec > 0 ? sec * 1000.0 : 2000.0;
	u->interval_ms = (uint64_t)(ms + 0.5);
	if (u->interval_ms < 10)
		u->interval_ms = 10;
	u->rc_file = *rc;
	ui_settings_to_rc(st, u->interval_ms, rc, &u->rc_seen);
}

/* After every key: write what the user changed (sort, view, filters,
 * interval) to memtoprc, atomically. */
static void check_rc(struct ui *u)
{
	struct mt_settings now;
	ui_settings_to_rc(&u->set, u->interval_ms, &u->rc_seen, &now);
	bool changed = ui_rc_merge(&u->rc_file, &u->rc_seen, &now);
	u->rc_seen = now;
	if (!changed || !u->rc_save || !u->rc_path)
		return;
	int r = mt_settings_save(u->rc_path, &u->rc_file);
	if (r == 0)
		return;
	struct mt_buf p = { 0 };
	ui_sanitize(&p, u->rc_path, strlen(u->rc_path), u->utf8);
	if (r == -EEXIST)
		ui_set_status(u, "%s is not a memtop settings file: settings "
				 "not saved", p.data);
	else
		ui_set_status(u, "cannot save settings to %s: %s", p.data,
			      strerror(-r));
	mt_buf_free(&p);
	u->rc_save = false; /* say it once */
}

/* ---- main loop ------------------------------------------------------- */

static void read_keys(struct ui *u, bool *dirty)
{
	wint_t wch;
	int r;
	while ((r = wget_wch(stdscr, &wch)) != ERR) {
		int key = (int)wch;
		bool is_char = r != KEY_CODE_YES;
		if (!is_char && key == KEY_RESIZE) {
			*dirty = true;
			continue;
		}
		int re = ui_handle_key(u, key, is_char);
		if (re & UI_R_QUIT) {
			u->quit = true;
			return;
		}
		if (re & UI_R_REBUILD)
			rebuild(u);
		else if (re & UI_R_REFILTER) {
			ui_data_refilter(&u->data, &u->set);
			ui_fix_selection(u);
		}
		if (re)
			*dirty = true;
		check_rc(u);
	}
}

static void free_ui(struct ui *u)
{
	ui_data_free(&u->data);
	if (u->snap)
		mt_snapshot_unref(u->snap);
	mt_history_free(u->history);
	if (u->mark)
		mt_snapshot_unref(u->mark);
	ui_selid_free(&u->hist_sel);
	ui_action_free(u);
	free(u->sel_group);
	free(u->rc_path);
	free(u->pids);
	free(u);
}

int mt_ui_run(struct mt_model *m, const struct mt_ui_opts *o)
{
	struct ui *u = xcalloc(1, sizeof(*u));
	u->model = m;
	u->act.pidfd = -1;
	u->read_only = o->read_only;
	u->not_live = o->proc_root && strcmp(o->proc_root, "/proc") != 0;
	setlocale(LC_ALL, "");
	u->utf8 = strcmp(nl_langinfo(CODESET), "UTF-8") == 0;
	struct mt_settings rc;
	load_rc(u, o, &rc);
	u->rc_read_only = rc.read_only && !u->read_only;
	u->read_only = u->read_only || rc.read_only;
	init_settings(u, o, &rc);
	ui_data_init(&u->data);
	u->history = mt_history_new();
	u->rate_window_ms = ui_rate_window_ms(0, u->interval_ms);
	if (o->npids) {
		u->pids = xmalloc(o->npids * sizeof(pid_t));
		memcpy(u->pids, o->pids, o->npids * sizeof(pid_t));
		u->npids = o->npids;
		ui_fmt_pids(u->pids_arg, sizeof(u->pids_arg), u->pids,
			    u->npids);
	}
	struct utsname un;
	u->replay = o->replay;
	u->replay_speed = 1;
	u->replay_to = -1;
	if (o->replay) {
		snprintf(u->host, sizeof(u->host), "%s", o->host ? o->host : "?");
		snprintf(u->kernel, sizeof(u->kernel), "Linux %s",
			 o->kernel ? o->kernel : "?");
	} else if (uname(&un) == 0) {
		snprintf(u->host, sizeof(u->host), "%s", un.nodename);
		snprintf(u->kernel, sizeof(u->kernel), "%s %s", un.sysname,
			 un.release);
	}

	int st = ui_term_open(u, o);
	if (st) {
		free_ui(u);
		return st;
	}
	wnoutrefresh(stdscr); /* untouched from now on: wgetch won't draw it */

	ui_send_interval(u);
	u->paused = false;
	ui_send_paused(u);
	u->snap = mt_model_acquire(m);
	if (u->snap) {
		u->snap_mono = mt_now_ns();
		mt_history_update(u->history, u->snap);
		update_sysseries(u, u->snap);
	}
	rebuild(u);

	bool dirty = true;
	int wake = mt_model_wake_fd(m);
	while (!u->quit) {
		if (dirty) {
			draw_frame(u);
			dirty = false;
		}
		struct pollfd fds[3] = {
			{ .fd = STDIN_FILENO, .events = POLLIN },
			{ .fd = wake, .events = POLLIN },
			{ .fd = ui_term_signal_fd(), .events = POLLIN },
		};
		/* a collapse under way: look at the fds, then go on asking */
		int n = poll(fds, 3, ui_action_running(u) ? 0 : poll_timeout(u));
		if (n < 0 && errno != EINTR)
			break;
		if (n == 0 && !ui_action_running(u))
			dirty = true; /* the next scan is late: show the age */
		if (n > 0 && (fds[2].revents & POLLIN)) {
			if (ui_term_signals(u))
				break;
			dirty = true;
		}
		if (n > 0 && (fds[1].revents & POLLIN)) {
			take_snapshot(u);
			dirty = true;
		}
		if (n > 0 && (fds[0].revents & (POLLHUP | POLLERR | POLLNVAL))) {
			u->exit_status = 1; /* the terminal went away */
			break;
		}
		read_keys(u, &dirty);
		if (ui_action_running(u) && !u->quit) {
			ui_action_step(u);
			dirty = true;
		}
	}

	ui_send_quit(u);
	drop_windows(u);
	ui_term_close();
	int status = u->exit_status;
	free_ui(u);
	return status;
}
