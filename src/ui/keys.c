/*
 * keys.c - what every key does. A table binds keys to action functions
 * that change the state and return a reaction mask (htop's habit); the
 * same table gives the help screen its lines. Prompts (search, filter,
 * user) and the mouse are handled here too.
 */
#include "ui_keys.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#define CTRL(c) ((c) & 0x1f)
#define ESC 27
#define DOUBLE_CLICK_NS 400000000u

/* ---- moving the selection -------------------------------------------- */

static size_t nrows(const struct ui *u)
{
	return u->vma_mode ? u->data.nvrows : u->data.nlines;
}

static size_t cur_row(const struct ui *u)
{
	return u->vma_mode ? u->vsel : u->sel;
}

static int visible_rows(const struct ui *u)
{
	return MT_MAX(1, u->lay.list.h - 1);
}

static int select_row(struct ui *u, ssize_t row)
{
	size_t n = nrows(u);
	if (n == 0)
		return UI_R_REDRAW;
	if (row < 0)
		row = 0;
	if ((size_t)row >= n)
		row = (ssize_t)n - 1;
	const struct ui_data *d = &u->data;
	if (u->vma_mode) {
		u->vsel = (size_t)row;
		u->vsel_start = d->vs[d->vrows[row]].v->start;
	} else {
		u->sel = (size_t)row;
		ui_sync_selection(u);
	}
	return UI_R_REDRAW;
}

/* The system view scrolls instead of selecting. */
static int sys_scroll(struct ui *u, int to)
{
	int h = MT_MAX(1, u->lay.list.h);
	u->sys_top = MT_MAX(0, MT_MIN(to, u->sys_total - h));
	return UI_R_REDRAW;
}

static int move_by(struct ui *u, ssize_t delta)
{
	if (u->sysview)
		return sys_scroll(u, u->sys_top + (int)delta);
	return select_row(u, (ssize_t)cur_row(u) + delta);
}

static int act_up(struct ui *u, int key) { return move_by(u, -1); }
static int act_down(struct ui *u, int key) { return move_by(u, 1); }
static int act_pgup(struct ui *u, int key)
{
	return move_by(u, -visible_rows(u));
}
static int act_pgdn(struct ui *u, int key)
{
	return move_by(u, visible_rows(u));
}
static int act_home(struct ui *u, int key)
{
	if (u->sysview)
		return sys_scroll(u, 0);
	return select_row(u, 0);
}
static int act_end(struct ui *u, int key)
{
	if (u->sysview)
		return sys_scroll(u, INT32_MAX);
	return select_row(u, (ssize_t)nrows(u) - 1);
}

/* ---- panes ----------------------------------------------------------- */

/* The cgroup of the selected line: its own key on a cgroup row, its
 * process's cgroup when grouped; NULL otherwise. */
static const char *sel_cgroup(const struct ui *u, bool *is_group)
{
	const struct ui_line *l = ui_sel_line(u);
	*is_group = l && l->kind == UI_LINE_GROUP;
	if (!l || !u->set.group)
		return NULL;
	if (*is_group)
		return u->data.groups[l->idx].key;
	const char *cg = u->data.ps[l->idx].p->cgroup;
	return cg ? cg : "";
}

static int act_enter(struct ui *u, int key)
{
	if (u->sysview && key == KEY_RIGHT) { /* the wide tables: sideways */
		if (u->sys_left < u->sys_left_max)
			u->sys_left++;
		return UI_R_REDRAW;
	}
	if (u->sysview || u->vma_mode || u->data.nlines == 0)
		return UI_R_NONE;
	bool is_group;
	const char *cg = sel_cgroup(u, &is_group);
	if (is_group) {
		/* Enter opens or closes a cgroup row, Right opens it */
		bool open = ui_data_expand(&u->data, cg,
					   key == KEY_RIGHT ? UI_EXPAND_OPEN
							    : UI_EXPAND_TOGGLE);
		ui_set_status(u, "%s", open ? "Left or Enter closes the cgroup"
					    : "Enter or Right lists its "
					      "processes");
		return UI_R_REFILTER | UI_R_REDRAW;
	}
	u->vma_mode = true;
	u->vpid = u->sel_pid;
	u->vsel = u->vtop = 0;
	u->vsel_start = 0;
	ui_send_selected(u, u->vpid); /* the scanner reads its smaps */
	return UI_R_REBUILD;
}

