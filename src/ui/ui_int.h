/*
 * ui_int.h - the viewer's state (struct ui) and the modules below the
 * panes that keep it: the selection (select.c), requests to the scanner
 * and the status message (request.c), the terminal (term.c). Only files
 * in src/ui/ include it; the drawing primitives are in ui_draw.h, the
 * panes in ui_panes.h, the key table in ui_keys.h.
 *
 * Drawing never changes state it does not own: a key action changes the
 * state and returns a reaction mask (htop's habit); the main loop then
 * rebuilds the rows if asked and redraws every pane (werase, draw,
 * wnoutrefresh, one doupdate).
 */
#ifndef MEMTOP_UI_INT_H
#define MEMTOP_UI_INT_H

#include <curses.h>
#include "memtop/collapse.h"
#include "memtop/settings.h"
#include "memtop/history.h"
#include "memtop/model.h"
#include "memtop/ui.h"
#include "ui_model.h"
#include "ui_format.h"
#include "ui_layout.h"

enum ui_prompt { UI_PROMPT_NONE, UI_PROMPT_SEARCH, UI_PROMPT_FILTER,
		 UI_PROMPT_USER };

enum ui_pane { UI_W_HEADER, UI_W_INFO, UI_W_LIST, UI_W_WHY, UI_W_HIST,
	       UI_W_FOOTER, UI_W_HELP, UI_W_SYS, UI_W_COUNT };

/* What the histogram pane shows, to tell whether the previous scan's
 * histogram (for the change marks) is of the same thing. */
enum ui_sel_kind { UI_SEL_NONE, UI_SEL_PROC, UI_SEL_VMA, UI_SEL_GROUP };
struct ui_selid {
	enum ui_sel_kind kind;
	pid_t pid;
	uint64_t vstart;
	char *group;                /* malloc'd cgroup key */
	enum ui_view view;
	bool omit_file;
};

/* System series the viewer keeps itself (the history module keeps the
 * per-process and system memory figures). */
enum ui_sysrate { UI_R_FAULT, UI_R_FALLBACK, UI_R_COLLAPSE, UI_R_SPLIT,
		  UI_R_COUNT };
struct ui_sysseries {
	uint64_t gen;
	struct mt_series fault, fallback, collapse, split, free_pmd;
	/* the header's rates: each counter's increase per scan (NaN when
	 * the counter is missing), the scans' times, and the rates over the
	 * window (ui_rate_window_ms) with the time they cover */
	struct mt_series inc[UI_R_COUNT];
	uint64_t t[MT_HISTORY_LEN];
	uint64_t last[UI_R_COUNT];
	bool have_last[UI_R_COUNT];
	bool has_rate[UI_R_COUNT];
	double rate[UI_R_COUNT];
	double span_s;
};

/* The C key's action (action.c): MADV_COLLAPSE slot by slot, a few
 * slots per turn of the loop. */
enum ui_act_state { UI_ACT_NONE, UI_ACT_CONFIRM, UI_ACT_RUN };
struct ui_act_target {
	pid_t pid;
	struct mt_coll_list l;
};
struct ui_action {
	enum ui_act_state state;
	struct ui_act_target *t;
	size_t nt;
	size_t ti, si;              /* the next target and slot */
	size_t total, done;         /* slots listed, slots answered */
	int pidfd;                  /* of t[ti], -1 when not open */
	struct mt_coll_tally tally;
	char what[128];             /* "PID 1234", ... */
	char line[320];             /* the question, or the progress */
};

struct ui {
	struct mt_model *model;
	struct mt_snapshot *snap;   /* newest acquired, or NULL */
	struct ui_settings set;
	struct ui_data data;
	struct ui_layout lay;
	bool color, utf8;

	/* process list: selected pid (or cgroup row) and line, first line
	 * shown */
	pid_t sel_pid;
	bool sel_is_group;
	char *sel_group;            /* malloc'd cgroup key */
	size_t sel, top;
	int list_rows;              /* process rows the list showed */
	/* the pids last sent as shown (priority scanning) */
	pid_t shown[MT_SHOWN_MAX];
	size_t nshown;
	pid_t focus;
	struct mt_addr_range focus_vmas[MT_FOCUS_VMAS_MAX];
	size_t nfocus_vmas;
	/* VMA pane (open when vma_mode): its process, selected VMA, the
	 * rows it showed */
	bool vma_mode;
	pid_t vpid;
	uint64_t vsel_start;
	size_t vsel, vtop;
	int vma_rows;

	bool help;
	int help_top;

	/* --replay: frames of a recording instead of scans; playing (at
	 * replay_speed times the recorded pace), the marked frame (a
	 * reference; NULL none) and the comparison with it (=), which
	 * scrolls like the help */
	bool replay, replay_play, compare;
	double replay_speed;
	long replay_to; /* the frame asked for and not shown yet, or -1 */
	struct mt_snapshot *mark;
	int compare_top;

	/* system view (s) and its scroll position; its wide tables scroll
	 * sideways: sys_left columns hidden on the left, at most
	 * sys_left_max (set when drawn) */
	bool sysview;
	int sys_top, sys_total;
	int sys_left, sys_left_max;

