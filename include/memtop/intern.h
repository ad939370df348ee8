/*
 * intern.h - a set of byte strings stored once in an arena.
 *
 * The snapshot being built keeps one copy of each VMA path (every process
 * maps the same libraries) and of each VMA histogram (most small VMAs have
 * one of a few). An intern set maps contents to that copy. The set owns
 * its index; the copies belong to the arena given to mt_intern(), and the
 * set must be reset (mt_intern_reset) before it is used with another
 * arena. One thread at a time.
 */
#ifndef MEMTOP_INTERN_H
#define MEMTOP_INTERN_H

#include <stddef.h>
#include <stdint.h>
#include "memtop/util.h"

struct mt_intern_slot {
	const void *p;
	size_t len;
	uint64_t hash;
};

struct mt_intern {
	struct mt_intern_slot *slots; /* open addressing, cap a power of 2 */
	size_t n, cap;
};

/* Forget every entry (the arena they were in is about to go). */
void mt_intern_reset(struct mt_intern *t);
/* The arena copy of data[0..len) (plus a NUL), stored once. */
const void *mt_intern(struct mt_intern *t, struct mt_arena *a,
		      const void *data, size_t len);
void mt_intern_free(struct mt_intern *t);

#endif
