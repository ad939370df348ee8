/*
 * test_prometheus.c - the Prometheus exposition (prometheus.h) over
 * synthetic snapshots.
 *
 * Every output is read back by a strict reader written here from the
 * text format's rules: # HELP and # TYPE once per family and before its
 * samples, the samples of a family together, metric and label names from
 * their alphabets, label values with only the \\ \" \n escapes, valid
 * UTF-8, no duplicate series, a number as the value. The figures are then
 * checked against the snapshot they came from.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "memtop/escape.h"
#include "memtop/prometheus.h"
#include "memtop/snapshot.h"
#include "memtop/sysinfo.h"
#include "memtop/util.h"

#define PAGE 4096u
#define PMD 9u
#define NORD (PMD + 1)

/* ---- a strict reader of the text format --------------------------------- */

struct series {
	char *name;
	char *labels; /* "k=v,k=v" with values unescaped, in output order */
	double value;
};

struct family {
	char *name;
	char type[16];
	bool help, closed;
};

struct expo {
	struct series *s;
	size_t n;
	struct family *f;
	size_t nf;
};

static bool name_char(char c, bool first, bool colon)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_')
		return true;
	if (colon && c == ':')
		return true;
	return !first && c >= '0' && c <= '9';
}

/* Length of a metric (colon) or label name at s; 0 if none. */
static size_t name_len(const char *s, bool colon)
{
	size_t n = 0;
	while (s[n] && name_char(s[n], n == 0, colon))
		n++;
	return n;
}

static struct family *find_family(struct expo *e, const char *name, size_t n)
{
	for (size_t i = 0; i < e->nf; i++)
		if (strlen(e->f[i].name) == n && !memcmp(e->f[i].name, name, n))
			return &e->f[i];
	return NULL;
}

static struct family *add_family(struct expo *e, const char *name, size_t n)
{
	e->f = xrealloc(e->f, (e->nf + 1) * sizeof(*e->f));
	struct family *f = &e->f[e->nf++];
	memset(f, 0, sizeof(*f));
	f->name = xmalloc(n + 1);
	memcpy(f->name, name, n);
	f->name[n] = '\0';
	return f;
}

/* The family a sample belongs to: its name, or for a counter its name
 * without _total. */
static struct family *family_of(struct expo *e, const char *name, size_t n)
{
	struct family *f = find_family(e, name, n);
	if (f)
		return f;
	if (n > 6 && !memcmp(name + n - 6, "_total", 6))
		return find_family(e, name, n - 6);
	return NULL;
}

static void expo_free(struct expo *e)
{
	for (size_t i = 0; i < e->n; i++) {
		free(e->s[i].name);
		free(e->s[i].labels);
	}
	for (size_t i = 0; i < e->nf; i++)
		free(e->f[i].name);
	free(e->s);
	free(e->f);
	memset(e, 0, sizeof(*e));
}

