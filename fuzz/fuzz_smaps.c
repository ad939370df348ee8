/*
 * fuzz_smaps.c - libFuzzer harness for the /proc/PID/smaps parser
 * (parse.h).
 *
 * The input is an smaps file, possibly truncated, reordered or hostile.
 * The parser must stay inside the buffer (AddressSanitizer), must not leak
 * (LeakSanitizer), and its result must agree with the text: one entry per
 * header line that the maps parser accepts, in input order with the same
 * ranges, THPeligible -1, 0 or 1, only the known VmFlags bits, and a count
 * of unparsable lines no larger than the number of lines.
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

static int is_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
	       (c >= 'A' && c <= 'F');
}

static void check_smaps(const char *buf, size_t len)
{
	char *copy = malloc(len ? len : 1);
	CHECK(copy);
	memcpy(copy, buf, len);

	static struct mt_smaps_vma poison;
	struct mt_smaps_vma *v = &poison;
	size_t bad = 0;
	size_t n = mt_parse_smaps(copy, len, &v, &bad);
	CHECK(v != &poison); /* *out is always set */
	CHECK(n == 0 || v != NULL);

	/* the headers, found independently with the maps line parser */
	size_t pos = 0, ln, lines = 0, headers = 0;
	const char *line;
	while ((line = mt_next_line(copy, len, &pos, &ln)) != NULL) {
		lines++;
		struct mt_maps_entry e;
		if (ln && is_hex(line[0]) &&
		    mt_parse_maps_line(line, ln, &e) == 0) {
			CHECK(headers < n);
			CHECK(v[headers].start == e.start);
			CHECK(v[headers].end == e.end);
			headers++;
		}
	}
	CHECK(headers == n);
	CHECK(bad <= lines);
	for (size_t i = 0; i < n; i++) {
		CHECK(v[i].start <= v[i].end);
		CHECK(v[i].thp_eligible >= -1 && v[i].thp_eligible <= 1);
		CHECK((v[i].vmflags & ~(MT_VMF_HG | MT_VMF_NH | MT_VMF_IO | MT_VMF_PF |
				     MT_VMF_MM | MT_VMF_HT | MT_VMF_DE |
				     MT_VMF_UFFD)) == 0);
	}
	free(v);

	/* without a counter */
	n = mt_parse_smaps(copy, len, &v, NULL);
	CHECK(n == headers);
	free(v);
	free(copy);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	check_smaps((const char *)data, size);
	check_smaps((const char *)data, size / 2);
	return 0;
}
