/*
 * record.c - writing a recording (record.h).
 *
 * File layout (integers little-endian):
 *
 *   "MEMTOPREC\n"  magic, 10 bytes
 *   u32 version, u32 body length, u32 CRC-32 of the body
 *   body: varint page size, varint PMD order, varint created (ns),
 *         strings boot id, host, kernel release, memtop version
 *   frames, each:
 *     u32 "MTF1", u32 deflated length, u32 encoded length, u32 CRC-32
 *     of what follows the CRC, u8 kind (1 key, 2 delta), 3 zero bytes,
 *     u64 scan time (CLOCK_REALTIME ns), the deflated encoding
 *
 * zlib does the compressing: it is on every Linux system, memtop already
 * reads the kernel's configuration with it, and a frame deflated on its
 * own (level 1: the encoding is already compact) can be checked and read
 * without the frames before the last key frame.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "memtop/record.h"
#include "rec_int.h"

struct mt_recorder {
	int fd;
	uint64_t bytes, max_bytes;
	size_t frames, since_key;
	enum mt_rec_state state;
	struct mt_rec_prev prev;
	struct mt_buf enc;
	unsigned char *z;
	size_t zcap;
};

void mt_rec_put32(unsigned char *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

uint32_t mt_rec_get32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

/* Write all of n bytes, or fail. */
static int write_all(int fd, const void *p, size_t n)
{
	const char *c = p;
	while (n) {
		ssize_t w = write(fd, c, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -errno;
		if (w == 0)
			return -EIO;
		c += w;
		n -= (size_t)w;
	}
	return 0;
}

static void varint(struct mt_buf *b, uint64_t v)
{
	while (v >= 0x80) {
		mt_buf_addc(b, (char)(v | 0x80));
		v >>= 7;
	}
	mt_buf_addc(b, (char)v);
}

static void string(struct mt_buf *b, const char *s)
{
	varint(b, strlen(s));
	mt_buf_add(b, s, strlen(s));
}

static void read_boot_id(char *out, size_t len)
{
	out[0] = '\0';
	int fd = open("/proc/sys/kernel/random/boot_id", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	ssize_t n = read(fd, out, len - 1);
	close(fd);
	if (n < 0)
		n = 0;
	out[n] = '\0';
	out[strcspn(out, "\n")] = '\0';
}

static int write_header(int fd, unsigned page_size, unsigned pmd_order)
{
	struct mt_buf b = {0};
	struct utsname u;
	char boot[40];
	if (uname(&u) < 0)
		memset(&u, 0, sizeof(u));
	read_boot_id(boot, sizeof(boot));
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	varint(&b, page_size);
	varint(&b, pmd_order);
	varint(&b, (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec);
	string(&b, boot);
	string(&b, u.nodename);
	string(&b, u.release);
	string(&b, MEMTOP_VERSION);
	unsigned char h[MT_REC_MAGIC_LEN + 12];
	memcpy(h, MT_REC_MAGIC, MT_REC_MAGIC_LEN);
	mt_rec_put32(h + MT_REC_MAGIC_LEN, MT_REC_VERSION);
	mt_rec_put32(h + MT_REC_MAGIC_LEN + 4, (uint32_t)b.len);
	mt_rec_put32(h + MT_REC_MAGIC_LEN + 8,
		     (uint32_t)crc32(0, (const Bytef *)b.data, (uInt)b.len));
	int r = write_all(fd, h, sizeof(h));
	if (!r)
		r = write_all(fd, b.data, b.len);
	mt_buf_free(&b);
	return r;
}

struct mt_recorder *mt_recorder_open(const char *path, bool append,
				     uint64_t max_bytes, unsigned page_size,
				     unsigned pmd_order, char *err,
				     size_t errlen)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
				    O_CLOEXEC, 0600);
	uint64_t size = 0;
	if (fd < 0 && errno == EEXIST) {
		if (!append) {
			snprintf(err, errlen, "%s exists (--record-append adds "
				 "to a recording)", path);
			return NULL;
		}
		/* a recording of ours: checked, and its damaged tail (a
		 * frame cut by a crash) cut off */
		char why[256];
		uint64_t good = 0;
		struct stat st;
		fd = open(path, O_RDWR | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0) {
			snprintf(err, errlen, "%s: %s", path,
				 errno == ELOOP ? "is a symbolic link"
						: strerror(errno));
			return NULL;
		}
		if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) ||
		    st.st_uid != geteuid()) {
			snprintf(err, errlen, "%s: not a regular file of "
				 "this user's", path);
			close(fd);
			return NULL;
		}
		struct mt_rec_info info;
		bool torn = false;
		int sc = mt_rec_scan_fd(fd, &info, NULL, &good, &torn, why,
					sizeof(why));
		if (sc < 0 || (sc > 0 && !torn)) {
			/* damage in the middle: appending would hide what
			 * follows it from every reader */
			snprintf(err, errlen, "%s: %s%s", path, why,
				 sc > 0 ? "; not appending to it" : "");
			close(fd);
			return NULL;
		}
		if (info.page_size != page_size ||
		    info.pmd_order != pmd_order) {
			snprintf(err, errlen, "%s was recorded with %u-byte "
				 "pages and PMD order %u, not %u and %u", path,
				 info.page_size, info.pmd_order, page_size,
				 pmd_order);
			close(fd);
			return NULL;
		}
		if ((uint64_t)st.st_size > good && ftruncate(fd, (off_t)good) < 0) {
			snprintf(err, errlen, "%s: cannot cut its damaged "
				 "end: %s", path, strerror(errno));
			close(fd);
			return NULL;
		}
		if (lseek(fd, (off_t)good, SEEK_SET) < 0) {
			snprintf(err, errlen, "%s: %s", path, strerror(errno));
			close(fd);
			return NULL;
		}
		size = good;
	} else if (fd < 0) {
		snprintf(err, errlen, "%s: %s", path,
			 errno == ELOOP ? "is a symbolic link" : strerror(errno));
		return NULL;
	} else {
		int r = write_header(fd, page_size, pmd_order);
		if (!r && fdatasync(fd) < 0)
			r = -errno;
		if (r < 0) {
			snprintf(err, errlen, "%s: %s", path, strerror(-r));
			close(fd);
			unlink(path);
			return NULL;
		}
		size = (uint64_t)lseek(fd, 0, SEEK_CUR);
	}
	struct mt_recorder *rec = xcalloc(1, sizeof(*rec));
	rec->fd = fd;
	rec->bytes = size;
	rec->max_bytes = max_bytes;
	rec->state = MT_REC_ON;
	if (max_bytes && size >= max_bytes) {
		rec->state = MT_REC_FULL;
		snprintf(err, errlen, "%s is already %llu bytes (--record-max)",
			 path, (unsigned long long)size);
	}
	return rec;
}

