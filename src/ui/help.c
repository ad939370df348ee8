/*
 * help.c - the help screen (F1, h, ?): every key from the binding table,
 * the views, the columns, the reason codes of WHY (from why.h's table)
 * and how to read the bars. The explanation beside a key or a name is
 * wrapped to the screen. Arrows scroll it; any other key closes it.
 */
#include "ui_keys.h"
#include "ui_panes.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "memtop/why.h"

enum line_kind { L_TITLE, L_KEY, L_TEXT, L_BLANK };

/* A line: a title or text (a), or a key or name (a) and n bytes of its
 * explanation (b). */
struct hline {
	enum line_kind kind;
	const char *a, *b;
	size_t n;
};

/* Where the explanation beside a key starts. */
#define KEY_X 2
#define KEY_W 16
#define TEXT_X (KEY_X + KEY_W + 1)
/* Longest explanation kept. */
#define TEXT_MAX 512

static const char *const intro[] = {
	"memtop shows how each process's memory is laid out in naturally",
	"aligned blocks of 2^n pages (block orders), up to the PMD order: the",
	"size of a huge page. More memory in high orders means fewer TLB misses.",
};

/* Add the line of a key and its explanation wrapped to tw cells. */
static int add_key(struct hline *out, int n, const char *key,
		   const char *text, int tw)
{
	size_t next;
	if (!text)
		text = "";
	do {
		size_t len = ui_wrap(text, tw, false, &next);
		if (out)
			out[n] = (struct hline){ L_KEY, key, text, len };
		n++;
		key = "";
		text += next;
	} while (*text);
	return n;
}

/* Fills out[] (if not NULL) and returns the number of lines, for a
 * screen width cells wide; tmpl[c] is the readable sentence of code c. */
