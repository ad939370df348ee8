/*
 * fuzz_maps.c - libFuzzer harness for the /proc/PID/maps line parser and
 * the VMA classifier (parse.h).
 *
 * The input is a maps file: it is cut into lines with mt_next_line() and
 * every line is copied into a heap block of exactly its length, so a read
 * one byte past the end of a line is an AddressSanitizer report, not a
 * silent read of the next line. For each line that parses, the fields must
 * be consistent with the text: start <= end, the permissions are four
 * valid letters, the path lies inside the line, and a line rebuilt from
 * the parsed fields parses back to the same entry.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "memtop/parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Like assert(), but never compiled out. */
#define CHECK(c)                                                           \
	do {                                                               \
		if (!(c)) {                                                \
			fprintf(stderr, "%s:%d: check failed: %s\n",       \
				__FILE__, __LINE__, #c);                   \
			abort();                                           \
		}                                                          \
	} while (0)

static void check_entry(const char *line, size_t len,
			const struct mt_maps_entry *e)
{
	CHECK(e->start <= e->end);
	CHECK(e->perms[4] == '\0');
	CHECK(e->perms[0] == 'r' || e->perms[0] == '-');
	CHECK(e->perms[1] == 'w' || e->perms[1] == '-');
	CHECK(e->perms[2] == 'x' || e->perms[2] == '-');
	CHECK(e->perms[3] == 'p' || e->perms[3] == 's');
	CHECK(e->dev_major <= 0xfff && e->dev_minor <= 0xfffff);
	CHECK(e->path >= line && e->path <= line + len);
	CHECK(e->path_len == (size_t)(line + len - e->path));
	if (e->path_len)
		CHECK(e->path[0] != ' ' && e->path[0] != '\t');

	enum mt_vma_kind k = mt_classify_vma(e->path, e->path_len, e->perms);
	CHECK((unsigned)k < MT_KIND_COUNT);
	CHECK(strcmp(mt_kind_name(k), "?") != 0);

	/* Rebuild the line in the kernel's format: it parses to the same. */
	char head[128];
	int n = snprintf(head, sizeof(head), "%llx-%llx %s %llx %x:%x %llu",
			 (unsigned long long)e->start,
			 (unsigned long long)e->end, e->perms,
			 (unsigned long long)e->offset, e->dev_major,
			 e->dev_minor, (unsigned long long)e->inode);
	CHECK(n > 0 && (size_t)n < sizeof(head));
	size_t rlen = (size_t)n + (e->path_len ? 1 + e->path_len : 0);
	char *r = malloc(rlen ? rlen : 1);
	CHECK(r);
	memcpy(r, head, (size_t)n);
	if (e->path_len) {
		r[n] = ' ';
		memcpy(r + n + 1, e->path, e->path_len);
	}
	struct mt_maps_entry f;
	CHECK(mt_parse_maps_line(r, rlen, &f) == 0);
	CHECK(f.start == e->start && f.end == e->end);
	CHECK(f.offset == e->offset && f.inode == e->inode);
	CHECK(f.dev_major == e->dev_major && f.dev_minor == e->dev_minor);
	CHECK(memcmp(f.perms, e->perms, 5) == 0);
	CHECK(f.path_len == e->path_len);
	CHECK(memcmp(f.path, e->path, e->path_len) == 0);
	CHECK(mt_classify_vma(f.path, f.path_len, f.perms) == k);
	free(r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data;
	size_t pos = 0, len, lines = 0, covered = 0;
	const char *line;
	while ((line = mt_next_line(buf, size, &pos, &len)) != NULL) {
		CHECK(line >= buf && line + len <= buf + size);
		CHECK(pos <= size);
		CHECK(memchr(line, '\n', len) == NULL);
		lines++;
		covered += len;
		/* an exact-size copy: no slack after the line */
		char *copy = malloc(len ? len : 1);
		CHECK(copy);
		memcpy(copy, line, len);
		struct mt_maps_entry e;
		if (mt_parse_maps_line(copy, len, &e) == 0)
			check_entry(copy, len, &e);
		/* the classifier on raw bytes, any perms */
		char perms[5] = {len > 0 ? copy[0] : 'r', '-', '-',
				 len > 1 && (copy[1] & 1) ? 's' : 'p', '\0'};
		CHECK((unsigned)mt_classify_vma(copy, len, perms) <
		       MT_KIND_COUNT);
		free(copy);
	}
	/* lines + newlines cover the input exactly */
	CHECK(pos == size);
	CHECK(covered <= size && size - covered <= lines);
	return 0;
}