/* Parse text into e; on a violation fails the test with the line. */
static void expo_parse(struct expo *e, const char *text)
{
	memset(e, 0, sizeof(*e));
	const char *line = text;
	ssize_t cur = -1; /* index of the current family (e->f moves) */
	size_t lineno = 0;
	while (*line) {
		const char *nl = strchr(line, '\n');
		if (!nl)
			fail_msg("last line has no newline: %s", line);
		size_t len = (size_t)(nl - line);
		char *l = xmalloc(len + 1);
		memcpy(l, line, len);
		l[len] = '\0';
		lineno++;
		for (size_t i = 0; i < len;) {
			size_t k = mt_utf8_seq_len((const unsigned char *)l + i,
						   len - i);
			if (!k || (unsigned char)l[i] < 0x20)
				fail_msg("line %zu: invalid UTF-8 or control "
					 "byte: %s", lineno, l);
			i += k;
		}
		if (!strncmp(l, "# HELP ", 7) || !strncmp(l, "# TYPE ", 7)) {
			bool help = l[2] == 'H';
			const char *nm = l + 7;
			size_t n = name_len(nm, true);
			if (!n || nm[n] != ' ')
				fail_msg("line %zu: bad metric name: %s", lineno, l);
			struct family *f = find_family(e, nm, n);
			if (f && f->closed)
				fail_msg("line %zu: family again after its "
					 "samples: %s", lineno, l);
			if (!f)
				f = add_family(e, nm, n);
			ssize_t fi = f - e->f;
			if (cur >= 0 && cur != fi)
				e->f[cur].closed = true;
			cur = fi;
			if (help) {
				if (f->help)
					fail_msg("line %zu: second HELP", lineno);
				f->help = true;
			} else {
				if (f->type[0])
					fail_msg("line %zu: second TYPE", lineno);
				snprintf(f->type, sizeof(f->type), "%s", nm + n + 1);
				if (strcmp(f->type, "gauge") &&
				    strcmp(f->type, "counter") &&
				    strcmp(f->type, "untyped"))
					fail_msg("line %zu: type %s", lineno,
						 f->type);
			}
		} else if (l[0] == '#') {
			/* a comment */
		} else {
			const char *p = l;
			size_t n = name_len(p, true);
			if (!n)
				fail_msg("line %zu: no metric name: %s", lineno, l);
			struct family *f = family_of(e, p, n);
			if (!f || !f->type[0] || !f->help)
				fail_msg("line %zu: sample without HELP and "
					 "TYPE before it: %s", lineno, l);
			if (f->closed || (cur >= 0 && cur != f - e->f))
				fail_msg("line %zu: samples of %s not together",
					 lineno, f->name);
			if (strcmp(f->type, "counter") == 0 &&
			    (n < 6 || memcmp(p + n - 6, "_total", 6)))
				fail_msg("line %zu: counter without _total", lineno);
			cur = f - e->f;
			struct series sr = {0};
			sr.name = xmalloc(n + 1);
			memcpy(sr.name, p, n);
			sr.name[n] = '\0';
			p += n;
			struct mt_buf lab = {0};
			mt_buf_add(&lab, "", 0);
			if (*p == '{') {
				p++;
				while (*p != '}') {
					size_t ln = name_len(p, false);
					if (!ln || p[ln] != '=' || p[ln + 1] != '"')
						fail_msg("line %zu: bad label at %s",
							 lineno, p);
					if (lab.len)
						mt_buf_addc(&lab, ',');
					mt_buf_add(&lab, p, ln + 1);
					p += ln + 2;
					while (*p != '"') {
						if (!*p)
							fail_msg("line %zu: "
								 "unterminated "
								 "value", lineno);
						if (*p == '\\') {
							p++;
							if (*p == 'n')
								mt_buf_addc(&lab, '\n');
							else if (*p == '\\' || *p == '"')
								mt_buf_addc(&lab, *p);
							else
								fail_msg("line %zu: "
									 "bad escape "
									 "\\%c",
									 lineno, *p);
						} else {
							mt_buf_addc(&lab, *p);
						}
						p++;
					}
					p++;
					if (*p == ',')
						p++;
					else if (*p != '}')
						fail_msg("line %zu: after value: %s",
							 lineno, p);
				}
				p++;
			}
			if (*p != ' ')
				fail_msg("line %zu: no space before value", lineno);
			char *end;
			sr.value = strtod(p + 1, &end);
			if (end == p + 1 || *end)
				fail_msg("line %zu: bad value '%s'", lineno, p + 1);
			sr.labels = lab.data;
			for (size_t i = 0; i < e->n; i++)
				if (!strcmp(e->s[i].name, sr.name) &&
				    !strcmp(e->s[i].labels, sr.labels))
					fail_msg("line %zu: duplicate series %s{%s}",
						 lineno, sr.name, sr.labels);
			e->s = xrealloc(e->s, (e->n + 1) * sizeof(*e->s));
			e->s[e->n++] = sr;
		}
		free(l);
		line = nl + 1;
	}
	for (size_t i = 0; i < e->nf; i++)
		if (!e->f[i].help || !e->f[i].type[0])
			fail_msg("family %s lacks HELP or TYPE", e->f[i].name);
}

/* Value of one series; NAN when absent. */
static double get(const struct expo *e, const char *name, const char *labels)
{
	for (size_t i = 0; i < e->n; i++)
		if (!strcmp(e->s[i].name, name) && !strcmp(e->s[i].labels, labels))
			return e->s[i].value;
	return NAN;
}

static double getf(const struct expo *e, const char *name, const char *fmt,
		   ...) __attribute__((format(printf, 3, 4)));

