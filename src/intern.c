/*
 * intern.c - byte strings stored once per arena (open addressing).
 */
#include <stdlib.h>
#include <string.h>

#include "memtop/intern.h"

/* Eight bytes a step (histograms are arrays of words), then the tail. */
static uint64_t hash_bytes(const void *data, size_t n)
{
	const unsigned char *p = data;
	uint64_t h = 0x9e3779b97f4a7c15u ^ n;
	for (; n >= 8; p += 8, n -= 8) {
		uint64_t w;
		memcpy(&w, p, 8);
		h = (h ^ w) * 0xff51afd7ed558ccdu;
		h ^= h >> 32;
	}
	for (; n; p++, n--)
		h = (h ^ *p) * 0x100000001b3u;
	return h ^ (h >> 29);
}

void mt_intern_reset(struct mt_intern *t)
{
	if (t->slots)
		memset(t->slots, 0, t->cap * sizeof(*t->slots));
	t->n = 0;
}

/* Double the table when it is half full. */
static void grow(struct mt_intern *t)
{
	size_t cap = t->cap ? t->cap * 2 : 1024;
	struct mt_intern_slot *old = t->slots;
	size_t oldcap = t->cap;
	t->slots = xcalloc(cap, sizeof(*t->slots));
	t->cap = cap;
	for (size_t i = 0; i < oldcap; i++) {
		if (!old[i].p)
			continue;
		size_t j = old[i].hash & (cap - 1);
		while (t->slots[j].p)
			j = (j + 1) & (cap - 1);
		t->slots[j] = old[i];
	}
	free(old);
}

const void *mt_intern(struct mt_intern *t, struct mt_arena *a,
		      const void *data, size_t len)
{
	if ((t->n + 1) * 2 > t->cap)
		grow(t);
	uint64_t h = hash_bytes(data, len);
	size_t j = h & (t->cap - 1);
	while (t->slots[j].p) {
		if (t->slots[j].hash == h && t->slots[j].len == len &&
		    memcmp(t->slots[j].p, data, len) == 0)
			return t->slots[j].p;
		j = (j + 1) & (t->cap - 1);
	}
	char *copy = mt_arena_alloc(a, len + 1);
	memcpy(copy, data, len);
	t->slots[j] = (struct mt_intern_slot){copy, len, h};
	t->n++;
	return copy;
}

void mt_intern_free(struct mt_intern *t)
{
	free(t->slots);
	t->slots = NULL;
	t->n = t->cap = 0;
}
