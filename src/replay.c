/*
 * replay.c - reading a recording (record.h).
 *
 * Opening one reads its header and every frame's header and checks each
 * frame's CRC (a few milliseconds for an hour's recording), up to the
 * first damage. A frame is decoded on demand from the last key frame at
 * or before it; the last one decoded is kept, so that stepping forward
 * costs one frame.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "memtop/record.h"
#include "rec_int.h"

struct mt_replay {
	int fd;
	struct mt_rec_info info;
	struct mt_rec_index idx;
	char damage[200];
	bool damaged;
	/* decoding: the frame last decoded and the processes it holds */
	long cur;
	struct mt_rec_prev prev;
	unsigned char *z, *raw;
	size_t zcap, rawcap;
};

static int read_at(int fd, void *p, size_t n, uint64_t off)
{
	char *c = p;
	while (n) {
		ssize_t r = pread(fd, c, n, (off_t)off);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (r == 0)
			return -ENODATA;
		c += r;
		n -= (size_t)r;
		off += (uint64_t)r;
	}
	return 0;
}

/* A varint or a string of the header body. */
static bool hv(const unsigned char **p, const unsigned char *end, uint64_t *v)
{
	*v = 0;
	for (unsigned sh = 0; sh < 64 && *p < end; sh += 7) {
		unsigned char c = *(*p)++;
		*v |= (uint64_t)(c & 0x7f) << sh;
		if (!(c & 0x80))
			return true;
	}
	return false;
}

static bool hs(const unsigned char **p, const unsigned char *end, char *out,
	       size_t outlen)
{
	uint64_t n;
	if (!hv(p, end, &n) || n > (uint64_t)(end - *p))
		return false;
	size_t k = MT_MIN((size_t)n, outlen - 1);
	memcpy(out, *p, k);
	out[k] = '\0';
	/* shown on screen: nothing below a space */
	for (size_t i = 0; i < k; i++)
		if ((unsigned char)out[i] < 0x20 || out[i] == 0x7f)
			out[i] = '?';
	*p += n;
	return true;
}

static void idx_add(struct mt_rec_index *x, const struct mt_rec_frame *f)
{
	if (x->n == x->cap) {
		x->cap = x->cap ? 2 * x->cap : 256;
		x->f = xrealloc(x->f, x->cap * sizeof(*x->f));
	}
	x->f[x->n++] = *f;
}

int mt_rec_scan_fd(int fd, struct mt_rec_info *info,
		   struct mt_rec_index *idx, uint64_t *good, bool *torn,
		   char *why, size_t whylen)
{
	unsigned char h[MT_REC_MAGIC_LEN + 12];
	struct stat st;
	memset(info, 0, sizeof(*info));
	if (torn)
		*torn = false;
	*good = 0;
	if (fstat(fd, &st) < 0) {
		snprintf(why, whylen, "%s", strerror(errno));
		return -1;
	}
	uint64_t size = (uint64_t)st.st_size;
	if (read_at(fd, h, sizeof(h), 0) < 0 ||
	    memcmp(h, MT_REC_MAGIC, MT_REC_MAGIC_LEN)) {
		snprintf(why, whylen, "not a memtop recording");
		return -1;
	}
	info->version = mt_rec_get32(h + MT_REC_MAGIC_LEN);
	uint32_t blen = mt_rec_get32(h + MT_REC_MAGIC_LEN + 4);
	if (info->version != MT_REC_VERSION) {
		snprintf(why, whylen, "a recording of format %u; this memtop "
			 "reads format %u", info->version, MT_REC_VERSION);
		return -1;
	}
	if (blen > 4096 || sizeof(h) + blen > size) {
		snprintf(why, whylen, "its header is damaged");
		return -1;
	}
	unsigned char body[4096];
	if (read_at(fd, body, blen, sizeof(h)) < 0 ||
	    crc32(0, body, blen) != mt_rec_get32(h + MT_REC_MAGIC_LEN + 8)) {
		snprintf(why, whylen, "its header is damaged");
		return -1;
	}
	const unsigned char *p = body, *end = body + blen;
	uint64_t ps, po, created;
	if (!hv(&p, end, &ps) || !hv(&p, end, &po) || !hv(&p, end, &created) ||
	    !hs(&p, end, info->boot_id, sizeof(info->boot_id)) ||
	    !hs(&p, end, info->host, sizeof(info->host)) ||
	    !hs(&p, end, info->kernel, sizeof(info->kernel)) ||
	    !hs(&p, end, info->memtop, sizeof(info->memtop)) ||
	    ps < 512 || ps > (1u << 30) || po > 30) {
		snprintf(why, whylen, "its header is damaged");
		return -1;
	}
	info->page_size = (unsigned)ps;
	info->pmd_order = (unsigned)po;
	info->created_ns = created;
	uint64_t off = sizeof(h) + blen;
	*good = off;
	unsigned char fh[MT_REC_FRAME_HDR];
	unsigned char *buf = NULL;
	size_t cap = 0;
	int rc = 0;
	bool first = true;
	while (off < size) {
		if (size - off < MT_REC_FRAME_HDR) {
			snprintf(why, whylen, "cut short at byte %llu (a frame "
				 "header of %llu bytes)", (unsigned long long)off,
				 (unsigned long long)(size - off));
			if (torn)
				*torn = true;
			rc = 1;
			break;
		}
		if (read_at(fd, fh, sizeof(fh), off) < 0) {
			snprintf(why, whylen, "unreadable at byte %llu",
				 (unsigned long long)off);
			rc = 1;
			break;
		}
		struct mt_rec_frame f = {.off = off};
		f.zlen = mt_rec_get32(fh + 4);
		f.rawlen = mt_rec_get32(fh + 8);
		f.kind = fh[16];
		f.time_ns = 0;
		for (int i = 0; i < 8; i++)
			f.time_ns |= (uint64_t)fh[20 + i] << (8 * i);
		/* the lengths are not under the CRC: an encoded length
		 * deflate cannot reach from zlen (at most 1032 to 1) would
		 * only make the reader allocate it */
		if (mt_rec_get32(fh) != MT_REC_FRAME_MAGIC ||
		    (f.kind != MT_REC_KEY && f.kind != MT_REC_DELTA) ||
		    f.rawlen > MT_REC_FRAME_MAX || f.zlen > MT_REC_FRAME_MAX ||
		    f.rawlen > (uint64_t)f.zlen * 1032 + 64 ||
		    (first && f.kind != MT_REC_KEY)) {
			snprintf(why, whylen, "damaged at byte %llu (a frame "
				 "header)", (unsigned long long)off);
			rc = 1;
			break;
		}
		if (size - off - MT_REC_FRAME_HDR < f.zlen) {
			snprintf(why, whylen, "cut short at byte %llu (a frame "
				 "of %llu bytes, %llu there)",
				 (unsigned long long)off,
				 (unsigned long long)(MT_REC_FRAME_HDR + f.zlen),
				 (unsigned long long)(size - off));
			if (torn)
				*torn = true;
			rc = 1;
			break;
		}
		if (cap < f.zlen + 12u) {
			cap = f.zlen + 12u;
			buf = xrealloc(buf, cap);
		}
		memcpy(buf, fh + 16, 12);
		if (read_at(fd, buf + 12, f.zlen, off + MT_REC_FRAME_HDR) < 0 ||
		    crc32(0, buf, f.zlen + 12u) != mt_rec_get32(fh + 12)) {
			snprintf(why, whylen, "damaged at byte %llu (a frame's "
				 "checksum)", (unsigned long long)off);
			rc = 1;
			break;
		}
		if (idx)
			idx_add(idx, &f);
		first = false;
		off += MT_REC_FRAME_HDR + f.zlen;
		*good = off;
	}
	free(buf);
	return rc;
}