static int act_back(struct ui *u, int key)
{
	if (u->sysview && key == KEY_LEFT && u->sys_left > 0) {
		u->sys_left--;
		return UI_R_REDRAW;
	}
	if (u->sysview) {
		u->sysview = false;
		return UI_R_REDRAW;
	}
	if (!u->vma_mode) {
		bool is_group;
		const char *cg = sel_cgroup(u, &is_group);
		if (!cg || !ui_data_is_expanded(&u->data, cg))
			return UI_R_REDRAW;
		/* close the cgroup and select its row */
		char *key_copy = xstrdup(cg);
		ui_data_expand(&u->data, key_copy, UI_EXPAND_CLOSE);
		u->sel_is_group = true;
		free(u->sel_group);
		u->sel_group = key_copy;
		return UI_R_REFILTER | UI_R_REDRAW;
	}
	u->vma_mode = false;
	u->vpid = 0;
	ui_send_selected(u, 0);
	return UI_R_REBUILD;
}

static int act_help(struct ui *u, int key)
{
	u->help = !u->help;
	u->help_top = 0;
	return UI_R_REDRAW;
}

static int act_quit(struct ui *u, int key) { return UI_R_QUIT; }

/* ---- sorting --------------------------------------------------------- */

static const struct ui_column *pane_cols(const struct ui *u, size_t *n,
					 const struct ui_colpos **pos)
{
	*n = u->vma_mode ? ui_vma_ncols : ui_proc_ncols;
	*pos = u->vma_mode ? u->vpos : u->ppos;
	return u->vma_mode ? ui_vma_cols : ui_proc_cols;
}

static int set_sort(struct ui *u, int col)
{
	size_t n;
	const struct ui_colpos *pos;
	const struct ui_column *cols = pane_cols(u, &n, &pos);
	if (col < 0 || (size_t)col >= n)
		return UI_R_NONE;
	if (cols[col].id == UI_COL_MARK) /* the change mark sorts by HUGE/s */
		col = ui_col_index(cols, n, UI_COL_DELTA);
	if (col < 0)
		return UI_R_NONE;
	int *sort = u->vma_mode ? &u->set.vsort : &u->set.psort;
	bool *desc = u->vma_mode ? &u->set.vdesc : &u->set.pdesc;
	if (*sort == col) {
		*desc = !*desc;
	} else {
		*sort = col;
		*desc = cols[col].desc;
	}
	ui_set_status(u, "sorted by %s, %s",
		      ui_col_title(&cols[col], u->set.view),
		      *desc ? "descending" : "ascending");
	return UI_R_REFILTER | UI_R_REDRAW;
}

/* F6, < and >: the next shown column to the left or right. */
static int act_sort_step(struct ui *u, int key)
{
	size_t n;
	const struct ui_colpos *pos;
	const struct ui_column *cols = pane_cols(u, &n, &pos);
	int dir = key == '<' || key == ',' ? -1 : 1;
	int cur = u->vma_mode ? u->set.vsort : u->set.psort;
	uint32_t hidden = u->vma_mode ? 0 : ui_proc_hidden(&u->set);
	int c = cur;
	for (size_t i = 0; i < n; i++) {
		c = (c + dir + (int)n) % (int)n;
		if ((hidden >> c) & 1u)
			continue;
		if (!*cols[c].title) /* the change mark: no sort of its own */
			continue;
		if (pos[c].shown || pos[c].w == 0)
			break;
	}
	int *sort = u->vma_mode ? &u->set.vsort : &u->set.psort;
	bool *desc = u->vma_mode ? &u->set.vdesc : &u->set.pdesc;
	*sort = c;
	*desc = cols[c].desc;
	ui_set_status(u, "sorted by %s (F6 < > choose, I inverts)",
		      ui_col_title(&cols[c], u->set.view));
	return UI_R_REFILTER | UI_R_REDRAW;
}

static int act_invert(struct ui *u, int key)
{
	bool *desc = u->vma_mode ? &u->set.vdesc : &u->set.pdesc;
	*desc = !*desc;
	return UI_R_REFILTER | UI_R_REDRAW;
}

/* Shortcut sorts: M RSS, N PID (address), P the PMD-order column of the
 * view (ALGN%, CONT%, HUGE%), T THP%, H histogram. */
