/*
 * diff.c - two scans compared (diff.h), and --diff.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "memtop/diff.h"
#include "memtop/escape.h"
#include "memtop/record.h"
#include "memtop/units.h"

/* ---- figures ---------------------------------------------------------- */

static uint64_t add_known(uint64_t x, uint64_t y)
{
	return x == MT_UNKNOWN || y == MT_UNKNOWN ? MT_UNKNOWN : x + y;
}

/* Bytes mapped by PMDs: the slots, or the folio view's count. */
static uint64_t pmd_bytes(const struct mt_snapshot *s, uint64_t pmd_mapped,
			  const struct mt_folio_stats *f)
{
	uint64_t slot = (uint64_t)s->page_size << s->pmd_order;
	if (pmd_mapped != MT_UNKNOWN)
		return pmd_mapped * slot;
	if (f)
		return (f->pmd[0] + f->pmd[1]) * s->page_size;
	return MT_UNKNOWN;
}

static uint64_t folio_bytes(const struct mt_snapshot *s,
			    const struct mt_folio_stats *f)
{
	if (!s->have_kpageflags || !f)
		return MT_UNKNOWN;
	return mt_folio_total(f) * s->page_size;
}

static uint64_t slots_of(const struct mt_snapshot *s, uint64_t pmd_mapped,
			 const struct mt_folio_stats *f)
{
	uint64_t b = pmd_bytes(s, pmd_mapped, f);
	return b == MT_UNKNOWN ? MT_UNKNOWN
			       : b / ((uint64_t)s->page_size << s->pmd_order);
}

/* Made and split: mappings more, or fewer, from a to b. */
static void count_change(uint64_t a, uint64_t b, uint64_t *made,
			 uint64_t *split)
{
	if (a == MT_UNKNOWN || b == MT_UNKNOWN)
		return;
	if (b > a)
		*made += b - a;
	else
		*split += a - b;
}

static uint64_t absdiff(struct mt_diff_fig f)
{
	if (f.a == MT_UNKNOWN || f.b == MT_UNKNOWN)
		return 0;
	return f.a > f.b ? f.a - f.b : f.b - f.a;
}

/* ---- matching --------------------------------------------------------- */

/* Processes are in pid order, VMAs in address order (a scan makes them
 * so): both are found by halving. */
static const struct mt_proc *find_pid(const struct mt_snapshot *s, pid_t pid,
				      uint64_t start)
{
	size_t lo = 0, hi = s->nprocs;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (s->procs[mid].pid < pid)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < s->nprocs && s->procs[lo].pid == pid &&
	    s->procs[lo].start_time == start)
		return &s->procs[lo];
	return NULL;
}

static void proc_figs(const struct mt_snapshot *s, const struct mt_proc *p,
		      uint64_t *rss, uint64_t *pmd, uint64_t *folio)
{
	*rss = p->present_pages * s->page_size;
	*pmd = pmd_bytes(s, p->pmd_mapped, p->folios);
	*folio = folio_bytes(s, p->folios);
}

static const struct mt_vma *find_vma(const struct mt_proc *p, uint64_t start,
				     uint64_t end)
{
	size_t lo = 0, hi = p->nvmas;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (p->vmas[mid].start < start)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < p->nvmas && p->vmas[lo].start == start &&
	    p->vmas[lo].end == end)
		return &p->vmas[lo];
	return NULL;
}

static int cmp_vma(const void *x, const void *y)
{
	const struct mt_diff_vma *a = x, *b = y;
	uint64_t ka = absdiff(a->pmd) + absdiff(a->folio) + a->made + a->split;
	uint64_t kb = absdiff(b->pmd) + absdiff(b->folio) + b->made + b->split;
	if (ka != kb)
		return ka > kb ? -1 : 1;
	return (a->start > b->start) - (a->start < b->start);
}