static int help_lines(struct hline *out, int width,
		      char (*tmpl)[TEXT_MAX])
{
	int n = 0, tw = MT_MAX(width - TEXT_X, 1);
#define ADD(k, x, y)                                                    \
	do {                                                            \
		if ((k) == L_KEY)                                       \
			n = add_key(out, n, x, y, tw);                  \
		else {                                                  \
			if (out)                                        \
				out[n] = (struct hline){ k, x, NULL, 0 }; \
			n++;                                            \
		}                                                       \
	} while (0)
	ADD(L_TITLE, "memtop " MEMTOP_VERSION " - help", NULL);
	for (size_t i = 0; i < MT_ARRAY_SIZE(intro); i++)
		ADD(L_TEXT, intro[i], NULL);
	ADD(L_BLANK, NULL, NULL);
	ADD(L_TITLE, "Keys", NULL);
	for (size_t i = 0; i < ui_nbindings; i++)
		if (*ui_bindings[i].keys) /* not the second half of a pair */
			ADD(L_KEY, ui_bindings[i].keys, ui_bindings[i].help);
	ADD(L_BLANK, NULL, NULL);
	ADD(L_TITLE, "Views (v)", NULL);
	for (int v = 0; v < UI_VIEW_COUNT; v++)
		ADD(L_KEY, ui_view_name((enum ui_view)v),
		    ui_view_desc((enum ui_view)v));
	ADD(L_TEXT, "mappable and folios need root; without it memtop says",
	    NULL);
	ADD(L_TEXT, "\"needs root\" instead of showing zeros.", NULL);
	ADD(L_BLANK, NULL, NULL);
	ADD(L_TITLE, "Process columns", NULL);
	for (size_t i = 0; i < ui_proc_ncols; i++) {
		if (ui_proc_cols[i].id == UI_COL_PMD) {
			/* one title per view, for what it measures */
			for (int v = 0; v < UI_VIEW_COUNT; v++)
				ADD(L_KEY, ui_view_pmd_title((enum ui_view)v),
				    ui_view_pmd_help((enum ui_view)v));
			continue;
		}
		ADD(L_KEY, *ui_proc_cols[i].title ? ui_proc_cols[i].title
						  : "(arrow)",
		    ui_proc_cols[i].help);
	}
	ADD(L_BLANK, NULL, NULL);
	ADD(L_TITLE, "VMA columns", NULL);
	for (size_t i = 0; i < ui_vma_ncols; i++)
		ADD(L_KEY, ui_vma_cols[i].title, ui_vma_cols[i].help);
	ADD(L_BLANK, NULL, NULL);
	ADD(L_TITLE, "Why memory is not huge (WHY)", NULL);
	ADD(L_TEXT, "WHY names the main reason memory is not in PMD-sized", NULL);
	ADD(L_TEXT, "pages: for a process the reason of its VMAs that holds", NULL);
	ADD(L_TEXT, "the most bytes not PMD-mapped, for a cgroup row the one", NULL);
	ADD(L_TEXT, "holding most of its processes' bytes; empty when there is", NULL);
	ADD(L_TEXT, "none. In the VMA pane the box under the list gives every", NULL);
	ADD(L_TEXT, "reason of the selected VMA as a sentence, main reason", NULL);
	ADD(L_TEXT, "first. The codes (N stands for a figure, ? when it is not", NULL);
	ADD(L_TEXT, "known; --json gives the same codes and sentences):", NULL);
	for (int c = 0; c < MT_WHY_COUNT; c++)
		ADD(L_KEY, mt_why_table[c].code, tmpl[c]);
	ADD(L_BLANK, NULL, NULL);
	ADD(L_TITLE, "Cgroups and tree (g, t)", NULL);
	ADD(L_TEXT, "g shows one row per cgroup summing its processes; Enter",
	    NULL);
	ADD(L_TEXT, "or Right lists them under it, Left closes it, * opens or",
	    NULL);
	ADD(L_TEXT, "closes all. t puts children under their parents (ppid),",
	    NULL);
	ADD(L_TEXT, "within the sort order; it works inside cgroups too.", NULL);
	ADD(L_BLANK, NULL, NULL);
	ADD(L_TITLE, "Figures from an earlier scan (~)", NULL);
	ADD(L_TEXT, "PFN and folio figures cost the kernel ~100 ns a page. Each",
	    NULL);
	ADD(L_TEXT, "scan reads them for what is on screen; other rows keep an",
	    NULL);
	ADD(L_TEXT, "earlier scan's, marked ~ (the histogram title gives the",
	    NULL);
	ADD(L_TEXT, "age), until the sweep reads them again within the CPU",
	    NULL);
	ADD(L_TEXT, "limit. The header says how far behind the sweep is.",
	    NULL);
	ADD(L_BLANK, NULL, NULL);
	ADD(L_TITLE, "Change since the last scan", NULL);
	ADD(L_TEXT, "An up or down arrow after THP% (and after an order's bytes",
	    NULL);
	ADD(L_TEXT, "in the histogram) says it grew or shrank since the last",
	    NULL);
	ADD(L_TEXT, "scan. Huge-backed memory decides: large folios as root,",
	    NULL);
	ADD(L_TEXT, "else PMD-mapped slots; RSS when that did not change. D",
	    NULL);
	ADD(L_TEXT, "shows HUGE/s: its change per second over the window the",
	    NULL);
	ADD(L_TEXT, "header gives (rates over Ns). COLL is memory in",
	    NULL);
	ADD(L_TEXT, "PMD slots not PMD-mapped that MADV_COLLAPSE would make",
	    NULL);
	ADD(L_TEXT, "PMD-mapped if asked now (C asks it); ? when not known.",
	    NULL);
	ADD(L_BLANK, NULL, NULL);
	ADD(L_TITLE, "Replay (--replay FILE)", NULL);
	ADD(L_KEY, "t T", "one frame back, one forward (t is not the tree "
	    "and T not the THP% sort in a replay: < > pick that column)");
	ADD(L_KEY, "Space Z", "play or pause at the recorded pace");
	ADD(L_KEY, "+ -", "play faster or slower");
	ADD(L_KEY, "m", "mark the frame shown (again: clear the mark)");
	ADD(L_KEY, "=", "compare the frame shown with the marked one: per "
	    "process and VMA, PMD-mapped bytes, large folio bytes, PMD "
	    "mappings made and split");
	ADD(L_BLANK, NULL, NULL);
	ADD(L_TITLE, "History", NULL);
	ADD(L_TEXT, "Beside (or under) the histogram: the selected process's or",
	    NULL);
	ADD(L_TEXT, "cgroup's RSS, memory in PMD-order blocks of the view",
	    NULL);
	ADD(L_TEXT, "(ALGN, CONT or HUGE, as the view's column) and in large",
	    NULL);
	ADD(L_TEXT, "folios (THP, root) over the last scans,", NULL);
	ADD(L_TEXT, "on one scale; as root also its large folios per NUMA node.",
	    NULL);
	ADD(L_BLANK, NULL, NULL);
	ADD(L_TITLE, "System view (s)", NULL);
	ADD(L_TEXT, "THP and mTHP settings, khugepaged, /proc/vmstat counters",
	    NULL);
	ADD(L_TEXT, "and per-size mTHP stats with totals and rates per second,",
	    NULL);
	ADD(L_TEXT, "free memory by order per node (buddyinfo) with the share",
	    NULL);
	ADD(L_TEXT, "that could still satisfy a PMD-sized allocation, meminfo",
	    NULL);
	ADD(L_TEXT, "huge page lines and time plots. Arrows scroll it. The",
	    NULL);
	ADD(L_TEXT, "header's third line sums it up on every screen.", NULL);
	ADD(L_BLANK, NULL, NULL);
	ADD(L_TITLE, "Settings", NULL);
	ADD(L_TEXT, "Sort, view, filters (K f u) and the interval are saved to",
	    NULL);
	ADD(L_TEXT, "$MEMTOPRC, else $XDG_CONFIG_HOME/memtop/memtoprc, else",
	    NULL);
	ADD(L_TEXT, "~/.config/memtop/memtoprc when you change them;", NULL);
	ADD(L_TEXT, "--no-config neither reads nor writes it.", NULL);
	ADD(L_BLANK, NULL, NULL);
	ADD(L_TITLE, "Bars", NULL);
	ADD(L_TEXT, "BLOCKS splits RSS by order, largest blocks on the left;",
	    NULL);
	ADD(L_TEXT, "the glyph tells the order without colour (see the legend",
	    NULL);
	ADD(L_TEXT, "under the histogram). The histogram's bars use a log scale.",
	    NULL);
	ADD(L_TEXT, "Names and paths are shown with control bytes and invalid",
	    NULL);
	ADD(L_TEXT, "UTF-8 escaped (\\x1b).", NULL);
#undef ADD
	return n;
}

