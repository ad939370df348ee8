/*
 * numa.h - which NUMA node a physical page lies on.
 *
 * sysfs lists the memory blocks of every node (devices/system/node/nodeN/
 * memoryM) and the block size; a PFN's block is pfn >> block_shift. The
 * map is read once (mt_numa_load) and then only looked up. A machine
 * without NUMA information has no nodes: every lookup says -1.
 */
#ifndef MEMTOP_NUMA_H
#define MEMTOP_NUMA_H

#include <stddef.h>
#include <stdint.h>
#include "memtop/procfs.h"

struct mt_numa {
	int16_t *block_node; /* node of each memory block, -1 unknown */
	size_t nblocks;
	unsigned block_shift; /* log2(memory block size / page size) */
	unsigned nnodes;      /* highest node id + 1; 0: none known */
};

/* Read the layout below pf's sys root (pages of page_size bytes). */
void mt_numa_load(struct mt_numa *m, const struct mt_procfs *pf,
		  unsigned page_size);
void mt_numa_free(struct mt_numa *m);

/* The node of pfn, or -1. */
static inline int mt_numa_node(const struct mt_numa *m, uint64_t pfn)
{
	uint64_t blk = pfn >> m->block_shift;
	return blk < m->nblocks ? m->block_node[blk] : -1;
}

#endif