static int act_sort_by(struct ui *u, int key)
{
	enum ui_col_id want;
	switch (key) {
	case 'M': want = u->vma_mode ? UI_COL_VRSS : UI_COL_RSS; break;
	case 'N': want = u->vma_mode ? UI_COL_START : UI_COL_PID; break;
	case 'P': want = u->vma_mode ? UI_COL_VPMD : UI_COL_PMD; break;
	case 'T': want = u->vma_mode ? UI_COL_ELIG : UI_COL_THP; break;
	default: want = u->vma_mode ? UI_COL_VBAR : UI_COL_BAR; break;
	}
	size_t n;
	const struct ui_colpos *pos;
	const struct ui_column *cols = pane_cols(u, &n, &pos);
	for (size_t i = 0; i < n; i++)
		if (cols[i].id == want)
			return set_sort(u, (int)i);
	return UI_R_NONE;
}

/* ---- views and filters ----------------------------------------------- */

static int act_view(struct ui *u, int key)
{
	u->set.view = (enum ui_view)((u->set.view + 1) % UI_VIEW_COUNT);
	const char *miss = ui_view_missing(u->snap, u->set.view);
	ui_set_status(u, "view %s: %s", ui_view_name(u->set.view),
		      *miss ? miss : ui_view_desc(u->set.view));
	return UI_R_REBUILD | UI_R_REDRAW;
}

static int act_counts(struct ui *u, int key)
{
	u->set.hist_counts = !u->set.hist_counts;
	ui_set_status(u, "histogram bars scaled by %s",
		      u->set.hist_counts ? "counts" : "bytes");
	return UI_R_REDRAW;
}

static int act_hist_log(struct ui *u, int key)
{
	u->set.hist_log = !u->set.hist_log;
	ui_set_status(u, "histogram bars on a %s scale",
		      u->set.hist_log ? "log" : "linear");
	return UI_R_REDRAW;
}

static int act_hist_pane(struct ui *u, int key)
{
	u->set.hide_hist = !u->set.hide_hist;
	ui_set_status(u, "histogram pane %s", u->set.hide_hist ?
		      "hidden (b shows it)" : "shown");
	return UI_R_REDRAW;
}

static int act_cmdline(struct ui *u, int key)
{
	u->set.show_cmdline = !u->set.show_cmdline;
	ui_set_status(u, "COMMAND shows %s", u->set.show_cmdline ?
		      "the command line" : "the process name");
	return UI_R_REBUILD | UI_R_REDRAW;
}

static int act_files(struct ui *u, int key)
{
	u->set.omit_file = !u->set.omit_file;
	ui_set_status(u, "file-backed VMAs %s",
		      u->set.omit_file ? "left out (figures are anon, shmem, "
					 "memfd only)" : "included");
	return UI_R_REBUILD | UI_R_REDRAW;
}

static int act_unfaulted(struct ui *u, int key)
{
	u->set.omit_unfaulted = !u->set.omit_unfaulted;
	ui_set_status(u, "VMAs without present pages %s",
		      u->set.omit_unfaulted ? "hidden" : "shown");
	return UI_R_REFILTER | UI_R_REDRAW;
}

static int act_kthreads(struct ui *u, int key)
{
	u->set.show_kthreads = !u->set.show_kthreads;
	ui_set_status(u, "kernel threads %s",
		      u->set.show_kthreads ? "shown" : "hidden");
	return UI_R_REFILTER | UI_R_REDRAW;
}

static int act_sysview(struct ui *u, int key)
{
	u->sysview = !u->sysview;
	return UI_R_REDRAW;
}

static int act_group(struct ui *u, int key)
{
	u->set.group = !u->set.group;
	if (u->vma_mode)
		act_back(u, 0);
	ui_set_status(u, "%s", u->set.group ?
		      "one row per cgroup: Enter or Right lists its processes, "
		      "* all" : "one row per process");
	return UI_R_REBUILD | UI_R_REDRAW;
}

static int act_tree(struct ui *u, int key)
{
	u->set.tree = !u->set.tree;
	if (u->vma_mode)
		act_back(u, 0);
	ui_set_status(u, "%s", u->set.tree ? "process tree: children under "
					     "their parents"
					   : "process list");
	return UI_R_REBUILD | UI_R_REDRAW;
}

