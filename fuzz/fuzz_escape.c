/*
 * fuzz_escape.c - libFuzzer harness for the escaping of untrusted names
 * and paths: mt_escape_visible, mt_escape_json and mt_utf8_seq_len
 * (escape.h), and mt_prom_escape_label (prometheus.h).
 *
 * The first input byte chooses the mode (bit 0: UTF-8 allowed in visible
 * output; bit 1: append to a non-empty buffer); the rest is the string.
 * Checked against references written here from the Unicode table of
 * well-formed UTF-8 (Table 3-7):
 *  - mt_utf8_seq_len agrees with the reference at every offset;
 *  - visible output holds no byte below 0x20, no 0x7f, no C1 control,
 *    only ASCII without UTF-8 mode, is valid UTF-8, and is exactly the
 *    input with each byte that may not pass written as \xHH;
 *  - JSON output is one complete string literal: it decodes with a strict
 *    decoder (no raw control bytes, only valid escapes, quotes balanced,
 *    nothing after the closing quote), it is valid UTF-8, and it decodes to
 *    the input with each byte of invalid UTF-8 replaced by U+FFFD;
 *  - a Prometheus label value holds no control byte and no unescaped
 *    double quote, is valid UTF-8, and unescapes (\\, \", \n) to the
 *    visible form of the input with UTF-8 allowed;
 *  - bytes already in the buffer are left as they were, and the buffer
 *    stays NUL terminated.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "memtop/escape.h"
#include "memtop/prometheus.h"
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

static bool in(unsigned char c, unsigned lo, unsigned hi)
{
	return c >= lo && c <= hi;
}

/* Length of the well-formed UTF-8 sequence at s (Unicode Table 3-7), or 0. */
static size_t ref_utf8_len(const unsigned char *s, size_t n)
{
	if (n == 0)
		return 0;
	unsigned char c = s[0];
	if (c <= 0x7f)
		return 1;
	unsigned lo = 0x80, hi = 0xbf;
	size_t len;
	if (in(c, 0xc2, 0xdf)) {
		len = 2;
	} else if (in(c, 0xe0, 0xef)) {
		len = 3;
		if (c == 0xe0)
			lo = 0xa0;
		else if (c == 0xed)
			hi = 0x9f;
	} else if (in(c, 0xf0, 0xf4)) {
		len = 4;
		if (c == 0xf0)
			lo = 0x90;
		else if (c == 0xf4)
			hi = 0x8f;
	} else {
		return 0;
	}
	if (n < len || !in(s[1], lo, hi))
		return 0;
	for (size_t i = 2; i < len; i++)
		if (!in(s[i], 0x80, 0xbf))
			return 0;
	return len;
}

static bool valid_utf8(const unsigned char *s, size_t n)
{
	size_t i = 0;
	while (i < n) {
		size_t k = ref_utf8_len(s + i, n - i);
		if (!k)
			return false;
		i += k;
	}
	return true;
}