void ui_draw_help(struct ui *u, WINDOW *w)
{
	int h = getmaxy(w), width = getmaxx(w);
	char tmpl[MT_WHY_COUNT][TEXT_MAX];
	for (int c = 0; c < MT_WHY_COUNT; c++)
		ui_why_template(tmpl[c], sizeof(tmpl[c]), mt_why_table[c].text);
	int n = help_lines(NULL, width, tmpl);
	struct hline *lines = xcalloc((size_t)n, sizeof(*lines));
	help_lines(lines, width, tmpl);
	werase(w);
	int maxtop = MT_MAX(0, n - h);
	u->help_top = MT_MAX(0, MT_MIN(u->help_top, maxtop));
	for (int y = 0; y < h && u->help_top + y < n; y++) {
		const struct hline *l = &lines[u->help_top + y];
		switch (l->kind) {
		case L_TITLE:
			wattrset(w, ui_attr(u, UI_C_HEADER));
			ui_put(w, y, 1, width - 1, l->a, false, u->utf8);
			break;
		case L_KEY: {
			char b[TEXT_MAX];
			snprintf(b, sizeof(b), "%.*s", (int)l->n, l->b);
			wattrset(w, A_BOLD);
			ui_put(w, y, KEY_X, KEY_W, l->a, false, u->utf8);
			wattrset(w, A_NORMAL);
			ui_put(w, y, TEXT_X, width - TEXT_X, b, false, u->utf8);
			break;
		}
		case L_TEXT:
			wattrset(w, A_NORMAL);
			ui_put(w, y, 2, width - 2, l->a, false, u->utf8);
			break;
		case L_BLANK:
			break;
		}
	}
	wattrset(w, A_NORMAL);
	free(lines);
}
