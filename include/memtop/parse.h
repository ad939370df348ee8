/*
 * parse.h - pure parsers for the text files of /proc and /sys.
 *
 * They take a buffer and its length (not NUL terminated, may be truncated
 * anywhere) and never read outside it. A line they cannot make sense of is
 * rejected with -1; the caller counts it and goes on. The parsers of the
 * system-wide files (vmstat, meminfo, buddyinfo, sysfs choices) skip such
 * lines themselves, and allocate what they return from an arena (util.h),
 * which owns it; they keep no other state, so any thread may call them.
 */
#ifndef MEMTOP_PARSE_H
#define MEMTOP_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include "memtop/util.h"

struct mt_arena;

enum mt_vma_kind {
	MT_KIND_ANON,    /* private anonymous, [anon:NAME] */
	MT_KIND_HEAP,    /* [heap] */
	MT_KIND_STACK,   /* [stack] */
	MT_KIND_FILE,    /* a regular file */
	MT_KIND_MEMFD,   /* /memfd:NAME */
	MT_KIND_SHMEM,   /* shared anonymous, SysV, [anon_shmem:NAME] */
	MT_KIND_SPECIAL, /* [vdso], [vvar], [vsyscall], other [names] */
	MT_KIND_COUNT
};
const char *mt_kind_name(enum mt_vma_kind k);

struct mt_maps_entry {
	uint64_t start, end, offset, inode;
	unsigned dev_major, dev_minor;
	char perms[5];
	const char *path; /* points into the line; not NUL terminated */
	size_t path_len;  /* 0 when the mapping has no name */
};

/* Parse one line of /proc/PID/maps (without its newline). 0 or -1. */
int mt_parse_maps_line(const char *line, size_t len, struct mt_maps_entry *e);

/* Classify a VMA by its name and perms. */
enum mt_vma_kind mt_classify_vma(const char *path, size_t len,
				 const char perms[5]);

struct mt_status {
	char name[96]; /* Name: as the kernel printed it (already escaped) */
	size_t name_len;
	pid_t ppid;
	uid_t uid;        /* real uid */
	enum mt_tri kthread; /* the Kthread line (unknown before 6.x) */
	uint64_t rss_kb;  /* VmRSS, 0 for kernel threads */
	char state;       /* State: R, S, D, Z (zombie), X (dead), ... */
	enum mt_tri thp_enabled; /* THP_enabled (0: PR_SET_THP_DISABLE) */
	unsigned have;    /* MT_ST_* bits of the fields found */
};
#define MT_ST_NAME 1u
#define MT_ST_PPID 2u
#define MT_ST_UID 4u
#define MT_ST_RSS 8u

/* Parse /proc/PID/status. 0 if Name and Uid were found, else -1. */
int mt_parse_status(const char *buf, size_t len, struct mt_status *st);

/* One VMA of /proc/PID/smaps: the fields memtop uses. */
struct mt_smaps_vma {
	uint64_t start, end;
	uint64_t rss_kb, swap_kb, anon_kb;
	uint64_t anon_huge_kb, shmem_pmd_kb, file_pmd_kb;
	enum mt_tri thp_eligible; /* THPeligible, unknown when absent */
	unsigned vmflags; /* MT_VMF_* */
	bool vmflags_seen; /* the VmFlags line was there */
};
#define MT_VMF_HG 1u /* MADV_HUGEPAGE */
#define MT_VMF_NH 2u /* MADV_NOHUGEPAGE */
#define MT_VMF_IO 4u /* VM_IO */
#define MT_VMF_PF 8u /* VM_PFNMAP */
#define MT_VMF_MM 16u /* VM_MIXEDMAP */
#define MT_VMF_HT 32u /* hugetlb */
#define MT_VMF_DE 64u /* VM_DONTEXPAND */
#define MT_VMF_UFFD 128u /* userfaultfd armed: um, uw or ui */

/* Parse smaps into a malloc'd array (*out, to free()); returns the count.
 * Unparsable blocks are skipped and counted in *bad when bad is not NULL. */
size_t mt_parse_smaps(const char *buf, size_t len, struct mt_smaps_vma **out,
		      size_t *bad);

/* The start time (field 22, clock ticks after boot) from /proc/PID/stat;
 * the name in parentheses may hold anything, ')' included. 0 or -1. */
int mt_parse_stat_starttime(const char *buf, size_t len, uint64_t *start);

/* /proc/PID/cmdline as kept in a snapshot: trailing NULs dropped, so the
 * arguments are NUL separated; returns the length kept (0: none, as for
 * kernel threads). */
size_t mt_cmdline_trim(const char *buf, size_t len);

/* The cgroup of a process from /proc/PID/cgroup: the v1 memory
 * controller's path when there is one, else the v2 ("0::") path. Sets
 * path and plen to point into buf; -1 when neither is there. */
int mt_parse_cgroup(const char *buf, size_t len, const char **path,
		    size_t *plen);

/* Iterate lines: returns the next line start and sets *line_len, or NULL at
 * the end. *pos is the cursor (start at 0). */
const char *mt_next_line(const char *buf, size_t len, size_t *pos,
			 size_t *line_len);

/* One buffer that is exactly a decimal number of at most 19 digits (no
 * sign, no blanks): 0 with *v set, else -1. */
int mt_parse_u64(const char *buf, size_t len, uint64_t *v);

/* A named counter or value. rate is per second over the last interval,
 * valid when has_rate; reset is set when the counter went backwards (the
 * rate then counts from zero). */
struct mt_counter {
	const char *key;
	uint64_t value;
	double rate;
	bool has_rate, reset;
};

#define MT_BUDDY_ORDERS 16
struct mt_buddy_zone {
	int node;
	const char *zone;
	unsigned norders;
	uint64_t free[MT_BUDDY_ORDERS]; /* free blocks per order */
};

/* The huge page lines of /proc/vmstat (thp_*, compact_*, the nr_*
 * huge page counts, nr_free_pages), rates not set; returns the count, and
 * *out (never NULL) lives in the arena. */
size_t mt_parse_vmstat(const char *buf, size_t len, struct mt_arena *a,
		       struct mt_counter **out);
/* The huge page lines of /proc/meminfo and MemTotal, MemFree (values in
 * kB as printed; HugePages_* are counts); like mt_parse_vmstat. */
size_t mt_parse_meminfo(const char *buf, size_t len, struct mt_arena *a,
			struct mt_counter **out);
/* The zones of /proc/buddyinfo, in file order; like mt_parse_vmstat. */
size_t mt_parse_buddyinfo(const char *buf, size_t len, struct mt_arena *a,
			  struct mt_buddy_zone **out);
/* "always [madvise] never" -> "madvise" (in the arena); "?" when there is
 * no [choice]. */
const char *mt_parse_choice(const char *buf, size_t len, struct mt_arena *a);

#endif