/* The VMAs of one process in a and b whose huge figures changed. */
static void diff_vmas(const struct mt_snapshot *sa, const struct mt_proc *a,
		      const struct mt_snapshot *sb, const struct mt_proc *b,
		      struct mt_diff_proc *dp)
{
	size_t cap = a->nvmas + b->nvmas, n = 0;
	if (!cap)
		return;
	struct mt_diff_vma *v = xcalloc(cap, sizeof(*v));
	for (int side = 0; side < 2; side++) {
		const struct mt_proc *p = side ? b : a, *o = side ? a : b;
		const struct mt_snapshot *sp = side ? sb : sa,
					 *so = side ? sa : sb;
		for (size_t i = 0; i < p->nvmas; i++) {
			const struct mt_vma *x = &p->vmas[i];
			const struct mt_vma *y = find_vma(o, x->start, x->end);
			if (side && y)
				continue; /* done from a's side */
			const struct mt_vma *va = side ? y : x, *vb = side ? x : y;
			const struct mt_snapshot *ssa = side ? so : sp,
						 *ssb = side ? sp : so;
			struct mt_diff_vma d = {x->start, x->end, x->path,
						{0, 0}, {0, 0}, {0, 0}, 0, 0};
			d.rss.a = va ? va->present_pages * ssa->page_size : 0;
			d.rss.b = vb ? vb->present_pages * ssb->page_size : 0;
			d.pmd.a = va ? pmd_bytes(ssa, va->pmd_mapped, va->folios) : 0;
			d.pmd.b = vb ? pmd_bytes(ssb, vb->pmd_mapped, vb->folios) : 0;
			d.folio.a = va ? folio_bytes(ssa, va->folios) : 0;
			d.folio.b = vb ? folio_bytes(ssb, vb->folios) : 0;
			if (va && vb) {
				count_change(slots_of(ssa, va->pmd_mapped,
						      va->folios),
					     slots_of(ssb, vb->pmd_mapped,
						      vb->folios),
					     &d.made, &d.split);
				dp->made += d.made;
				dp->split += d.split;
			}
			if (absdiff(d.pmd) || absdiff(d.folio) || d.made ||
			    d.split || !va || !vb)
				v[n++] = d;
		}
	}
	qsort(v, n, sizeof(*v), cmp_vma);
	dp->vmas = v;
	dp->nvmas = n;
}

static int cmp_proc(const void *x, const void *y)
{
	const struct mt_diff_proc *a = x, *b = y;
	uint64_t ka = absdiff(a->pmd) + absdiff(a->folio);
	uint64_t kb = absdiff(b->pmd) + absdiff(b->folio);
	if (ka != kb)
		return ka > kb ? -1 : 1;
	ka = absdiff(a->rss);
	kb = absdiff(b->rss);
	if (ka != kb)
		return ka > kb ? -1 : 1;
	int c = strcmp(a->name, b->name);
	if (c)
		return c;
	return (a->pid_a + a->pid_b > b->pid_a + b->pid_b) -
	       (a->pid_a + a->pid_b < b->pid_a + b->pid_b);
}

static struct mt_diff_proc *by_name(struct mt_diff *d, size_t *cap,
				    const char *name)
{
	for (size_t i = 0; i < d->nprocs; i++)
		if (!strcmp(d->procs[i].name, name))
			return &d->procs[i];
	if (d->nprocs == *cap) {
		*cap = *cap ? 2 * *cap : 64;
		d->procs = xrealloc(d->procs, *cap * sizeof(*d->procs));
	}
	struct mt_diff_proc *p = &d->procs[d->nprocs++];
	memset(p, 0, sizeof(*p));
	p->name = name;
	return p;
}

