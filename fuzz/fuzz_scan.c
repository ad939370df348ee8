/*
 * fuzz_scan.c - libFuzzer harness for a whole scan of a fixture proc tree
 * and the three renderers (scan.h, output.h, prometheus.h).
 *
 * The input is the files of one process, written to a private fixture tree
 * (--proc-root): a first byte that picks the maximum order and the
 * options, then
 *     status \0 maps \0 smaps \0 cgroup \0 binary
 * where the first half of binary (in whole 8-byte words) is pagemap and
 * the rest kpageflags. These are raw 64-bit words, so the histograms and the
 * folio accounting see arbitrary present bits, PFNs and page flags when
 * the harness runs with CAP_SYS_ADMIN. Then:
 *  - the JSON document parses with a strict JSON parser written here, is
 *    valid UTF-8 and holds no raw control byte;
 *  - the text report and the Prometheus exposition hold no byte below
 *    0x20 but newlines, no 0x7f, and (text) nothing above 0x7e;
 *  - every histogram accounts for its pages: sum(hist[n] << n) is the
 *    present page count of its VMA and process;
 *  - the summary counts the one process once.
 * A fixture pagemap is a plain file, read in full over each VMA, so inputs
 * with a VMA above 64 MiB are not run (their cost is the size, not a bug
 * to find here).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "memtop/escape.h"
#include "memtop/output.h"
#include "memtop/parse.h"
#include "memtop/prometheus.h"
#include "memtop/scan.h"
#include "memtop/util.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Like assert(), but never compiled out. */
#define CHECK(c)                                                           \
	do {                                                               \
		if (!(c)) {                                                \
			fprintf(stderr, "%s:%d: check failed: %s\n",       \
				__FILE__, __LINE__, #c);                   \
			abort();                                           \
		}                                                          \
	} while (0)

#define PID "4242"
#define MAX_VMA_BYTES (UINT64_C(64) << 20)

static char root[256], proc_root[272], sys_root[272], pid_dir[288];

static void rm_tree(void)
{
	static const char *const files[] = {"status", "maps", "smaps",
					    "cgroup", "pagemap"};
	char p[320];
	for (size_t i = 0; i < MT_ARRAY_SIZE(files); i++) {
		snprintf(p, sizeof(p), "%s/%s", pid_dir, files[i]);
		unlink(p);
	}
	snprintf(p, sizeof(p), "%s/kpageflags", proc_root);
	unlink(p);
	rmdir(pid_dir);
	rmdir(proc_root);
	rmdir(sys_root);
	rmdir(root);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *tmp = getenv("TMPDIR");
	snprintf(root, sizeof(root), "%s/memtop-fuzz-scan.XXXXXX",
		 tmp && *tmp && strlen(tmp) < 200 ? tmp : "/tmp");
	CHECK(mkdtemp(root) != NULL);
	snprintf(proc_root, sizeof(proc_root), "%s/proc", root);
	snprintf(sys_root, sizeof(sys_root), "%s/sys", root);
	snprintf(pid_dir, sizeof(pid_dir), "%s/" PID, proc_root);
	CHECK(mkdir(proc_root, 0700) == 0);
	CHECK(mkdir(sys_root, 0700) == 0);
	CHECK(mkdir(pid_dir, 0700) == 0);
	atexit(rm_tree);
	return 0;
}

static void put(const char *dir, const char *name, const char *p, size_t n)
{
	char path[320];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	CHECK(fd >= 0);
	while (n) {
		ssize_t w = write(fd, p, n);
		CHECK(w > 0);
		p += w;
		n -= (size_t)w;
	}
	close(fd);
}

/* ---- a strict JSON parser (RFC 8259), plus: no raw 0x7f ---------------- */

struct js {
	const unsigned char *p, *end;
	int depth;
};

static void ws(struct js *j)
{
	while (j->p < j->end && (*j->p == ' ' || *j->p == '\t' ||
				 *j->p == '\n' || *j->p == '\r'))
		j->p++;
}

static bool lit(struct js *j, const char *w)
{
	size_t n = strlen(w);
	if ((size_t)(j->end - j->p) < n || memcmp(j->p, w, n) != 0)
		return false;
	j->p += n;
	return true;
}

static bool is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

static bool number(struct js *j)
{
	if (j->p < j->end && *j->p == '-')
		j->p++;
	if (j->p >= j->end || !is_digit(*j->p))
		return false;
	if (*j->p == '0')
		j->p++;
	else
		while (j->p < j->end && is_digit(*j->p))
			j->p++;
	if (j->p < j->end && *j->p == '.') {
		j->p++;
		if (j->p >= j->end || !is_digit(*j->p))
			return false;
		while (j->p < j->end && is_digit(*j->p))
			j->p++;
	}
	if (j->p < j->end && (*j->p == 'e' || *j->p == 'E')) {
		j->p++;
		if (j->p < j->end && (*j->p == '+' || *j->p == '-'))
			j->p++;
		if (j->p >= j->end || !is_digit(*j->p))
			return false;
		while (j->p < j->end && is_digit(*j->p))
			j->p++;
	}
	return true;
}

static bool string(struct js *j)
{
	if (j->p >= j->end || *j->p != '"')
		return false;
	j->p++;
	while (j->p < j->end) {
		unsigned char c = *j->p;
		if (c == '"') {
			j->p++;
			return true;
		}
		if (c < 0x20 || c == 0x7f)
			return false;
		if (c == '\\') {
			if (j->end - j->p < 2)
				return false;
			c = j->p[1];
			j->p += 2;
			if (c == 'u') {
				if (j->end - j->p < 4)
					return false;
				for (int k = 0; k < 4; k++) {
					unsigned char h = j->p[k];
					if (!is_digit(h) && !((h | 0x20) >= 'a' &&
							      (h | 0x20) <= 'f'))
						return false;
				}
				j->p += 4;
			} else if (!strchr("\"\\/bfnrt", c) || c == 0) {
				return false;
			}
			continue;
		}
		size_t k = mt_utf8_seq_len(j->p, (size_t)(j->end - j->p));
		if (!k)
			return false;
		j->p += k;
	}
	return false;
}

static bool value(struct js *j);

static bool container(struct js *j, char open, char close, bool object)
{
	if (j->p >= j->end || *j->p != (unsigned char)open)
		return false;
	if (++j->depth > 64)
		return false;
	j->p++;
	ws(j);
	if (j->p < j->end && *j->p == (unsigned char)close) {
		j->p++;
		j->depth--;
		return true;
	}
	for (;;) {
		if (object) {
			if (!string(j))
				return false;
			ws(j);
			if (j->p >= j->end || *j->p != ':')
				return false;
			j->p++;
			ws(j);
		}
		if (!value(j))
			return false;
		ws(j);
		if (j->p >= j->end)
			return false;
		if (*j->p == ',') {
			j->p++;
			ws(j);
			continue;
		}
		if (*j->p != (unsigned char)close)
			return false;
		j->p++;
		j->depth--;
		return true;
	}
}

static bool value(struct js *j)
{
	if (j->p >= j->end)
		return false;
	switch (*j->p) {
	case '{': return container(j, '{', '}', true);
	case '[': return container(j, '[', ']', false);
	case '"': return string(j);
	case 't': return lit(j, "true");
	case 'f': return lit(j, "false");
	case 'n': return lit(j, "null");
	default: return number(j);
	}
}

/* One JSON document per line, each a complete value. */
static void check_json(const char *buf, size_t len)
{
	CHECK(len > 0 && buf[len - 1] == '\n');
	struct js j = {(const unsigned char *)buf,
		       (const unsigned char *)buf + len - 1, 0};
	CHECK(value(&j));
	CHECK(j.p == j.end);
}

static void check_visible(const char *buf, size_t len, bool ascii)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)buf[i];
		CHECK(c == '\n' || (c >= 0x20 && c != 0x7f));
		CHECK(!ascii || c < 0x7f);
	}
}