static int act_delta(struct ui *u, int key)
{
	u->set.show_delta = !u->set.show_delta;
	if (u->set.show_delta)
		ui_set_status(u, "HUGE/s: change of huge-backed memory per "
			      "second over the last %.0fs (khugepaged works "
			      "in bursts)", (double)u->rate_window_ms / 1000.0);
	else
		ui_set_status(u, "HUGE/s column hidden");
	return UI_R_REDRAW;
}

static int act_expand_all(struct ui *u, int key)
{
	if (!u->set.group)
		return UI_R_NONE;
	ui_data_expand_all(&u->data);
	return UI_R_REFILTER | UI_R_REDRAW;
}

static void open_prompt(struct ui *u, enum ui_prompt p, const char *init)
{
	u->prompt = p;
	snprintf(u->pbuf, sizeof(u->pbuf), "%s", init);
	u->plen = strlen(u->pbuf);
	u->search_failed = false;
}

static int act_search(struct ui *u, int key)
{
	open_prompt(u, UI_PROMPT_SEARCH, "");
	return UI_R_REDRAW;
}

static int search_from(struct ui *u, const char *needle, size_t from,
		       int step)
{
	ssize_t r = ui_data_search(&u->data, u->vma_mode, needle, from, step);
	u->search_failed = r < 0 && *needle;
	if (r >= 0)
		select_row(u, r);
	return UI_R_REDRAW;
}

static int act_search_next(struct ui *u, int key)
{
	if (!u->search[0])
		return act_search(u, key);
	search_from(u, u->search, cur_row(u) + 1, 1);
	if (u->search_failed)
		ui_set_status(u, "\"%s\" not found", u->search);
	return UI_R_REDRAW;
}

static int act_filter(struct ui *u, int key)
{
	open_prompt(u, UI_PROMPT_FILTER, u->vma_mode ? u->set.path_filter
						     : u->set.name_filter);
	return UI_R_REDRAW;
}

static int act_user(struct ui *u, int key)
{
	open_prompt(u, UI_PROMPT_USER, u->set.user_filter);
	return UI_R_REDRAW;
}

/* ---- scanner --------------------------------------------------------- */

static int act_pause(struct ui *u, int key)
{
	u->paused = !u->paused;
	ui_send_paused(u);
	return UI_R_REDRAW;
}

static int act_interval(struct ui *u, int key)
{
	char b[16];
	u->interval_ms = ui_interval_step(u->interval_ms,
					  key == '-' || key == '_' ? -1 : 1);
	ui_send_interval(u);
	ui_set_status(u, "refresh every %s",
		      ui_fmt_interval(b, sizeof(b), u->interval_ms));
	return UI_R_REDRAW;
}

static int act_rescan(struct ui *u, int key)
{
	ui_send_rescan(u);
	clearok(curscr, TRUE);
	return UI_R_REDRAW;
}

/* ---- acting ---------------------------------------------------------- */

static int act_collapse(struct ui *u, int key)
{
	return ui_action_key(u);
}

/* ---- the table ------------------------------------------------------- */