struct mt_replay *mt_replay_open(const char *path, char *err, size_t errlen)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	struct mt_replay *r = xcalloc(1, sizeof(*r));
	r->fd = fd;
	r->cur = -1;
	uint64_t good;
	char why[160];
	int rc = mt_rec_scan_fd(fd, &r->info, &r->idx, &good, NULL, why,
				sizeof(why));
	if (rc < 0) {
		snprintf(err, errlen, "%s: %s", path, why);
		mt_replay_close(r);
		return NULL;
	}
	if (rc > 0) {
		r->damaged = true;
		snprintf(r->damage, sizeof(r->damage),
			 "recording %s after frame %zu", why, r->idx.n);
	}
	return r;
}

void mt_replay_close(struct mt_replay *r)
{
	if (!r)
		return;
	close(r->fd);
	free(r->idx.f);
	mt_rec_prev_free(&r->prev);
	free(r->z);
	free(r->raw);
	free(r);
}

const struct mt_rec_info *mt_replay_info(const struct mt_replay *r)
{
	return &r->info;
}

size_t mt_replay_count(const struct mt_replay *r)
{
	return r->idx.n;
}

uint64_t mt_replay_time_ns(const struct mt_replay *r, size_t i)
{
	return i < r->idx.n ? r->idx.f[i].time_ns : 0;
}

size_t mt_replay_find(const struct mt_replay *r, uint64_t t_ns)
{
	size_t lo = 0, hi = r->idx.n;
	/* the first frame later than t, less one */
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (r->idx.f[mid].time_ns <= t_ns)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo ? lo - 1 : 0;
}

const char *mt_replay_damage(const struct mt_replay *r)
{
	return r->damaged ? r->damage : NULL;
}

/* The recording ends before frame i: it cannot be decoded. */
static void damaged_at(struct mt_replay *r, size_t i, const char *why)
{
	snprintf(r->damage, sizeof(r->damage),
		 "recording damaged at byte %llu (frame %zu: %s)",
		 (unsigned long long)r->idx.f[i].off, i + 1, why);
	r->damaged = true;
	r->idx.n = i;
	r->cur = -1;
	mt_rec_prev_free(&r->prev);
}

