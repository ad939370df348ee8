/*
 * pagemap.c - PAGEMAP_SCAN and batched pread over pagemap and kpageflags.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "memtop/pagemap.h"
#include "memtop/util.h"

/* The ABI of Linux 6.7; older uapi headers do not have it. A region is
 * the kernel's struct page_region, which struct mt_region mirrors. */
struct mt_pm_scan_arg {
	uint64_t size, flags, start, end, walk_end, vec, vec_len, max_pages;
	uint64_t category_inverted, category_mask, category_anyof_mask;
	uint64_t return_mask;
};
_Static_assert(sizeof(struct mt_region) == 24, "struct page_region");

#define MT_PAGEMAP_SCAN _IOWR('f', 16, struct mt_pm_scan_arg)

/* Regions per call: few for a start (a small range, or the probe for the
 * next populated page), then 4096 (96 KiB) once a call fills them, so
 * that memory of many short runs (one page in eight, say) costs few
 * calls. */
#define SCAN_VEC_SMALL 64
#define SCAN_VEC 4096

int mt_pagemap_scan(int fd, uint64_t start, uint64_t end, uint64_t inverted,
		    uint64_t required, uint64_t anyof, uint64_t return_mask,
		    uint64_t max_pages, mt_region_fn fn, void *ctx,
		    uint64_t *ioctls)
{
	struct mt_region small[SCAN_VEC_SMALL];
	struct mt_region *vec = small, *big = NULL;
	uint64_t vec_len = SCAN_VEC_SMALL;
	uint64_t pos = start, seen = start, reported = 0;
	unsigned shift = mt_log2((uint64_t)sysconf(_SC_PAGESIZE));
	unsigned stalls = 0;
	int ret = 0;

	while (pos < end) {
		struct mt_pm_scan_arg arg = {
			.size = sizeof(arg),
			.start = pos,
			.end = end,
			.vec = (uint64_t)(uintptr_t)vec,
			.vec_len = vec_len,
			.max_pages = max_pages ? max_pages - reported : 0,
			.category_inverted = inverted,
			.category_mask = required,
			.category_anyof_mask = anyof,
			.return_mask = return_mask,
		};
		long r = ioctl(fd, MT_PAGEMAP_SCAN, &arg);
		if (ioctls)
			(*ioctls)++;
		if (r < 0) {
			if (errno == EINTR)
				continue;
			ret = -errno;
			break;
		}
		/* Regions may reach past walk_end and be reported again by
		 * the next call: clip them to what was not seen (in place). */
		size_t n = 0;
		for (long i = 0; i < r; i++) {
			uint64_t s = MT_MAX(vec[i].start, seen);
			uint64_t e = MT_MIN(vec[i].end, end);
			if (s >= e)
				continue;
			vec[n++] = (struct mt_region){s, e, vec[i].categories};
			seen = e;
			reported += (e - s) >> shift;
		}
		if (n && fn(ctx, vec, n))
			break;
		if (max_pages && reported >= max_pages)
			break;
		uint64_t next = arg.walk_end;
		if (next <= pos) {
			/* No progress: the kernel should not do this, but a
			 * loop must end. Skip what was reported, or give up. */
			if (seen > pos && ++stalls < 4) {
				next = seen;
			} else {
				ret = -EIO;
				break;
			}
		}
		pos = next;
		if (r == (long)vec_len && !big) {
			/* a full vector: more regions are coming */
			big = xmalloc(SCAN_VEC * sizeof(*big));
			vec = big;
			vec_len = SCAN_VEC;
		}
	}
	free(big);
	return ret;
}

struct first_ctx {
	uint64_t found;
};

static int first_region(void *ctx, const struct mt_region *r, size_t n)
{
	(void)n;
	((struct first_ctx *)ctx)->found = r->start;
	return 1;
}

int mt_pagemap_next_populated(int fd, uint64_t start, uint64_t end,
			      uint64_t anyof, uint64_t *found,
			      uint64_t *ioctls)
{
	struct first_ctx fc = {end};
	int r = mt_pagemap_scan(fd, start, end, 0, 0, anyof, anyof, 1,
				first_region, &fc, ioctls);
	*found = fc.found;
	return r;
}

/* 0, or -ENODATA when not a byte was there (end of file), or -errno;
 * a short read is completed with zeros. */
static int pread_full(int fd, uint64_t off, uint64_t *buf, size_t n)
{
	size_t want = n * sizeof(uint64_t), got = 0;
	char *p = (char *)buf;
	while (got < want) {
		ssize_t r = pread(fd, p + got, want - got, (off_t)(off + got));
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (r == 0)
			break;
		got += (size_t)r;
	}
	got &= ~(size_t)7;
	if (got < want)
		memset(p + got, 0, want - got);
	return got || !want ? 0 : -ENODATA;
}

int mt_pagemap_read(int fd, uint64_t vpage, uint64_t *buf, size_t n)
{
	return pread_full(fd, vpage * sizeof(uint64_t), buf, n);
}

int mt_kpageflags_read(int fd, uint64_t pfn, uint64_t *buf, size_t n)
{
	int r = pread_full(fd, pfn * sizeof(uint64_t), buf, n);
	return r == -ENODATA ? 0 : r; /* past the last PFN: zeros */
}