	/* history of figures, and the selection's histogram one scan ago */
	struct mt_history *history;
	struct ui_sysseries ss;
	struct ui_selid hist_sel;
	struct ui_dist hist_prev;
	bool hist_prev_ok;

	/* settings file: path, whether to write it, what it holds, and the
	 * state as last compared */
	char *rc_path;
	bool rc_save;
	struct mt_settings rc_file, rc_seen;

	/* the demo: select demo-collapse once it is listed, and show the
	 * folio view when the first scan says it is available */
	bool demo_pick, demo_view;

	/* when the current snapshot arrived (monotonic ns) */
	uint64_t snap_mono;

	enum ui_prompt prompt;
	char pbuf[64];
	size_t plen;
	char search[64];            /* last search, for F3 */
	bool search_failed;
	char status[256];           /* one-off message in the footer */

	uint64_t interval_ms;
	bool paused;
	/* rates of bursty events (HUGE/s, the header's) are averaged over
	 * this window: see ui_rate_window_ms */
	uint64_t rate_window_ms;

	/* -p: the processes the list is restricted to, and as shown */
	pid_t *pids;
	size_t npids;
	char pids_arg[48];

	WINDOW *win[UI_W_COUNT];
	struct ui_rect wrect[UI_W_COUNT];
	struct ui_colpos ppos[UI_MAX_COLS], vpos[UI_MAX_COLS];

	/* mouse double click detection */
	uint64_t click_ns;
	int click_y;

	/* the C key: --read-only or --proc-root given, and its action */
	bool read_only, rc_read_only; /* --read-only; read_only=1 in memtoprc */
	bool not_live;
	struct ui_action act;

	bool quit;
	int exit_status;
	char host[65], kernel[160];
};

/* request.c: requests to the scanner, its timing, the status message */
void ui_set_status(struct ui *u, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Send the requests that follow from the state to the scanner. */
void ui_send_interval(struct ui *u);
void ui_send_paused(struct ui *u);
void ui_send_rescan(struct ui *u);
void ui_send_selected(struct ui *u, pid_t pid);
/* The pids on screen (the selected one, the VMA pane's, the rows the
 * list showed and the members of cgroup rows), sorted, at most
 * MT_SHOWN_MAX, into v; and sending them when they changed, so that
 * priority scanning reads their expensive figures first. */
size_t ui_shown_pids(const struct ui *u, pid_t *v);
/* --replay: show frame i; play or pause, the speed and the mark as
 * u->replay_play, u->replay_speed and u->mark say. */
void ui_send_replay_to(struct ui *u, size_t frame);
void ui_send_replay_play(struct ui *u);
/* The VMA pane's VMAs on screen, the selected one first (at most
 * MT_FOCUS_VMAS_MAX; none when the pane is closed). */
size_t ui_shown_vmas(const struct ui *u, struct mt_addr_range *v);
void ui_send_shown(struct ui *u);
void ui_send_quit(struct ui *u);
/* Expected time of the next snapshot (monotonic ns), 0 if none is
 * expected (paused, or nothing yet). */
uint64_t ui_snapshot_due(const struct ui *u);
/* Whether the scanner is late: the figures are older than expected. Sets
 * *age_s to their age. */
bool ui_snapshot_late(const struct ui *u, double *age_s);

/* select.c: the selection */
/* Keep the selections on their process / VMA after the rows changed. */
void ui_fix_selection(struct ui *u);
/* Take the selection's identity from line sel of the process pane. */
void ui_sync_selection(struct ui *u);
/* The selected process pane line, NULL if none. */
const struct ui_line *ui_sel_line(const struct ui *u);
/* The histogram shown: the selected VMA, process or cgroup row (title
 * filled in), NULL if nothing is selected. */
const struct ui_dist *ui_selected_dist(const struct ui *u, char *title,
				       size_t len);
void ui_selected_id(const struct ui *u, struct ui_selid *id);
bool ui_selid_equal(const struct ui_selid *a, const struct ui_selid *b);
void ui_selid_free(struct ui_selid *id);

/* action.c: the C key, MADV_COLLAPSE on the selection */
/* C pressed: say why not, or list the slots and ask for confirmation;
 * while running, stop. Returns a reaction mask. */
int ui_action_key(struct ui *u);
/* A key while the question is asked: y or Enter start, else cancel. */
int ui_action_answer(struct ui *u, int key, bool is_char);
/* Stop a running action (Esc, C), with the summary. */
void ui_action_stop(struct ui *u);
bool ui_action_running(const struct ui *u);
/* Ask the next few slots (bounded time); at the end the summary goes to
 * the status line and a rescan is requested. */
void ui_action_step(struct ui *u);
void ui_action_free(struct ui *u);

/* term.c: the terminal, signals and resizes */
/* Check the terminal, catch the signals and set up curses; 0 when done,
 * else the exit status (the reason is on stderr). */
int ui_term_open(struct ui *u, const struct mt_ui_opts *o);
/* End curses and give the signals back. */
void ui_term_close(void);
/* The read end of the signal self-pipe, for poll(). */
int ui_term_signal_fd(void);
/* Handle the signals caught since the last call (resizes); true when the
 * loop should end (u->exit_status set). */
bool ui_term_signals(struct ui *u);

#endif
