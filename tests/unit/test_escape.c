/*
 * test_escape.c - escaping untrusted bytes for the terminal and for JSON
 * (escape.h).
 *
 * UTF-8 validity is judged by a reference written from the table of
 * well-formed byte sequences in the Unicode standard (Table 3-7, the same
 * as RFC 3629): no overlong forms, no surrogates, nothing above U+10FFFF.
 * JSON output is checked by a strict string decoder written here and, when
 * python3 is installed, by Python's json module.
 *
 * Random cases use a seeded PRNG; the seed is printed on failure and
 * MEMTOP_TEST_SEED=<number> repeats a run.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "memtop/escape.h"
#include "memtop/util.h"

static uint64_t g_seed;

static uint64_t splitmix64(uint64_t *s)
{
	uint64_t z = (*s += UINT64_C(0x9e3779b97f4a7c15));
	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

static uint64_t rnd_below(uint64_t *s, uint64_t n)
{
	return splitmix64(s) % n;
}

/* ------------------------------------------------------------------ */
/* Reference UTF-8                                                     */

static bool in(unsigned char c, unsigned lo, unsigned hi)
{
	return c >= lo && c <= hi;
}

/* Unicode Table 3-7: well-formed UTF-8 byte sequences. */
static size_t ref_utf8_len(const unsigned char *s, size_t n)
{
	if (n == 0)
		return 0;
	if (s[0] <= 0x7f)
		return 1;
	if (in(s[0], 0xc2, 0xdf))
		return n >= 2 && in(s[1], 0x80, 0xbf) ? 2 : 0;
	if (s[0] == 0xe0)
		return n >= 3 && in(s[1], 0xa0, 0xbf) &&
				       in(s[2], 0x80, 0xbf) ?
			       3 :
			       0;
	if (in(s[0], 0xe1, 0xec) || in(s[0], 0xee, 0xef))
		return n >= 3 && in(s[1], 0x80, 0xbf) &&
				       in(s[2], 0x80, 0xbf) ?
			       3 :
			       0;
	if (s[0] == 0xed)
		return n >= 3 && in(s[1], 0x80, 0x9f) &&
				       in(s[2], 0x80, 0xbf) ?
			       3 :
			       0;
	if (s[0] == 0xf0)
		return n >= 4 && in(s[1], 0x90, 0xbf) &&
				       in(s[2], 0x80, 0xbf) &&
				       in(s[3], 0x80, 0xbf) ?
			       4 :
			       0;
	if (in(s[0], 0xf1, 0xf3))
		return n >= 4 && in(s[1], 0x80, 0xbf) &&
				       in(s[2], 0x80, 0xbf) &&
				       in(s[3], 0x80, 0xbf) ?
			       4 :
			       0;
	if (s[0] == 0xf4)
		return n >= 4 && in(s[1], 0x80, 0x8f) &&
				       in(s[2], 0x80, 0xbf) &&
				       in(s[3], 0x80, 0xbf) ?
			       4 :
			       0;
	return 0;
}

static bool ref_valid_utf8(const unsigned char *s, size_t n)
{
	for (size_t i = 0; i < n;) {
		size_t l = ref_utf8_len(s + i, n - i);

		if (!l)
			return false;
		i += l;
	}
	return true;
}

/* Encodes cp in exactly `len` bytes (1..4), overlong if len is more than
 * needed; cp may be a surrogate or above U+10FFFF. */
