/*
 * ui_int.h - the curses side of the viewer: its state, colours and the
 * functions of each pane. Only files in src/ui/ include it.
 *
 * Drawing never changes state it does not own: a key action changes the
 * state and returns a reaction mask (htop's habit); the main loop then
 * rebuilds the rows if asked and redraws every pane (werase, draw,
 * wnoutrefresh, one doupdate).
 */
#ifndef MEMTOP_UI_INT_H
#define MEMTOP_UI_INT_H

#include <curses.h>
#include "memtop/model.h"
#include "memtop/ui.h"
#include "ui_pure.h"

/*
 * Colour pairs: name, foreground, background, attribute added in colour,
 * attribute used instead on monochrome terminals (ncdu's X-macro, making
 * both the enum and the init_pair loop).
 */
#define UI_COLORS(X)                                                     \
	X(UI_C_NORMAL, -1, -1, A_NORMAL, A_NORMAL)                       \
	X(UI_C_HEADER, COLOR_CYAN, -1, A_BOLD, A_BOLD)                   \
	X(UI_C_DIM, COLOR_BLUE, -1, A_BOLD, A_NORMAL)                    \
	X(UI_C_TITLE, COLOR_BLACK, COLOR_GREEN, A_NORMAL, A_REVERSE)     \
	X(UI_C_SORT, COLOR_BLACK, COLOR_CYAN, A_BOLD,                    \
	  A_REVERSE | A_BOLD | A_UNDERLINE)                              \
	X(UI_C_SEL, COLOR_BLACK, COLOR_CYAN, A_NORMAL, A_REVERSE)        \
	X(UI_C_KEY, COLOR_BLACK, COLOR_CYAN, A_NORMAL, A_REVERSE)        \
	X(UI_C_WARN, COLOR_RED, -1, A_BOLD, A_BOLD)                      \
	X(UI_C_PAUSE, COLOR_BLACK, COLOR_YELLOW, A_BOLD, A_REVERSE)      \
	X(UI_C_ORD0, -1, -1, A_NORMAL, A_NORMAL)                         \
	X(UI_C_ORD1, COLOR_BLUE, -1, A_BOLD, A_NORMAL)                   \
	X(UI_C_ORD2, COLOR_CYAN, -1, A_NORMAL, A_NORMAL)                 \
	X(UI_C_ORD3, COLOR_GREEN, -1, A_NORMAL, A_NORMAL)                \
	X(UI_C_ORD4, COLOR_YELLOW, -1, A_NORMAL, A_NORMAL)               \
	X(UI_C_ORD5, COLOR_MAGENTA, -1, A_BOLD, A_BOLD)                  \
	X(UI_C_PART, COLOR_RED, -1, A_NORMAL, A_NORMAL)

#define UI_COLOR_ENUM(name, fg, bg, a, m) name,
enum ui_color { UI_COLORS(UI_COLOR_ENUM) UI_C_COUNT };
#undef UI_COLOR_ENUM

enum ui_prompt { UI_PROMPT_NONE, UI_PROMPT_SEARCH, UI_PROMPT_FILTER,
		 UI_PROMPT_USER };

/* Reactions of key actions. */
enum {
	UI_R_NONE = 0,
	UI_R_REDRAW = 1,   /* draw again */
	UI_R_REFILTER = 2, /* filters or sort changed */
	UI_R_REBUILD = 4,  /* view or what is summed changed */
	UI_R_QUIT = 8,
};

enum ui_pane { UI_W_HEADER, UI_W_INFO, UI_W_LIST, UI_W_HIST, UI_W_FOOTER,
	       UI_W_HELP, UI_W_COUNT };

struct ui {
	struct mt_model *model;
	struct mt_snapshot *snap;   /* newest acquired, or NULL */
	struct ui_settings set;
	struct ui_data data;
	struct ui_layout lay;
	bool color, utf8;

	/* process list: selected pid and row, first row shown */
	pid_t sel_pid;
	size_t sel, top;
	/* VMA pane (open when vma_mode): its process, selected VMA */
	bool vma_mode;
	pid_t vpid;
	uint64_t vsel_start;
	size_t vsel, vtop;

	bool help;
	int help_top;

	enum ui_prompt prompt;
	char pbuf[64];
	size_t plen;
	char search[64];            /* last search, for F3 */
	bool search_failed;
	char status[160];           /* one-off message in the footer */

	uint64_t interval_ms;
	bool paused;

	WINDOW *win[UI_W_COUNT];
	struct ui_rect wrect[UI_W_COUNT];
	struct ui_colpos ppos[UI_MAX_COLS], vpos[UI_MAX_COLS];

	/* mouse double click detection */
	uint64_t click_ns;
	int click_y;

	bool quit;
	int exit_status;
	char host[65], kernel[160];
};

/* screen.c */
attr_t ui_attr(const struct ui *u, enum ui_color c);
enum ui_color ui_order_color(unsigned order, unsigned pmd_order);
/* Put a sanitized string at (y, x) within width cells (right aligned when
 * right); returns the cells used. */
int ui_put(WINDOW *w, int y, int x, int width, const char *s, bool right,
	   bool utf8);
/* Draw the compact bar of d at (y, x), width cells. */
void ui_draw_bar(const struct ui *u, WINDOW *w, int y, int x, int width,
		 const struct ui_dist *d, bool selected);
void ui_set_status(struct ui *u, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Send the requests that follow from the state to the scanner. */
void ui_send_interval(struct ui *u);
void ui_send_paused(struct ui *u);
void ui_send_rescan(struct ui *u);
void ui_send_selected(struct ui *u, pid_t pid);
void ui_send_quit(struct ui *u);
/* Keep the selections on their process / VMA after the rows changed. */
void ui_fix_selection(struct ui *u);
void ui_draw(struct ui *u);

/* header.c */
void ui_draw_header(struct ui *u, WINDOW *w);
void ui_draw_footer(struct ui *u, WINDOW *w);

/* procpane.c */
void ui_draw_procs(struct ui *u, WINDOW *w);
/* Title row of a column table; the sort column is marked. */
void ui_draw_titles(const struct ui *u, WINDOW *w, const struct ui_column *cols,
		    const struct ui_colpos *pos, size_t n, int sort, bool desc);

/* vmapane.c */
void ui_draw_info(struct ui *u, WINDOW *w);
void ui_draw_vmas(struct ui *u, WINDOW *w);
/* histpane.c */
int ui_hist_rows(const struct ui *u);
void ui_draw_hist(struct ui *u, WINDOW *w);
/* help.c */
void ui_draw_help(struct ui *u, WINDOW *w);
int ui_help_lines(void);

/* keys.c */
int ui_handle_key(struct ui *u, int key, bool is_char);

/*
 * Key bindings: one table maps keys to action functions (which return a
 * reaction mask) and gives the help screen its lines.
 */
typedef int (*ui_action_fn)(struct ui *u, int key);
struct ui_binding {
	const char *keys;   /* as shown in help */
	const char *help;
	ui_action_fn fn;
	int codes[6];       /* characters or KEY_* codes, 0 terminated */
};
extern const struct ui_binding ui_bindings[];
extern const size_t ui_nbindings;

#endif
