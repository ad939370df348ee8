/*
 * fuzz_cgroup.c - libFuzzer harness for the /proc/PID/cgroup parser
 * (mt_parse_cgroup in parse.h).
 *
 * The input is a cgroup file ("hierarchy-ID:controller-list:path" lines,
 * v1 and v2 mixed, truncated or hostile). The parser must stay inside the
 * buffer (AddressSanitizer), and a path it returns must lie inside one
 * line of the input, after the second colon of a line whose controller
 * list names "memory" or that starts with "0::"; it must prefer the first
 * memory line over any v2 line, and find one whenever such a line exists.
 */
#include <stdbool.h>
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

/* Reference: where the path of a line starts, and its kind. */
enum kind { OTHER, MEMORY, V2 };
static enum kind line_kind(const char *l, size_t n, const char **path)
{
	const char *c1 = memchr(l, ':', n);
	if (!c1)
		return OTHER;
	const char *c2 = memchr(c1 + 1, ':', n - (size_t)(c1 + 1 - l));
	if (!c2)
		return OTHER;
	*path = c2 + 1;
	/* controllers: comma-separated words between the colons */
	const char *w = c1 + 1;
	for (;;) {
		const char *e = w;
		while (e < c2 && *e != ',')
			e++;
		if (e - w == 6 && memcmp(w, "memory", 6) == 0)
			return MEMORY;
		if (e >= c2)
			break;
		w = e + 1;
	}
	if (c1 == l + 1 && l[0] == '0' && c2 == c1 + 1)
		return V2;
	return OTHER;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = malloc(size ? size : 1); /* exact size */
	CHECK(buf);
	memcpy(buf, data, size);

	const char *want = NULL, *v2 = NULL;
	size_t want_len = 0, v2_len = 0;
	size_t pos = 0, n;
	const char *line;
	while ((line = mt_next_line(buf, size, &pos, &n)) != NULL) {
		const char *p = NULL;
		enum kind k = line_kind(line, n, &p);
		if (k == MEMORY && !want) {
			want = p;
			want_len = (size_t)(line + n - p);
		} else if (k == V2) {
			v2 = p; /* the last v2 line */
			v2_len = (size_t)(line + n - p);
		}
	}
	if (!want) {
		want = v2;
		want_len = v2_len;
	}

	const char *path = (const char *)&path; /* poison */
	size_t plen = (size_t)-1;
	int r = mt_parse_cgroup(buf, size, &path, &plen);
	CHECK(r == 0 || r == -1);
	CHECK((r == 0) == (want != NULL));
	if (r == 0) {
		CHECK(path >= buf && path <= buf + size);
		CHECK(plen <= (size_t)(buf + size - path));
		CHECK(memchr(path, '\n', plen) == NULL);
		CHECK(path == want && plen == want_len);
	}
	free(buf);
	return 0;
}
