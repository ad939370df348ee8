/*
 * escape.h - making untrusted bytes (process names, file paths) safe.
 *
 * Names and paths come from other users' programs: they may hold escape
 * sequences, newlines or invalid UTF-8. Nothing from /proc reaches a
 * terminal or a JSON document without passing through one of these.
 */
#ifndef MEMTOP_ESCAPE_H
#define MEMTOP_ESCAPE_H

#include <stddef.h>
#include "memtop/util.h"

/*
 * Append s[0..n) to b for display: valid printable UTF-8 (when utf8 is set)
 * and printable ASCII pass through, a backslash stays as it is, every other
 * byte becomes \xHH. The result holds no control bytes at all.
 */
void mt_escape_visible(struct mt_buf *b, const char *s, size_t n, int utf8);

/*
 * Append s[0..n) as a JSON string literal, quotes included. Control
 * characters use \uXXXX or the short escapes; each byte of invalid UTF-8 is
 * written as U+FFFD so the document always parses.
 */
void mt_escape_json(struct mt_buf *b, const char *s, size_t n);

/* Length of the valid UTF-8 sequence at s (1..4), or 0 if invalid. */
size_t mt_utf8_seq_len(const unsigned char *s, size_t n);

#endif
