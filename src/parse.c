/*
 * parse.c - pure parsers for maps, status, smaps and cgroup text, and for
 * the system-wide vmstat, meminfo, buddyinfo and sysfs choice files.
 *
 * Every function works on (buffer, length) and checks bounds before each
 * byte: input may be truncated at any point, or be a hostile file in a
 * fixture tree.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "memtop/parse.h"
#include "memtop/util.h"

const char *mt_next_line(const char *buf, size_t len, size_t *pos,
			 size_t *line_len)
{
	if (*pos >= len)
		return NULL;
	const char *start = buf + *pos;
	const char *nl = memchr(start, '\n', len - *pos);
	size_t n = nl ? (size_t)(nl - start) : len - *pos;
	*line_len = n;
	*pos += n + (nl ? 1 : 0);
	return start;
}

struct cur {
	const char *p, *end;
};

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static int get_hex(struct cur *c, uint64_t *v)
{
	uint64_t x = 0;
	const char *start = c->p;
	while (c->p < c->end && hexval(*c->p) >= 0) {
		if (c->p - start >= 16)
			return -1;
		x = (x << 4) | (uint64_t)hexval(*c->p);
		c->p++;
	}
	if (c->p == start)
		return -1;
	*v = x;
	return 0;
}

static int get_dec(struct cur *c, uint64_t *v)
{
	uint64_t x = 0;
	const char *start = c->p;
	while (c->p < c->end && *c->p >= '0' && *c->p <= '9') {
		unsigned d = (unsigned)(*c->p - '0');
		if (x > (UINT64_MAX - d) / 10)
			return -1; /* overflow */
		x = x * 10 + d;
		c->p++;
	}
	if (c->p == start)
		return -1;
	*v = x;
	return 0;
}

static int expect(struct cur *c, char ch)
{
	if (c->p >= c->end || *c->p != ch)
		return -1;
	c->p++;
	return 0;
}

static void skip_spaces(struct cur *c)
{
	while (c->p < c->end && (*c->p == ' ' || *c->p == '\t'))
		c->p++;
}

int mt_parse_maps_line(const char *line, size_t len, struct mt_maps_entry *e)
{
	struct cur c = {line, line + len};
	uint64_t maj, min;
	memset(e, 0, sizeof(*e));
	if (get_hex(&c, &e->start) || expect(&c, '-') ||
	    get_hex(&c, &e->end) || expect(&c, ' '))
		return -1;
	if (e->end < e->start)
		return -1;
	if (c.end - c.p < 5)
		return -1;
	static const char allowed[4][3] = {"r-", "w-", "x-", "ps"};
	for (int i = 0; i < 4; i++) {
		char ch = c.p[i];
		if (ch != allowed[i][0] && ch != allowed[i][1])
			return -1;
		e->perms[i] = ch;
	}
	e->perms[4] = '\0';
	c.p += 4;
	if (expect(&c, ' ') || get_hex(&c, &e->offset) || expect(&c, ' ') ||
	    get_hex(&c, &maj) || expect(&c, ':') || get_hex(&c, &min) ||
	    expect(&c, ' ') || get_dec(&c, &e->inode))
		return -1;
	if (maj > 0xfff || min > 0xfffff)
		return -1;
	e->dev_major = (unsigned)maj;
	e->dev_minor = (unsigned)min;
	if (c.p < c.end && *c.p != ' ')
		return -1;
	skip_spaces(&c);
	e->path = c.p;
	e->path_len = (size_t)(c.end - c.p);
	return 0;
}

static int starts(const char *s, size_t n, const char *prefix)
{
	size_t k = strlen(prefix);
	return n >= k && memcmp(s, prefix, k) == 0;
}

