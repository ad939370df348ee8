/*
 * pagemap.c - PAGEMAP_SCAN and batched pread over pagemap and kpageflags.
 */
#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "memtop/pagemap.h"
#include "memtop/util.h"

/* The ABI of Linux 6.7; older uapi headers do not have it. */
struct mt_page_region {
	uint64_t start, end, categories;
};

struct mt_pm_scan_arg {
	uint64_t size, flags, start, end, walk_end, vec, vec_len, max_pages;
	uint64_t category_inverted, category_mask, category_anyof_mask;
	uint64_t return_mask;
};

#define MT_PAGEMAP_SCAN _IOWR('f', 16, struct mt_pm_scan_arg)

#define SCAN_VEC 512

static uint64_t page_bytes(void)
{
	static uint64_t ps;
	if (!ps)
		ps = (uint64_t)sysconf(_SC_PAGESIZE);
	return ps;
}

int mt_pagemap_scan(int fd, uint64_t start, uint64_t end, uint64_t required,
		    uint64_t anyof, uint64_t return_mask, uint64_t max_pages,
		    mt_region_fn fn, void *ctx, uint64_t *ioctls)
{
	struct mt_page_region vec[SCAN_VEC];
	uint64_t pos = start, seen = start, reported = 0;
	unsigned stalls = 0;

	while (pos < end) {
		struct mt_pm_scan_arg arg = {
			.size = sizeof(arg),
			.start = pos,
			.end = end,
			.vec = (uint64_t)(uintptr_t)vec,
			.vec_len = SCAN_VEC,
			.max_pages = max_pages ? max_pages - reported : 0,
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
			return -errno;
		}
		for (long i = 0; i < r; i++) {
			/* Regions may reach past walk_end and be reported
			 * again by the next call: drop what was seen. */
			struct mt_region reg = {
				.start = MT_MAX(vec[i].start, seen),
				.end = MT_MIN(vec[i].end, end),
				.categories = vec[i].categories,
			};
			if (reg.start >= reg.end)
				continue;
			seen = reg.end;
			reported += (reg.end - reg.start) / page_bytes();
			if (fn(ctx, &reg))
				return 0;
		}
		if (max_pages && reported >= max_pages)
			break;
		uint64_t next = arg.walk_end;
		if (next <= pos) {
			/* No progress: the kernel should not do this, but a
			 * loop must end. Skip what was reported, or give up. */
			if (seen > pos && ++stalls < 4)
				next = seen;
			else
				return -EIO;
		}
		pos = next;
	}
	return 0;
}

struct first_ctx {
	uint64_t found;
};

static int first_region(void *ctx, const struct mt_region *r)
{
	((struct first_ctx *)ctx)->found = r->start;
	return 1;
}

int mt_pagemap_next_populated(int fd, uint64_t start, uint64_t end,
			      uint64_t anyof, uint64_t *found,
			      uint64_t *ioctls)
{
	struct first_ctx fc = {end};
	int r = mt_pagemap_scan(fd, start, end, 0, anyof, anyof, 1,
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
