/*
 * ui_model.h - the view model: what the viewer shows, derived from one
 * snapshot without a terminal. Views and the distribution of a row over
 * block orders (dist.c), the viewer's settings and their memtoprc values
 * (rc.c), the rows of processes, VMAs and cgroups, filtered and sorted
 * (data.c, group.c, rowcmp.c).
 *
 * struct ui_data owns its arrays and its text (ui_data_free()); its rows
 * point into the snapshot it was built from, which must outlive them. One
 * thread at a time (the UI thread; the unit tests drive it directly). The
 * curses side only draws what these functions computed.
 */
#ifndef MEMTOP_UI_MODEL_H
#define MEMTOP_UI_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct mt_history;
#include "memtop/settings.h"
#include "memtop/snapshot.h"
#include "memtop/util.h"

/* ---- views and distributions ----------------------------------------- */

enum ui_view { UI_VIEW_PRESENT, UI_VIEW_MAPPABLE, UI_VIEW_FOLIOS,
	       UI_VIEW_COUNT };
const char *ui_view_name(enum ui_view v);
const char *ui_view_desc(enum ui_view v);
/* The title of the column of memory in PMD-order blocks in view v (each
 * view names it for what it measures: ALGN%, CONT%, HUGE%), its name
 * without the % sign, and a line of help on it. */
const char *ui_view_pmd_title(enum ui_view v);
const char *ui_view_pmd_name(enum ui_view v);
const char *ui_view_pmd_help(enum ui_view v);
struct ui_column;
/* A column's title in view v: the PMD-order columns change with it. */
const char *ui_col_title(const struct ui_column *c, enum ui_view v);
/* What the view needs when the snapshot lacks it ("" if available). */
const char *ui_view_missing(const struct mt_snapshot *s, enum ui_view v);
/* The same in a few words for a table cell ("needs root", "PFNs hidden"). */
const char *ui_view_missing_short(const struct mt_snapshot *s,
				  enum ui_view v);

#define UI_MAX_ORD MT_FOLIO_ORDERS

/*
 * Memory of one process or VMA in one view, as pages per block order:
 * present/mappable: pages in maximal aligned blocks of each order;
 * folios: pages in large folios of each order (PMD-mapped ones at the PMD
 * order, order 0 is memory not in large folios) plus pages of partly
 * mapped large folios in partial.
 */
struct ui_dist {
	bool avail;         /* false: the view needs root, or (unread) */
	bool unread;        /* the view is there, this row's PFN figures
			       are not read yet (priority scanning) */
	unsigned nord;      /* orders 0..nord-1 */
	uint64_t pages[UI_MAX_ORD];
	uint64_t partial;
	uint64_t total;     /* present pages */
	/* mappable view: pages per order of the one-folio figure (aligned
	 * contiguous blocks inside one large folio, what contpte needs);
	 * fc_avail false when the scan has no folio flags */
	bool fc_avail;
	uint64_t fc_pages[UI_MAX_ORD];
};

void ui_dist_from_hist(struct ui_dist *d, const uint64_t *hist,
		       unsigned nord, uint64_t present);
/* The one-folio figure of the mappable view into d (hist NULL: unknown). */
void ui_dist_set_folio_cont(struct ui_dist *d, const uint64_t *hist,
			    unsigned nord);
/* Add the one-folio figure of src to dst (a cgroup's sum); unknown in
 * either makes the sum unknown. first: dst holds nothing yet. */
void ui_dist_add_folio_cont(struct ui_dist *dst, const struct ui_dist *src,
			    bool first);
void ui_dist_from_folios(struct ui_dist *d, const struct mt_folio_stats *f,
			 unsigned nord, unsigned pmd_order, uint64_t present);
/* Pages in orders >= order. */
uint64_t ui_dist_pages_from(const struct ui_dist *d, unsigned order);
/* Compare from the highest order down (most large blocks first is > 0). */
int ui_dist_cmp(const struct ui_dist *a, const struct ui_dist *b);
/* Pages in large folios of any kind; UINT64_MAX when f is NULL. */
uint64_t ui_folio_pages(const struct mt_folio_stats *f);

/* ---- figures of a row, and change since the previous scan ------------ */

/*
 * Up (+1), down (-1) or no (0) change of a row: the huge-backed figure
 * decides when it is known in both scans and changed, otherwise RSS.
 * UINT64_MAX is unknown.
 */
int ui_change_mark(uint64_t prev_present, uint64_t present,
		   uint64_t prev_huge, uint64_t huge);
/* Per order of a histogram (and the partial row at index nord): +1, -1
 * or 0 from prev to cur; all 0 when prev is NULL or either is not
 * available. marks has UI_MAX_ORD + 1 entries. */
void ui_dist_marks(const struct ui_dist *prev, const struct ui_dist *cur,
		   signed char *marks);