const struct ui_binding ui_bindings[] = {
	{ "Up Down", "select a row", act_up, { KEY_UP } },
	{ "", "", act_down, { KEY_DOWN } },
	{ "PgUp PgDn", "a page up or down", act_pgup, { KEY_PPAGE } },
	{ "", "", act_pgdn, { KEY_NPAGE } },
	{ "Home End", "first or last row", act_home, { KEY_HOME } },
	{ "", "", act_end, { KEY_END } },
	{ "Enter Right", "VMAs of the selected process; open a cgroup row",
	  act_enter, { KEY_ENTER, '\r', '\n', KEY_RIGHT } },
	{ "Left Esc", "back to the processes; close a cgroup row (system "
		      "view: Left Right scroll wide tables)", act_back,
	  { KEY_LEFT, ESC } },
	{ "F6 < >", "sort by the column to the left or right", act_sort_step,
	  { KEY_F(6), '<', '>', ',', '.' } },
	{ "I", "invert the sort order", act_invert, { 'I' } },
	{ "M N P T H", "sort by RSS, PID, ALGN%/CONT%/HUGE%, THP%, histogram "
		       "(again: invert)", act_sort_by,
	  { 'M', 'N', 'P', 'T', 'H' } },
	{ "v", "next view: present, mappable, folios", act_view, { 'v' } },
	{ "s", "system view: THP settings, counters, free memory, plots",
	  act_sysview, { 's' } },
	{ "g", "one row per cgroup (Enter Right open it, Left closes)",
	  act_group, { 'g' } },
	{ "*", "open or close every cgroup row", act_expand_all, { '*' } },
	{ "t", "process tree: children under their parents", act_tree,
	  { 't' } },
	{ "D", "HUGE/s column: huge-backed memory change per second",
	  act_delta, { 'D' } },
	{ "c", "histogram bars by bytes or by counts", act_counts, { 'c' } },
	{ "L", "histogram bars on a linear or a log scale", act_hist_log,
	  { 'L' } },
	{ "b", "show or hide the histogram pane", act_hist_pane, { 'b' } },
	{ "p", "COMMAND: the command line or the process name", act_cmdline,
	  { 'p' } },
	{ "/", "search a name (path in the VMA pane)", act_search, { '/' } },
	{ "F3 n", "next match", act_search_next, { KEY_F(3), 'n' } },
	{ "\\ F4", "filter by name (path in the VMA pane)", act_filter,
	  { '\\', KEY_F(4) } },
	{ "U", "show one user's processes (Tab completes)", act_user,
	  { 'U' } },
	{ "K", "show or hide kernel threads", act_kthreads, { 'K' } },
	{ "f", "leave out file-backed VMAs (also from the sums)", act_files,
	  { 'f' } },
	{ "u", "hide VMAs without present pages", act_unfaulted, { 'u' } },
	{ "Z Space", "pause or resume scanning", act_pause, { 'Z', ' ' } },
	{ "+ -", "scan less or more often", act_interval,
	  { '+', '=', '-', '_' } },
	{ "F5 Ctrl-L", "scan now and redraw", act_rescan,
	  { KEY_F(5), CTRL('l'), KEY_REFRESH } },
	{ "C", "collapse: ask MADV_COLLAPSE for the selected VMA, process "
	       "or cgroup (asks first; Esc or C stops)", act_collapse,
	  { 'C' } },
	{ "F1 h ?", "this help", act_help, { KEY_F(1), 'h', '?' } },
	{ "q F10", "quit", act_quit, { 'q', KEY_F(10) } },
	{ "mouse", "click a row to select it (twice: VMAs), a column title "
		   "to sort", NULL, { 0 } },
};
const size_t ui_nbindings = MT_ARRAY_SIZE(ui_bindings);

static ui_action_fn keymap[KEY_MAX + 1];

static void init_keymap(void)
{
	static bool done;
	if (done)
		return;
	for (size_t i = 0; i < ui_nbindings; i++)
		for (int k = 0; k < 6 && ui_bindings[i].codes[k]; k++)
			keymap[ui_bindings[i].codes[k]] = ui_bindings[i].fn;
	done = true;
}

/* ---- prompts --------------------------------------------------------- */

static void prompt_backspace(struct ui *u)
{
	while (u->plen > 0) {
		unsigned char c = (unsigned char)u->pbuf[--u->plen];
		if ((c & 0xc0) != 0x80) /* stop at the first byte of a char */
			break;
	}
	u->pbuf[u->plen] = '\0';
}

static void prompt_append(struct ui *u, int key)
{
	char mb[MB_LEN_MAX];
	mbstate_t st;
	memset(&st, 0, sizeof(st));
	size_t l = wcrtomb(mb, (wchar_t)key, &st);
	if (l == (size_t)-1 || u->plen + l >= sizeof(u->pbuf))
		return;
	memcpy(u->pbuf + u->plen, mb, l);
	u->plen += l;
	u->pbuf[u->plen] = '\0';
}

/* The prompt's text changed: search or filter as the user types. */
static int prompt_changed(struct ui *u)
{
	switch (u->prompt) {
	case UI_PROMPT_SEARCH:
		return search_from(u, u->pbuf, cur_row(u), 1);
	case UI_PROMPT_FILTER: {
		char *f = u->vma_mode ? u->set.path_filter : u->set.name_filter;
		snprintf(f, sizeof(u->set.name_filter), "%s", u->pbuf);
		return UI_R_REFILTER | UI_R_REDRAW;
	}
	default:
		return UI_R_REDRAW;
	}
}

