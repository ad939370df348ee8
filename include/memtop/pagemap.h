/*
 * pagemap.h - reading /proc/PID/pagemap and /proc/kpageflags.
 *
 * Two ways to learn which pages are present: the PAGEMAP_SCAN ioctl
 * (Linux 6.7+), which skips unpopulated ranges for free and returns runs,
 * and batched pread of 64-bit entries. PFNs exist only in the pread form.
 */
#ifndef MEMTOP_PAGEMAP_H
#define MEMTOP_PAGEMAP_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* PAGEMAP_SCAN categories. */
#define MT_PSC_WPALLOWED (UINT64_C(1) << 0)
#define MT_PSC_WRITTEN (UINT64_C(1) << 1)
#define MT_PSC_FILE (UINT64_C(1) << 2)
#define MT_PSC_PRESENT (UINT64_C(1) << 3)
#define MT_PSC_SWAPPED (UINT64_C(1) << 4)
#define MT_PSC_PFNZERO (UINT64_C(1) << 5)
#define MT_PSC_HUGE (UINT64_C(1) << 6)
#define MT_PSC_GUARD (UINT64_C(1) << 8) /* Linux 6.15+; EINVAL before */

#define MT_PAGEMAP_BATCH 65536 /* entries per pread (512 KiB) */

struct mt_region {
	uint64_t start, end; /* byte addresses */
	uint64_t categories;
};

/* Receives regions in batches, in increasing order, never overlapping;
 * returns 0 to go on, non-zero to stop the walk. */
typedef int (*mt_region_fn)(void *ctx, const struct mt_region *r, size_t n);

/*
 * Walk [start, end) with PAGEMAP_SCAN, reporting regions that have any of
 * the anyof categories and all of the required ones, with return_mask
 * categories; the categories in inverted are negated for that test (not
 * in what is reported). Works around walks that stop early and regions that reach
 * past walk_end (see docs: continue from walk_end, drop what was already
 * reported). max_pages limits pages reported (0 = no limit). Returns 0, or
 * -ENOTTY/-EINVAL when the ioctl is not there, or another -errno. ioctls is
 * incremented per call when not NULL.
 */
int mt_pagemap_scan(int fd, uint64_t start, uint64_t end, uint64_t inverted,
		    uint64_t required, uint64_t anyof, uint64_t return_mask,
		    uint64_t max_pages, mt_region_fn fn, void *ctx,
		    uint64_t *ioctls);

/* First byte address >= start of a page with any of the anyof categories
 * below end, or end when there is none; -errno on error. */
int mt_pagemap_next_populated(int fd, uint64_t start, uint64_t end,
			      uint64_t anyof, uint64_t *found,
			      uint64_t *ioctls);

/* Read n entries starting at virtual page vpage. Entries the file does not
 * have (a short read) are zero. Returns 0, -ENODATA when there was nothing
 * at all to read (past the end of the address space, or the process has
 * exited), or -errno. */
int mt_pagemap_read(int fd, uint64_t vpage, uint64_t *buf, size_t n);

/* Read n kpageflags words starting at pfn; missing entries are zero. */
int mt_kpageflags_read(int fd, uint64_t pfn, uint64_t *buf, size_t n);

#endif
