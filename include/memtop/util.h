/*
 * util.h - small helpers shared by every layer: checked allocation, a bump
 * arena for snapshots, growable byte buffers and time.
 *
 * The x*alloc wrappers never return NULL: running out of memory prints one
 * line and exits, so callers need no error paths for it (tmux's habit).
 */
#ifndef MEMTOP_UTIL_H
#define MEMTOP_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define MT_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define MT_MIN(a, b) ((a) < (b) ? (a) : (b))
#define MT_MAX(a, b) ((a) > (b) ? (a) : (b))

void *xmalloc(size_t n);
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);

/* Arena: many small allocations freed together (one per snapshot). */
/* A three-valued answer: what the kernel says, or that it says nothing. */
enum mt_tri { MT_TRI_UNKNOWN = -1, MT_TRI_NO = 0, MT_TRI_YES = 1 };
/* "yes", "no" or "unknown". */
const char *mt_tri_name(enum mt_tri t);

struct mt_arena;
struct mt_arena *mt_arena_new(void);
void *mt_arena_alloc(struct mt_arena *a, size_t n); /* zeroed, 16-aligned */
char *mt_arena_strndup(struct mt_arena *a, const char *s, size_t n);
size_t mt_arena_bytes(const struct mt_arena *a);
void mt_arena_free(struct mt_arena *a);

/* Growable byte buffer, always NUL terminated after len. */
struct mt_buf {
	char *data;
	size_t len, cap;
};
void mt_buf_grow(struct mt_buf *b, size_t need); /* to at least need */
/* Room for extra more bytes and the NUL (inline: output hot path). */
static inline void mt_buf_reserve(struct mt_buf *b, size_t extra)
{
	if (b->len + extra + 1 > b->cap)
		mt_buf_grow(b, b->len + extra + 1);
}
static inline void mt_buf_add(struct mt_buf *b, const void *p, size_t n)
{
	mt_buf_reserve(b, n);
	memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
}
static inline void mt_buf_addc(struct mt_buf *b, char c)
{
	mt_buf_reserve(b, 1);
	b->data[b->len++] = c;
	b->data[b->len] = '\0';
}
/* Append a string literal (its length known at compile time). */
#define MT_BUF_LIT(b, lit) mt_buf_add((b), "" lit, sizeof(lit) - 1)
void mt_buf_printf(struct mt_buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Decimal and 0x-hex numbers, without printf (output hot paths). */
void mt_buf_u64(struct mt_buf *b, uint64_t v);
void mt_buf_hex(struct mt_buf *b, uint64_t v);
void mt_buf_reset(struct mt_buf *b);
void mt_buf_free(struct mt_buf *b);

/* Monotonic clock in nanoseconds. */
uint64_t mt_now_ns(void);
/* CPU time of the calling thread in nanoseconds. */
uint64_t mt_thread_cpu_ns(void);

/* Index of the lowest set bit; 64 for zero. */
static inline unsigned mt_ctz64(uint64_t x)
{
	return x ? (unsigned)__builtin_ctzll(x) : 64u;
}

/* floor(log2(x)) for x > 0. */
static inline unsigned mt_log2(uint64_t x)
{
	return 63u - (unsigned)__builtin_clzll(x);
}

#endif
