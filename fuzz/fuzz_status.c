/*
 * fuzz_status.c - libFuzzer harness for the /proc/PID/status parser
 * (parse.h).
 *
 * The input is a status file, possibly truncated or hostile. The parser
 * must stay inside the buffer (AddressSanitizer), and what it returns must
 * agree with the text: the result is 0 exactly when Name and Uid were
 * found, the name is NUL terminated, shorter than its array and a piece of
 * one line of the input, kthread is -1, 0 or 1, and fields not found are
 * zero. Every prefix that ends at a line boundary is parsed as well (a
 * file read while the process exits may stop anywhere).
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

/* Whether some line of buf starts with "KEY:" (the parser's rule). */
static int has_key(const char *buf, size_t len, const char *key)
{
	size_t pos = 0, n, k = strlen(key);
	const char *line;
	while ((line = mt_next_line(buf, len, &pos, &n)) != NULL)
		if (n > k && memcmp(line, key, k) == 0 && line[k] == ':')
			return 1;
	return 0;
}

static void check_status(const char *buf, size_t len)
{
	/* exact-size copy: no slack after the end */
	char *copy = malloc(len ? len : 1);
	CHECK(copy);
	memcpy(copy, buf, len);
	struct mt_status st;
	memset(&st, 0xa5, sizeof(st));
	int r = mt_parse_status(copy, len, &st);

	unsigned both = MT_ST_NAME | MT_ST_UID;
	CHECK((r == 0) == ((st.have & both) == both));
	CHECK(r == 0 || r == -1);
	CHECK((st.have & ~(unsigned)(MT_ST_NAME | MT_ST_PPID | MT_ST_UID |
				     MT_ST_RSS)) == 0);
	CHECK(st.name_len < sizeof(st.name));
	CHECK(st.name[st.name_len] == '\0');
	CHECK(memchr(st.name, '\n', st.name_len) == NULL);
	if (st.have & MT_ST_NAME) {
		CHECK(has_key(copy, len, "Name"));
		if (st.name_len)
			CHECK(memmem(copy, len, st.name, st.name_len) != NULL);
	} else {
		CHECK(st.name_len == 0 && st.name[0] == '\0');
	}
	if (!(st.have & MT_ST_PPID))
		CHECK(st.ppid == 0);
	else
		CHECK(st.ppid >= 0 && has_key(copy, len, "PPid"));
	if (!(st.have & MT_ST_UID))
		CHECK(st.uid == 0);
	else
		CHECK(has_key(copy, len, "Uid"));
	if (!(st.have & MT_ST_RSS))
		CHECK(st.rss_kb == 0);
	else
		CHECK(has_key(copy, len, "VmRSS"));
	CHECK(st.kthread == -1 || st.kthread == 0 || st.kthread == 1);
	if (st.kthread != -1)
		CHECK(has_key(copy, len, "Kthread"));
	free(copy);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data;
	check_status(buf, size);
	/* prefixes ending at each newline, and half of the input */
	for (size_t i = 0; i < size && i < 4096; i++)
		if (buf[i] == '\n')
			check_status(buf, i);
	check_status(buf, size / 2);
	return 0;
}
