/*
 * numa.c - the memory blocks of each NUMA node, from sysfs.
 */
#include <stdio.h>
#include <stdlib.h>

#include "memtop/numa.h"
#include "memtop/util.h"

static void set_block(struct mt_numa *m, unsigned long blk, unsigned node)
{
	if (blk >= m->nblocks) {
		size_t n = blk + 1;
		m->block_node = xrealloc(m->block_node, n * sizeof(int16_t));
		for (size_t k = m->nblocks; k < n; k++)
			m->block_node[k] = -1;
		m->nblocks = n;
	}
	m->block_node[blk] = (int16_t)node;
	if (node + 1 > m->nnodes)
		m->nnodes = node + 1;
}

void mt_numa_load(struct mt_numa *m, const struct mt_procfs *pf,
		  unsigned page_size)
{
	struct mt_buf b = {0};
	if (mt_sysfs_read(pf, "devices/system/memory/block_size_bytes", &b) < 0) {
		mt_buf_free(&b);
		return;
	}
	uint64_t bs = strtoull(b.data, NULL, 16);
	mt_buf_free(&b);
	if (bs < page_size || (bs & (bs - 1)))
		return;
	m->block_shift = mt_log2(bs / page_size);
	char **nodes;
	size_t nn;
	if (mt_sysfs_list(pf, "devices/system/node", &nodes, &nn) < 0)
		return;
	for (size_t i = 0; i < nn; i++) {
		unsigned node;
		char rest;
		if (sscanf(nodes[i], "node%u%c", &node, &rest) != 1 ||
		    node > 4095)
			continue;
		char rel[64], **mem;
		size_t nm;
		snprintf(rel, sizeof(rel), "devices/system/node/%s", nodes[i]);
		if (mt_sysfs_list(pf, rel, &mem, &nm) < 0)
			continue;
		for (size_t j = 0; j < nm; j++) {
			unsigned long blk;
			if (sscanf(mem[j], "memory%lu%c", &blk, &rest) != 1 ||
			    blk > (1ul << 24))
				continue;
			set_block(m, blk, node);
		}
		mt_free_names(mem, nm);
	}
	mt_free_names(nodes, nn);
}

void mt_numa_free(struct mt_numa *m)
{
	free(m->block_node);
	m->block_node = NULL;
	m->nblocks = 0;
	m->nnodes = 0;
}
