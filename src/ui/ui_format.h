/*
 * ui_format.h - how figures become text: the compact bar and the
 * histogram bars, block size labels, counts, percentages, rates and
 * intervals, and untrusted names made safe for the screen (format.c).
 * Pure functions: they fill the caller's buffers (and return them); no
 * curses, no state, any thread.
 */
#ifndef MEMTOP_UI_FORMAT_H
#define MEMTOP_UI_FORMAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "memtop/util.h"
#include "ui_model.h"

/* ---- bars and labels ------------------------------------------------- */

/* Glyph classes of the compact bar, readable without colour. */
enum ui_band { UI_BAND_NONE = -1, UI_BAND_SMALL, UI_BAND_LOW, UI_BAND_HIGH,
	       UI_BAND_PMD, UI_BAND_PARTIAL, UI_BAND_COUNT };
enum ui_band ui_order_band(unsigned order, unsigned pmd_order);
/* Glyph of a band: shades in UTF-8, . - = # ~ in ASCII. */
const char *ui_band_glyph(enum ui_band b, bool utf8);

/*
 * The compact bar: width cells over the process's present memory, high
 * orders first; cell[i] is the order drawn in cell i (UI_BAR_PARTIAL for
 * partial folios, UI_BAR_EMPTY past the memory). Largest remainders, so the
 * cells always add up to width when total > 0.
 */
#define UI_BAR_EMPTY (-1)
#define UI_BAR_PARTIAL (-2)
void ui_bar_cells(const struct ui_dist *d, int width, signed char *cell);

/*
 * Length in eighths of a cell of the histogram bar for v out of max over
 * width cells, on a log scale so small orders stay visible: any v > 0 gets
 * at least one eighth, max gets the whole width.
 */
unsigned ui_bar_eighths(uint64_t v, uint64_t max, int width);
/*
 * The same on the scale the histogram pane uses: linear (log_scale
 * false), so that lengths are proportional to v (max fills the width; any
 * v > 0 gets at least one eighth), or the log scale above.
 */
unsigned ui_hist_bar_eighths(uint64_t v, uint64_t max, int width,
			     bool log_scale);
/* Bar string of n eighths: full and partial blocks in UTF-8, '#' and a
 * trailing '+' (>= half) or '.' in ASCII. Returns buf. */
const char *ui_bar_string(char *buf, size_t len, unsigned eighths,
			  bool utf8);

/* Block size label of an order: 4K, 8K, ... 2M. */
const char *ui_order_label(char *buf, size_t len, unsigned page_size,
			   unsigned order);
/* Percentage part / whole into buf: "12.3", "100", "0", "-" if whole is
 * 0 or part is UINT64_MAX. */
const char *ui_fmt_pct(char *buf, size_t len, uint64_t part, uint64_t whole);
/* Count with a K/M/G suffix once it does not fit in width characters. */
const char *ui_fmt_count(char *buf, size_t len, uint64_t n, int width);
/* Interval in seconds: "2s", "0.5s", "1.25s". */
const char *ui_fmt_interval(char *buf, size_t len, uint64_t ms);
/* Next interval step up (dir > 0) or down from ms. */
uint64_t ui_interval_step(uint64_t ms, int dir);
/* Events per second: "0/s", "0.4/s", "12/s", "1.2K/s"; "-" when !valid. */
const char *ui_fmt_rate(char *buf, size_t len, double per_s, bool valid);
/* Signed byte change: "+4.0M", "-512K", "0". */
const char *ui_fmt_delta(char *buf, size_t len, double bytes);
/* Slot figures "mapped/full/partial" of a VMA or process, each part at
 * most 4 characters; "-" when unknown. */
const char *ui_fmt_slots(char *buf, size_t len, uint64_t slots, uint64_t full,
			 uint64_t touched, uint64_t mapped);

/* ---- safe text ------------------------------------------------------- */

/*
 * Make untrusted bytes safe for the screen: mt_escape_visible(), then any
 * character that does not take one or two cells (wcwidth <= 0) becomes
 * \u{XXXX}. Appends to b, NUL terminated.
 */