struct mt_diff *mt_diff_new(const struct mt_snapshot *a,
			    const struct mt_snapshot *b, bool by_pid)
{
	struct mt_diff *d = xcalloc(1, sizeof(*d));
	d->by_pid = by_pid;
	d->page_size = b->page_size;
	d->pmd_order = b->pmd_order;
	size_t cap = 0;
	for (int side = 0; side < 2; side++) {
		const struct mt_snapshot *s = side ? b : a, *o = side ? a : b;
		for (size_t i = 0; i < s->nprocs; i++) {
			const struct mt_proc *p = &s->procs[i];
			if (p->kthread)
				continue;
			uint64_t rss, pmd, folio;
			proc_figs(s, p, &rss, &pmd, &folio);
			struct mt_diff_proc *dp;
			if (by_pid) {
				const struct mt_proc *q =
					find_pid(o, p->pid, p->start_time);
				if (side && q)
					continue; /* done from a's side */
				if (d->nprocs == cap) {
					cap = cap ? 2 * cap : 64;
					d->procs = xrealloc(d->procs,
							    cap * sizeof(*d->procs));
				}
				dp = &d->procs[d->nprocs++];
				memset(dp, 0, sizeof(*dp));
				dp->name = p->comm;
				const struct mt_proc *pa = side ? q : p,
						     *pb = side ? p : q;
				/* the later name: a process may rename itself */
				dp->name = pb ? pb->comm : pa->comm;
				dp->pid_a = pa ? pa->pid : 0;
				dp->pid_b = pb ? pb->pid : 0;
				dp->nproc_a = pa != NULL;
				dp->nproc_b = pb != NULL;
				if (pa)
					proc_figs(a, pa, &dp->rss.a, &dp->pmd.a,
						  &dp->folio.a);
				if (pb)
					proc_figs(b, pb, &dp->rss.b, &dp->pmd.b,
						  &dp->folio.b);
				if (pa && pb && (pa->nvmas || pb->nvmas))
					diff_vmas(a, pa, b, pb, dp);
				else if (pa && pb)
					count_change(slots_of(a, pa->pmd_mapped,
							      pa->folios),
						     slots_of(b, pb->pmd_mapped,
							      pb->folios),
						     &dp->made, &dp->split);
				continue;
			}
			dp = by_name(d, &cap, p->comm);
			struct mt_diff_fig *f[3] = {&dp->rss, &dp->pmd, &dp->folio};
			uint64_t v[3] = {rss, pmd, folio};
			for (int k = 0; k < 3; k++) {
				if (side)
					f[k]->b = add_known(f[k]->b, v[k]);
				else
					f[k]->a = add_known(f[k]->a, v[k]);
			}
			if (side)
				dp->nproc_b++;
			else
				dp->nproc_a++;
		}
	}
	for (size_t i = 0; i < d->nprocs; i++) {
		struct mt_diff_proc *p = &d->procs[i];
		if (!by_pid) /* a name's mappings, as a whole */
			count_change(p->pmd.a == MT_UNKNOWN ? MT_UNKNOWN
				     : p->pmd.a >> d->pmd_order,
				     p->pmd.b == MT_UNKNOWN ? MT_UNKNOWN
				     : p->pmd.b >> d->pmd_order,
				     &p->made, &p->split);
		d->rss.a = add_known(d->rss.a, p->rss.a);
		d->rss.b = add_known(d->rss.b, p->rss.b);
		d->pmd.a = add_known(d->pmd.a, p->pmd.a);
		d->pmd.b = add_known(d->pmd.b, p->pmd.b);
		d->folio.a = add_known(d->folio.a, p->folio.a);
		d->folio.b = add_known(d->folio.b, p->folio.b);
		d->made += p->made;
		d->split += p->split;
	}
	if (d->nprocs)
		qsort(d->procs, d->nprocs, sizeof(*d->procs), cmp_proc);
	return d;
}

void mt_diff_free(struct mt_diff *d)
{
	if (!d)
		return;
	for (size_t i = 0; i < d->nprocs; i++)
		free(d->procs[i].vmas);
	free(d->procs);
	free(d);
}

/* ---- --diff ----------------------------------------------------------- */

struct side {
	char *file;
	const char *moment;
	struct mt_replay *r;
	long frame;
	struct mt_snapshot *s;
};