/*
 * Huge-backed pages of a process: pages in large folios when the folio
 * view is available, else PMD-mapped slots (PAGEMAP_SCAN), else
 * UINT64_MAX (unknown).
 */
uint64_t ui_proc_huge_pages(const struct mt_snapshot *s,
			    const struct mt_proc *p);
/* Collapsible pages: the pages of the PMD slots MADV_COLLAPSE would make
 * PMD-mapped now (the scan's pmd_collapsible, collapse.h); UINT64_MAX
 * when that is unknown (MT_UNKNOWN). */
uint64_t ui_coll_pages(uint64_t slots, unsigned pmd_order);

/* ---- the histogram pane's table -------------------------------------- */

/* One row of the histogram pane: an order, or the partial folios. */
#define UI_HIST_PARTIAL (-1)
struct ui_hist_row {
	int order;            /* UI_HIST_PARTIAL: pages of partial folios */
	uint64_t count;       /* blocks (folios) of the order; pages if partial */
	uint64_t bytes;
};

struct ui_hist_table {
	struct ui_hist_row row[UI_MAX_ORD + 1];
	int n;                /* rows to draw */
	uint64_t maxv;        /* largest count or bytes (by_counts) of all the
			       * rows, before any was dropped: the bar scale */
	uint64_t sumv;        /* their sum (counts: of the orders only), the
			       * whole the shares are of */
	int hidden;           /* rows with memory left out for room */
};

/*
 * The rows of the histogram of d: one per order, then the partial folios
 * when partial_row (the folio view). room is the lines below the column
 * titles: when the rows do not fit (one line is kept for the legend if
 * there is room to spare), empty orders are dropped, then the rows that
 * hold least (hidden says how many).
 */
void ui_hist_table_build(struct ui_hist_table *t, const struct ui_dist *d,
			 unsigned page_size, bool partial_row, bool by_counts,
			 int room);

/* ---- rows derived from a snapshot ------------------------------------ */

struct ui_settings {
	enum ui_view view;
	int psort;            /* index in ui_proc_cols */
	bool pdesc;
	int vsort;            /* index in ui_vma_cols */
	bool vdesc;
	bool show_kthreads;
	bool omit_file;
	bool omit_unfaulted;
	bool hist_counts;     /* histogram bars scaled by counts, not bytes */
	bool hist_log;        /* histogram bars on a log scale (L) */
	bool hide_hist;       /* the histogram pane hidden (b) */
	bool show_cmdline;    /* COMMAND: the command line, not the name (p) */
	bool tree;            /* processes under their parents (t) */
	bool group;           /* one row per cgroup (g) */
	bool show_delta;      /* the HUGE/s column (D) */
	bool utf8;
	char name_filter[64]; /* processes: substring of the name */
	char path_filter[64]; /* VMAs: substring of the path */
	char user_filter[64]; /* processes: exact user name */
};


/* ---- the settings file ----------------------------------------------- */

/* The viewer's state as settings file values. The sort is copied from
 * base when the sort column has no settings key. */
void ui_settings_to_rc(const struct ui_settings *st, uint64_t interval_ms,
		       const struct mt_settings *base,
		       struct mt_settings *out);
/* Copy into file the fields that differ between before and after (what
 * the user changed); returns whether there were any. */
bool ui_rc_merge(struct mt_settings *file, const struct mt_settings *before,
		 const struct mt_settings *after);

struct ui_pstat {
	const struct mt_proc *p;
	size_t name, user;       /* offsets of sanitized strings in text */
	size_t cmd;              /* the command line shown (ui_fmt_cmdline);
				  * the name when not showing command lines */
	size_t cgroup;           /* sanitized cgroup path ("?" if unknown) */
	uint64_t present, swapped;
	uint64_t pmd_pages;      /* in the view; UINT64_MAX: unavailable */
	uint64_t thp_pages;      /* UINT64_MAX: unavailable */
	uint64_t coll_pages;     /* collapsible; UINT64_MAX: unknown */
	uint64_t huge_pages;     /* ui_proc_huge_pages(); UINT64_MAX: unknown */
	int why;                 /* main reason (mt_why_proc_main), -1: none */
	uint64_t why_bytes;      /* the bytes it holds */
	bool has_rate;           /* seen in the previous scan, both known */
	double huge_rate;        /* bytes per second since the previous scan */
	int mark;                /* ui_change_mark() against the previous scan */
	/* how much older its PFN and folio figures are than the scan
	 * (priority scanning keeps earlier ones): 0 read in it, UINT64_MAX
	 * not read yet */
	uint64_t exp_age_ms;
	uint64_t walk_age_ms;    /* the same of every figure (not walked) */
	struct ui_dist dist;     /* the view */
};

