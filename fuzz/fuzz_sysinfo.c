/*
 * fuzz_sysinfo.c - libFuzzer harness for the system file parsers of
 * parse.h: /proc/vmstat, /proc/meminfo, /proc/buddyinfo, the sysfs
 * choice files ("always [madvise] never") and one-number sysfs files.
 *
 * Every input goes through all five parsers (each in an exact-size heap
 * copy, so AddressSanitizer sees any read past the end). Results must
 * agree with the text: vmstat keys are non-empty words without spaces,
 * meminfo keys hold no colon, buddyinfo zones have 1 to MT_BUDDY_ORDERS
 * counts and a name without spaces, a choice is "?" or the text between
 * the first '[' and the next ']', a number is all digits (at most 19),
 * and no key holds a newline. The free page sum over the zones
 * (sysinfo.h) is computed for every starting order. The arena is
 * freed after each input, so LeakSanitizer sees any other allocation left
 * behind.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "memtop/parse.h"
#include "memtop/sysinfo.h"
#include "memtop/util.h"

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

/* A key or name: text of the input without a newline (a NUL byte in the
 * input ends the C string early, so it may even be empty). */
static void check_key(const char *k, const char *buf, size_t len)
{
	size_t n = strlen(k);
	CHECK(memchr(k, '\n', n) == NULL);
	CHECK(n == 0 || memmem(buf, len, k, n) != NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = malloc(size ? size : 1);
	CHECK(buf);
	memcpy(buf, data, size);
	struct mt_arena *a = mt_arena_new();

	struct mt_counter *c = NULL;
	size_t n = mt_parse_vmstat(buf, size, a, &c);
	CHECK(c != NULL);
	for (size_t i = 0; i < n; i++) {
		check_key(c[i].key, buf, size);
		CHECK(strchr(c[i].key, ' ') == NULL);
	}

	c = NULL;
	n = mt_parse_meminfo(buf, size, a, &c);
	CHECK(c != NULL);
	for (size_t i = 0; i < n; i++) {
		check_key(c[i].key, buf, size);
		CHECK(strchr(c[i].key, ':') == NULL);
	}

	struct mt_buddy_zone *z = NULL;
	n = mt_parse_buddyinfo(buf, size, a, &z);
	CHECK(z != NULL);
	for (size_t i = 0; i < n; i++) {
		CHECK(z[i].node >= 0 && z[i].node <= 4096);
		CHECK(z[i].norders >= 1 && z[i].norders <= MT_BUDDY_ORDERS);
		check_key(z[i].zone, buf, size);
		CHECK(strchr(z[i].zone, ' ') == NULL);
	}
	struct mt_sysinfo si = {.zones = z, .nzones = n};
	for (unsigned o = 0; o <= MT_BUDDY_ORDERS; o++) {
		(void)mt_buddy_free_pages(&si, -1, o);
		(void)mt_buddy_free_pages(&si, 0, o);
	}

	/* the choice: text between the first '[' and the next ']' */
	const char *ch = mt_parse_choice(buf, size, a);
	CHECK(ch != NULL);
	const char *l = memchr(buf, '[', size);
	const char *r = l ? memchr(l, ']', size - (size_t)(l - buf)) : NULL;
	if (!l || !r || r == l + 1) {
		CHECK(strcmp(ch, "?") == 0);
	} else {
		/* a NUL byte inside ends the C string early */
		size_t k = strlen(ch);
		CHECK(k <= (size_t)(r - l - 1));
		CHECK(memcmp(ch, l + 1, k) == 0);
		CHECK(k == (size_t)(r - l - 1) || l[1 + k] == '\0');
	}

	/* a number: the whole input, digits only */
	uint64_t v;
	if (mt_parse_u64(buf, size, &v) == 0) {
		CHECK(size >= 1 && size <= 19);
		for (size_t i = 0; i < size; i++)
			CHECK(buf[i] >= '0' && buf[i] <= '9');
	}

	mt_arena_free(a);
	free(buf);
	return 0;
}