enum mt_rec_state mt_recorder_write(struct mt_recorder *r,
				    const struct mt_snapshot *s, char *err,
				    size_t errlen)
{
	if (r->state != MT_REC_ON)
		return r->state;
	bool key = r->since_key == 0;
	mt_buf_reset(&r->enc);
	mt_rec_encode(&r->enc, s, &r->prev, key);
	uLongf zlen = compressBound((uLong)r->enc.len);
	if (r->zcap < zlen + MT_REC_FRAME_HDR) {
		r->zcap = zlen + MT_REC_FRAME_HDR;
		r->z = xrealloc(r->z, r->zcap);
	}
	unsigned char *f = r->z;
	if (compress2(f + MT_REC_FRAME_HDR, &zlen, (const Bytef *)r->enc.data,
		      (uLong)r->enc.len, 1) != Z_OK || zlen > UINT32_MAX ||
	    r->enc.len > UINT32_MAX) {
		snprintf(err, errlen, "cannot compress a frame");
		r->state = MT_REC_FAILED;
		return r->state;
	}
	size_t total = MT_REC_FRAME_HDR + zlen;
	if (r->max_bytes && r->bytes + total > r->max_bytes) {
		snprintf(err, errlen, "recording stopped at %llu bytes "
			 "(--record-max)", (unsigned long long)r->bytes);
		r->state = MT_REC_FULL;
		return r->state;
	}
	mt_rec_put32(f, MT_REC_FRAME_MAGIC);
	mt_rec_put32(f + 4, (uint32_t)zlen);
	mt_rec_put32(f + 8, (uint32_t)r->enc.len);
	f[16] = key ? MT_REC_KEY : MT_REC_DELTA;
	f[17] = f[18] = f[19] = 0;
	for (int i = 0; i < 8; i++)
		f[20 + i] = (unsigned char)(s->time_ns >> (8 * i));
	mt_rec_put32(f + 12, (uint32_t)crc32(0, f + 16, (uInt)(total - 16)));
	int e = write_all(r->fd, f, total);
	if (!e && fdatasync(r->fd) < 0)
		e = -errno;
	if (e < 0) {
		/* what was written of this frame is a damaged tail: the
		 * reader stops before it */
		snprintf(err, errlen, "recording stopped: %s", strerror(-e));
		r->state = MT_REC_FAILED;
		return r->state;
	}
	r->bytes += total;
	r->frames++;
	r->since_key = (r->since_key + 1) % MT_REC_KEY_EVERY;
	return r->state;
}

enum mt_rec_state mt_recorder_state(const struct mt_recorder *r)
{
	return r ? r->state : MT_REC_OFF;
}

uint64_t mt_recorder_bytes(const struct mt_recorder *r)
{
	return r ? r->bytes : 0;
}

size_t mt_recorder_frames(const struct mt_recorder *r)
{
	return r ? r->frames : 0;
}

void mt_recorder_close(struct mt_recorder *r)
{
	if (!r)
		return;
	close(r->fd);
	mt_rec_prev_free(&r->prev);
	mt_buf_free(&r->enc);
	free(r->z);
	free(r);
}