/* Decode frame i on top of r->prev; NULL when it is damaged. */
static struct mt_snapshot *decode(struct mt_replay *r, size_t i)
{
	const struct mt_rec_frame *f = &r->idx.f[i];
	if (r->zcap < f->zlen + 1u) {
		r->zcap = f->zlen + 1u;
		r->z = xrealloc(r->z, r->zcap);
	}
	if (r->rawcap < f->rawlen + 1u) {
		r->rawcap = f->rawlen + 1u;
		r->raw = xrealloc(r->raw, r->rawcap);
	}
	if (read_at(r->fd, r->z, f->zlen, f->off + MT_REC_FRAME_HDR) < 0) {
		damaged_at(r, i, "unreadable");
		return NULL;
	}
	uLongf n = f->rawlen;
	if (uncompress(r->raw, &n, r->z, f->zlen) != Z_OK || n != f->rawlen) {
		damaged_at(r, i, "does not inflate");
		return NULL;
	}
	char why[120];
	struct mt_snapshot *s =
		mt_rec_decode(r->raw, n, &r->prev, f->kind == MT_REC_KEY, why,
			      sizeof(why));
	if (!s) {
		damaged_at(r, i, why);
		return NULL;
	}
	if (s->page_size != r->info.page_size ||
	    s->pmd_order != r->info.pmd_order) {
		mt_snapshot_unref(s);
		damaged_at(r, i, "page size or PMD order not the header's");
		return NULL;
	}
	r->cur = (long)i;
	return s;
}

struct mt_snapshot *mt_replay_get(struct mt_replay *r, size_t i)
{
	if (i >= r->idx.n)
		return NULL;
	/* from the last key frame at or before i, unless the frame last
	 * decoded is on the way */
	size_t k = i;
	while (k > 0 && r->idx.f[k].kind != MT_REC_KEY)
		k--;
	size_t from = k;
	if (r->cur >= 0 && (size_t)r->cur >= k && (size_t)r->cur < i)
		from = (size_t)r->cur + 1;
	else
		mt_rec_prev_free(&r->prev);
	for (size_t j = from; j < i; j++) {
		struct mt_snapshot *s = decode(r, j);
		if (!s)
			return NULL;
		mt_snapshot_unref(s);
	}
	return decode(r, i);
}

/* ---- moments ------------------------------------------------------------ */

static bool all_digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

long mt_replay_moment(const struct mt_replay *r, const char *s, char *err,
		      size_t errlen)
{
	size_t n = r->idx.n;
	if (!n) {
		snprintf(err, errlen, "the recording holds no scan");
		return -1;
	}
	uint64_t first = r->idx.f[0].time_ns, last = r->idx.f[n - 1].time_ns;
	char *end;
	if (s[0] == '#') {
		unsigned long k = strtoul(s + 1, &end, 10);
		if (!all_digits(s + 1) || k < 1 || k > n) {
			snprintf(err, errlen, "%s: frames are #1 to #%zu", s, n);
			return -1;
		}
		return (long)k - 1;
	}
	if (s[0] == '+' || s[0] == '-' || s[0] == '@') {
		double v = strtod(s + 1, &end);
		if (end == s + 1 || *end || !(v >= 0) || v > 1e10) {
			snprintf(err, errlen, "%s: not a number of seconds", s);
			return -1;
		}
		uint64_t d = (uint64_t)(v * 1e9);
		uint64_t t = s[0] == '+' ? first + d
			     : s[0] == '-' ? (d > last ? 0 : last - d)
					   : d;
		return (long)mt_replay_find(r, t);
	}
	/* a wall-clock time, local: HH:MM[:SS] on the first frame's day,
	 * or YYYY-MM-DD HH:MM[:SS] */
	struct tm tm;
	time_t t0 = (time_t)(first / 1000000000u);
	localtime_r(&t0, &tm);
	int Y, M, D, h, m, sec = 0;
	char tail;
	if (sscanf(s, "%d-%d-%d %d:%d:%d%c", &Y, &M, &D, &h, &m, &sec, &tail) >= 5 &&
	    strchr(s, ' ')) {
		if (sscanf(s, "%d-%d-%d %d:%d:%d%c", &Y, &M, &D, &h, &m, &sec,
			   &tail) == 7) {
			snprintf(err, errlen, "%s: not a time", s);
			return -1;
		}
		tm.tm_year = Y - 1900;
		tm.tm_mon = M - 1;
		tm.tm_mday = D;
	} else {
		sec = 0;
		int k = sscanf(s, "%d:%d:%d%c", &h, &m, &sec, &tail);
		if (k < 2 || k > 3) {
			snprintf(err, errlen, "%s: not a time (HH:MM[:SS], "
				 "YYYY-MM-DD HH:MM[:SS], +S, -S, @EPOCH or #N)",
				 s);
			return -1;
		}
	}
	if (h < 0 || h > 23 || m < 0 || m > 59 || sec < 0 || sec > 60) {
		snprintf(err, errlen, "%s: not a time", s);
		return -1;
	}
	tm.tm_hour = h;
	tm.tm_min = m;
	tm.tm_sec = sec;
	tm.tm_isdst = -1;
	time_t t = mktime(&tm);
	if (t == (time_t)-1) {
		snprintf(err, errlen, "%s: not a time", s);
		return -1;
	}
	return (long)mt_replay_find(r, (uint64_t)t * 1000000000u);
}