static double getf(const struct expo *e, const char *name, const char *fmt,
		   ...)
{
	char l[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(l, sizeof(l), fmt, ap);
	va_end(ap);
	return get(e, name, l);
}

/* Number of series of a metric; of those whose labels contain sub. */
static size_t count(const struct expo *e, const char *name, const char *sub)
{
	size_t n = 0;
	for (size_t i = 0; i < e->n; i++)
		if (!strcmp(e->s[i].name, name) &&
		    (!sub || strstr(e->s[i].labels, sub)))
			n++;
	return n;
}

static bool has_family(const struct expo *e, const char *name)
{
	for (size_t i = 0; i < e->nf; i++)
		if (!strcmp(e->f[i].name, name))
			return true;
	return false;
}

/* ---- synthetic snapshots ------------------------------------------------ */

static uint64_t *hist(struct mt_snapshot *s)
{
	return mt_arena_alloc(s->arena, NORD * sizeof(uint64_t));
}

/*
 * nprocs processes: pid 100 + i, comm "proc<i>", present histogram with
 * i + 1 order-0 blocks, i % 3 order-4 blocks and (i % 2) order-9 blocks;
 * process 0 is a kernel thread without memory. pfns / folios decide
 * which views exist.
 */
static struct mt_snapshot *make_snapshot(size_t nprocs, bool pfns, bool folios)
{
	struct mt_snapshot *s = mt_snapshot_new();
	s->page_size = PAGE;
	s->page_shift = 12;
	s->pmd_order = PMD;
	s->max_order = PMD;
	s->nord = NORD;
	s->have_pfns = pfns;
	s->have_kpageflags = pfns && folios;
	s->used_pagemap_scan = true;
	s->duration_ns = 12345678;
	s->time_ns = UINT64_C(1700000000123000000);
	s->thp_enabled = "madvise";
	s->thp_defrag = "defer";
	s->present_hist = hist(s);
	if (pfns)
		s->mappable_hist = hist(s);
	if (s->have_kpageflags) {
		s->folios = mt_arena_alloc(s->arena, sizeof(*s->folios));
		s->nnodes = 2;
		s->thp_node_pages = mt_arena_alloc(s->arena, 2 * sizeof(uint64_t));
	}
	s->procs = mt_arena_alloc(s->arena, (nprocs + 1) * sizeof(*s->procs));
	s->nprocs = nprocs;
	for (size_t i = 0; i < nprocs; i++) {
		struct mt_proc *p = &s->procs[i];
		char name[32];
		snprintf(name, sizeof(name), "proc%zu", i);
		p->pid = (pid_t)(100 + i);
		p->ppid = 1;
		p->comm = mt_arena_strndup(s->arena, name, strlen(name));
		p->user = mt_arena_strndup(s->arena, "alice", 5);
		p->present_hist = hist(s);
		if (pfns)
			p->mappable_hist = hist(s);
		if (s->have_kpageflags)
			p->folios = mt_arena_alloc(s->arena, sizeof(*p->folios));
		if (i == 0) {
			p->kthread = true;
			s->stats.kthreads++;
			continue;
		}
		p->present_hist[0] = i + 1;
		p->present_hist[4] = i % 3;
		p->present_hist[9] = i % 2;
		p->present_pages = mt_hist_pages_from(p->present_hist, NORD, 0);
		p->swapped_pages = i;
		p->zero_pages = i % 4;
		/* i % 2 order-9 blocks: that many full slots, PMD-mapped when
		 * i % 4 == 1; process 5 cannot tell what is PMD-mapped */
		p->pmd_slots = 3;
		p->pmd_full = i % 2;
		p->pmd_touched = p->pmd_full + 1;
		p->pmd_mapped = i == 5 ? MT_UNKNOWN : i % 4 == 1;
		/* what MADV_COLLAPSE would collapse: its own figure */
		p->pmd_collapsible = i == 5 ? MT_UNKNOWN : (uint64_t)(i % 3);
		/* what khugepaged would: at most that; process 4 unknown */
		p->pmd_khugepaged = i == 5 || i == 4 ? MT_UNKNOWN
						     : (uint64_t)(i % 3) / 2;
		if (i % 3 == 0)
			p->cgroup = "/system.slice/db.service";
		if (pfns) {
			/* half of the order-4 blocks are contiguous */
			p->mappable_hist[0] = p->present_pages -
					      ((i % 3) / 2) * 16;
			p->mappable_hist[4] = (i % 3) / 2;
		}
		if (p->folios) {
			p->folios->pmd[MT_FOLIO_ANON] = (i % 2) * 512;
			p->folios->aligned[MT_FOLIO_ANON][4] = (i % 3) * 16;
			p->folios->unaligned[MT_FOLIO_FILE][2] = 4;
			p->folios->partial[MT_FOLIO_FILE] = 1;
			p->thp_node_pages = mt_arena_alloc(s->arena,
							   2 * sizeof(uint64_t));
			p->thp_node_pages[i % 2] = mt_folio_total(p->folios);
			s->thp_node_pages[i % 2] += p->thp_node_pages[i % 2];
		}
		s->present_pages += p->present_pages;
		for (unsigned o = 0; o < NORD; o++) {
			s->present_hist[o] += p->present_hist[o];
			if (pfns)
				s->mappable_hist[o] += p->mappable_hist[o];
		}
		if (s->folios)
			mt_folio_add(s->folios, p->folios);
	}
	s->stats.listed = nprocs + 3;
	s->stats.scanned = nprocs;
	s->stats.denied = 2;
	s->stats.vanished = 1;
	return s;
}

/* Run the exporter into a string (caller frees). */
static char *render(const struct mt_snapshot *s, unsigned top)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	assert_non_null(f);
	mt_output_prometheus(f, s, top);
	assert_int_equal(fclose(f), 0);
	return text;
}

/* ---- tests -------------------------------------------------------------- */

static void test_escape_label(void **state)
{
	(void)state;
	struct mt_buf b = {0};
	static const char in[] = "a\"b\\c\nd\x1b\xff\xc3\xa9z";
	mt_prom_escape_label(&b, in, sizeof(in) - 1);
	assert_string_equal(b.data, "a\\\"b\\\\c\\\\x0ad\\\\x1b\\\\xff\xc3\xa9z");
	mt_buf_reset(&b);
	mt_prom_escape_label(&b, "", 0);
	assert_int_equal(b.len, 0);
	mt_prom_escape_label(&b, NULL, 0);
	assert_int_equal(b.len, 0);
	mt_buf_free(&b);
}

