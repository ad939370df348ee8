/*
 * escape.c - untrusted bytes to safe display text and JSON strings.
 */
#include <stdio.h>

#include "memtop/escape.h"

size_t mt_utf8_seq_len(const unsigned char *s, size_t n)
{
	if (n == 0)
		return 0;
	unsigned c = s[0];
	if (c < 0x80)
		return 1;
	size_t len;
	unsigned min;
	uint32_t cp;
	if (c >= 0xc2 && c <= 0xdf) {
		len = 2, min = 0x80, cp = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		len = 3, min = 0x800, cp = c & 0x0f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4, min = 0x10000, cp = c & 0x07;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

/* C1 controls (U+0080..U+009F) are encoded as C2 80..C2 9F. */
static int is_c1(const unsigned char *s, size_t len)
{
	return len == 2 && s[0] == 0xc2 && s[1] < 0xa0;
}

static void add_hex(struct mt_buf *b, unsigned char c)
{
	char tmp[5];
	snprintf(tmp, sizeof(tmp), "\\x%02x", c);
	mt_buf_add(b, tmp, 4);
}

void mt_escape_visible(struct mt_buf *b, const char *str, size_t n, int utf8)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0;
	while (i < n) {
		unsigned char c = s[i];
		if (c >= 0x20 && c < 0x7f) {
			mt_buf_addc(b, (char)c);
			i++;
			continue;
		}
		if (utf8 && c >= 0x80) {
			size_t len = mt_utf8_seq_len(s + i, n - i);
			if (len > 1 && !is_c1(s + i, len)) {
				mt_buf_add(b, s + i, len);
				i += len;
				continue;
			}
		}
		add_hex(b, c);
		i++;
	}
}

void mt_escape_json(struct mt_buf *b, const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	mt_buf_addc(b, '"');
	size_t i = 0;
	while (i < n) {
		unsigned char c = s[i];
		if (c >= 0x80) {
			size_t len = mt_utf8_seq_len(s + i, n - i);
			if (is_c1(s + i, len)) {
				/* C1 controls (CSI is U+009B): escaped, so a
				 * decoded string cannot drive a terminal */
				mt_buf_printf(b, "\\u%04x", s[i + 1]);
				i += len;
			} else if (len) {
				mt_buf_add(b, s + i, len);
				i += len;
			} else {
				mt_buf_add(b, "\\ufffd", 6);
				i++;
			}
			continue;
		}
		i++;
		switch (c) {
		case '"': mt_buf_add(b, "\\\"", 2); break;
		case '\\': mt_buf_add(b, "\\\\", 2); break;
		case '\n': mt_buf_add(b, "\\n", 2); break;
		case '\r': mt_buf_add(b, "\\r", 2); break;
		case '\t': mt_buf_add(b, "\\t", 2); break;
		case '\b': mt_buf_add(b, "\\b", 2); break;
		case '\f': mt_buf_add(b, "\\f", 2); break;
		default:
			if (c < 0x20 || c == 0x7f)
				mt_buf_printf(b, "\\u%04x", c);
			else
				mt_buf_addc(b, (char)c);
		}
	}
	mt_buf_addc(b, '"');
}