enum mt_vma_kind mt_classify_vma(const char *path, size_t len,
				 const char perms[5])
{
	int shared = perms[3] == 's';
	if (len == 0)
		return shared ? MT_KIND_SHMEM : MT_KIND_ANON;
	if (path[0] == '[') {
		if (starts(path, len, "[heap]"))
			return MT_KIND_HEAP;
		if (starts(path, len, "[stack"))
			return MT_KIND_STACK;
		if (starts(path, len, "[anon_shmem:"))
			return MT_KIND_SHMEM;
		if (starts(path, len, "[anon:"))
			return shared ? MT_KIND_SHMEM : MT_KIND_ANON;
		return MT_KIND_SPECIAL;
	}
	if (starts(path, len, "/memfd:"))
		return MT_KIND_MEMFD;
	if (starts(path, len, "/dev/zero (deleted)") ||
	    starts(path, len, "/SYSV") ||
	    starts(path, len, "/dev/shm/"))
		return MT_KIND_SHMEM;
	if (path[0] == '/')
		return MT_KIND_FILE;
	/* anon_inode:..., other pseudo files */
	return MT_KIND_SPECIAL;
}

const char *mt_kind_name(enum mt_vma_kind k)
{
	static const char *const names[MT_KIND_COUNT] = {
		[MT_KIND_ANON] = "anon",   [MT_KIND_HEAP] = "heap",
		[MT_KIND_STACK] = "stack", [MT_KIND_FILE] = "file",
		[MT_KIND_MEMFD] = "memfd", [MT_KIND_SHMEM] = "shmem",
		[MT_KIND_SPECIAL] = "special",
	};
	return (unsigned)k < MT_KIND_COUNT ? names[k] : "?";
}

/* "Key:<spaces>value" -> cursor at value, or -1 if the key differs. */
static int field(const char *line, size_t n, const char *key, struct cur *c)
{
	size_t k = strlen(key);
	if (n <= k || memcmp(line, key, k) != 0 || line[k] != ':')
		return -1;
	c->p = line + k + 1;
	c->end = line + n;
	skip_spaces(c);
	return 0;
}

int mt_parse_status(const char *buf, size_t len, struct mt_status *st)
{
	memset(st, 0, sizeof(*st));
	st->kthread = MT_TRI_UNKNOWN;
	st->thp_enabled = MT_TRI_UNKNOWN;
	size_t pos = 0, n;
	const char *line;
	while ((line = mt_next_line(buf, len, &pos, &n)) != NULL) {
		struct cur c;
		uint64_t v;
		if (n > 5 && memcmp(line, "Name:", 5) == 0) {
			/* "Name:\t" then the name, which may start with blanks */
			c.p = line + 5 + (line[5] == '\t');
			c.end = line + n;
			size_t k = (size_t)(c.end - c.p);
			if (k >= sizeof(st->name))
				k = sizeof(st->name) - 1;
			memcpy(st->name, c.p, k);
			st->name[k] = '\0';
			st->name_len = k;
			st->have |= MT_ST_NAME;
		} else if (field(line, n, "State", &c) == 0) {
			if (c.p < c.end)
				st->state = *c.p;
		} else if (field(line, n, "PPid", &c) == 0) {
			if (get_dec(&c, &v) == 0 && v <= 0x7fffffff) {
				st->ppid = (pid_t)v;
				st->have |= MT_ST_PPID;
			}
		} else if (field(line, n, "Uid", &c) == 0) {
			if (get_dec(&c, &v) == 0 && v <= 0xffffffffu) {
				st->uid = (uid_t)v;
				st->have |= MT_ST_UID;
			}
		} else if (field(line, n, "Kthread", &c) == 0) {
			if (get_dec(&c, &v) == 0)
				st->kthread = v ? MT_TRI_YES : MT_TRI_NO;
		} else if (field(line, n, "THP_enabled", &c) == 0) {
			if (get_dec(&c, &v) == 0)
				st->thp_enabled = v ? MT_TRI_YES : MT_TRI_NO;
		} else if (field(line, n, "VmRSS", &c) == 0) {
			if (get_dec(&c, &v) == 0) {
				st->rss_kb = v;
				st->have |= MT_ST_RSS;
			}
		}
	}
	return (st->have & (MT_ST_NAME | MT_ST_UID)) ==
			       (MT_ST_NAME | MT_ST_UID)
		       ? 0
		       : -1;
}

static const struct {
	const char *key;
	size_t off;
} smaps_kb_fields[] = {
	{"Rss", offsetof(struct mt_smaps_vma, rss_kb)},
	{"Swap", offsetof(struct mt_smaps_vma, swap_kb)},
	{"Anonymous", offsetof(struct mt_smaps_vma, anon_kb)},
	{"AnonHugePages", offsetof(struct mt_smaps_vma, anon_huge_kb)},
	{"ShmemPmdMapped", offsetof(struct mt_smaps_vma, shmem_pmd_kb)},
	{"FilePmdMapped", offsetof(struct mt_smaps_vma, file_pmd_kb)},
};