static void test_structure_full(void **state)
{
	(void)state;
	struct mt_snapshot *s = make_snapshot(8, true, true);
	char *text = render(s, 20);
	struct expo e;
	expo_parse(&e, text);

	static const char *const fams[] = {
		"memtop_info", "memtop_page_size_bytes", "memtop_pmd_order",
		"memtop_max_order", "memtop_scan_seconds",
		"memtop_scan_timestamp_seconds", "memtop_pagemap_scan",
		"memtop_privileged", "memtop_processes", "memtop_scan_errors",
		"memtop_maps_lines_skipped", "memtop_present_bytes",
		"memtop_swapped_bytes", "memtop_block_bytes",
		"memtop_pmd_block_bytes", "memtop_thp_bytes",
		"memtop_thp_pte_bytes", "memtop_process_info",
		"memtop_process_present_bytes", "memtop_process_swapped_bytes",
		"memtop_process_block_bytes", "memtop_process_pmd_block_bytes",
		"memtop_process_thp_bytes", "memtop_zero_page_bytes",
		"memtop_pmd_slots", "memtop_process_zero_page_bytes",
		"memtop_process_pmd_slots", "memtop_process_collapsible_bytes",
		"memtop_process_khugepaged_collapsible_bytes",
	};
	for (size_t i = 0; i < MT_ARRAY_SIZE(fams); i++)
		if (!has_family(&e, fams[i]))
			fail_msg("family %s missing", fams[i]);
	assert_true(get(&e, "memtop_info", "version=" MEMTOP_VERSION) == 1);
	assert_true(get(&e, "memtop_page_size_bytes", "") == PAGE);
	assert_true(get(&e, "memtop_pmd_order", "") == PMD);
	assert_true(fabs(get(&e, "memtop_scan_seconds", "") - 0.012345678) <
		    1e-6);
	assert_true(fabs(get(&e, "memtop_scan_timestamp_seconds", "") -
			 1700000000.123) < 1e-3);
	assert_true(get(&e, "memtop_privileged", "view=present") == 1);
	assert_true(get(&e, "memtop_privileged", "view=mappable") == 1);
	assert_true(get(&e, "memtop_privileged", "view=folios") == 1);
	assert_true(get(&e, "memtop_processes", "state=scanned") == 7);
	assert_true(get(&e, "memtop_processes", "state=kernel_thread") == 1);
	assert_true(get(&e, "memtop_processes", "state=denied") == 2);
	assert_true(get(&e, "memtop_processes", "state=vanished") == 1);
	/* no system state in this snapshot: none of its families */
	assert_false(has_family(&e, "memtop_thp_info"));
	assert_false(has_family(&e, "memtop_vmstat_events_total"));
	expo_free(&e);
	free(text);
	mt_snapshot_unref(s);
}

