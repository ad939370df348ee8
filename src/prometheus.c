/*
 * prometheus.c - the Prometheus text exposition format over a snapshot.
 *
 * The output is built family by family (every sample of a family follows
 * its # HELP and # TYPE lines, as the format requires) in one buffer and
 * written at the end. Per-process label prefixes are made once.
 */
#include <stdlib.h>
#include <string.h>

#include "memtop/escape.h"
#include "memtop/prometheus.h"
#include "memtop/sysinfo.h"
#include "memtop/util.h"

static const char *const kind_name[] = {[MT_FOLIO_ANON] = "anon",
					[MT_FOLIO_FILE] = "file"};

/* How a large folio is mapped: the tools/mm/thpmaps categories. */
enum thp_mapping {
	MAP_PMD,           /* by one PMD entry */
	MAP_PTE_ALIGNED,   /* fully, by PTEs, naturally aligned */
	MAP_PTE_UNALIGNED, /* fully, by PTEs, not aligned */
	MAP_PARTIAL,       /* in part */
	MAP_COUNT
};
static const char *const mapping_name[MAP_COUNT] = {
	[MAP_PMD] = "pmd", [MAP_PTE_ALIGNED] = "pte_aligned",
	[MAP_PTE_UNALIGNED] = "pte_unaligned", [MAP_PARTIAL] = "partial"};

/* The histogram views of the view label. */
enum hist_view { VIEW_PRESENT, VIEW_MAPPABLE, VIEW_COUNT };
static const char *const view_name[VIEW_COUNT] = {
	[VIEW_PRESENT] = "present", [VIEW_MAPPABLE] = "mappable"};

void mt_prom_escape_label(struct mt_buf *b, const char *s, size_t n)
{
	struct mt_buf vis = {0};
	mt_escape_visible(&vis, s ? s : "", s ? n : 0, 1);
	for (size_t i = 0; i < vis.len; i++) {
		char c = vis.data[i];
		switch (c) {
		case '\\': mt_buf_add(b, "\\\\", 2); break;
		case '"': mt_buf_add(b, "\\\"", 2); break;
		case '\n': mt_buf_add(b, "\\n", 2); break;
		default: mt_buf_addc(b, c); break;
		}
	}
	mt_buf_free(&vis);
}

static void label_str(struct mt_buf *b, const char *name, const char *value)
{
	mt_buf_printf(b, "%s=\"", name);
	mt_prom_escape_label(b, value, strlen(value));
	mt_buf_addc(b, '"');
}

/* # HELP and # TYPE of a family. Help texts are constants without
 * backslashes or newlines (the only characters HELP escapes). */