static void encode_len(uint32_t cp, size_t len, unsigned char *o)
{
	switch (len) {
	case 1:
		o[0] = (unsigned char)cp;
		break;
	case 2:
		o[0] = (unsigned char)(0xc0 | (cp >> 6));
		o[1] = (unsigned char)(0x80 | (cp & 0x3f));
		break;
	case 3:
		o[0] = (unsigned char)(0xe0 | (cp >> 12));
		o[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
		o[2] = (unsigned char)(0x80 | (cp & 0x3f));
		break;
	default:
		o[0] = (unsigned char)(0xf0 | (cp >> 18));
		o[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3f));
		o[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
		o[3] = (unsigned char)(0x80 | (cp & 0x3f));
		break;
	}
}

static size_t encode(uint32_t cp, unsigned char *o)
{
	size_t len = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;

	encode_len(cp, len, o);
	return len;
}

/* mt_utf8_seq_len through an exactly sized buffer. */
static size_t seq_len(const unsigned char *s, size_t n)
{
	unsigned char *b = malloc(n ? n : 1);
	size_t r;

	assert_non_null(b);
	if (n)
		memcpy(b, s, n);
	r = mt_utf8_seq_len(b, n);
	free(b);
	return r;
}

/* ------------------------------------------------------------------ */
/* mt_utf8_seq_len                                                     */

static void test_reference_self_check(void **state)
{
	(void)state;
	unsigned char b[4];

	/* the table and the arithmetic encoder agree on every scalar */
	for (uint32_t cp = 0; cp <= 0x10ffff; cp++) {
		size_t l = encode(cp, b);
		bool sur = cp >= 0xd800 && cp <= 0xdfff;

		assert_int_equal(ref_utf8_len(b, l), sur ? 0 : l);
	}
	assert_int_equal(ref_utf8_len((const unsigned char *)"\xc0\x80", 2),
			 0);
	assert_int_equal(ref_utf8_len((const unsigned char *)"\xc3\xa9", 2),
			 2);
}

static void test_utf8_codepoints(void **state)
{
	(void)state;
	unsigned char b[4];

	for (uint32_t cp = 0; cp <= 0x10ffff; cp++) {
		size_t l = encode(cp, b);
		size_t want = (cp >= 0xd800 && cp <= 0xdfff) ? 0 : l;
		size_t got = mt_utf8_seq_len(b, l);

		if (got != want)
			fail_msg("U+%04X (%zu bytes): %zu, want %zu",
				 (unsigned)cp, l, got, want);
		/* one byte short: invalid */
		if (l > 1 && mt_utf8_seq_len(b, l - 1) != 0)
			fail_msg("U+%04X cut to %zu bytes accepted",
				 (unsigned)cp, l - 1);
		/* overlong forms */
		for (size_t ol = l + 1; ol <= 4; ol++) {
			unsigned char o[4];

			encode_len(cp, ol, o);
			if (mt_utf8_seq_len(o, ol) != 0)
				fail_msg("overlong U+%04X in %zu bytes "
					 "accepted", (unsigned)cp, ol);
		}
	}
	/* above U+10FFFF in the 4-byte form */
	for (uint32_t cp = 0x110000; cp <= 0x1fffff; cp += 0x111) {
		encode_len(cp, 4, b);
		if (mt_utf8_seq_len(b, 4) != 0)
			fail_msg("U+%X accepted", (unsigned)cp);
	}
	/* noncharacters are well-formed */
	assert_int_equal(seq_len((const unsigned char *)"\xef\xbf\xbf", 3),
			 3);
	assert_int_equal(seq_len((const unsigned char *)"\xef\xbf\xbe", 3),
			 3);
	assert_int_equal(seq_len((const unsigned char *)"\xf4\x8f\xbf\xbf",
				 4),
			 4);
	/* the extremes */
	assert_int_equal(seq_len((const unsigned char *)"\xf4\x90\x80\x80",
				 4),
			 0);
	assert_int_equal(seq_len((const unsigned char *)"\xed\xa0\x80", 3),
			 0);
	assert_int_equal(seq_len((const unsigned char *)"\xed\xbf\xbf", 3),
			 0);
	assert_int_equal(seq_len((const unsigned char *)"\xed\x9f\xbf", 3),
			 3);
	assert_int_equal(seq_len((const unsigned char *)"\xee\x80\x80", 3),
			 3);
	assert_int_equal(seq_len((const unsigned char *)"\xc0\xaf", 2), 0);
	assert_int_equal(seq_len((const unsigned char *)"\xc1\xbf", 2), 0);
	assert_int_equal(seq_len((const unsigned char *)"\xe0\x9f\xbf", 3),
			 0);
	assert_int_equal(seq_len((const unsigned char *)"\xf0\x8f\xbf\xbf",
				 4),
			 0);
	assert_int_equal(seq_len((const unsigned char *)"\xf5\x80\x80\x80",
				 4),
			 0);
	assert_int_equal(seq_len((const unsigned char *)"\xf8\x88\x80\x80\x80",
				 5),
			 0);
	assert_int_equal(seq_len((const unsigned char *)"\xff", 1), 0);
	assert_int_equal(seq_len((const unsigned char *)"\x80", 1), 0);
	assert_int_equal(seq_len((const unsigned char *)"\x00", 1), 1);
	assert_int_equal(seq_len((const unsigned char *)"\x7f", 1), 1);
	assert_int_equal(seq_len((const unsigned char *)"A\xc3", 2), 1);
	assert_int_equal(seq_len((const unsigned char *)"", 0), 0);
	assert_int_equal(seq_len((const unsigned char *)"\xc3", 1), 0);
	assert_int_equal(seq_len((const unsigned char *)"\xe2\x82", 2), 0);
	assert_int_equal(seq_len((const unsigned char *)"\xf0\x9f\x98", 3),
			 0);
}

/* Every 1-, 2- and 3-byte input, and many 4-byte ones, against the table. */
static void test_utf8_exhaustive(void **state)
{
	(void)state;
	/* exactly sized buffers: a read past n is caught by ASan */
	unsigned char *b = malloc(4), *b1 = malloc(1), *b2 = malloc(2);
	unsigned char *b3 = malloc(3);

	assert_non_null(b);
	assert_non_null(b1);
	assert_non_null(b2);
	assert_non_null(b3);
	for (unsigned x = 0; x < 256; x++) {
		b1[0] = (unsigned char)x;
		assert_int_equal(mt_utf8_seq_len(b1, 1), ref_utf8_len(b1, 1));
	}
	for (unsigned x = 0; x < 65536; x++) {
		b2[0] = (unsigned char)(x >> 8);
		b2[1] = (unsigned char)x;
		if (mt_utf8_seq_len(b2, 2) != ref_utf8_len(b2, 2))
			fail_msg("%02x %02x: %zu, want %zu", b2[0], b2[1],
				 mt_utf8_seq_len(b2, 2), ref_utf8_len(b2, 2));
	}
	for (unsigned x = 0; x < (1u << 24); x++) {
		b3[0] = (unsigned char)(x >> 16);
		b3[1] = (unsigned char)(x >> 8);
		b3[2] = (unsigned char)x;
		if (mt_utf8_seq_len(b3, 3) != ref_utf8_len(b3, 3))
			fail_msg("%02x %02x %02x: %zu, want %zu", b3[0],
				 b3[1], b3[2], mt_utf8_seq_len(b3, 3),
				 ref_utf8_len(b3, 3));
	}
	free(b1);
	free(b2);
	free(b3);
	{
		static const unsigned char cont[] = { 0x00, 0x41, 0x7f, 0x80,
						      0x8f, 0x90, 0xa5, 0xbf,
						      0xc0, 0xf0, 0xff };
		size_t nc = sizeof(cont);

		for (unsigned lead = 0xf0; lead < 0x100; lead++)
			for (unsigned x = 0; x < 256; x++)
				for (size_t i = 0; i < nc; i++)
					for (size_t j = 0; j < nc; j++) {
						b[0] = (unsigned char)lead;
						b[1] = (unsigned char)x;
						b[2] = cont[i];
						b[3] = cont[j];
						if (mt_utf8_seq_len(b, 4) !=
						    ref_utf8_len(b, 4))
							fail_msg(
								"%02x %02x "
								"%02x %02x",
								b[0], b[1],
								b[2], b[3]);
					}
	}
	free(b);
}

/* ------------------------------------------------------------------ */
/* mt_escape_visible                                                   */

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Lower-cases the two hex digits after every "\x" so that either case of
 * hex digit compares equal. */
static void norm_hex(char *s, size_t n)
{
	for (size_t i = 0; i + 3 < n; i++)
		if (s[i] == '\\' && s[i + 1] == 'x' &&
		    hexval((unsigned char)s[i + 2]) >= 0 &&
		    hexval((unsigned char)s[i + 3]) >= 0) {
			if (s[i + 2] >= 'A' && s[i + 2] <= 'F')
				s[i + 2] = (char)(s[i + 2] - 'A' + 'a');
			if (s[i + 3] >= 'A' && s[i + 3] <= 'F')
				s[i + 3] = (char)(s[i + 3] - 'A' + 'a');
		}
}

/* Escapes s[0..n) (from an exact-size copy) into a fresh buffer. */
static void visible(struct mt_buf *b, const char *s, size_t n, int utf8)
{
	char *c = malloc(n ? n : 1);

	assert_non_null(c);
	if (n)
		memcpy(c, s, n);
	memset(b, 0, sizeof(*b));
	mt_escape_visible(b, c, n, utf8);
	free(c);
}

static void check_safe(const struct mt_buf *b, int utf8)
{
	for (size_t i = 0; i < b->len; i++) {
		unsigned char c = (unsigned char)b->data[i];

		if (c < 0x20 || c == 0x7f)
			fail_msg("control byte %02x at %zu in output (seed "
				 "%llu)", c, i, (unsigned long long)g_seed);
		if (!utf8 && c >= 0x80)
			fail_msg("byte %02x at %zu in ASCII output (seed "
				 "%llu)", c, i, (unsigned long long)g_seed);
	}
	if (utf8 && !ref_valid_utf8((const unsigned char *)b->data, b->len))
		fail_msg("output is not valid UTF-8 (seed %llu)",
			 (unsigned long long)g_seed);
	if (b->len)
		assert_int_equal(b->data[b->len], 0);
}

static void expect_visible(const char *s, size_t n, int utf8,
			   const char *want)
{
	struct mt_buf b;
	size_t wl = strlen(want);
	char *w = malloc(wl + 1);

	assert_non_null(w);
	memcpy(w, want, wl + 1);
	visible(&b, s, n, utf8);
	check_safe(&b, utf8);
	if (b.data)
		norm_hex(b.data, b.len);
	norm_hex(w, wl);
	if (b.len != wl || (wl && memcmp(b.data, w, wl) != 0))
		fail_msg("escape_visible(utf8=%d) gave \"%.*s\", want \"%s\"",
			 utf8, (int)b.len, b.data ? b.data : "", w);
	free(w);
	mt_buf_free(&b);
}

#define EV(lit, utf8, want) expect_visible(lit, sizeof(lit) - 1, utf8, want)

static void test_visible_cases(void **state)
{
	(void)state;
	for (int u = 0; u <= 1; u++) {
		EV("", u, "");
		EV("abc", u, "abc");
		EV("hello world ~!@#$%^&*()_+{}|:<>?", u,
		   "hello world ~!@#$%^&*()_+{}|:<>?");
		EV("a\x1b[31mb", u, "a\\x1b[31mb");
		EV("\x1b]0;title\x07", u, "\\x1b]0;title\\x07");
		EV("\t\n\r", u, "\\x09\\x0a\\x0d");
		EV("\x7f", u, "\\x7f");
		EV("\0", u, "\\x00");
		EV("a\0b", u, "a\\x00b");
		EV("\x01\x1f", u, "\\x01\\x1f");
		EV("back\\slash", u, "back\\slash");
		EV("\\x41", u, "\\x41");
		EV("\xff", u, "\\xff");
		EV("\xc0\x80", u, "\\xc0\\x80");
		EV("\xed\xa0\x80", u, "\\xed\\xa0\\x80");
		EV("\xf4\x90\x80\x80", u, "\\xf4\\x90\\x80\\x80");
		EV("\xe2\x82", u, "\\xe2\\x82");
		EV("\xe2\x82" "A", u, "\\xe2\\x82A");
		EV("\x80x", u, "\\x80x");
		/* C1 controls: U+009B is CSI on some terminals, U+0085 NEL */
		EV("\xc2\x9b" "31m", u, "\\xc2\\x9b31m");
		EV("\xc2\x85", u, "\\xc2\\x85");
	}
	/* printable UTF-8 passes only in UTF-8 mode */
	EV("caf\xc3\xa9", 1, "caf\xc3\xa9");
	EV("caf\xc3\xa9", 0, "caf\\xc3\\xa9");
	EV("\xe6\x97\xa5\xe6\x9c\xac", 1, "\xe6\x97\xa5\xe6\x9c\xac");
	EV("\xe6\x97\xa5", 0, "\\xe6\\x97\\xa5");
	EV("\xf0\x9f\x98\x80", 1, "\xf0\x9f\x98\x80");
	EV("\xf0\x9f\x98\x80", 0, "\\xf0\\x9f\\x98\\x80");
	/* a valid sequence right after an invalid lead byte */
	EV("\xc3\xc3\xa9", 1, "\\xc3\xc3\xa9");
	EV("\xe6\x97\xc3\xa9", 1, "\\xe6\\x97\xc3\xa9");
}

static void test_visible_appends(void **state)
{
	(void)state;
	struct mt_buf b;

	memset(&b, 0, sizeof(b));
	mt_buf_add(&b, "X", 1);
	mt_escape_visible(&b, "a\x1b", 2, 1);
	norm_hex(b.data, b.len);
	assert_int_equal(b.len, 6);
	assert_memory_equal(b.data, "Xa\\x1b", 6);
	assert_int_equal(b.data[6], 0);
	mt_buf_free(&b);
}

/* Random bytes drawn so that controls, ESC, valid sequences of every
 * length and broken sequences all occur. No backslash, so the escaping
 * can be undone exactly. */
static size_t rnd_text(uint64_t *s, unsigned char *o, size_t cap)
{
	size_t n = 0, want = (size_t)rnd_below(s, cap / 4);

	while (n < want && n + 4 <= cap) {
		switch (rnd_below(s, 8)) {
		case 0:
			o[n++] = (unsigned char)rnd_below(s, 0x20);
			break;
		case 1:
			o[n++] = 0x1b;
			break;
		case 2:
			o[n++] = (unsigned char)(0x20 + rnd_below(s, 0x60));
			break;
		case 3:
			o[n++] = (unsigned char)(0x80 + rnd_below(s, 0x80));
			break;
		case 4: { /* any scalar value */
			uint32_t cp;

			do
				cp = (uint32_t)rnd_below(s, 0x110000);
			while (cp >= 0xd800 && cp <= 0xdfff);
			n += encode(cp, o + n);
			break;
		}
		case 5: { /* a valid sequence cut short */
			unsigned char t[4];
			size_t l = encode((uint32_t)(0x80 + rnd_below(s,
								      0x10ff80)),
					  t);

			memcpy(o + n, t, l - 1);
			n += l - 1;
			break;
		}
		case 6: { /* surrogate or overlong */
			unsigned char t[4];

			if (rnd_below(s, 2)) {
				encode_len((uint32_t)(0xd800 +
						      rnd_below(s, 0x800)),
					   3, t);
				memcpy(o + n, t, 3);
				n += 3;
			} else {
				encode_len((uint32_t)rnd_below(s, 0x80), 2,
					   t);
				memcpy(o + n, t, 2);
				n += 2;
			}
			break;
		}
		default: /* printable letters from several scripts */
			n += encode((uint32_t)(rnd_below(s, 2) ?
						       0x4e00 +
							       rnd_below(s,
									 0x5000) :
						       0xc0 + rnd_below(s,
									0x40)),
				    o + n);
			break;
		}
	}
	for (size_t i = 0; i < n; i++)
		if (o[i] == '\\')
			o[i] = '/';
	return n;
}

/* Undoes \xHH escapes (valid only for input without backslashes). */
static size_t unescape(const char *s, size_t n, unsigned char *o)
{
	size_t k = 0;

	for (size_t i = 0; i < n;) {
		if (s[i] == '\\' && i + 3 < n && s[i + 1] == 'x' &&
		    hexval((unsigned char)s[i + 2]) >= 0 &&
		    hexval((unsigned char)s[i + 3]) >= 0) {
			o[k++] = (unsigned char)(hexval((unsigned char)s[i + 2])
							 * 16 +
						 hexval((unsigned char)s[i + 3]));
			i += 4;
		} else {
			o[k++] = (unsigned char)s[i++];
		}
	}
	return k;
}

static void test_visible_random(void **state)
{
	(void)state;
	for (unsigned c = 0; c < 20000; c++) {
		uint64_t s = g_seed ^ ((uint64_t)c << 20);
		unsigned char in[256], back[256];
		size_t n;
		int utf8 = (int)(c & 1);
		struct mt_buf b;

		(void)splitmix64(&s);
		n = rnd_text(&s, in, sizeof(in));
		visible(&b, (const char *)in, n, utf8);
		check_safe(&b, utf8);
		if (unescape(b.data ? b.data : "", b.len, back) != n ||
		    memcmp(back, in, n) != 0)
			fail_msg("escaping loses bytes (case %u seed %llu)", c,
				 (unsigned long long)g_seed);
		/* at most 4 output bytes per input byte */
		assert_true(b.len <= 4 * n);
		mt_buf_free(&b);
	}
}

/* Text of letters from several scripts passes unchanged in UTF-8 mode. */
static void test_visible_printable_utf8(void **state)
{
	(void)state;
	for (unsigned c = 0; c < 2000; c++) {
		uint64_t s = g_seed ^ ((uint64_t)c << 24) ^ 77;
		unsigned char in[256];
		size_t n = 0;
		struct mt_buf b;

		while (n + 4 <= sizeof(in) && rnd_below(&s, 40)) {
			static const uint32_t base[] = { 0x41,   0xc0,  0x391,
							 0x410,  0x5d0, 0x4e00,
							 0x1f600 };
			uint32_t cp = base[rnd_below(&s, 7)] +
				      (uint32_t)rnd_below(&s, 20);

			n += encode(cp, in + n);
		}
		visible(&b, (const char *)in, n, 1);
		if (b.len != n || (n && memcmp(b.data, in, n) != 0))
			fail_msg("printable UTF-8 changed (case %u seed %llu)",
				 c, (unsigned long long)g_seed);
		mt_buf_free(&b);
	}
}

/* ------------------------------------------------------------------ */
/* mt_escape_json                                                      */

static size_t put_utf8(uint32_t cp, unsigned char *o)
{
	return encode(cp, o);
}

/*
 * Strict decoder of one JSON string literal occupying all of s[0..n).
 * Returns the decoded length in out, or -1 with a reason.
 */
static long json_decode(const unsigned char *s, size_t n, unsigned char *out,
			const char **why)
{
	size_t i = 0, k = 0;

	if (n < 2 || s[0] != '"') {
		*why = "no opening quote";
		return -1;
	}
	i = 1;
	for (;;) {
		if (i >= n) {
			*why = "no closing quote";
			return -1;
		}
		if (s[i] == '"') {
			if (i + 1 != n) {
				*why = "bytes after the closing quote";
				return -1;
			}
			return (long)k;
		}
		if (s[i] < 0x20) {
			*why = "raw control character";
			return -1;
		}
		if (s[i] != '\\') {
			size_t l = ref_utf8_len(s + i, n - i);

			if (!l) {
				*why = "invalid UTF-8";
				return -1;
			}
			memcpy(out + k, s + i, l);
			k += l;
			i += l;
			continue;
		}
		if (i + 1 >= n) {
			*why = "truncated escape";
			return -1;
		}
		switch (s[i + 1]) {
		case '"':
		case '\\':
		case '/':
			out[k++] = s[i + 1];
			i += 2;
			continue;
		case 'b':
			out[k++] = '\b';
			i += 2;
			continue;
		case 'f':
			out[k++] = '\f';
			i += 2;
			continue;
		case 'n':
			out[k++] = '\n';
			i += 2;
			continue;
		case 'r':
			out[k++] = '\r';
			i += 2;
			continue;
		case 't':
			out[k++] = '\t';
			i += 2;
			continue;
		case 'u':
			break;
		default:
			*why = "unknown escape";
			return -1;
		}
		{
			uint32_t cp = 0;

			if (i + 6 > n) {
				*why = "truncated \\u";
				return -1;
			}
			for (int d = 0; d < 4; d++) {
				int h = hexval(s[i + 2 + d]);

				if (h < 0) {
					*why = "bad hex in \\u";
					return -1;
				}
				cp = cp * 16 + (uint32_t)h;
			}
			i += 6;
			if (cp >= 0xdc00 && cp <= 0xdfff) {
				*why = "lone low surrogate";
				return -1;
			}
			if (cp >= 0xd800 && cp <= 0xdbff) {
				uint32_t lo = 0;

				if (i + 6 > n || s[i] != '\\' ||
				    s[i + 1] != 'u') {
					*why = "lone high surrogate";
					return -1;
				}
				for (int d = 0; d < 4; d++) {
					int h = hexval(s[i + 2 + d]);

					if (h < 0) {
						*why = "bad hex in \\u";
						return -1;
					}
					lo = lo * 16 + (uint32_t)h;
				}
				if (lo < 0xdc00 || lo > 0xdfff) {
					*why = "bad low surrogate";
					return -1;
				}
				i += 6;
				cp = 0x10000 + ((cp - 0xd800) << 10) +
				     (lo - 0xdc00);
			}
			k += put_utf8(cp, out + k);
		}
	}
}

/* What the JSON string must decode to: valid sequences kept, every byte
 * of invalid UTF-8 replaced by U+FFFD. */
static size_t json_expect(const unsigned char *s, size_t n, unsigned char *o)
{
	size_t k = 0;

	for (size_t i = 0; i < n;) {
		size_t l = ref_utf8_len(s + i, n - i);

		if (l) {
			memcpy(o + k, s + i, l);
			k += l;
			i += l;
		} else {
			memcpy(o + k, "\xef\xbf\xbd", 3);
			k += 3;
			i++;
		}
	}
	return k;
}

static void json_of(struct mt_buf *b, const unsigned char *s, size_t n)
{
	char *c = malloc(n ? n : 1);

	assert_non_null(c);
	if (n)
		memcpy(c, s, n);
	memset(b, 0, sizeof(*b));
	mt_escape_json(b, c, n);
	free(c);
}

static void check_json(const unsigned char *s, size_t n, const char *label)
{
	struct mt_buf b;
	unsigned char *dec, *want = malloc(3 * n + 16);
	const char *why = "";
	long dl;
	size_t wl;

	assert_non_null(want);
	json_of(&b, s, n);
	assert_non_null(b.data);
	/* decoding never makes a JSON string longer */
	dec = malloc(b.len + 16);
	assert_non_null(dec);
	dl = json_decode((const unsigned char *)b.data, b.len, dec, &why);
	if (dl < 0)
		fail_msg("%s: invalid JSON string (%s): %.*s (seed %llu)",
			 label, why, (int)b.len, b.data,
			 (unsigned long long)g_seed);
	wl = json_expect(s, n, want);
	if ((size_t)dl != wl || memcmp(dec, want, wl) != 0)
		fail_msg("%s: JSON decodes to other text (seed %llu): %.*s",
			 label, (unsigned long long)g_seed, (int)b.len,
			 b.data);
	assert_int_equal(b.data[b.len], 0);
	mt_buf_free(&b);
	free(dec);
	free(want);
}

#define CJ(lit) \
	check_json((const unsigned char *)(lit), sizeof(lit) - 1, #lit)

static void test_json_cases(void **state)
{
	(void)state;
	struct mt_buf b;

	CJ("");
	CJ("abc");
	CJ("\"");
	CJ("\\");
	CJ("a\"b\\c/d");
	CJ("\n\r\t\b\f");
	CJ("\x01\x02\x1b\x1f\x7f");
	CJ("\0");
	CJ("a\0b");
	CJ("caf\xc3\xa9");
	CJ("\xe6\x97\xa5\xe6\x9c\xac");
	CJ("\xf0\x9f\x98\x80");
	CJ("\xe2\x80\xa8\xe2\x80\xa9"); /* U+2028, U+2029 */
	CJ("\xef\xbf\xbf");
	CJ("\xff");
	CJ("a\xc0\x80" "b");
	CJ("\xed\xa0\x80");
	CJ("\xed\xa0\xbd\xed\xb8\x80"); /* CESU-8 surrogate pair */
	CJ("\xe2\x82");
	CJ("\xe2\x82" "A");
	CJ("\xf4\x90\x80\x80");
	CJ("\xf8\x88\x80\x80\x80");
	CJ("\xc3\xc3\xa9");
	CJ("\x80\x80\x80");

	/* exact forms where JSON leaves no choice */
	json_of(&b, (const unsigned char *)"abc", 3);
	assert_string_equal(b.data, "\"abc\"");
	mt_buf_free(&b);
	json_of(&b, (const unsigned char *)"a\"b\\", 4);
	assert_string_equal(b.data, "\"a\\\"b\\\\\"");
	mt_buf_free(&b);
	json_of(&b, (const unsigned char *)"", 0);
	assert_string_equal(b.data, "\"\"");
	mt_buf_free(&b);
	/* invalid bytes: one U+FFFD each (raw or as \ufffd) */
	json_of(&b, (const unsigned char *)"\xff\xfe", 2);
	assert_true(strcmp(b.data, "\"\xef\xbf\xbd\xef\xbf\xbd\"") == 0 ||
		    strcasecmp(b.data, "\"\\ufffd\\ufffd\"") == 0);
	mt_buf_free(&b);

	/* appends */
	memset(&b, 0, sizeof(b));
	mt_buf_add(&b, "{\"k\":", 5);
	mt_escape_json(&b, "v", 1);
	assert_string_equal(b.data, "{\"k\":\"v\"");
	assert_int_equal(b.len, 8);
	mt_buf_free(&b);
}

static void test_json_random(void **state)
{
	(void)state;
	for (unsigned c = 0; c < 20000; c++) {
		uint64_t s = g_seed ^ ((uint64_t)c << 28) ^ 5;
		unsigned char in[256];
		size_t n;
		char label[64];

		(void)splitmix64(&s);
		n = rnd_text(&s, in, sizeof(in));
		/* put quotes and backslashes back in */
		for (size_t i = 0; i < n; i++)
			if (in[i] == '/' && (i & 1))
				in[i] = (i & 2) ? '\\' : '"';
		snprintf(label, sizeof(label), "random case %u", c);
		check_json(in, n, label);
	}
}

/* The same through Python's json module, when python3 is there. */
static void test_json_python(void **state)
{
	(void)state;
	char path[] = "/tmp/memtop-json-XXXXXX";
	int fd;
	FILE *f, *p;
	struct mt_buf all, want;
	char cmd[512];
	char *got;
	size_t gl = 0, gcap = 1 << 20;
	int rc;

	if (system("command -v python3 >/dev/null 2>&1") != 0) {
		print_message("python3 not found: JSON cross-check skipped\n");
		skip();
	}
	memset(&all, 0, sizeof(all));
	memset(&want, 0, sizeof(want));
	/* a JSON array of escaped strings; Python prints each decoded
	 * string as hex, one a line */
	mt_buf_add(&all, "[", 1);
	for (unsigned c = 0; c < 600; c++) {
		uint64_t s = g_seed ^ ((uint64_t)c << 30) ^ 9;
		unsigned char in[256], ex[800];
		size_t n, el;

		(void)splitmix64(&s);
		n = rnd_text(&s, in, sizeof(in));
		for (size_t i = 0; i < n; i++)
			if (in[i] == '/' && (i & 1))
				in[i] = (i & 2) ? '\\' : '"';
		if (c)
			mt_buf_add(&all, ",", 1);
		mt_escape_json(&all, (const char *)in, n);
		el = json_expect(in, n, ex);
		for (size_t i = 0; i < el; i++)
			mt_buf_printf(&want, "%02x", ex[i]);
		mt_buf_add(&want, "\n", 1);
	}
	mt_buf_add(&all, "]", 1);

	fd = mkstemp(path);
	assert_true(fd >= 0);
	f = fdopen(fd, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(all.data, 1, all.len, f), all.len);
	fclose(f);
	snprintf(cmd, sizeof(cmd),
		 "python3 -c 'import json,sys\n"
		 "d = open(sys.argv[1], \"rb\").read().decode(\"utf-8\")\n"
		 "for v in json.loads(d):\n"
		 "    assert isinstance(v, str)\n"
		 "    print(v.encode(\"utf-8\").hex())\n' %s",
		 path);
	p = popen(cmd, "r");
	assert_non_null(p);
	got = malloc(gcap);
	assert_non_null(got);
	for (;;) {
		size_t r = fread(got + gl, 1, gcap - gl, p);

		gl += r;
		if (r == 0)
			break;
		if (gl == gcap) {
			gcap *= 2;
			got = realloc(got, gcap);
			assert_non_null(got);
		}
	}
	rc = pclose(p);
	unlink(path);
	if (rc != 0)
		fail_msg("python3 rejected the JSON (seed %llu)",
			 (unsigned long long)g_seed);
	if (gl != want.len || memcmp(got, want.data, gl) != 0)
		fail_msg("python3 decodes the JSON to other text (seed %llu)",
			 (unsigned long long)g_seed);
	free(got);
	mt_buf_free(&all);
	mt_buf_free(&want);
}

/* C1 controls (U+0080..U+009F, CSI is U+009B) are valid UTF-8 but act
 * like escape sequences on some terminals: JSON spells them \u00XX, so
 * `jq -r` output cannot drive a terminal either. */
static void test_json_c1(void **state)
{
	(void)state;
	struct mt_buf b = {0};
	mt_escape_json(&b, "a\xc2\x9b" "31mb\xc2\x80\xc2\xa0", 11);
	assert_string_equal(b.data, "\"a\\u009b31mb\\u0080\xc2\xa0\"");
	mt_buf_free(&b);
}

int main(void)
{
	const char *env = getenv("MEMTOP_TEST_SEED");
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reference_self_check),
		cmocka_unit_test(test_utf8_codepoints),
		cmocka_unit_test(test_utf8_exhaustive),
		cmocka_unit_test(test_visible_cases),
		cmocka_unit_test(test_visible_appends),
		cmocka_unit_test(test_visible_random),
		cmocka_unit_test(test_visible_printable_utf8),
		cmocka_unit_test(test_json_cases),
		cmocka_unit_test(test_json_random),
		cmocka_unit_test(test_json_python),
		cmocka_unit_test(test_json_c1),
	};

	if (env && *env)
		g_seed = strtoull(env, NULL, 0);
	else
		g_seed = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32);
	printf("test_escape: seed %llu (MEMTOP_TEST_SEED=%llu to repeat)\n",
	       (unsigned long long)g_seed, (unsigned long long)g_seed);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