static int prompt_key(struct ui *u, int key, bool is_char)
{
	enum ui_prompt p = u->prompt;
	if (is_char && key == ESC) {
		u->prompt = UI_PROMPT_NONE;
		if (p == UI_PROMPT_FILTER) { /* Esc clears the filter */
			u->plen = 0;
			u->pbuf[0] = '\0';
			u->prompt = p;
			int r = prompt_changed(u);
			u->prompt = UI_PROMPT_NONE;
			return r;
		}
		return UI_R_REDRAW;
	}
	if ((is_char && (key == '\r' || key == '\n')) ||
	    (!is_char && key == KEY_ENTER)) {
		u->prompt = UI_PROMPT_NONE;
		if (p == UI_PROMPT_SEARCH)
			snprintf(u->search, sizeof(u->search), "%s", u->pbuf);
		if (p == UI_PROMPT_USER) {
			snprintf(u->set.user_filter, sizeof(u->set.user_filter),
				 "%s", u->pbuf);
			return UI_R_REFILTER | UI_R_REDRAW;
		}
		return UI_R_REDRAW;
	}
	if ((is_char && (key == 127 || key == CTRL('h'))) ||
	    (!is_char && key == KEY_BACKSPACE)) {
		prompt_backspace(u);
		return prompt_changed(u);
	}
	if (p == UI_PROMPT_USER && is_char && key == '\t') {
		const char *n = ui_data_next_user(&u->data, u->pbuf);
		if (n)
			open_prompt(u, UI_PROMPT_USER, n);
		return UI_R_REDRAW;
	}
	if (p == UI_PROMPT_SEARCH && !is_char &&
	    (key == KEY_DOWN || key == KEY_F(3) || key == KEY_UP)) {
		int step = key == KEY_UP ? -1 : 1;
		size_t n = nrows(u);
		size_t from = n ? (cur_row(u) + n + (size_t)step) % n : 0;
		return search_from(u, u->pbuf, from, step);
	}
	if (is_char && key >= 0x20 && key != 127) {
		prompt_append(u, key);
		return prompt_changed(u);
	}
	return UI_R_NONE;
}

/* ---- mouse ----------------------------------------------------------- */

static int mouse(struct ui *u)
{
	MEVENT ev;
	if (getmouse(&ev) != OK)
		return UI_R_NONE;
	if (ev.bstate & BUTTON4_PRESSED)
		return move_by(u, -3);
	if (ev.bstate & BUTTON5_PRESSED)
		return move_by(u, 3);
	if (!(ev.bstate & (BUTTON1_PRESSED | BUTTON1_CLICKED)))
		return UI_R_NONE;
	if (u->help)
		return act_help(u, 0);
	if (u->sysview)
		return UI_R_NONE;
	const struct ui_rect *l = &u->lay.list;
	if (!ui_rect_has(l, ev.y, ev.x))
		return UI_R_NONE;
	int y = ev.y - l->y, x = ev.x - l->x;
	if (y == 0) {
		size_t n;
		const struct ui_colpos *pos;
		pane_cols(u, &n, &pos);
		return set_sort(u, ui_column_at(pos, n, x));
	}
	size_t top = u->vma_mode ? u->vtop : u->top;
	size_t row = top + (size_t)y - 1;
	if (row >= nrows(u))
		return UI_R_NONE;
	uint64_t now = mt_now_ns();
	bool twice = row == cur_row(u) && ev.y == u->click_y &&
		     now - u->click_ns < DOUBLE_CLICK_NS;
	u->click_ns = now;
	u->click_y = ev.y;
	select_row(u, (ssize_t)row);
	if (twice && !u->vma_mode)
		return act_enter(u, 0);
	return UI_R_REDRAW;
}

/* ---- --replay -------------------------------------------------------- */