static void parse_vmflags(struct cur *c, unsigned *flags)
{
	while (c->p < c->end) {
		skip_spaces(c);
		const char *w = c->p;
		while (c->p < c->end && *c->p != ' ')
			c->p++;
		size_t k = (size_t)(c->p - w);
		static const struct {
			char w[3];
			unsigned f;
		} known[] = {
			{"hg", MT_VMF_HG}, {"nh", MT_VMF_NH}, {"io", MT_VMF_IO},
			{"pf", MT_VMF_PF}, {"mm", MT_VMF_MM}, {"ht", MT_VMF_HT},
			{"de", MT_VMF_DE}, {"um", MT_VMF_UFFD},
			{"uw", MT_VMF_UFFD}, {"ui", MT_VMF_UFFD},
		};
		if (k != 2)
			continue;
		for (size_t i = 0; i < MT_ARRAY_SIZE(known); i++)
			if (w[0] == known[i].w[0] && w[1] == known[i].w[1])
				*flags |= known[i].f;
	}

}

size_t mt_parse_smaps(const char *buf, size_t len, struct mt_smaps_vma **out,
		      size_t *bad)
{
	size_t n = 0, cap = 0, pos = 0, ln;
	struct mt_smaps_vma *v = NULL, *cur = NULL;
	const char *line;
	bool in_bad = false;
	*out = NULL;
	while ((line = mt_next_line(buf, len, &pos, &ln)) != NULL) {
		struct mt_maps_entry e;
		/* Field lines are "Key: value"; anything else is a VMA header.
		 * After a broken header the fields belong to no VMA. */
		const char *sp = memchr(line, ' ', ln);
		size_t tok = sp ? (size_t)(sp - line) : ln;
		bool is_field = tok > 0 && line[tok - 1] == ':';
		if (!is_field) {
			if (!ln)
				continue;
			if (mt_parse_maps_line(line, ln, &e) < 0) {
				if (bad)
					(*bad)++;
				cur = NULL;
				in_bad = true;
				continue;
			}
			in_bad = false;
			if (n == cap) {
				cap = cap ? cap * 2 : 64;
				v = xrealloc(v, cap * sizeof(*v));
			}
			cur = &v[n++];
			memset(cur, 0, sizeof(*cur));
			cur->start = e.start;
			cur->end = e.end;
			cur->thp_eligible = MT_TRI_UNKNOWN;
			continue;
		}
		if (!cur) {
			/* stray fields: one bad block, however many lines */
			if (bad && !in_bad)
				(*bad)++;
			in_bad = true;
			continue;
		}
		struct cur c;
		uint64_t val;
		if (field(line, ln, "THPeligible", &c) == 0) {
			if (get_dec(&c, &val) == 0)
				cur->thp_eligible = val ? MT_TRI_YES : MT_TRI_NO;
			continue;
		}
		if (field(line, ln, "VmFlags", &c) == 0) {
			parse_vmflags(&c, &cur->vmflags);
			cur->vmflags_seen = true;
			continue;
		}
		for (size_t i = 0; i < MT_ARRAY_SIZE(smaps_kb_fields); i++) {
			if (field(line, ln, smaps_kb_fields[i].key, &c) == 0) {
				if (get_dec(&c, &val) == 0)
					*(uint64_t *)((char *)cur +
						      smaps_kb_fields[i].off) = val;
				break;
			}
		}
	}
	*out = v;
	return n;
}

