/*
 * sysinfo.h - system-wide huge page state: THP and mTHP settings,
 * khugepaged, counters from /proc/vmstat and the per-size mTHP stats (with
 * rates over the last interval), /proc/meminfo huge page lines and free
 * memory fragmentation from /proc/buddyinfo.
 *
 * Read once per scan into the snapshot's arena. Which counters exist
 * depends on the kernel: sizes and stats are listed from the directories,
 * never hard-coded. The files' text is parsed by parse.h.
 */
#ifndef MEMTOP_SYSINFO_H
#define MEMTOP_SYSINFO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "memtop/parse.h" /* struct mt_counter, struct mt_buddy_zone */

struct mt_arena;
struct mt_procfs;

struct mt_mthp_size {
	uint64_t kb;                 /* folio size in KiB */
	const char *enabled;         /* selected word, "?" if unreadable,
					"shmem only" for a size without
					anonymous folios (no such file) */
	bool shmem_only;
	const char *shmem_enabled;
	struct mt_counter *stats;    /* stats/ files, sorted by key */
	size_t nstats;
};

struct mt_sysinfo {
	uint64_t mono_ns;            /* when read, CLOCK_MONOTONIC */
	double interval_s;           /* since the previous read, 0 if none */
	const char *thp_enabled, *thp_defrag, *thp_shmem_enabled;
	struct mt_counter *khugepaged; /* every numeric khugepaged/ file */
	size_t nkhugepaged;
	struct mt_mthp_size *sizes;  /* ascending size */
	size_t nsizes;
	struct mt_counter *vmstat;   /* thp_*, compact_*, other huge page lines */
	size_t nvmstat;
	struct mt_counter *meminfo;  /* kB values, hugetlb counts */
	size_t nmeminfo;
	struct mt_buddy_zone *zones;
	size_t nzones;
};

/* What mt_sysinfo_read reads: the layout of the THP directories, listed
 * once, and the files in it, kept open between reads where that is safe
 * (sysfs and procfs render afresh on every read at offset 0). One reader
 * belongs to one thread at a time; it holds pf's root fds, not pf. */
struct mt_sysreader;
enum mt_sysreader_keep {
	MT_SYSREADER_KEEP_AUTO,   /* keep files on sysfs and procfs open */
	MT_SYSREADER_KEEP_NEVER,  /* open every file at every read */
	MT_SYSREADER_KEEP_ALWAYS, /* keep any file open (tests) */
};
struct mt_sysreader *mt_sysreader_new(const struct mt_procfs *pf,
				      enum mt_sysreader_keep keep);
void mt_sysreader_free(struct mt_sysreader *r);
/* Files it holds open now. */
size_t mt_sysreader_open_files(const struct mt_sysreader *r);
/* Its files are kept open: a read is cheap (from the third on). */
bool mt_sysreader_warm(const struct mt_sysreader *r);

/* Read everything; prev (may be NULL) gives the rates. Never fails:
 * missing files leave their part empty. */
struct mt_sysinfo *mt_sysinfo_read(struct mt_sysreader *r,
				   struct mt_arena *a,
				   const struct mt_sysinfo *prev);

/* Free pages in blocks of at least 2^order pages, and in all, summed over
 * zones (node < 0: every node). */
uint64_t mt_buddy_free_pages(const struct mt_sysinfo *si, int node,
			     unsigned from_order);

/* The nodes and orders of buddyinfo: returns the highest node number of
 * any zone (-1: no zones) and sets *norders to the most orders of any
 * zone (at most MT_BUDDY_ORDERS). */
int mt_buddy_nodes(const struct mt_sysinfo *si, unsigned *norders);
/* Free blocks per order of node, summed over its zones, into blocks
 * (MT_BUDDY_ORDERS entries, cleared first); false when no zone is on
 * that node. */
bool mt_buddy_node_blocks(const struct mt_sysinfo *si, int node,
			  uint64_t *blocks);

const struct mt_counter *mt_counter_find(const struct mt_counter *c,
					 size_t n, const char *key);

/* Rate arithmetic shared with tests: fills rate/has_rate/reset of cur from
 * the previous value over dt seconds. */
void mt_counter_rate(struct mt_counter *cur, const struct mt_counter *prev,
		     double dt);

#endif