void ui_sanitize(struct mt_buf *b, const char *s, size_t n, bool utf8);
/*
 * What COMMAND shows of a process when it shows command lines (p), made
 * safe as by ui_sanitize() and appended to b, NUL terminated: a kernel
 * thread's name in brackets ("[kthreadd]"); the program's name (argv[0]
 * after its last '/') and the arguments, separated by spaces, with the
 * process name first when the program's name does not start with it
 * (the name was set by the process, or the program was exec'd since);
 * the name alone without a command line. cmdline holds len bytes of
 * NUL-separated arguments.
 */
void ui_fmt_cmdline(struct mt_buf *b, const char *cmdline, size_t len,
		    const char *comm, bool kthread, bool utf8);
/* Display width of a sanitized string and how many bytes of it fit in
 * width cells (*used: cells taken). */
int ui_text_width(const char *s, bool utf8);
size_t ui_text_fit(const char *s, int width, bool utf8, int *used);
/* Offset of the longest tail of s that fits in width cells (whole
 * characters). */
size_t ui_text_tail(const char *s, int width, bool utf8);
/*
 * Word wrap of a sanitized string: the bytes of s that go on a line of
 * width cells, broken after the last space that fits (inside a word
 * longer than the line), trailing spaces left out; *next is where the
 * following line starts (its leading spaces skipped), strlen(s) at the
 * end. Always moves on: a character wider than the line is skipped.
 */
size_t ui_wrap(const char *s, int width, bool utf8, size_t *next);
/* Lines s takes: the first width cells wide, the others width - indent
 * (at least one cell); 0 for an empty string. */
int ui_wrap_lines(const char *s, int width, int indent, bool utf8);
/* A reason's sentence template (why.h) for reading: each figure {0} ..
 * {4} becomes "N". Returns buf. */
const char *ui_why_template(char *buf, size_t len, const char *text);

/*
 * A header line that fits by priority and abbreviation (hfit.c). Items are
 * added in order with ui_hf_add (prio 0: never left out; the higher, the
 * sooner an item is shortened and then left out; join: what goes before
 * it, NULL for the line's sep), each with its forms, the full one first
 * (ui_hf_form: up to three runs of text with their attributes, NULL for
 * none). ui_hf_fit chooses the forms and the items left out for cols;
 * ui_hf_emit hands the runs to put, cut only between words and then
 * ended with an ellipsis.
 */
#define UI_HF_RUNS 3
#define UI_HF_FORMS 3
#define UI_HF_ITEMS 16
#define UI_HF_TEXT 160
struct ui_hf_run {
	char t[UI_HF_TEXT];
	unsigned long attr;
};
struct ui_hf_form {
	struct ui_hf_run r[UI_HF_RUNS];
	int n;
};
struct ui_hf_item {
	struct ui_hf_form f[UI_HF_FORMS];
	int nf, cur, prio;
	bool gone;
	const char *join;
};
struct ui_hf_line {
	struct ui_hf_item it[UI_HF_ITEMS];
	int n;
	const char *sep;
	unsigned long sepattr;
};
struct ui_hf_item *ui_hf_add(struct ui_hf_line *l, int prio, const char *join);
void ui_hf_form(struct ui_hf_item *it, unsigned long a1, const char *t1,
		unsigned long a2, const char *t2, unsigned long a3,
		const char *t3);
int ui_hf_width(const struct ui_hf_line *l, bool utf8);
void ui_hf_fit(struct ui_hf_line *l, int cols, bool utf8);
void ui_hf_emit(const struct ui_hf_line *l, int cols, bool utf8,
		void (*put)(const char *t, size_t n, unsigned long attr,
			    void *arg),
		void *arg);

/* A -p list as given: "1234,5678"; "1,2,3 +7" when the rest does not fit
 * in len. */
const char *ui_fmt_pids(char *buf, size_t len, const pid_t *pids, size_t n);

#endif