int mt_parse_cgroup(const char *buf, size_t len, const char **path,
		    size_t *plen)
{
	size_t pos = 0, n;
	const char *line;
	int found = -1;
	while ((line = mt_next_line(buf, len, &pos, &n)) != NULL) {
		/* hierarchy-ID:controller-list:path */
		const char *c1 = memchr(line, ':', n);
		if (!c1)
			continue;
		const char *c2 = memchr(c1 + 1, ':', (size_t)(line + n - c1 - 1));
		if (!c2)
			continue;
		const char *ctl = c1 + 1;
		size_t ctl_len = (size_t)(c2 - ctl);
		const char *p = c2 + 1;
		size_t pl = (size_t)(line + n - p);
		bool memory = false;
		/* the controller list is comma separated */
		for (const char *w = ctl; w < c2;) {
			const char *e = memchr(w, ',', (size_t)(c2 - w));
			if (!e)
				e = c2;
			if (e - w == 6 && memcmp(w, "memory", 6) == 0)
				memory = true;
			w = e + 1;
		}
		if (memory) {
			*path = p;
			*plen = pl;
			return 0;
		}
		if (ctl_len == 0 && c1 - line == 1 && line[0] == '0') {
			*path = p;
			*plen = pl;
			found = 0;
		}
	}
	return found;
}

/* The system-wide files: vmstat, meminfo, buddyinfo, sysfs choices. */

const char *mt_parse_choice(const char *buf, size_t len, struct mt_arena *a)
{
	const char *l = memchr(buf, '[', len);
	const char *r = l ? memchr(l, ']', len - (size_t)(l - buf)) : NULL;
	if (!l || !r || r == l + 1)
		return "?";
	return mt_arena_strndup(a, l + 1, (size_t)(r - l - 1));
}

static int parse_u64(const char *p, const char *end, uint64_t *v,
		     const char **stop)
{
	uint64_t x = 0;
	const char *s = p;
	while (p < end && *p >= '0' && *p <= '9') {
		if (p - s >= 19)
			return -1;
		x = x * 10 + (uint64_t)(*p++ - '0');
	}
	if (p == s)
		return -1;
	*v = x;
	if (stop)
		*stop = p;
	return 0;
}

int mt_parse_u64(const char *buf, size_t len, uint64_t *v)
{
	const char *stop;
	if (parse_u64(buf, buf + len, v, &stop) < 0 || stop != buf + len)
		return -1;
	return 0;
}

/* Counters memtop shows from /proc/vmstat. */
static bool vmstat_wanted(const char *k, size_t n)
{
	static const char *const prefixes[] = {"thp_", "compact_",
					       "nr_anon_transparent",
					       "nr_file_hugepages",
					       "nr_shmem_hugepages", "nr_free_pages"};
	for (size_t i = 0; i < MT_ARRAY_SIZE(prefixes); i++) {
		size_t pl = strlen(prefixes[i]);
		if (n >= pl && memcmp(k, prefixes[i], pl) == 0)
			return true;
	}
	return false;
}

static struct mt_counter *grow(struct mt_counter *v, size_t n, size_t *cap)
{
	if (n < *cap)
		return v;
	*cap = *cap ? *cap * 2 : 32;
	return xrealloc(v, *cap * sizeof(*v));
}

static size_t to_arena(struct mt_arena *a, struct mt_counter *tmp, size_t n,
		       struct mt_counter **out)
{
	*out = mt_arena_alloc(a, (n ? n : 1) * sizeof(**out));
	if (n)
		memcpy(*out, tmp, n * sizeof(*tmp));
	free(tmp);
	return n;
}

size_t mt_parse_vmstat(const char *buf, size_t len, struct mt_arena *a,
		       struct mt_counter **out)
{
	size_t pos = 0, ln, n = 0, cap = 0;
	struct mt_counter *tmp = NULL;
	const char *line;
	while ((line = mt_next_line(buf, len, &pos, &ln)) != NULL) {
		const char *sp = memchr(line, ' ', ln);
		if (!sp || sp == line || !vmstat_wanted(line, (size_t)(sp - line)))
			continue;
		uint64_t v;
		const char *stop;
		if (parse_u64(sp + 1, line + ln, &v, &stop) < 0 ||
		    stop != line + ln)
			continue;
		tmp = grow(tmp, n, &cap);
		tmp[n++] = (struct mt_counter){
			.key = mt_arena_strndup(a, line, (size_t)(sp - line)),
			.value = v};
	}
	return to_arena(a, tmp, n, out);
}