static bool is_file(const char *p)
{
	struct stat st;
	return stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

/* "FILE" or "FILE@MOMENT" (a file whose name holds '@' is taken whole
 * when it exists). */
static int open_side(struct side *sd, const char *arg, FILE *err)
{
	char why[256];
	sd->file = xstrdup(arg);
	sd->moment = NULL;
	if (!is_file(arg)) {
		char *at = strrchr(sd->file, '@');
		/* "FILE@@EPOCH": the moment begins with its own '@' */
		while (at && at > sd->file && at[-1] == '@' && !is_file(sd->file))
			at--;
		if (at) {
			*at = '\0';
			sd->moment = at + 1;
		}
	}
	sd->r = mt_replay_open(sd->file, why, sizeof(why));
	if (!sd->r) {
		fprintf(err, "memtop: %s\n", why);
		return 1;
	}
	size_t n = mt_replay_count(sd->r);
	if (sd->moment) {
		sd->frame = mt_replay_moment(sd->r, sd->moment, why, sizeof(why));
		if (sd->frame < 0) {
			fprintf(err, "memtop: %s: %s\n", sd->file, why);
			return 2;
		}
	} else {
		sd->frame = (long)n - 1;
	}
	if (sd->frame < 0 || !(sd->s = mt_replay_get(sd->r, (size_t)sd->frame))) {
		const char *dmg = mt_replay_damage(sd->r);
		fprintf(err, "memtop: %s: %s\n", sd->file,
			dmg ? dmg : "holds no scan");
		return 1;
	}
	return 0;
}

void mt_diff_fmt_fig(char *b, size_t len, uint64_t v)
{
	if (v == MT_UNKNOWN)
		snprintf(b, len, "?");
	else
		mt_fmt_size(b, len, v);
}

/* "+12M", "-3.0G", "0", "?" */
void mt_diff_fmt_delta(char *b, size_t len, struct mt_diff_fig f)
{
	if (f.a == MT_UNKNOWN || f.b == MT_UNKNOWN) {
		snprintf(b, len, "?");
		return;
	}
	if (f.a == f.b) {
		snprintf(b, len, "0");
		return;
	}
	char t[16];
	mt_fmt_size(t, sizeof(t), f.a > f.b ? f.a - f.b : f.b - f.a);
	snprintf(b, len, "%c%.14s", f.b > f.a ? '+' : '-', t);
}

static void describe(FILE *out, const char *tag, const struct side *sd)
{
	const struct mt_rec_info *in = mt_replay_info(sd->r);
	char when[32] = "?";
	time_t t = (time_t)(sd->s->time_ns / 1000000000u);
	struct tm tm;
	if (localtime_r(&t, &tm))
		strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", &tm);
	struct mt_buf b = {0};
	mt_escape_visible(&b, sd->file, strlen(sd->file), 1);
	fprintf(out, "%s %s, scan %ld of %zu at %s, %s, Linux %s\n", tag,
		b.data, sd->frame + 1, mt_replay_count(sd->r), when, in->host,
		in->kernel);
	mt_buf_free(&b);
}

static void text_out(FILE *out, const struct mt_diff *d, const struct side *a,
		     const struct side *b)
{
	char x[16], y[16], z[16];
	describe(out, "A:", a);
	describe(out, "B:", b);
	fprintf(out, "processes matched by %s\n",
		d->by_pid ? "pid (one boot)" : "name (different boots)");
	mt_diff_fmt_fig(x, sizeof(x), d->pmd.a);
	mt_diff_fmt_fig(y, sizeof(y), d->pmd.b);
	mt_diff_fmt_delta(z, sizeof(z), d->pmd);
	fprintf(out, "PMD-mapped %s -> %s (%s), PMD mappings %" PRIu64
		" made, %" PRIu64 " split", x, y, z, d->made, d->split);
	mt_diff_fmt_fig(x, sizeof(x), d->folio.a);
	mt_diff_fmt_fig(y, sizeof(y), d->folio.b);
	mt_diff_fmt_delta(z, sizeof(z), d->folio);
	fprintf(out, "; large folios %s -> %s (%s)", x, y, z);
	mt_diff_fmt_fig(x, sizeof(x), d->rss.a);
	mt_diff_fmt_fig(y, sizeof(y), d->rss.b);
	mt_diff_fmt_delta(z, sizeof(z), d->rss);
	fprintf(out, "; RSS %s -> %s (%s)\n\n", x, y, z);
	fprintf(out, "%7s %7s %8s %8s %8s %8s %6s %6s  %s\n", "PID A", "PID B",
		"RSS B", "dRSS", "PMD B", "dPMD", "MADE", "SPLIT", "COMMAND");
	struct mt_buf nb = {0};
	for (size_t i = 0; i < d->nprocs; i++) {
		const struct mt_diff_proc *p = &d->procs[i];
		char pa[24], pb[24], r[16], dr[16], m[16], dm[16];
		if (d->by_pid) {
			snprintf(pa, sizeof(pa), p->pid_a ? "%d" : "-",
				 (int)p->pid_a);
			snprintf(pb, sizeof(pb), p->pid_b ? "%d" : "-",
				 (int)p->pid_b);
		} else {
			snprintf(pa, sizeof(pa), "%zux", p->nproc_a);
			snprintf(pb, sizeof(pb), "%zux", p->nproc_b);
		}
		mt_diff_fmt_fig(r, sizeof(r), p->rss.b);
		mt_diff_fmt_delta(dr, sizeof(dr), p->rss);
		mt_diff_fmt_fig(m, sizeof(m), p->pmd.b);
		mt_diff_fmt_delta(dm, sizeof(dm), p->pmd);
		mt_buf_reset(&nb);
		mt_escape_visible(&nb, p->name, strlen(p->name), 1);
		fprintf(out, "%7s %7s %8s %8s %8s %8s %6" PRIu64 " %6" PRIu64
			"  %s\n", pa, pb, r, dr, m, dm, p->made, p->split,
			nb.data);
		for (size_t k = 0; k < p->nvmas && k < 5; k++) {
			const struct mt_diff_vma *v = &p->vmas[k];
			mt_diff_fmt_fig(r, sizeof(r), v->rss.b);
			mt_diff_fmt_delta(dr, sizeof(dr), v->rss);
			mt_diff_fmt_fig(m, sizeof(m), v->pmd.b);
			mt_diff_fmt_delta(dm, sizeof(dm), v->pmd);
			mt_buf_reset(&nb);
			mt_escape_visible(&nb, v->path, strlen(v->path), 1);
			fprintf(out, "%7s %7s %8s %8s %8s %8s %6" PRIu64
				" %6" PRIu64 "    %" PRIx64 "-%" PRIx64 " %s\n",
				"", "", r, dr, m, dm, v->made, v->split,
				v->start, v->end, nb.data);
		}
	}
	mt_buf_free(&nb);
}

static void json_fig(struct mt_buf *b, const char *key, struct mt_diff_fig f)
{
	mt_buf_printf(b, ",\"%s\":[", key);
	if (f.a == MT_UNKNOWN)
		MT_BUF_LIT(b, "null");
	else
		mt_buf_u64(b, f.a);
	mt_buf_addc(b, ',');
	if (f.b == MT_UNKNOWN)
		MT_BUF_LIT(b, "null");
	else
		mt_buf_u64(b, f.b);
	mt_buf_addc(b, ']');
}

static void json_side(struct mt_buf *b, const char *key, const struct side *sd)
{
	const struct mt_rec_info *in = mt_replay_info(sd->r);
	mt_buf_printf(b, "\"%s\":{\"file\":", key);
	mt_escape_json(b, sd->file, strlen(sd->file));
	mt_buf_printf(b, ",\"frame\":%ld,\"frames\":%zu,\"time\":%.3f,"
			 "\"host\":", sd->frame + 1, mt_replay_count(sd->r),
		      (double)sd->s->time_ns / 1e9);
	mt_escape_json(b, in->host, strlen(in->host));
	MT_BUF_LIT(b, ",\"kernel\":");
	mt_escape_json(b, in->kernel, strlen(in->kernel));
	MT_BUF_LIT(b, ",\"boot_id\":");
	mt_escape_json(b, in->boot_id, strlen(in->boot_id));
	mt_buf_addc(b, '}');
}

static void json_out(FILE *out, const struct mt_diff *d, const struct side *a,
		     const struct side *b)
{
	struct mt_buf j = {0};
	MT_BUF_LIT(&j, "{");
	json_side(&j, "a", a);
	mt_buf_addc(&j, ',');
	json_side(&j, "b", b);
	mt_buf_printf(&j, ",\"match\":\"%s\",\"totals\":{\"made\":%" PRIu64
			  ",\"split\":%" PRIu64, d->by_pid ? "pid" : "name",
		      d->made, d->split);
	json_fig(&j, "rss_bytes", d->rss);
	json_fig(&j, "pmd_bytes", d->pmd);
	json_fig(&j, "folio_bytes", d->folio);
	MT_BUF_LIT(&j, "},\"processes\":[");
	for (size_t i = 0; i < d->nprocs; i++) {
		const struct mt_diff_proc *p = &d->procs[i];
		mt_buf_printf(&j, "%s{\"name\":", i ? "," : "");
		mt_escape_json(&j, p->name, strlen(p->name));
		if (d->by_pid)
			mt_buf_printf(&j, ",\"pid\":[%d,%d]", (int)p->pid_a,
				      (int)p->pid_b);
		else
			mt_buf_printf(&j, ",\"processes\":[%zu,%zu]",
				      p->nproc_a, p->nproc_b);
		mt_buf_printf(&j, ",\"made\":%" PRIu64 ",\"split\":%" PRIu64,
			      p->made, p->split);
		json_fig(&j, "rss_bytes", p->rss);
		json_fig(&j, "pmd_bytes", p->pmd);
		json_fig(&j, "folio_bytes", p->folio);
		MT_BUF_LIT(&j, ",\"vmas\":[");
		for (size_t k = 0; k < p->nvmas; k++) {
			const struct mt_diff_vma *v = &p->vmas[k];
			mt_buf_printf(&j, "%s{\"start\":\"%" PRIx64 "\",\"end\":\"%"
				      PRIx64 "\",\"path\":", k ? "," : "",
				      v->start, v->end);
			mt_escape_json(&j, v->path, strlen(v->path));
			mt_buf_printf(&j, ",\"made\":%" PRIu64 ",\"split\":%"
				      PRIu64, v->made, v->split);
			json_fig(&j, "rss_bytes", v->rss);
			json_fig(&j, "pmd_bytes", v->pmd);
			json_fig(&j, "folio_bytes", v->folio);
			mt_buf_addc(&j, '}');
		}
		MT_BUF_LIT(&j, "]}");
	}
	MT_BUF_LIT(&j, "]}\n");
	fwrite(j.data, 1, j.len, out);
	mt_buf_free(&j);
}

int mt_diff_run(const char *a, const char *b, bool json,
		const struct mt_output_opts *o, FILE *out, FILE *err)
{
	(void)o;
	struct side sa = {0}, sb = {0};
	int rc = open_side(&sa, a, err);
	if (!rc)
		rc = open_side(&sb, b, err);
	if (!rc && (sa.s->page_size != sb.s->page_size ||
		    sa.s->pmd_order != sb.s->pmd_order)) {
		fprintf(err, "memtop: %s and %s were recorded with different "
			"page sizes\n", sa.file, sb.file);
		rc = 1;
	}
	if (!rc) {
		const char *ba = mt_replay_info(sa.r)->boot_id;
		const char *bb = mt_replay_info(sb.r)->boot_id;
		bool by_pid = *ba && !strcmp(ba, bb);
		struct mt_diff *d = mt_diff_new(sa.s, sb.s, by_pid);
		if (json)
			json_out(out, d, &sa, &sb);
		else
			text_out(out, d, &sa, &sb);
		mt_diff_free(d);
		if (fflush(out) == EOF && errno != EPIPE)
			rc = 1;
	}
	for (int i = 0; i < 2; i++) {
		struct side *sd = i ? &sb : &sa;
		mt_snapshot_unref(sd->s);
		mt_replay_close(sd->r);
		free(sd->file);
	}
	return rc;
}