/* The figures add up, and match the snapshot. */
static void test_sums(void **state)
{
	(void)state;
	struct mt_snapshot *s = make_snapshot(12, true, true);
	char *text = render(s, 100);
	struct expo e;
	expo_parse(&e, text);

	double total = get(&e, "memtop_present_bytes", "");
	assert_true(total == (double)(s->present_pages * PAGE));
	for (int v = 0; v < 2; v++) {
		const char *view = v ? "mappable" : "present";
		double sum = 0;
		for (unsigned o = 0; o < NORD; o++) {
			double x = getf(&e, "memtop_block_bytes",
					"view=%s,order=%u", view, o);
			assert_false(isnan(x));
			sum += x;
		}
		assert_true(sum == total);
	}
	assert_true(getf(&e, "memtop_pmd_block_bytes", "view=present") ==
		    (double)(s->present_hist[9] * 512 * PAGE));

	size_t shown = 0;
	for (size_t i = 0; i < s->nprocs; i++) {
		const struct mt_proc *p = &s->procs[i];
		char id[64];
		snprintf(id, sizeof(id), "pid=%d,comm=%s", (int)p->pid, p->comm);
		double pb = getf(&e, "memtop_process_present_bytes", "%s", id);
		if (p->kthread) {
			assert_true(isnan(pb));
			continue;
		}
		shown++;
		assert_true(pb == (double)(p->present_pages * PAGE));
		assert_true(getf(&e, "memtop_process_swapped_bytes", "%s", id) ==
			    (double)(p->swapped_pages * PAGE));
		assert_true(getf(&e, "memtop_process_info",
				 "%s,user=alice,cgroup=%s", id,
				 i % 3 ? "" : "/system.slice/db.service") == 1);
		assert_true(getf(&e, "memtop_process_zero_page_bytes", "%s",
				 id) == (double)((i % 4) * PAGE));
		assert_true(getf(&e, "memtop_process_pmd_slots", "%s,state=total",
				 id) == 3);
		assert_true(getf(&e, "memtop_process_pmd_slots", "%s,state=full",
				 id) == (double)(i % 2));
		assert_true(getf(&e, "memtop_process_pmd_slots",
				 "%s,state=partial", id) == 1);
		double mapped = getf(&e, "memtop_process_pmd_slots",
				     "%s,state=mapped", id);
		double coll = getf(&e, "memtop_process_collapsible_bytes", "%s",
				   id);
		double khp = getf(&e, "memtop_process_khugepaged_collapsible_bytes",
				  "%s", id);
		if (i == 5 || i == 4)
			assert_true(isnan(khp)); /* unknown: absent */
		else
			assert_true(khp == (double)((i % 3) / 2 * 512 * PAGE));
		double mapped_b = getf(&e, "memtop_process_pmd_mapped_bytes",
				       "%s", id);
		if (i == 5) {
			/* unknown: absent, never 0 */
			assert_true(isnan(mapped) && isnan(coll));
			assert_true(isnan(mapped_b));
		} else {
			assert_true(mapped == (double)(i % 4 == 1));
			assert_true(mapped_b == mapped * 512 * PAGE);
			assert_true(coll == (double)((i % 3) * 512 * PAGE));
		}
		for (int v = 0; v < 2; v++) {
			const char *view = v ? "mappable" : "present";
			const uint64_t *h = v ? p->mappable_hist : p->present_hist;
			double sum = 0;
			for (unsigned o = 0; o < NORD; o++) {
				double x = getf(&e, "memtop_process_block_bytes",
						"%s,view=%s,order=%u", id, view,
						o);
				assert_true(x == (double)((h[o] << o) * PAGE));
				sum += x;
			}
			assert_true(sum == pb);
		}
		assert_true(getf(&e, "memtop_process_thp_bytes",
				 "%s,kind=anon,mapping=pmd", id) ==
			    (double)((i % 2) * 512 * PAGE));
		assert_true(getf(&e, "memtop_process_thp_bytes",
				 "%s,kind=anon,mapping=pte_aligned", id) ==
			    (double)((i % 3) * 16 * PAGE));
		assert_true(getf(&e, "memtop_process_thp_bytes",
				 "%s,kind=file,mapping=pte_unaligned", id) ==
			    4.0 * PAGE);
		assert_true(getf(&e, "memtop_process_thp_bytes",
				 "%s,kind=file,mapping=partial", id) ==
			    1.0 * PAGE);
	}
	assert_int_equal(count(&e, "memtop_process_present_bytes", NULL), shown);
	/* with one process unable to tell, the system has no mapped or
	 * collapsible total; the other slot totals add up */
	assert_true(get(&e, "memtop_pmd_slots", "state=total") ==
		    (double)(shown * 3));
	assert_true(isnan(get(&e, "memtop_pmd_slots", "state=mapped")));
	assert_false(has_family(&e, "memtop_pmd_mapped_bytes"));
	assert_false(has_family(&e, "memtop_collapsible_bytes"));
	assert_false(has_family(&e, "memtop_khugepaged_collapsible_bytes"));
	double zero = 0;
	for (size_t i = 1; i < s->nprocs; i++)
		zero += (double)(i % 4) * PAGE;
	assert_true(get(&e, "memtop_zero_page_bytes", "") == zero);
	/* large folios by NUMA node, per process and in all */
	double node_sum = 0;
	for (size_t i = 1; i < s->nprocs; i++) {
		const struct mt_proc *p = &s->procs[i];
		for (unsigned nd = 0; nd < 2; nd++) {
			double x = getf(&e, "memtop_process_thp_node_bytes",
					"pid=%d,comm=%s,node=%u", (int)p->pid,
					p->comm, nd);
			assert_true(x == (double)(p->thp_node_pages[nd] * PAGE));
		}
	}
	for (unsigned nd = 0; nd < 2; nd++)
		node_sum += getf(&e, "memtop_thp_node_bytes", "node=%u", nd);
	assert_true(node_sum == (double)(mt_folio_total(s->folios) * PAGE));
	/* system THP figures are the sums of the processes' */
	assert_true(get(&e, "memtop_thp_bytes", "kind=file,mapping=partial") ==
		    (double)(shown * PAGE));
	assert_true(get(&e, "memtop_thp_pte_bytes",
			"kind=file,mapping=pte_unaligned,order=2") ==
		    (double)(shown * 4 * PAGE));
	assert_true(get(&e, "memtop_thp_pte_bytes",
			"kind=anon,mapping=pte_aligned,order=4") ==
		    (double)(s->folios->aligned[0][4] * PAGE));
	expo_free(&e);
	free(text);
	mt_snapshot_unref(s);
}

/* When every process can tell what is PMD-mapped, the system has the
 * mapped and collapsible totals too. */