static uint64_t pages(const uint64_t *h, unsigned nord)
{
	uint64_t n = 0;
	for (unsigned o = 0; o < nord; o++)
		n += h[o] << o;
	return n;
}

/* Split at NUL: the next part of [*p, end). */
static const char *part(const char **p, const char *end, size_t *n)
{
	const char *s = *p;
	if (s >= end) {
		*n = 0;
		return s;
	}
	const char *z = memchr(s, '\0', (size_t)(end - s));
	*n = z ? (size_t)(z - s) : (size_t)(end - s);
	*p = z ? z + 1 : end;
	return s;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	unsigned mode = data[0];
	const char *p = (const char *)data + 1, *end = (const char *)data + size;
	size_t n_status, n_maps, n_smaps, n_cg;
	const char *status = part(&p, end, &n_status);
	const char *maps = part(&p, end, &n_maps);
	const char *smaps = part(&p, end, &n_smaps);
	const char *cg = part(&p, end, &n_cg);
	const char *pm = p;
	size_t n_pm = (size_t)(end - p) / 16 * 8;
	const char *kpf = pm + n_pm;
	size_t n_kpf = (size_t)(end - kpf);

	/* leave out inputs whose reading costs their size (see the top) */
	size_t pos = 0, ln;
	const char *line;
	while ((line = mt_next_line(maps, n_maps, &pos, &ln)) != NULL) {
		struct mt_maps_entry e;
		if (mt_parse_maps_line(line, ln, &e) == 0 &&
		    e.end - e.start > MAX_VMA_BYTES)
			return 0;
	}

	put(pid_dir, "status", status, n_status);
	put(pid_dir, "maps", maps, n_maps);
	put(pid_dir, "smaps", smaps, n_smaps);
	put(pid_dir, "cgroup", cg, n_cg);
	put(pid_dir, "pagemap", pm, n_pm);
	put(proc_root, "kpageflags", kpf, n_kpf);

	char err[256];
	struct mt_scan_ctx *c = mt_scan_ctx_new(proc_root, sys_root, err,
						sizeof(err));
	CHECK(c != NULL);
	struct mt_scan_opts o = {
		.max_order = mode % 21,
		.max_order_set = (mode & 0x20) != 0,
		.no_pfns = (mode & 0x40) != 0,
		.smaps_all = (mode & 0x80) != 0,
		/* the collapse rules read smaps and mountinfo on demand */
		.collapsible = (mode & 0x80) != 0,
		.method = MT_PM_PREAD,
		.sparse_guard_bytes = UINT64_C(1) << 30,
	};
	struct mt_snapshot *s = mt_scan(c, &o);
	CHECK(s != NULL);

	const struct mt_scan_stats *st = &s->stats;
	CHECK(st->listed == 1);
	CHECK(st->scanned + st->denied + st->vanished + st->pagemap_denied +
		      st->errors + st->filtered ==
	      1);
	CHECK(s->nord == s->max_order + 1);
	for (size_t i = 0; i < s->nprocs; i++) {
		const struct mt_proc *pr = &s->procs[i];
		CHECK(pages(pr->present_hist, s->nord) == pr->present_pages);
		uint64_t sum = 0;
		for (size_t k = 0; k < pr->nvmas; k++) {
			const struct mt_vma *v = &pr->vmas[k];
			CHECK(pages(v->present_hist, s->nord) ==
			      v->present_pages);
			CHECK(v->present_pages <=
			      (v->end - v->start) / s->page_size);
			if (v->mappable_hist)
				CHECK(pages(v->mappable_hist, s->nord) ==
				      v->present_pages);
			sum += v->present_pages;
		}
		CHECK(sum == pr->present_pages);
	}

	struct mt_output_opts oo = {.show_kthreads = true};
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	CHECK(f);
	mt_output_json(f, s, &oo);
	CHECK(fclose(f) == 0);
	check_json(buf, len);
	free(buf);

	f = open_memstream(&buf, &len);
	CHECK(f);
	mt_output_text(f, s, &oo);
	CHECK(fclose(f) == 0);
	check_visible(buf, len, true);
	free(buf);

	f = open_memstream(&buf, &len);
	CHECK(f);
	mt_output_prometheus(f, s, MT_PROM_TOP_DEFAULT);
	CHECK(fclose(f) == 0);
	check_visible(buf, len, false);
	free(buf);

	mt_snapshot_unref(s);
	mt_scan_ctx_free(c);
	return 0;
}