static void family(struct mt_buf *b, const char *name, const char *type,
		   const char *help)
{
	mt_buf_printf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void sample_u64(struct mt_buf *b, const char *name, const char *labels,
		       uint64_t v)
{
	if (labels && *labels)
		mt_buf_printf(b, "%s{%s} %llu\n", name, labels,
			      (unsigned long long)v);
	else
		mt_buf_printf(b, "%s %llu\n", name, (unsigned long long)v);
}

static void gauge_u64(struct mt_buf *b, const char *name, const char *help,
		      uint64_t v)
{
	family(b, name, "gauge", help);
	sample_u64(b, name, NULL, v);
}

/* ---- helpers over the snapshot ------------------------------------------ */

static uint64_t pages_to_bytes(const struct mt_snapshot *s, uint64_t pages)
{
	return pages * s->page_size;
}

/* Pages of a folio-stats block in one mapping class, summed over orders. */
static uint64_t folio_pages(const struct mt_folio_stats *fs,
			    enum mt_folio_kind kind, enum thp_mapping mapping)
{
	uint64_t n = 0;
	switch (mapping) {
	case MAP_PMD: return fs->pmd[kind];
	case MAP_PTE_ALIGNED:
	case MAP_PTE_UNALIGNED:
		for (unsigned o = 0; o < MT_FOLIO_ORDERS; o++)
			n += mapping == MAP_PTE_ALIGNED ? fs->aligned[kind][o]
							: fs->unaligned[kind][o];
		return n;
	default: return fs->partial[kind];
	}
}

/* The present or the mappable histogram. */
static const uint64_t *view_hist(enum hist_view v, const uint64_t *present,
				 const uint64_t *mappable)
{
	return v == VIEW_MAPPABLE ? mappable : present;
}

struct top {
	const struct mt_proc *p;
	struct mt_buf labels; /* pid="..",comm=".." */
};

static int cmp_top(const void *x, const void *y)
{
	const struct mt_proc *a = ((const struct top *)x)->p;
	const struct mt_proc *b = ((const struct top *)y)->p;
	if (a->present_pages != b->present_pages)
		return a->present_pages > b->present_pages ? -1 : 1;
	return (a->pid > b->pid) - (a->pid < b->pid);
}

/* The top_n processes by present pages, largest first, ties by pid. */
static struct top *pick_top(const struct mt_snapshot *s, unsigned top_n,
			    size_t *n_out)
{
	size_t n = 0;
	struct top *t = xcalloc(s->nprocs ? s->nprocs : 1, sizeof(*t));
	for (size_t i = 0; i < s->nprocs; i++) {
		const struct mt_proc *p = &s->procs[i];
		if (p->kthread || p->present_pages == 0 || !p->present_hist)
			continue;
		t[n++].p = p;
	}
	qsort(t, n, sizeof(*t), cmp_top);
	if (n > top_n)
		n = top_n;
	for (size_t i = 0; i < n; i++) {
		mt_buf_printf(&t[i].labels, "pid=\"%d\",", (int)t[i].p->pid);
		label_str(&t[i].labels, "comm", t[i].p->comm ? t[i].p->comm : "");
	}
	*n_out = n;
	return t;
}

/* ---- system part ---------------------------------------------------------- */

/*
 * PMD slots (aligned PMD-sized ranges wholly inside a VMA) by state, one
 * sample of the family name per state; labels is "" or a process's label
 * prefix. mapped is MT_UNKNOWN when the scan could not tell (no
 * PAGEMAP_SCAN and no folio view): then the "mapped" sample is left out.
 */
static void slot_state_samples(struct mt_buf *b, const char *name,
			       const char *labels, uint64_t slots,
			       uint64_t full, uint64_t touched, uint64_t mapped)
{
	static const char *const st[] = {"total", "full", "partial", "mapped"};
	const char *sep = *labels ? "," : "";
	uint64_t v[] = {slots, full, touched >= full ? touched - full : 0,
			mapped};
	struct mt_buf l = {0};
	for (int i = 0; i < 4; i++) {
		if (v[i] == MT_UNKNOWN)
			continue;
		mt_buf_reset(&l);
		mt_buf_printf(&l, "%s%sstate=\"%s\"", labels, sep, st[i]);
		sample_u64(b, name, l.data, v[i]);
	}
	mt_buf_free(&l);
}

/* Bytes in n PMD slots. */
static uint64_t slots_to_bytes(const struct mt_snapshot *s, uint64_t n)
{
	return pages_to_bytes(s, n << s->pmd_order);
}

/* PMD slot sums over processes; MT_UNKNOWN sums stay unknown. */
struct slot_sums {
	uint64_t slots, full, touched, mapped, coll, khp;
};

static void add_known_sum(uint64_t *sum, uint64_t v)
{
	if (v == MT_UNKNOWN || *sum == MT_UNKNOWN)
		*sum = MT_UNKNOWN;
	else
		*sum += v;
}

static void slot_sums_add(struct slot_sums *t, const struct mt_proc *p)
{
	t->slots += p->pmd_slots;
	t->full += p->pmd_full;
	t->touched += p->pmd_touched;
	add_known_sum(&t->mapped, p->pmd_mapped);
	add_known_sum(&t->coll, p->pmd_collapsible);
	add_known_sum(&t->khp, p->pmd_khugepaged);
}

/* The PMD slot families of the whole system; the PMD-mapped bytes and the
 * collapsible bytes (PMD slots MADV_COLLAPSE would make PMD-mapped now,
 * those khugepaged would collapse) only when known. */
static void out_slots(struct mt_buf *b, const struct mt_snapshot *s,
		      const struct slot_sums *t)
{
	family(b, "memtop_pmd_slots", "gauge",
	       "PMD slots (aligned PMD-sized ranges wholly inside a VMA) of "
	       "the scanned processes: all, every page present, some pages "
	       "present, mapped by one PMD entry.");
	slot_state_samples(b, "memtop_pmd_slots", "", t->slots, t->full,
			   t->touched, t->mapped);
	if (t->mapped != MT_UNKNOWN) {
		family(b, "memtop_pmd_mapped_bytes", "gauge",
		       "Memory of the scanned processes mapped by PMD entries "
		       "(huge pages).");
		sample_u64(b, "memtop_pmd_mapped_bytes", "",
			   slots_to_bytes(s, t->mapped));
	}
	if (t->coll != MT_UNKNOWN) {
		family(b, "memtop_collapsible_bytes", "gauge",
		       "Memory in PMD slots not PMD-mapped that MADV_COLLAPSE "
		       "would make PMD-mapped now.");
		sample_u64(b, "memtop_collapsible_bytes", "",
			   slots_to_bytes(s, t->coll));
	}
	if (t->khp != MT_UNKNOWN) {
		family(b, "memtop_khugepaged_collapsible_bytes", "gauge",
		       "Memory in PMD slots not PMD-mapped that khugepaged "
		       "would collapse under the current settings (an upper "
		       "bound).");
		sample_u64(b, "memtop_khugepaged_collapsible_bytes", "",
			   slots_to_bytes(s, t->khp));
	}
}

static void out_meta(struct mt_buf *b, const struct mt_snapshot *s)
{
	struct mt_buf l = {0};
	family(b, "memtop_info", "gauge",
	       "Always 1; the version of memtop that wrote these figures.");
	label_str(&l, "version", MEMTOP_VERSION);
	sample_u64(b, "memtop_info", l.data, 1);
	mt_buf_free(&l);
	gauge_u64(b, "memtop_page_size_bytes", "Base page size.",
		  s->page_size);
	gauge_u64(b, "memtop_pmd_order",
		  "Order of a PMD-sized block (9 for 2 MiB with 4 KiB pages).",
		  s->pmd_order);
	gauge_u64(b, "memtop_max_order",
		  "Highest block order in the block histograms.",
		  s->max_order);
	family(b, "memtop_scan_seconds", "gauge",
	       "Time the scan of /proc took.");
	mt_buf_printf(b, "memtop_scan_seconds %.6f\n",
		      (double)s->duration_ns / 1e9);
	family(b, "memtop_scan_timestamp_seconds", "gauge",
	       "Unix time at which the scan started.");
	mt_buf_printf(b, "memtop_scan_timestamp_seconds %.3f\n",
		      (double)s->time_ns / 1e9);
	gauge_u64(b, "memtop_pagemap_scan",
		  "1 if the PAGEMAP_SCAN ioctl was used, 0 for plain reads.",
		  s->used_pagemap_scan);
	family(b, "memtop_privileged", "gauge",
	       "1 if the view could be computed; the mappable view needs "
	       "PFNs (CAP_SYS_ADMIN), the folio view /proc/kpageflags.");
	sample_u64(b, "memtop_privileged", "view=\"present\"", 1);
	sample_u64(b, "memtop_privileged", "view=\"mappable\"", s->have_pfns);
	sample_u64(b, "memtop_privileged", "view=\"folios\"",
		   s->have_kpageflags);

	const struct mt_scan_stats *st = &s->stats;
	family(b, "memtop_processes", "gauge",
	       "Processes seen by the last scan, by outcome.");
	size_t user = st->scanned >= st->kthreads ? st->scanned - st->kthreads
						  : 0;
	sample_u64(b, "memtop_processes", "state=\"scanned\"", user);
	sample_u64(b, "memtop_processes", "state=\"kernel_thread\"",
		   st->kthreads);
	sample_u64(b, "memtop_processes", "state=\"denied\"", st->denied);
	sample_u64(b, "memtop_processes", "state=\"vanished\"", st->vanished);
	sample_u64(b, "memtop_processes", "state=\"pagemap_denied\"",
		   st->pagemap_denied);
	sample_u64(b, "memtop_processes", "state=\"filtered\"", st->filtered);
	gauge_u64(b, "memtop_scan_errors",
		  "Read errors in the last scan other than permission and "
		  "exited processes.",
		  st->errors);
	gauge_u64(b, "memtop_maps_lines_skipped",
		  "Unparsable /proc/PID/maps lines skipped in the last scan.",
		  st->bad_lines);
}

static void out_totals(struct mt_buf *b, const struct mt_snapshot *s)
{
	uint64_t swapped = 0, zero = 0;
	struct slot_sums t = {0};
	for (size_t i = 0; i < s->nprocs; i++) {
		const struct mt_proc *p = &s->procs[i];
		swapped += p->swapped_pages;
		zero += p->zero_pages;
		slot_sums_add(&t, p);
	}
	gauge_u64(b, "memtop_present_bytes",
		  "Present memory summed over the scanned processes (shared "
		  "pages count once per process).",
		  pages_to_bytes(s, s->present_pages));
	gauge_u64(b, "memtop_swapped_bytes",
		  "Swapped-out memory summed over the scanned processes.",
		  pages_to_bytes(s, swapped));
	gauge_u64(b, "memtop_zero_page_bytes",
		  "Present memory of the scanned processes that maps the shared "
		  "zero page.",
		  pages_to_bytes(s, zero));
	out_slots(b, s, &t);
	if (!s->present_hist)
		return;

	family(b, "memtop_block_bytes", "gauge",
	       "Present memory of all scanned processes in maximal naturally "
	       "aligned blocks of this order; mappable: blocks also physically "
	       "contiguous and aligned.");
	for (enum hist_view v = VIEW_PRESENT; v < VIEW_COUNT; v++) {
		const uint64_t *h = view_hist(v, s->present_hist,
					      s->mappable_hist);
		if (!h)
			continue;
		for (unsigned o = 0; o < s->nord; o++) {
			char l[64];
			snprintf(l, sizeof(l), "view=\"%s\",order=\"%u\"",
				 view_name[v], o);
			sample_u64(b, "memtop_block_bytes", l,
				   pages_to_bytes(s, h[o] << o));
		}
	}
	family(b, "memtop_pmd_block_bytes", "gauge",
	       "Present memory of all scanned processes in blocks of the PMD "
	       "order or larger.");
	sample_u64(b, "memtop_pmd_block_bytes", "view=\"present\"",
		   pages_to_bytes(s, mt_hist_pages_from(s->present_hist, s->nord,
							s->pmd_order)));
	if (s->mappable_hist)
		sample_u64(b, "memtop_pmd_block_bytes", "view=\"mappable\"",
			   pages_to_bytes(s, mt_hist_pages_from(s->mappable_hist,
								s->nord,
								s->pmd_order)));
}

static void out_thp_totals(struct mt_buf *b, const struct mt_snapshot *s)
{
	const struct mt_folio_stats *fs = s->folios;
	if (!fs)
		return;
	family(b, "memtop_thp_bytes", "gauge",
	       "Memory of all scanned processes in large folios, by kind and "
	       "how the folio is mapped (as tools/mm/thpmaps counts it).");
	for (enum mt_folio_kind k = MT_FOLIO_ANON; k <= MT_FOLIO_FILE; k++)
		for (enum thp_mapping m = MAP_PMD; m < MAP_COUNT; m++) {
			char l[64];
			snprintf(l, sizeof(l), "kind=\"%s\",mapping=\"%s\"",
				 kind_name[k], mapping_name[m]);
			sample_u64(b, "memtop_thp_bytes", l,
				   pages_to_bytes(s, folio_pages(fs, k, m)));
		}
	family(b, "memtop_thp_pte_bytes", "gauge",
	       "Memory of all scanned processes in fully PTE-mapped large "
	       "folios, by folio order.");
	unsigned top = MT_MIN(s->pmd_order, MT_FOLIO_ORDERS - 1u);
	for (enum mt_folio_kind k = MT_FOLIO_ANON; k <= MT_FOLIO_FILE; k++)
		for (enum thp_mapping m = MAP_PTE_ALIGNED;
		     m <= MAP_PTE_UNALIGNED; m++)
			for (unsigned o = 1; o <= top; o++) {
				char l[80];
				snprintf(l, sizeof(l),
					 "kind=\"%s\",mapping=\"%s\",order=\"%u\"",
					 kind_name[k], mapping_name[m], o);
				const uint64_t *a = m == MAP_PTE_ALIGNED
							    ? fs->aligned[k]
							    : fs->unaligned[k];
				sample_u64(b, "memtop_thp_pte_bytes", l,
					   pages_to_bytes(s, a[o]));
			}
	if (!s->thp_node_pages || !s->nnodes)
		return;
	family(b, "memtop_thp_node_bytes", "gauge",
	       "Memory of all scanned processes in large folios, by the NUMA "
	       "node the folio is on.");
	for (unsigned nd = 0; nd < s->nnodes; nd++) {
		char l[32];
		snprintf(l, sizeof(l), "node=\"%u\"", nd);
		sample_u64(b, "memtop_thp_node_bytes", l,
			   pages_to_bytes(s, s->thp_node_pages[nd]));
	}
}

/* ---- per process ---------------------------------------------------------- */

/*
 * Per-process families are a table: each metric names its family and says
 * how to get the samples of one process; out_procs writes each family's
 * # HELP and # TYPE once, then the samples of the top processes in order.
 */

/* What a metric's figures count: written as they are, or pages written
 * as bytes. */
enum figure_unit { UNIT_COUNT, UNIT_PAGES };

/* Where a metric's getter puts the samples of one process. */
struct proc_out {
	struct mt_buf *b;
	const struct mt_snapshot *s;
	const char *name;           /* the family */
	enum figure_unit unit;
	const char *labels;         /* the process's pid="..",comm=".." */
	struct mt_buf l;            /* scratch for the labels of a sample */
};

/* One sample: the process's labels, then more ("" or ",name=\"value\"..."),
 * and the figure in the metric's unit. */
static void proc_sample(struct proc_out *o, const char *more, uint64_t figure)
{
	mt_buf_reset(&o->l);
	mt_buf_add(&o->l, o->labels, strlen(o->labels));
	mt_buf_add(&o->l, more, strlen(more));
	sample_u64(o->b, o->name, o->l.data,
		   o->unit == UNIT_PAGES ? pages_to_bytes(o->s, figure)
					 : figure);
}

static void get_info(struct proc_out *o, const struct mt_proc *p)
{
	struct mt_buf more = {0};
	mt_buf_addc(&more, ',');
	label_str(&more, "user", p->user ? p->user : "");
	mt_buf_addc(&more, ',');
	label_str(&more, "cgroup", p->cgroup ? p->cgroup : "");
	proc_sample(o, more.data, 1);
	mt_buf_free(&more);
}

static void get_present(struct proc_out *o, const struct mt_proc *p)
{
	proc_sample(o, "", p->present_pages);
}

static void get_swapped(struct proc_out *o, const struct mt_proc *p)
{
	proc_sample(o, "", p->swapped_pages);
}

static void get_zero(struct proc_out *o, const struct mt_proc *p)
{
	proc_sample(o, "", p->zero_pages);
}

static void get_pmd_slots(struct proc_out *o, const struct mt_proc *p)
{
	slot_state_samples(o->b, o->name, o->labels, p->pmd_slots,
			   p->pmd_full, p->pmd_touched, p->pmd_mapped);
}

static void get_pmd_mapped(struct proc_out *o, const struct mt_proc *p)
{
	if (p->pmd_mapped != MT_UNKNOWN)
		proc_sample(o, "", p->pmd_mapped << o->s->pmd_order);
}

static void get_collapsible(struct proc_out *o, const struct mt_proc *p)
{
	if (p->pmd_collapsible != MT_UNKNOWN)
		proc_sample(o, "", p->pmd_collapsible << o->s->pmd_order);
}

static void get_khugepaged(struct proc_out *o, const struct mt_proc *p)
{
	if (p->pmd_khugepaged != MT_UNKNOWN)
		proc_sample(o, "", p->pmd_khugepaged << o->s->pmd_order);
}

static void get_blocks(struct proc_out *o, const struct mt_proc *p)
{
	for (enum hist_view v = VIEW_PRESENT; v < VIEW_COUNT; v++) {
		const uint64_t *h = view_hist(v, p->present_hist,
					      p->mappable_hist);
		if (!h)
			continue;
		for (unsigned ord = 0; ord < o->s->nord; ord++) {
			char more[64];
			snprintf(more, sizeof(more), ",view=\"%s\",order=\"%u\"",
				 view_name[v], ord);
			proc_sample(o, more, h[ord] << ord);
		}
	}
}

static void get_pmd_blocks(struct proc_out *o, const struct mt_proc *p)
{
	for (enum hist_view v = VIEW_PRESENT; v < VIEW_COUNT; v++) {
		const uint64_t *h = view_hist(v, p->present_hist,
					      p->mappable_hist);
		if (!h)
			continue;
		char more[32];
		snprintf(more, sizeof(more), ",view=\"%s\"", view_name[v]);
		proc_sample(o, more,
			    mt_hist_pages_from(h, o->s->nord, o->s->pmd_order));
	}
}

static void get_thp_nodes(struct proc_out *o, const struct mt_proc *p)
{
	const uint64_t *np = p->thp_node_pages;
	for (unsigned nd = 0; np && nd < o->s->nnodes; nd++) {
		char more[32];
		snprintf(more, sizeof(more), ",node=\"%u\"", nd);
		proc_sample(o, more, np[nd]);
	}
}

static void get_thp(struct proc_out *o, const struct mt_proc *p)
{
	const struct mt_folio_stats *fs = p->folios;
	if (!fs)
		return;
	for (enum mt_folio_kind k = MT_FOLIO_ANON; k <= MT_FOLIO_FILE; k++)
		for (enum thp_mapping m = MAP_PMD; m < MAP_COUNT; m++) {
			char more[64];
			snprintf(more, sizeof(more), ",kind=\"%s\",mapping=\"%s\"",
				 kind_name[k], mapping_name[m]);
			proc_sample(o, more, folio_pages(fs, k, m));
		}
}

/* Whether a family is written at all, given the top n (n > 0). */
static bool any_coll_known(const struct mt_snapshot *s, const struct top *t,
			   size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (t[i].p->pmd_collapsible != MT_UNKNOWN)
			return true;
	return false;
}

static bool any_mapped_known(const struct mt_snapshot *s,
			     const struct top *t, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (t[i].p->pmd_mapped != MT_UNKNOWN)
			return true;
	return false;
}

static bool any_khp_known(const struct mt_snapshot *s, const struct top *t,
			  size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (t[i].p->pmd_khugepaged != MT_UNKNOWN)
			return true;
	return false;
}

static bool have_folios(const struct mt_snapshot *s, const struct top *t,
			size_t n)
{
	return s->folios != NULL;
}

static bool any_thp_nodes(const struct mt_snapshot *s, const struct top *t,
			  size_t n)
{
	if (!s->folios || !s->nnodes)
		return false;
	for (size_t i = 0; i < n; i++)
		if (t[i].p->thp_node_pages)
			return true;
	return false;
}

struct proc_metric {
	const char *name;
	const char *type;
	const char *help;
	enum figure_unit unit;
	/* NULL: always written (when any process is) */
	bool (*shown)(const struct mt_snapshot *s, const struct top *t,
		      size_t n);
	/* the samples of one process (none is fine) */
	void (*get)(struct proc_out *o, const struct mt_proc *p);
};

static const struct proc_metric proc_metrics[] = {
	{"memtop_process_info", "gauge",
	 "Always 1 for each process given per-process series (the largest "
	 "by present memory); its owner and cgroup.",
	 UNIT_COUNT, NULL, get_info},
	{"memtop_process_present_bytes", "gauge",
	 "Present memory of the process (pagemap present bit).",
	 UNIT_PAGES, NULL, get_present},
	{"memtop_process_swapped_bytes", "gauge",
	 "Swapped-out memory of the process.",
	 UNIT_PAGES, NULL, get_swapped},
	{"memtop_process_zero_page_bytes", "gauge",
	 "Present memory of the process that maps the shared zero page.",
	 UNIT_PAGES, NULL, get_zero},
	{"memtop_process_pmd_slots", "gauge",
	 "PMD slots of the process: all, every page present, some pages "
	 "present, mapped by one PMD entry.",
	 UNIT_COUNT, NULL, get_pmd_slots},
	{"memtop_process_pmd_mapped_bytes", "gauge",
	 "Memory of the process mapped by PMD entries (huge pages).",
	 UNIT_PAGES, any_mapped_known, get_pmd_mapped},
	{"memtop_process_collapsible_bytes", "gauge",
	 "Memory of the process in PMD slots not PMD-mapped that "
	 "MADV_COLLAPSE would make PMD-mapped now.",
	 UNIT_PAGES, any_coll_known, get_collapsible},
	{"memtop_process_khugepaged_collapsible_bytes", "gauge",
	 "Memory of the process in PMD slots not PMD-mapped that khugepaged "
	 "would collapse under the current settings (an upper bound: it "
	 "also needs a recently used page).",
	 UNIT_PAGES, any_khp_known, get_khugepaged},
	{"memtop_process_block_bytes", "gauge",
	 "Present memory of the process in maximal naturally aligned blocks "
	 "of this order; mappable: also physically contiguous and aligned.",
	 UNIT_PAGES, NULL, get_blocks},
	{"memtop_process_pmd_block_bytes", "gauge",
	 "Present memory of the process in blocks of the PMD order or "
	 "larger.",
	 UNIT_PAGES, NULL, get_pmd_blocks},
	{"memtop_process_thp_node_bytes", "gauge",
	 "Memory of the process in large folios, by the NUMA node the folio "
	 "is on.",
	 UNIT_PAGES, any_thp_nodes, get_thp_nodes},
	{"memtop_process_thp_bytes", "gauge",
	 "Memory of the process in large folios, by kind and how the folio "
	 "is mapped.",
	 UNIT_PAGES, have_folios, get_thp},
};

static void out_procs(struct mt_buf *b, const struct mt_snapshot *s,
		      const struct top *t, size_t n)
{
	if (!n)
		return;
	struct proc_out o = {.b = b, .s = s};
	for (size_t m = 0; m < MT_ARRAY_SIZE(proc_metrics); m++) {
		const struct proc_metric *pm = &proc_metrics[m];
		if (pm->shown && !pm->shown(s, t, n))
			continue;
		family(b, pm->name, pm->type, pm->help);
		o.name = pm->name;
		o.unit = pm->unit;
		for (size_t i = 0; i < n; i++) {
			o.labels = t[i].labels.data;
			pm->get(&o, t[i].p);
		}
	}
	mt_buf_free(&o.l);
}

/* ---- per cgroup ------------------------------------------------------------ */

/* The sums of the scanned processes of one cgroup. */
struct cg_sum {
	const char *path;
	uint64_t nprocs, present, mapped; /* mapped: pages, or MT_UNKNOWN */
};

static int cmp_cg_path(const void *x, const void *y)
{
	const struct mt_proc *a = *(const struct mt_proc *const *)x;
	const struct mt_proc *b = *(const struct mt_proc *const *)y;
	return strcmp(a->cgroup, b->cgroup);
}

static int cmp_cg_present(const void *x, const void *y)
{
	const struct cg_sum *a = x, *b = y;
	if (a->present != b->present)
		return a->present > b->present ? -1 : 1;
	return strcmp(a->path, b->path);
}

/*
 * The top_n cgroups by present memory of their scanned processes (kernel
 * threads and processes whose cgroup was not read left out), largest
 * first, ties by path: every scanned process counts, not only those with
 * per-process series.
 */
static struct cg_sum *pick_cgroups(const struct mt_snapshot *s,
				   unsigned top_n, size_t *n_out)
{
	const struct mt_proc **ps = xcalloc(s->nprocs ? s->nprocs : 1,
					    sizeof(*ps));
	size_t np = 0;
	for (size_t i = 0; i < s->nprocs; i++)
		if (!s->procs[i].kthread && s->procs[i].cgroup)
			ps[np++] = &s->procs[i];
	qsort(ps, np, sizeof(*ps), cmp_cg_path);
	struct cg_sum *cg = xcalloc(np ? np : 1, sizeof(*cg));
	size_t n = 0;
	for (size_t i = 0; i < np; i++) {
		if (!n || strcmp(cg[n - 1].path, ps[i]->cgroup) != 0)
			cg[n++].path = ps[i]->cgroup;
		struct cg_sum *c = &cg[n - 1];
		c->nprocs++;
		c->present += ps[i]->present_pages;
		add_known_sum(&c->mapped, ps[i]->pmd_mapped);
	}
	free(ps);
	qsort(cg, n, sizeof(*cg), cmp_cg_present);
	*n_out = MT_MIN(n, (size_t)top_n);
	return cg;
}

static void out_cgroups(struct mt_buf *b, const struct mt_snapshot *s,
			unsigned top_n)
{
	size_t n = 0;
	struct cg_sum *cg = pick_cgroups(s, top_n, &n);
	struct mt_buf l = {0};
	bool any_mapped = false;
	for (size_t i = 0; i < n; i++)
		any_mapped |= cg[i].mapped != MT_UNKNOWN;
	for (int f = 0; f < 3 && n; f++) {
		static const char *const name[] = {
			"memtop_cgroup_processes", "memtop_cgroup_present_bytes",
			"memtop_cgroup_pmd_mapped_bytes"};
		static const char *const help[] = {
			"Scanned processes in the cgroup (the largest cgroups "
			"by present memory).",
			"Present memory summed over the cgroup's scanned "
			"processes.",
			"Memory of the cgroup's scanned processes mapped by PMD "
			"entries (huge pages)."};
		if (f == 2 && !any_mapped)
			break;
		family(b, name[f], "gauge", help[f]);
		for (size_t i = 0; i < n; i++) {
			const struct cg_sum *c = &cg[i];
			uint64_t v = f == 0   ? c->nprocs
				     : f == 1 ? pages_to_bytes(s, c->present)
					      : c->mapped;
			if (v == MT_UNKNOWN)
				continue;
			if (f == 2)
				v = slots_to_bytes(s, v);
			mt_buf_reset(&l);
			label_str(&l, "cgroup", c->path);
			sample_u64(b, name[f], l.data, v);
		}
	}
	mt_buf_free(&l);
	free(cg);
}

/* ---- system state (sysinfo) ----------------------------------------------- */

static bool is_nr(const char *key)
{
	return strncmp(key, "nr_", 3) == 0;
}

/* The counters of one source make two families: the nr_ ones are gauges
 * (counts now), the others counters (events since boot). */
struct counter_family {
	const char *name, *type, *help;
	const char *label; /* the label that holds the counter's key */
	bool nr;           /* the nr_ counters */
};

static const struct counter_family mthp_families[] = {
	{"memtop_mthp_events_total", "counter",
	 "Multi-size THP events of this size since boot.", "event", false},
	{"memtop_mthp_folios", "gauge",
	 "Folios of this size now (the nr_ files of the mTHP stats).", "stat",
	 true},
};

static const struct counter_family vmstat_families[] = {
	{"memtop_vmstat_events_total", "counter",
	 "THP and compaction events from /proc/vmstat since boot.", "event",
	 false},
	{"memtop_vmstat_nr", "gauge",
	 "Huge page and free page counts from /proc/vmstat.", "item", true},
};

static void out_sysinfo(struct mt_buf *b, const struct mt_snapshot *s)
{
	const struct mt_sysinfo *si = s->sys;
	if (!si)
		return;
	struct mt_buf l = {0};
	family(b, "memtop_thp_info", "gauge",
	       "Always 1; the selected transparent huge page settings.");
	label_str(&l, "enabled", si->thp_enabled ? si->thp_enabled : "?");
	mt_buf_addc(&l, ',');
	label_str(&l, "defrag", si->thp_defrag ? si->thp_defrag : "?");
	mt_buf_addc(&l, ',');
	label_str(&l, "shmem_enabled",
		  si->thp_shmem_enabled ? si->thp_shmem_enabled : "?");
	sample_u64(b, "memtop_thp_info", l.data, 1);

	if (si->nsizes) {
		family(b, "memtop_mthp_info", "gauge",
		       "Always 1 per multi-size THP size; its settings.");
		for (size_t i = 0; i < si->nsizes; i++) {
			const struct mt_mthp_size *z = &si->sizes[i];
			mt_buf_reset(&l);
			mt_buf_printf(&l, "size=\"%llukB\",",
				      (unsigned long long)z->kb);
			label_str(&l, "enabled", z->enabled ? z->enabled : "?");
			mt_buf_addc(&l, ',');
			label_str(&l, "shmem_enabled",
				  z->shmem_enabled ? z->shmem_enabled : "?");
			sample_u64(b, "memtop_mthp_info", l.data, 1);
		}
		for (size_t f = 0; f < MT_ARRAY_SIZE(mthp_families); f++) {
			const struct counter_family *cf = &mthp_families[f];
			bool head = false;
			for (size_t i = 0; i < si->nsizes; i++) {
				const struct mt_mthp_size *z = &si->sizes[i];
				for (size_t j = 0; j < z->nstats; j++) {
					const struct mt_counter *c = &z->stats[j];
					if (is_nr(c->key) != cf->nr)
						continue;
					if (!head)
						family(b, cf->name, cf->type,
						       cf->help);
					head = true;
					mt_buf_reset(&l);
					mt_buf_printf(&l, "size=\"%llukB\",",
						      (unsigned long long)z->kb);
					label_str(&l, cf->label, c->key);
					sample_u64(b, cf->name, l.data,
						   c->value);
				}
			}
		}
	}

	for (size_t f = 0; f < MT_ARRAY_SIZE(vmstat_families); f++) {
		const struct counter_family *cf = &vmstat_families[f];
		bool head = false;
		for (size_t i = 0; i < si->nvmstat; i++) {
			const struct mt_counter *c = &si->vmstat[i];
			if (is_nr(c->key) != cf->nr)
				continue;
			if (!head)
				family(b, cf->name, cf->type, cf->help);
			head = true;
			mt_buf_reset(&l);
			label_str(&l, cf->label, c->key);
			sample_u64(b, cf->name, l.data, c->value);
		}
	}

	static const struct {
		const char *key, *name, *help;
	} khp[] = {
		{"pages_collapsed", "memtop_khugepaged_pages_collapsed_total",
		 "Huge pages khugepaged has collapsed since boot."},
		{"full_scans", "memtop_khugepaged_full_scans_total",
		 "Full scans of all mm's khugepaged has done since boot."},
	};
	for (size_t i = 0; i < MT_ARRAY_SIZE(khp); i++) {
		const struct mt_counter *c =
			mt_counter_find(si->khugepaged, si->nkhugepaged,
					khp[i].key);
		if (!c)
			continue;
		family(b, khp[i].name, "counter", khp[i].help);
		sample_u64(b, khp[i].name, NULL, c->value);
	}

	if (si->nzones) {
		gauge_u64(b, "memtop_free_bytes",
			  "Free memory in the buddy allocator (/proc/buddyinfo).",
			  pages_to_bytes(s, mt_buddy_free_pages(si, -1, 0)));
		gauge_u64(b, "memtop_free_pmd_bytes",
			  "Free memory in blocks of the PMD order or larger: "
			  "what a huge page fault can get without compaction.",
			  pages_to_bytes(s, mt_buddy_free_pages(si, -1,
								s->pmd_order)));
	}
	mt_buf_free(&l);
}

void mt_output_prometheus(FILE *f, const struct mt_snapshot *s,
			  unsigned top_n)
{
	struct mt_buf b = {0};
	out_meta(&b, s);
	out_totals(&b, s);
	out_thp_totals(&b, s);
	size_t n = 0;
	struct top *t = pick_top(s, top_n, &n);
	out_procs(&b, s, t, n);
	out_cgroups(&b, s, top_n);
	for (size_t i = 0; i < n; i++)
		mt_buf_free(&t[i].labels);
	free(t);
	out_sysinfo(&b, s);
	if (b.len)
		fwrite(b.data, 1, b.len, f);
	mt_buf_free(&b);
}