static void test_slot_totals(void **state)
{
	(void)state;
	struct mt_snapshot *s = make_snapshot(9, true, true);
	s->procs[5].pmd_mapped = 0;
	s->procs[5].pmd_collapsible = 0;
	char *text = render(s, 3);
	struct expo e;
	expo_parse(&e, text);
	uint64_t mapped = 0, coll = 0;
	for (size_t i = 1; i < s->nprocs; i++) {
		mapped += s->procs[i].pmd_mapped;
		coll += s->procs[i].pmd_collapsible;
	}
	assert_true(get(&e, "memtop_pmd_slots", "state=mapped") ==
		    (double)mapped);
	assert_true(get(&e, "memtop_pmd_mapped_bytes", "") ==
		    (double)(mapped * 512 * PAGE));
	assert_true(get(&e, "memtop_collapsible_bytes", "") ==
		    (double)(coll * 512 * PAGE));
	/* process 4 cannot tell what khugepaged would collapse */
	assert_false(has_family(&e, "memtop_khugepaged_collapsible_bytes"));
	expo_free(&e);
	free(text);
	s->procs[4].pmd_khugepaged = 1;
	s->procs[5].pmd_khugepaged = 2;
	uint64_t khp = 0;
	for (size_t i = 1; i < s->nprocs; i++)
		khp += s->procs[i].pmd_khugepaged;
	text = render(s, 3);
	expo_parse(&e, text);
	assert_true(get(&e, "memtop_khugepaged_collapsible_bytes", "") ==
		    (double)(khp * 512 * PAGE));
	expo_free(&e);
	free(text);
	mt_snapshot_unref(s);
}

/* Only the top_n processes by present memory get series. */
static void test_top_n(void **state)
{
	(void)state;
	struct mt_snapshot *s = make_snapshot(40, true, true);
	/* a big process early in the list, and two equal ones */
	s->procs[3].present_pages = 1u << 20;
	s->procs[5].present_pages = 1u << 19;
	s->procs[6].present_pages = 1u << 19;
	/* a process without present pages never gets series */
	s->procs[7].present_pages = 0;
	for (unsigned top = 0; top <= 45; top += (top < 6 ? 1 : 13)) {
		char *text = render(s, top);
		struct expo e;
		expo_parse(&e, text);
		size_t want = top < 38 ? top : 38; /* 40 - kthread - empty */
		static const char *const per[] = {
			"memtop_process_info", "memtop_process_present_bytes",
			"memtop_process_swapped_bytes",
		};
		for (size_t k = 0; k < MT_ARRAY_SIZE(per); k++)
			if (count(&e, per[k], NULL) != want)
				fail_msg("top %u: %zu series of %s", top,
					 count(&e, per[k], NULL), per[k]);
		assert_int_equal(count(&e, "memtop_process_block_bytes", NULL),
				 want * 2 * NORD);
		if (top == 0)
			assert_false(has_family(&e, "memtop_process_info"));
		if (top >= 1)
			assert_int_equal(count(&e, "memtop_process_info",
					       "pid=103,"), 1);
		if (top >= 3) {
			/* ties go to the lower pid */
			assert_int_equal(count(&e, "memtop_process_info",
					       "pid=105,"), 1);
			assert_int_equal(count(&e, "memtop_process_info",
					       "pid=106,"), 1);
		}
		if (top == 2) {
			assert_int_equal(count(&e, "memtop_process_info",
					       "pid=105,"), 1);
			assert_int_equal(count(&e, "memtop_process_info",
					       "pid=106,"), 0);
		}
		assert_int_equal(count(&e, "memtop_process_info", "pid=107,"),
				 0);
		assert_int_equal(count(&e, "memtop_process_info", "pid=100,"),
				 0);
		/* the rest are the largest of the others: the ones not shown
		 * are never larger than the smallest shown */
		double smallest = INFINITY;
		for (size_t i = 0; i < e.n; i++)
			if (!strcmp(e.s[i].name, "memtop_process_present_bytes") &&
			    e.s[i].value < smallest)
				smallest = e.s[i].value;
		for (size_t i = 0; i < s->nprocs; i++) {
			const struct mt_proc *p = &s->procs[i];
			char sub[32];
			snprintf(sub, sizeof(sub), "pid=%d,", (int)p->pid);
			if (!p->kthread && p->present_pages &&
			    !count(&e, "memtop_process_info", sub))
				assert_true((double)(p->present_pages * PAGE) <=
					    smallest);
		}
		expo_free(&e);
		free(text);
	}
	mt_snapshot_unref(s);
}

/* Per-cgroup sums: over every scanned process of the cgroup (not only
 * those given series), for the top_n cgroups by present memory; kernel
 * threads and processes whose cgroup is not known are left out; the
 * PMD-mapped bytes only when known for every process of the cgroup. */