struct ui_vstat {
	const struct mt_vma *v;
	size_t path;             /* offset of the sanitized path in text */
	uint64_t pmd_pages;
	uint64_t coll_pages;     /* UINT64_MAX: unknown */
	uint64_t exp_age_ms;     /* of its PFN figures (0: this scan's;
				    UINT64_MAX: not read yet) */
	struct ui_dist dist;
	size_t why_first;        /* its reasons: reasons[why_first ..) */
	size_t nwhy;             /* how many; the first is the main one */
	size_t nmthp;            /* then lines on the mTHP sizes a fault
				    may use here (why.h mt_why_mthp) */
};

/* One reason of a VMA (why.h): its code and the line "code: sentence"
 * (offset in text). */
struct ui_reason {
	int code;
	size_t text;
};

/*
 * The process pane shows lines: processes, and cgroup rows when grouping.
 * depth is the indentation (tree depth; members of a group start at 1);
 * last says the line is the last of its siblings, more bit k that the
 * ancestor at depth k has siblings after it (for the tree glyphs).
 */
enum ui_line_kind { UI_LINE_PROC, UI_LINE_GROUP };
#define UI_TREE_BITS 32
struct ui_line {
	enum ui_line_kind kind;
	size_t idx;              /* index in ps or in groups */
	unsigned depth;
	bool last;
	uint32_t more;
};

/* One cgroup: sums over its shown processes. */
struct ui_group {
	const char *key;         /* the cgroup path as in the snapshot */
	size_t name;             /* sanitized, in text */
	size_t first, n;         /* members: gmembers[first .. first + n) */
	bool expanded;
	uint64_t present, swapped;
	uint64_t pmd_pages, thp_pages, coll_pages; /* UINT64_MAX: none known */
	int why;                 /* the main reason of most of its members'
				  * bytes held by main reasons; -1: none */
	bool has_rate;
	double huge_rate;
	int mark;
	bool stale;              /* a member's PFN figures are not this scan's */
	struct ui_dist dist;
};

/* The previous scan's figures of one process (for deltas and marks). */
struct ui_prev {
	pid_t pid;
	uint64_t present, huge;
};

struct ui_data {
	const struct mt_snapshot *s;
	struct mt_buf text;      /* sanitized names, NUL separated */
	struct ui_pstat *ps;
	size_t nps;
	size_t *rows;            /* shown processes, sorted (indices in ps) */
	size_t nrows;
	/* what the process pane lists: rows in flat, tree or group order */
	struct ui_line *lines;
	size_t nlines;
	struct ui_group *groups;
	size_t ngroups;
	size_t *gmembers;        /* ps indices, grouped */
	/* cgroups the user expanded; kept across builds */
	char **expanded;
	size_t nexpanded;
	/* the previous scan (sorted by pid) and the time of both scans */
	struct ui_prev *prev;
	size_t nprev;
	uint64_t prev_time_ns;
	uint64_t gen;
	/* when set, HUGE/s is the change over rate_window_ns in this history
	 * (mt_series_rate) rather than since the previous scan */
	const struct mt_history *history;
	uint64_t rate_window_ns;
	/* the open process (VMA pane) */
	pid_t vpid;
	ssize_t vproc;           /* index in ps, -1 if gone */
	struct ui_vstat *vs;
	size_t nvs;
	size_t *vrows;
	size_t nvrows;
	size_t vmas_hidden;
	struct ui_reason *reasons; /* of the VMAs in vs */
	size_t nreasons, reasons_cap;
	/* lines the reasons box wants (ui_data_why_rows), for one width */
	int why_rows_w, why_rows;
};

void ui_data_init(struct ui_data *d);
/* The window of the rates of bursty events: khugepaged's
 * scan_sleep_millisecs (10 s, its default, when not known), and at least
 * three of memtop's scans. */
uint64_t ui_rate_window_ms(uint64_t scan_sleep_ms, uint64_t interval_ms);
/* Large folio pages by NUMA node (per[0..nn)) of one process (ps) or of a
 * cgroup's members (g, when ps is NULL); false when none of them has the
 * figure (no folio view, or no NUMA information). */
bool ui_node_pages(const struct ui_data *d, const struct ui_pstat *ps,
		   const struct ui_group *g, uint64_t *per, unsigned nn);
void ui_data_free(struct ui_data *d);
/* Recompute everything for snapshot s (may be NULL) under st; vpid > 0
 * also prepares the VMA rows of that process. When s is a new snapshot,
 * the figures of the one built before (which must still be alive) are
 * kept as the previous scan, for HUGE/s and the change marks. */
void ui_data_build(struct ui_data *d, const struct mt_snapshot *s,
		   const struct ui_settings *st, pid_t vpid);