static bool meminfo_wanted(const char *k, size_t n)
{
	static const char *const keys[] = {
		"MemTotal", "MemFree", "AnonHugePages", "ShmemHugePages",
		"ShmemPmdMapped", "FileHugePages", "FilePmdMapped",
		"HugePages_Total", "HugePages_Free", "HugePages_Rsvd",
		"HugePages_Surp", "Hugepagesize", "Hugetlb"};
	for (size_t i = 0; i < MT_ARRAY_SIZE(keys); i++)
		if (strlen(keys[i]) == n && memcmp(k, keys[i], n) == 0)
			return true;
	return false;
}

size_t mt_parse_meminfo(const char *buf, size_t len, struct mt_arena *a,
			struct mt_counter **out)
{
	size_t pos = 0, ln, n = 0, cap = 0;
	struct mt_counter *tmp = NULL;
	const char *line;
	while ((line = mt_next_line(buf, len, &pos, &ln)) != NULL) {
		const char *colon = memchr(line, ':', ln);
		if (!colon || !meminfo_wanted(line, (size_t)(colon - line)))
			continue;
		const char *p = colon + 1, *end = line + ln;
		while (p < end && *p == ' ')
			p++;
		uint64_t v;
		if (parse_u64(p, end, &v, NULL) < 0)
			continue;
		tmp = grow(tmp, n, &cap);
		tmp[n++] = (struct mt_counter){
			.key = mt_arena_strndup(a, line, (size_t)(colon - line)),
			.value = v};
	}
	return to_arena(a, tmp, n, out);
}

/* "Node 0, zone   Normal   5376   1166 ..." */
size_t mt_parse_buddyinfo(const char *buf, size_t len, struct mt_arena *a,
			  struct mt_buddy_zone **out)
{
	size_t pos = 0, ln, n = 0, cap = 0;
	struct mt_buddy_zone *tmp = NULL;
	const char *line;
	while ((line = mt_next_line(buf, len, &pos, &ln)) != NULL) {
		const char *p = line, *end = line + ln;
		uint64_t node;
		if (ln < 5 || memcmp(p, "Node ", 5) != 0)
			continue;
		p += 5;
		if (parse_u64(p, end, &node, &p) < 0 || node > 4096)
			continue;
		if (end - p < 7 || memcmp(p, ", zone ", 7) != 0)
			continue;
		p += 7;
		while (p < end && *p == ' ')
			p++;
		const char *zn = p;
		while (p < end && *p != ' ')
			p++;
		if (p == zn)
			continue;
		struct mt_buddy_zone z = {.node = (int)node};
		z.zone = mt_arena_strndup(a, zn, (size_t)(p - zn));
		bool ok = true;
		while (p < end) {
			while (p < end && *p == ' ')
				p++;
			if (p == end)
				break;
			uint64_t v;
			if (z.norders == MT_BUDDY_ORDERS ||
			    parse_u64(p, end, &v, &p) < 0) {
				ok = false;
				break;
			}
			z.free[z.norders++] = v;
		}
		if (!ok || !z.norders)
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 8;
			tmp = xrealloc(tmp, cap * sizeof(*tmp));
		}
		tmp[n++] = z;
	}
	*out = mt_arena_alloc(a, (n ? n : 1) * sizeof(**out));
	if (n)
		memcpy(*out, tmp, n * sizeof(*tmp));
	free(tmp);
	return n;
}

int mt_parse_stat_starttime(const char *buf, size_t len, uint64_t *start)
{
	/* "pid (comm) state ppid ...": fields from 3 on follow the last ')' */
	const char *p = NULL;
	for (size_t i = len; i > 0; i--) {
		if (buf[i - 1] == ')') {
			p = buf + i;
			break;
		}
	}
	if (!p)
		return -1;
	const char *end = buf + len;
	for (int field = 3; field <= 22; field++) {
		while (p < end && *p == ' ')
			p++;
		if (p >= end)
			return -1;
		if (field == 22) {
			uint64_t v = 0;
			const char *q = p;
			while (q < end && *q >= '0' && *q <= '9')
				v = v * 10 + (uint64_t)(*q++ - '0');
			if (q == p)
				return -1;
			*start = v;
			return 0;
		}
		while (p < end && *p != ' ')
			p++;
	}
	return -1;
}

size_t mt_cmdline_trim(const char *buf, size_t len)
{
	while (len > 0 && buf[len - 1] == '\0')
		len--;
	return len;
}