static void test_cgroups(void **state)
{
	(void)state;
	static const char *const db = "/system.slice/db.service";
	static const char *const web = "/system.slice/web.service";
	struct mt_snapshot *s = make_snapshot(14, true, true);
	uint64_t present[2] = {0}, mapped[2] = {0}, n[2] = {0};
	s->procs[0].cgroup = db; /* the kernel thread */
	for (size_t i = 1; i < s->nprocs; i++) {
		struct mt_proc *p = &s->procs[i];
		/* process 5 (PMD mapping unknown) goes to web */
		int g = i % 3 == 0 ? 0 : i % 3 == 1 || i == 5 ? 1 : -1;
		p->cgroup = g == 0 ? db : g == 1 ? web : NULL;
		if (g < 0)
			continue;
		n[g]++;
		present[g] += p->present_pages;
		if (p->pmd_mapped != MT_UNKNOWN)
			mapped[g] += p->pmd_mapped;
	}
	int big = present[0] > present[1] ? 0 : 1;
	const char *name[2] = {db, web};
	for (unsigned top = 0; top <= 3; top++) {
		char *text = render(s, top);
		struct expo e;
		expo_parse(&e, text);
		size_t want = top < 2 ? top : 2;
		assert_int_equal(count(&e, "memtop_cgroup_processes", NULL),
				 want);
		assert_int_equal(count(&e, "memtop_cgroup_present_bytes", NULL),
				 want);
		for (int g = 0; g < 2; g++) {
			if (want < 2 && (want == 0 || g != big))
				continue;
			assert_true(getf(&e, "memtop_cgroup_processes",
					 "cgroup=%s", name[g]) == (double)n[g]);
			assert_true(getf(&e, "memtop_cgroup_present_bytes",
					 "cgroup=%s", name[g]) ==
				    (double)(present[g] * PAGE));
			double m = getf(&e, "memtop_cgroup_pmd_mapped_bytes",
					"cgroup=%s", name[g]);
			if (g == 1)
				assert_true(isnan(m));
			else
				assert_true(m == (double)(mapped[0] * 512 * PAGE));
		}
		if (top == 0)
			assert_false(has_family(&e, "memtop_cgroup_processes"));
		expo_free(&e);
		free(text);
	}
	mt_snapshot_unref(s);
}

/* Without privilege the root-only views have no series, never zeros. */
static void test_unprivileged(void **state)
{
	(void)state;
	for (int folios_only_missing = 0; folios_only_missing < 2;
	     folios_only_missing++) {
		struct mt_snapshot *s =
			make_snapshot(6, folios_only_missing, false);
		char *text = render(s, 20);
		struct expo e;
		expo_parse(&e, text);
		assert_true(get(&e, "memtop_privileged", "view=present") == 1);
		assert_true(get(&e, "memtop_privileged", "view=mappable") ==
			    folios_only_missing);
		assert_true(get(&e, "memtop_privileged", "view=folios") == 0);
		size_t mappable = 0;
		for (size_t i = 0; i < e.n; i++)
			if (strstr(e.s[i].labels, "view=mappable") &&
			    strcmp(e.s[i].name, "memtop_privileged"))
				mappable++;
		if (folios_only_missing)
			assert_true(mappable > 0);
		else
			assert_int_equal(mappable, 0);
		assert_false(has_family(&e, "memtop_thp_bytes"));
		assert_false(has_family(&e, "memtop_thp_pte_bytes"));
		assert_false(has_family(&e, "memtop_process_thp_bytes"));
		assert_int_equal(count(&e, "memtop_process_present_bytes", NULL),
				 5);
		expo_free(&e);
		free(text);
		mt_snapshot_unref(s);
	}
}

/* Untrusted names cannot break a line or a label. */
static void test_nasty_names(void **state)
{
	(void)state;
	static const char *const names[] = {
		"a\"b\\c\nd\x1b[31m",
		"}\"} 1\nfake_metric 2",
		"\xff\xfe\xc3\x28",
		"\xe2\x80\xa8line sep",
		"",
		"# HELP x y",
		"tab\there\r",
	};
	size_t n = MT_ARRAY_SIZE(names);
	struct mt_snapshot *s = make_snapshot(n + 1, true, true);
	for (size_t i = 0; i < n; i++) {
		s->procs[i + 1].comm =
			mt_arena_strndup(s->arena, names[i], strlen(names[i]));
		s->procs[i + 1].user = s->procs[i + 1].comm;
	}
	char *text = render(s, 50);
	struct expo e;
	expo_parse(&e, text);
	assert_int_equal(count(&e, "fake_metric", NULL), 0);
	for (size_t i = 0; i < n; i++) {
		struct mt_buf want = {0};
		mt_escape_visible(&want, names[i], strlen(names[i]), 1);
		mt_buf_addc(&want, '\0');
		double v = getf(&e, "memtop_process_info",
				"pid=%d,comm=%s,user=%s,cgroup=%s",
				(int)(101 + i), want.data, want.data,
				(i + 1) % 3 ? "" : "/system.slice/db.service");
		if (isnan(v))
			fail_msg("name %zu not found as '%s'", i, want.data);
		for (const char *c = want.data; *c; c++)
			assert_true((unsigned char)*c >= 0x20 &&
				    (unsigned char)*c != 0x7f);
		mt_buf_free(&want);
	}
	expo_free(&e);
	free(text);
	mt_snapshot_unref(s);
}

static struct mt_counter *counters(struct mt_arena *a, size_t n, ...)
{
	struct mt_counter *c = mt_arena_alloc(a, n * sizeof(*c));
	va_list ap;
	va_start(ap, n);
	for (size_t i = 0; i < n; i++) {
		c[i].key = va_arg(ap, const char *);
		c[i].value = va_arg(ap, uint64_t);
	}
	va_end(ap);
	return c;
}

/* System state: settings as info metrics, counters as counters, nr_
 * values as gauges, free memory from buddyinfo. */