static void put_utf8(struct mt_buf *b, uint32_t cp)
{
	char t[4];
	size_t n;
	if (cp < 0x80) {
		t[0] = (char)cp, n = 1;
	} else if (cp < 0x800) {
		t[0] = (char)(0xc0 | (cp >> 6));
		t[1] = (char)(0x80 | (cp & 0x3f)), n = 2;
	} else if (cp < 0x10000) {
		t[0] = (char)(0xe0 | (cp >> 12));
		t[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		t[2] = (char)(0x80 | (cp & 0x3f)), n = 3;
	} else {
		t[0] = (char)(0xf0 | (cp >> 18));
		t[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
		t[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
		t[3] = (char)(0x80 | (cp & 0x3f)), n = 4;
	}
	mt_buf_add(b, t, n);
}

static int hexval(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * Strict decoder for one JSON string literal filling s[0..n) exactly
 * (RFC 8259 section 7, plus: 0x7f must be escaped too). Appends the
 * decoded text as UTF-8 to out; false if s is not such a literal.
 */
static bool json_decode(const unsigned char *s, size_t n, struct mt_buf *out)
{
	if (n < 2 || s[0] != '"')
		return false;
	size_t i = 1;
	while (i < n) {
		unsigned char c = s[i];
		if (c == '"')
			return i == n - 1; /* closing quote ends the input */
		if (c < 0x20 || c == 0x7f)
			return false;
		if (c != '\\') {
			mt_buf_addc(out, (char)c);
			i++;
			continue;
		}
		if (i + 1 >= n)
			return false;
		c = s[i + 1];
		i += 2;
		switch (c) {
		case '"': mt_buf_addc(out, '"'); break;
		case '\\': mt_buf_addc(out, '\\'); break;
		case '/': mt_buf_addc(out, '/'); break;
		case 'b': mt_buf_addc(out, '\b'); break;
		case 'f': mt_buf_addc(out, '\f'); break;
		case 'n': mt_buf_addc(out, '\n'); break;
		case 'r': mt_buf_addc(out, '\r'); break;
		case 't': mt_buf_addc(out, '\t'); break;
		case 'u': {
			if (i + 4 > n)
				return false;
			uint32_t cp = 0;
			for (int k = 0; k < 4; k++) {
				int h = hexval(s[i + (size_t)k]);
				if (h < 0)
					return false;
				cp = cp << 4 | (uint32_t)h;
			}
			i += 4;
			/* memtop never writes surrogate pairs */
			if (cp >= 0xd800 && cp <= 0xdfff)
				return false;
			put_utf8(out, cp);
			break;
		}
		default:
			return false;
		}
	}
	return false; /* no closing quote */
}

static const char PREFIX[] = "pre\x1b[31m\"";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	unsigned mode = data[0];
	int utf8 = mode & 1;
	bool prefill = mode & 2;
	/* the string, in an exact-size heap block */
	size_t n = size - 1;
	unsigned char *s = malloc(n ? n : 1);
	CHECK(s);
	memcpy(s, data + 1, n);

	for (size_t i = 0; i < n; i++)
		CHECK(mt_utf8_seq_len(s + i, n - i) == ref_utf8_len(s + i, n - i));
	CHECK(mt_utf8_seq_len(s, 0) == 0);

	size_t pre = prefill ? sizeof(PREFIX) - 1 : 0;

	/* --- visible --- */
	struct mt_buf b = {0}, want = {0}, dec = {0};
	/* allocated up front: pointer arithmetic below never sees NULL */
	mt_buf_reserve(&b, 0);
	mt_buf_reserve(&want, 0);
	mt_buf_reserve(&dec, 0);
	if (prefill)
		mt_buf_add(&b, PREFIX, pre);
	mt_escape_visible(&b, (const char *)s, n, utf8);
	CHECK(b.len >= pre + n);
	CHECK(pre == 0 || memcmp(b.data, PREFIX, pre) == 0);
	CHECK(b.len == 0 || b.data[b.len] == '\0');
	const unsigned char *v = (const unsigned char *)b.data + pre;
	size_t vn = b.len - pre;
	for (size_t i = 0; i < vn; i++) {
		CHECK(v[i] >= 0x20 && v[i] != 0x7f);
		CHECK(utf8 || v[i] < 0x80);
	}
	CHECK(valid_utf8(v, vn));
	for (size_t i = 0; i + 1 < vn; i++)
		CHECK(!(v[i] == 0xc2 && v[i + 1] < 0xa0)); /* no C1 */
	for (size_t i = 0; i < n;) {
		size_t k = ref_utf8_len(s + i, n - i);
		bool c1 = k == 2 && s[i] == 0xc2 && s[i + 1] < 0xa0;
		if (s[i] >= 0x20 && s[i] < 0x7f) {
			mt_buf_addc(&want, (char)s[i]);
			i++;
		} else if (utf8 && k > 1 && !c1) {
			mt_buf_add(&want, s + i, k);
			i += k;
		} else {
			mt_buf_printf(&want, "\\x%02x", s[i]);
			i++;
		}
	}
	CHECK(want.len == vn && (vn == 0 || memcmp(want.data, v, vn) == 0));

	/* --- JSON --- */
	mt_buf_reset(&b);
	mt_buf_reset(&want);
	if (prefill)
		mt_buf_add(&b, PREFIX, pre);
	mt_escape_json(&b, (const char *)s, n);
	CHECK(pre == 0 || memcmp(b.data, PREFIX, pre) == 0);
	CHECK(b.len == 0 || b.data[b.len] == '\0');
	const unsigned char *j = (const unsigned char *)b.data + pre;
	size_t jn = b.len - pre;
	CHECK(valid_utf8(j, jn));
	CHECK(json_decode(j, jn, &dec));
	for (size_t i = 0; i < n;) {
		size_t k = ref_utf8_len(s + i, n - i);
		if (k) {
			mt_buf_add(&want, s + i, k);
			i += k;
		} else {
			mt_buf_add(&want, "\xef\xbf\xbd", 3);
			i++;
		}
	}
	CHECK(dec.len == want.len &&
	      (dec.len == 0 || memcmp(dec.data, want.data, dec.len) == 0));

	/* --- Prometheus label value --- */
	mt_buf_reset(&b);
	mt_buf_reset(&want);
	mt_buf_reset(&dec);
	mt_escape_visible(&want, (const char *)s, n, 1);
	mt_prom_escape_label(&b, (const char *)s, n);
	const unsigned char *l = (const unsigned char *)b.data;
	CHECK(valid_utf8(l, b.len));
	for (size_t i = 0; i < b.len; i++) {
		CHECK(l[i] >= 0x20 && l[i] != 0x7f && l[i] != '"');
		if (l[i] != '\\') {
			mt_buf_addc(&dec, (char)l[i]);
			continue;
		}
		CHECK(i + 1 < b.len);
		i++;
		CHECK(l[i] == '\\' || l[i] == '"' || l[i] == 'n');
		mt_buf_addc(&dec, l[i] == 'n' ? '\n' : (char)l[i]);
	}
	CHECK(dec.len == want.len &&
	      (dec.len == 0 || memcmp(dec.data, want.data, dec.len) == 0));

	mt_buf_free(&dec);
	mt_buf_free(&want);
	mt_buf_free(&b);
	free(s);
	return 0;
}