/* Filter and sort again (filters or sort order changed). */
void ui_data_refilter(struct ui_data *d, const struct ui_settings *st);
const char *ui_data_str(const struct ui_data *d, size_t off);
/* Line of pid in the process pane, -1 if not shown. */
ssize_t ui_data_find_pid(const struct ui_data *d, pid_t pid);
/* Line of the cgroup row key, -1 if not shown. */
ssize_t ui_data_find_group(const struct ui_data *d, const char *key);
/* The cgroup of a process of the snapshot ("" if unknown), NULL if the
 * pid is not in it. */
const char *ui_data_cgroup_of(const struct ui_data *d, pid_t pid);
/* Expand, collapse or toggle the cgroup key; returns whether it is
 * expanded now. Takes effect at the next refilter. */
enum ui_expand { UI_EXPAND_TOGGLE, UI_EXPAND_OPEN, UI_EXPAND_CLOSE };
bool ui_data_expand(struct ui_data *d, const char *key, enum ui_expand how);
bool ui_data_is_expanded(const struct ui_data *d, const char *key);
/* Collapse every group, or expand every shown group when none is. */
void ui_data_expand_all(struct ui_data *d);
/*
 * Order rows[0..n) (indices in ps, in sort order) as a process tree by
 * ppid: children under their parents, siblings in the given order; a
 * process whose parent is not among the rows is a root. Roots get depth
 * depth0, their children depth0 + 1 ... out receives exactly n lines;
 * loops in the parent links (pid reuse) cannot hang it. Returns n.
 */
size_t ui_tree_order(const struct ui_data *d, const size_t *rows, size_t n,
		     unsigned depth0, struct ui_line *out);
/* Build groups and lines from rows (called by refilter). */
void ui_data_lines(struct ui_data *d, const struct ui_settings *st);
/* The main reason of a VMA row, -1 if none. */
int ui_vstat_why(const struct ui_data *d, const struct ui_vstat *vs);
/* The reasons box of the VMA pane, width cells wide: a title line, then
 * per reason its code and sentence ("code: sentence", in text) wrapped,
 * further lines indented by UI_WHY_INDENT. ui_data_why_rows is the lines
 * of the shown VMA that needs the most, so the box keeps its height while
 * the selection moves (kept per width until the rows change); 0 when no
 * VMA is listed. */
#define UI_WHY_INDENT 2
int ui_data_why_rows(struct ui_data *d, int width, bool utf8);
/* The lines of the reasons of one VMA row (no title) in width cells. */
int ui_vstat_why_lines(const struct ui_data *d, const struct ui_vstat *vs,
		       int width, bool utf8);
/* Row of the VMA starting at start, -1 if not shown. */
ssize_t ui_data_find_vma(const struct ui_data *d, uint64_t start);
/*
 * Incremental search: first shown line at or after from (wrapping; step -1
 * searches backwards) whose name (processes; the path of a cgroup row) or
 * path (VMAs) contains needle, case-insensitively. -1 if none.
 */
ssize_t ui_data_search(const struct ui_data *d, bool vmas, const char *needle,
		       size_t from, int step);
/* Compare shares a/at and b/bt; unavailable (UINT64_MAX) sorts lowest. */
int ui_cmp_share(uint64_t a, uint64_t at, uint64_t b, uint64_t bt);
/* The figures a process row and a cgroup row both show (pages;
 * UINT64_MAX where unknown): one way to draw them and to sort by them. */
struct ui_rowfig {
	uint64_t present, swapped, pmd, thp, coll;
	bool has_rate;
	double rate;
	int mark;
	const struct ui_dist *dist;
	int why;                 /* main reason code, -1: none */
	bool stale;              /* PFN figures older than the interval */
};
/* Compare two rows by a figure column; *handled is false for the columns
 * that are not figures (PID, USER, COMMAND), which the caller compares. */
int ui_cmp_rowfig(int col, const struct ui_rowfig *a,
		  const struct ui_rowfig *b, bool *handled);
struct ui_rowfig ui_pstat_fig(const struct ui_pstat *ps);
/* The age of p's PFN figures against s (ui_pstat.exp_age_ms). */
uint64_t ui_exp_age_ms(const struct mt_snapshot *s, uint64_t exp_ns);
struct ui_rowfig ui_group_fig(const struct ui_group *g);

/* Reason codes by name; none (-1) sorts after every code. */
int ui_cmp_why(int a, int b);
/* Plain comparison; and one where unknown (UINT64_MAX) sorts lowest. */
int ui_cmp_u64(uint64_t a, uint64_t b);
int ui_cmp_known(uint64_t a, uint64_t b);
/* Rates: one without a rate sorts below one with. */
int ui_cmp_rate(bool ha, double a, bool hb, double b);
/* Case-insensitive substring test. */
bool ui_contains(const char *hay, const char *needle);
/* The n-th distinct user name of the snapshot in sorted order after cur
 * (for Tab completion); NULL if there are none. */
const char *ui_data_next_user(const struct ui_data *d, const char *cur);

#endif