static void test_sysinfo(void **state)
{
	(void)state;
	struct mt_snapshot *s = make_snapshot(3, true, true);
	struct mt_sysinfo *si = mt_arena_alloc(s->arena, sizeof(*si));
	si->thp_enabled = "always";
	si->thp_defrag = "madvise";
	si->thp_shmem_enabled = "never";
	si->nsizes = 2;
	si->sizes = mt_arena_alloc(s->arena, 2 * sizeof(*si->sizes));
	si->sizes[0] = (struct mt_mthp_size){
		.kb = 64, .enabled = "inherit", .shmem_enabled = "never",
		.stats = counters(s->arena, 3, "anon_fault_alloc",
				  (uint64_t)17, "nr_anon", (uint64_t)5, "split",
				  (uint64_t)2),
		.nstats = 3};
	si->sizes[1] = (struct mt_mthp_size){
		.kb = 2048, .enabled = "always", .shmem_enabled = "advise",
		.stats = counters(s->arena, 1, "anon_fault_alloc",
				  (uint64_t)1000),
		.nstats = 1};
	si->vmstat = counters(s->arena, 3, "compact_stall", (uint64_t)9,
			      "nr_anon_transparent_hugepages", (uint64_t)4,
			      "thp_fault_alloc", (uint64_t)UINT64_C(1) << 40);
	si->nvmstat = 3;
	si->khugepaged = counters(s->arena, 3, "full_scans", (uint64_t)7,
				  "pages_collapsed", (uint64_t)11,
				  "pages_to_scan", (uint64_t)4096);
	si->nkhugepaged = 3;
	si->nzones = 1;
	si->zones = mt_arena_alloc(s->arena, sizeof(*si->zones));
	si->zones[0] = (struct mt_buddy_zone){.node = 0, .zone = "Normal",
					      .norders = 11};
	si->zones[0].free[0] = 10;
	si->zones[0].free[9] = 3;
	si->zones[0].free[10] = 1;
	s->sys = si;

	char *text = render(s, 20);
	struct expo e;
	expo_parse(&e, text);
	assert_true(get(&e, "memtop_thp_info",
			"enabled=always,defrag=madvise,shmem_enabled=never") ==
		    1);
	assert_true(get(&e, "memtop_mthp_info",
			"size=64kB,enabled=inherit,shmem_enabled=never") == 1);
	assert_true(get(&e, "memtop_mthp_info",
			"size=2048kB,enabled=always,shmem_enabled=advise") == 1);
	assert_true(get(&e, "memtop_mthp_events_total",
			"size=64kB,event=anon_fault_alloc") == 17);
	assert_true(get(&e, "memtop_mthp_events_total",
			"size=64kB,event=split") == 2);
	assert_true(get(&e, "memtop_mthp_events_total",
			"size=2048kB,event=anon_fault_alloc") == 1000);
	assert_true(get(&e, "memtop_mthp_folios", "size=64kB,stat=nr_anon") ==
		    5);
	assert_int_equal(count(&e, "memtop_mthp_events_total", "nr_"), 0);
	assert_true(get(&e, "memtop_vmstat_events_total",
			"event=thp_fault_alloc") == (double)(UINT64_C(1) << 40));
	assert_true(get(&e, "memtop_vmstat_events_total",
			"event=compact_stall") == 9);
	assert_true(get(&e, "memtop_vmstat_nr",
			"item=nr_anon_transparent_hugepages") == 4);
	assert_true(get(&e, "memtop_khugepaged_pages_collapsed_total", "") ==
		    11);
	assert_true(get(&e, "memtop_khugepaged_full_scans_total", "") == 7);
	assert_true(get(&e, "memtop_free_bytes", "") ==
		    (double)((10 + 3 * 512 + 1024) * PAGE));
	assert_true(get(&e, "memtop_free_pmd_bytes", "") ==
		    (double)((3 * 512 + 1024) * PAGE));
	expo_free(&e);
	free(text);
	mt_snapshot_unref(s);
}

/* An empty snapshot still gives a valid exposition with the totals. */
static void test_empty(void **state)
{
	(void)state;
	struct mt_snapshot *s = make_snapshot(0, false, false);
	char *text = render(s, 20);
	struct expo e;
	expo_parse(&e, text);
	assert_true(get(&e, "memtop_present_bytes", "") == 0);
	assert_false(has_family(&e, "memtop_process_info"));
	expo_free(&e);
	free(text);
	mt_snapshot_unref(s);
}

/* A write error reaches the caller through the stream. */
static void test_write_error(void **state)
{
	(void)state;
	FILE *f = fopen("/dev/full", "w");
	if (!f)
		skip();
	struct mt_snapshot *s = make_snapshot(30, true, true);
	mt_output_prometheus(f, s, 30);
	bool failed = fflush(f) == EOF || ferror(f);
	fclose(f);
	assert_true(failed);
	mt_snapshot_unref(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escape_label),
		cmocka_unit_test(test_structure_full),
		cmocka_unit_test(test_sums),
		cmocka_unit_test(test_top_n),
		cmocka_unit_test(test_slot_totals),
		cmocka_unit_test(test_cgroups),
		cmocka_unit_test(test_unprivileged),
		cmocka_unit_test(test_nasty_names),
		cmocka_unit_test(test_sysinfo),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_write_error),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