/* The keys that mean something else in a recording; -1 for the others. */
static int replay_key(struct ui *u, int key)
{
	const struct mt_snapshot *s = u->snap;
	/* steps count from the frame asked for last, shown or not yet */
	size_t cur = u->replay_to >= 0 ? (size_t)u->replay_to
		     : s ? s->replay_index : 0;
	size_t n = s ? s->replay_count : 0;
	switch (key) {
	case 't': /* back, as in atop */
	case 'T': /* forward */
		if (!s)
			return UI_R_NONE;
		if (key == 't' && cur == 0) {
			ui_set_status(u, "the first frame of the recording");
			return UI_R_REDRAW;
		}
		if (key == 'T' && cur + 1 >= n) {
			ui_set_status(u, "the last frame of the recording");
			return UI_R_REDRAW;
		}
		if (u->replay_play) { /* a step pauses */
			u->replay_play = false;
			ui_send_replay_play(u);
		}
		u->replay_to = (long)(key == 't' ? cur - 1 : cur + 1);
		ui_send_replay_to(u, (size_t)u->replay_to);
		return UI_R_REDRAW;
	case ' ':
	case 'Z':
		u->replay_play = !u->replay_play;
		u->replay_to = -1;
		if (u->replay_play && s && cur + 1 >= n)
			ui_send_replay_to(u, 0); /* from the start again */
		ui_send_replay_play(u);
		ui_set_status(u, u->replay_play ? "playing at %gx" : "paused",
			      u->replay_speed);
		return UI_R_REDRAW;
	case '+':
	case '-':
	case '_':
		if (key == '+')
			u->replay_speed = MT_MIN(u->replay_speed * 2, 256.0);
		else
			u->replay_speed = MT_MAX(u->replay_speed / 2, 1 / 16.0);
		ui_send_replay_play(u);
		ui_set_status(u, "replay speed %gx", u->replay_speed);
		return UI_R_REDRAW;
	case 'm':
		if (!s)
			return UI_R_NONE;
		if (u->mark && u->mark->replay_index == s->replay_index) {
			mt_snapshot_unref(u->mark);
			u->mark = NULL;
			ui_set_status(u, "mark cleared");
		} else {
			if (u->mark)
				mt_snapshot_unref(u->mark);
			mt_snapshot_ref(u->snap);
			u->mark = u->snap;
			ui_set_status(u, "frame %zu marked: move to another and "
				      "press = to compare", s->replay_index + 1);
		}
		ui_send_replay_play(u);
		return UI_R_REDRAW;
	case '=':
		if (!u->mark) {
			ui_set_status(u, "no frame marked (m marks one)");
			return UI_R_REDRAW;
		}
		u->compare = true;
		u->compare_top = 0;
		return UI_R_REDRAW;
	case 'C':
		ui_set_status(u, "a recording: nothing to act on");
		return UI_R_REDRAW;
	default:
		return -1;
	}
}

/* ---- entry ----------------------------------------------------------- */

int ui_handle_key(struct ui *u, int key, bool is_char)
{
	init_keymap();
	u->status[0] = '\0';
	/* the collapse question takes the next key, whatever it is */
	if (u->act.state == UI_ACT_CONFIRM)
		return ui_action_answer(u, key, is_char);
	if (u->act.state == UI_ACT_RUN && is_char && key == ESC &&
	    u->prompt == UI_PROMPT_NONE && !u->help) {
		ui_action_stop(u);
		return UI_R_REDRAW;
	}
	if (u->prompt != UI_PROMPT_NONE)
		return prompt_key(u, key, is_char) | UI_R_REDRAW;
	if (!is_char && key == KEY_MOUSE)
		return mouse(u);
	if (u->help) {
		/* arrows scroll the help, q and F10 close it, so does any key */
		if (!is_char && (key == KEY_UP || key == KEY_DOWN ||
				 key == KEY_PPAGE || key == KEY_NPAGE)) {
			int page = MT_MAX(1, u->lay.lines - 1); /* its window */
			int step = key == KEY_UP ? -1 : key == KEY_DOWN ? 1 :
				   key == KEY_PPAGE ? -page : page;
			u->help_top = MT_MAX(0, u->help_top + step);
			return UI_R_REDRAW;
		}
		u->help = false;
		return UI_R_REDRAW;
	}
	if (u->compare) {
		/* the comparison scrolls like the help; other keys close it */
		if (!is_char && (key == KEY_UP || key == KEY_DOWN ||
				 key == KEY_PPAGE || key == KEY_NPAGE)) {
			int page = MT_MAX(1, u->lay.lines - 1);
			int step = key == KEY_UP ? -1 : key == KEY_DOWN ? 1 :
				   key == KEY_PPAGE ? -page : page;
			u->compare_top = MT_MAX(0, u->compare_top + step);
			return UI_R_REDRAW;
		}
		u->compare = false;
		return UI_R_REDRAW;
	}
	if (key < 0 || key > KEY_MAX || (is_char && key >= KEY_MIN))
		return UI_R_NONE;
	if (!is_char && key < KEY_MIN)
		return UI_R_NONE;
	if (u->replay && is_char) {
		int r = replay_key(u, key);
		if (r >= 0)
			return r;
	}
	ui_action_fn fn = keymap[key];
	if (!fn)
		return UI_R_NONE;
	return fn(u, key);
}
