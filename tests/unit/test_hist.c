/*
 * test_hist.c - page-order histograms and folio accounting (hist.h).
 *
 * The histograms are checked against a brute-force reference written from
 * the definition alone: for each order n from max_order down to 0, every
 * naturally aligned block [i, i + 2^n) inside the VMA whose pages are all
 * present (and, for the mappable histogram, physically contiguous with the
 * first PFN aligned to 2^n) and which does not lie in a block already
 * counted at a higher order adds one to hist[n].
 *
 * Random cases use a seeded PRNG. The seed is printed on every failure;
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
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "memtop/hist.h"

#define NORD (MT_ORDER_LIMIT + 1)

/* ------------------------------------------------------------------ */
/* PRNG (splitmix64), one stream per random case.                      */

static uint64_t g_seed;

/* How often the random cases reach the interesting shapes (the generator
 * is checked too, so that a change to it cannot make the tests trivial). */
static unsigned g_cov_mappable_high, g_cov_mappable_differs, g_cov_present_high;

static uint64_t splitmix64(uint64_t *s)
{
	uint64_t z = (*s += UINT64_C(0x9e3779b97f4a7c15));
	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

/* Uniform in [0, n), n > 0. */
static uint64_t rnd_below(uint64_t *s, uint64_t n)
{
	return splitmix64(s) % n;
}

/* Uniform in [lo, hi]. */
static uint64_t rnd_range(uint64_t *s, uint64_t lo, uint64_t hi)
{
	return lo + rnd_below(s, hi - lo + 1);
}

/* True with probability num/den. */
static bool rnd_chance(uint64_t *s, unsigned num, unsigned den)
{
	return rnd_below(s, den) < num;
}

static uint64_t case_seed(unsigned test_id, unsigned c)
{
	uint64_t s = g_seed ^ ((uint64_t)test_id << 48) ^ (uint64_t)c;
	(void)splitmix64(&s);
	return s;
}

/* ------------------------------------------------------------------ */
/* Reference implementation, straight from the definition.             */

/*
 * Pages first .. first + n - 1 of one VMA; pres[j] tells whether page
 * first + j is present, pfn (may be NULL) gives its PFN. Adds to hist.
 */
static void ref_hist(uint64_t first, size_t n, const bool *pres,
		     const uint64_t *pfn, unsigned max_order, uint64_t *hist)
{
	bool *used = calloc(n ? n : 1, 1);

	assert_non_null(used);
	for (int o = (int)max_order; o >= 0; o--) {
		uint64_t sz = UINT64_C(1) << o;
		uint64_t j0 = (sz - (first & (sz - 1))) & (sz - 1);

		for (uint64_t j = j0; j + sz <= n; j += sz) {
			bool ok = true;

			for (uint64_t k = 0; k < sz && ok; k++) {
				if (!pres[j + k] || used[j + k])
					ok = false;
				else if (pfn && pfn[j + k] != pfn[j] + k)
					ok = false;
			}
			if (ok && pfn && (pfn[j] & (sz - 1)) != 0)
				ok = false;
			if (!ok)
				continue;
			hist[o]++;
			for (uint64_t k = 0; k < sz; k++)
				used[j + k] = true;
		}
	}
	free(used);
}

/* Greedy decomposition of one fully present run: at each page take the
 * largest aligned block that fits. Used for runs too long for ref_hist. */
static void greedy_run(uint64_t *hist, unsigned max_order, uint64_t first,
		       uint64_t n)
{
	uint64_t p = first, end = first + n;

	while (p < end) {
		unsigned o = 0;

		while (o < max_order && (p & ((UINT64_C(2) << o) - 1)) == 0 &&
		       p + (UINT64_C(2) << o) <= end)
			o++;
		hist[o]++;
		p += UINT64_C(1) << o;
	}
}

static uint64_t weighted_sum(const uint64_t *hist, unsigned max_order)
{
	uint64_t s = 0;

	for (unsigned o = 0; o <= max_order; o++)
		s += hist[o] << o;
	return s;
}

static void format_hist(char *out, size_t cap, const uint64_t *h,
			unsigned max_order)
{
	size_t len = 0;

	out[0] = 0;
	for (unsigned o = 0; o <= max_order && len < cap; o++)
		len += (size_t)snprintf(out + len, cap - len, "%s%llu",
					o ? "," : "[",
					(unsigned long long)h[o]);
	if (len < cap)
		snprintf(out + len, cap - len, "]");
}

/* Compares two histograms; on a difference prints both with the case. */
static void check_hist(const char *what, const uint64_t *got,
		       const uint64_t *want, unsigned max_order,
		       const char *ctx_fmt, ...)
	__attribute__((format(printf, 5, 6)));

static void check_hist(const char *what, const uint64_t *got,
		       const uint64_t *want, unsigned max_order,
		       const char *ctx_fmt, ...)
{
	char g[512], w[512], c[256];
	va_list ap;

	if (memcmp(got, want, (max_order + 1) * sizeof(*got)) == 0)
		return;
	va_start(ap, ctx_fmt);
	vsnprintf(c, sizeof(c), ctx_fmt, ap);
	va_end(ap);
	format_hist(g, sizeof(g), got, max_order);
	format_hist(w, sizeof(w), want, max_order);
	fail_msg("%s histogram differs (seed=%llu, MEMTOP_TEST_SEED to repeat)"
		 "\n  case: %s\n  got:  %s\n  want: %s",
		 what, (unsigned long long)g_seed, c, g, w);
}

/* ------------------------------------------------------------------ */
/* Random VMAs.                                                        */

struct vma_case {
	uint64_t first;  /* first virtual page index */
	size_t n;        /* pages */
	unsigned max_order;
	bool *pres;
	uint64_t *pfn;   /* PFN of present pages (0 elsewhere) */
	uint64_t *pm;    /* raw pagemap entries */
	uint64_t npresent, nswapped;
};

static void vma_case_free(struct vma_case *v)
{
	free(v->pres);
	free(v->pfn);
	free(v->pm);
	memset(v, 0, sizeof(*v));
}

static size_t rnd_len(uint64_t *s)
{
	switch (rnd_below(s, 8)) {
	case 0:
		return 1;
	case 1:
		return (size_t)rnd_range(s, 1, 8);
	case 2:
	case 3:
		return (size_t)rnd_range(s, 1, 200);
	case 4:
		return (size_t)rnd_range(s, 1, 2000);
	case 5:
		return 512;
	case 6:
		return (size_t)rnd_range(s, 1024, 4200);
	default:
		return (size_t)rnd_range(s, 500, 1100);
	}
}

static uint64_t rnd_start(uint64_t *s)
{
	/* user space page indices are below 2^36 on x86-64; also try the
	 * top of a 64-bit address space */
	uint64_t base;

	switch (rnd_below(s, 6)) {
	case 0:
		base = rnd_below(s, UINT64_C(1) << 36) & ~UINT64_C(511);
		break; /* PMD aligned */
	case 1:
		base = rnd_below(s, UINT64_C(1) << 36) | 1; /* odd */
		break;
	case 2:
		base = rnd_below(s, 4096);
		break;
	case 3:
		base = (UINT64_C(1) << 52) - rnd_range(s, 5000, 100000);
		break;
	case 4:
		base = (rnd_below(s, UINT64_C(1) << 36) & ~UINT64_C(4095)) +
		       4096 - rnd_range(s, 1, 40);
		break;
	default:
		base = rnd_below(s, UINT64_C(1) << 36);
		break;
	}
	return base;
}

/* Fills pres[] with one of several shapes. */
static void rnd_presence(uint64_t *s, bool *pres, size_t n)
{
	unsigned mode = (unsigned)rnd_below(s, 7);

	switch (mode) {
	case 0: /* all present */
		for (size_t j = 0; j < n; j++)
			pres[j] = true;
		break;
	case 1: { /* independent pages */
		static const unsigned pct[] = { 5, 50, 90, 99 };
		unsigned p = pct[rnd_below(s, 4)];

		for (size_t j = 0; j < n; j++)
			pres[j] = rnd_chance(s, p, 100);
		break;
	}
	case 2:
	case 3: { /* alternating runs of random lengths */
		bool on = rnd_chance(s, 1, 2);
		size_t j = 0;
		uint64_t maxrun = mode == 2 ? 40 : 700;

		while (j < n) {
			size_t len = (size_t)rnd_range(s, 1, maxrun);

			for (size_t k = 0; k < len && j < n; k++, j++)
				pres[j] = on;
			on = !on;
		}
		break;
	}
	case 4: { /* a hole every k pages */
		uint64_t k = rnd_range(s, 2, 9), r = rnd_below(s, k);

		for (size_t j = 0; j < n; j++)
			pres[j] = j % k != r;
		break;
	}
	case 5: /* nothing present */
		for (size_t j = 0; j < n; j++)
			pres[j] = false;
		break;
	default: /* mostly present with a few holes */
		for (size_t j = 0; j < n; j++)
			pres[j] = !rnd_chance(s, 1, 300);
		break;
	}
}

/* Fills pfn[] for present pages: runs of consecutive PFNs broken at random,
 * new runs often congruent to the virtual page modulo a power of two so
 * that aligned physical blocks appear. */
static void rnd_pfns(uint64_t *s, const bool *pres, uint64_t *pfn,
		     uint64_t first, size_t n)
{
	unsigned mode = (unsigned)rnd_below(s, 6);
	unsigned brk = mode == 0 ? 0 : mode == 1 ? 2 : mode == 2 ? 30 : 300;

	for (size_t j = 0; j < n; j++) {
		if (!pres[j]) {
			pfn[j] = 0;
			continue;
		}
		if (mode == 5) { /* PFNs hidden (not root): all zero */
			pfn[j] = 0;
			continue;
		}
		if (j > 0 && pres[j - 1] && pfn[j - 1] != 0 &&
		    (brk == 0 || !rnd_chance(s, 1, brk)) && mode != 4) {
			pfn[j] = pfn[j - 1] + 1;
			continue;
		}
		if (mode == 4 || rnd_chance(s, 1, 3)) {
			/* anywhere */
			pfn[j] = rnd_range(s, 1, UINT64_C(1) << 40);
		} else {
			/* congruent to the virtual page modulo 2^k */
			unsigned k = (unsigned)rnd_below(s, 13);
			uint64_t mask = (UINT64_C(1) << k) - 1;
			uint64_t base = rnd_range(s, 1, UINT64_C(1) << 28) << 12;

			pfn[j] = base | ((first + j) & mask);
		}
	}
}

static uint64_t noise_bits(uint64_t *s)
{
	static const unsigned bits[] = { 55, 56, 57, 61 };
	uint64_t v = 0;

	for (size_t i = 0; i < sizeof(bits) / sizeof(bits[0]); i++)
		if (rnd_chance(s, 1, 4))
			v |= UINT64_C(1) << bits[i];
	return v;
}

static void make_vma(uint64_t *s, struct vma_case *v, unsigned max_order)
{
	memset(v, 0, sizeof(*v));
	v->n = rnd_len(s);
	v->first = rnd_start(s);
	v->max_order = max_order;
	v->pres = calloc(v->n, sizeof(*v->pres));
	v->pfn = calloc(v->n, sizeof(*v->pfn));
	v->pm = calloc(v->n, sizeof(*v->pm));
	assert_non_null(v->pres);
	assert_non_null(v->pfn);
	assert_non_null(v->pm);
	rnd_presence(s, v->pres, v->n);
	rnd_pfns(s, v->pres, v->pfn, v->first, v->n);
	for (size_t j = 0; j < v->n; j++) {
		if (v->pres[j]) {
			v->pm[j] = MT_PM_PRESENT | v->pfn[j] | noise_bits(s);
			v->npresent++;
		} else if (rnd_chance(s, 1, 5)) {
			/* swap entry: offset in bits 5-54, a swap area's
			 * type (0..22) in bits 0-4 */
			v->pm[j] = MT_PM_SWAP |
				   ((splitmix64(s) << 5) & MT_PM_PFN_MASK) |
				   rnd_below(s, MT_SWP_FIRST_SPECIAL) |
				   (rnd_chance(s, 1, 3) ? MT_PM_FILE : 0);
			v->nswapped++;
		} else if (rnd_chance(s, 1, 8)) {
			/* the swap bit on a marker, neither memory nor swap:
			 * a guard region (bit 58) or another PTE marker */
			v->pm[j] = MT_PM_SWAP |
				   (rnd_chance(s, 1, 2)
					    ? MT_PM_GUARD | MT_SWP_MARKER
					    : MT_SWP_MARKER);
		} else if (rnd_chance(s, 1, 6)) {
			/* not present, not swapped, but with flags: holes in
			 * a soft-dirty VMA, uffd-wp markers, guard regions */
			static const unsigned hb[] = { 55, 57, 58 };

			v->pm[j] = UINT64_C(1) << hb[rnd_below(s, 3)];
		} else {
			v->pm[j] = 0;
		}
	}
}

/* ------------------------------------------------------------------ */
/* Driving the accumulator.                                            */

struct phys_run {
	uint64_t vpage, pfn, n;
};

struct run_log {
	struct phys_run *r;
	size_t len, cap;
};

static void log_run(void *ctx, uint64_t vpage, uint64_t pfn, uint64_t n)
{
	struct run_log *l = ctx;

	if (l->len == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 64;
		l->r = realloc(l->r, l->cap * sizeof(*l->r));
		assert_non_null(l->r);
	}
	l->r[l->len].vpage = vpage;
	l->r[l->len].pfn = pfn;
	l->r[l->len].n = n;
	l->len++;
}

/* A histogram of max_order + 1 entries followed by a guard word. */
#define GUARD UINT64_C(0x5a5a5a5a5a5a5a5a)

static uint64_t *hist_new(unsigned max_order)
{
	uint64_t *h = calloc(max_order + 2, sizeof(*h));

	assert_non_null(h);
	h[max_order + 1] = GUARD;
	return h;
}

static void hist_check_guard(const uint64_t *h, unsigned max_order)
{
	if (h[max_order + 1] != GUARD)
		fail_msg("hist[%u] written past max_order %u (seed=%llu)",
			 max_order + 1, max_order,
			 (unsigned long long)g_seed);
}

/* Feed entries [j, j + len) of v through an exactly sized copy, so that a
 * read past the batch is caught by the address sanitizer. */
static void feed_copy(struct mt_hist_acc *a, const struct vma_case *v,
		      size_t j, size_t len)
{
	uint64_t *b = malloc(len * sizeof(*b));

	assert_non_null(b);
	memcpy(b, v->pm + j, len * sizeof(*b));
	mt_hist_acc_feed(a, v->first + j, b, len);
	free(b);
}

/* Feeds all of v in random batches. With skip_holes, some ranges of empty
 * entries are not fed at all (as when a scan skips unpopulated memory). */
static void feed_batches(uint64_t *s, struct mt_hist_acc *a,
			 const struct vma_case *v, bool skip_holes)
{
	size_t j = 0;

	while (j < v->n) {
		size_t len;

		if (skip_holes && v->pm[j] == 0 && rnd_chance(s, 2, 3)) {
			size_t e = j;

			while (e < v->n && v->pm[e] == 0)
				e++;
			if (rnd_chance(s, 1, 2))
				e = j + (size_t)rnd_range(s, 1, e - j);
			j = e;
			continue;
		}
		switch (rnd_below(s, 5)) {
		case 0:
			len = 1;
			break;
		case 1:
			len = (size_t)rnd_range(s, 1, 17);
			break;
		case 2:
			len = (size_t)rnd_range(s, 1, 600);
			break;
		case 3:
			len = v->n - j;
			break;
		default:
			len = (size_t)rnd_range(s, 1, v->n);
			break;
		}
		if (len > v->n - j)
			len = v->n - j;
		feed_copy(a, v, j, len);
		j += len;
	}
}

static void check_phys_runs(const struct vma_case *v, const struct run_log *l,
			    unsigned c)
{
	uint64_t total = 0;

	for (size_t i = 0; i < l->len; i++) {
		const struct phys_run *r = &l->r[i];

		if (r->n == 0 || r->vpage < v->first ||
		    r->vpage - v->first > v->n ||
		    r->n > v->n - (r->vpage - v->first))
			fail_msg("phys run %zu [%llu,+%llu) outside the VMA "
				 "[%llu,+%zu) (seed=%llu case=%u)", i,
				 (unsigned long long)r->vpage,
				 (unsigned long long)r->n,
				 (unsigned long long)v->first, v->n,
				 (unsigned long long)g_seed, c);
		if (i > 0) {
			const struct phys_run *p = &l->r[i - 1];

			if (r->vpage < p->vpage + p->n)
				fail_msg("phys runs %zu and %zu overlap or are "
					 "out of order (seed=%llu case=%u)",
					 i - 1, i, (unsigned long long)g_seed,
					 c);
			if (r->vpage == p->vpage + p->n &&
			    r->pfn == p->pfn + p->n)
				fail_msg("phys runs %zu and %zu continue each "
					 "other: not maximal, vpage %llu "
					 "(seed=%llu case=%u)", i - 1, i,
					 (unsigned long long)r->vpage,
					 (unsigned long long)g_seed, c);
		}
		for (uint64_t k = 0; k < r->n; k++) {
			size_t j = (size_t)(r->vpage - v->first + k);

			if (!v->pres[j] || v->pfn[j] != r->pfn + k)
				fail_msg("phys run %zu page %llu: present=%d "
					 "pfn=%llu, run says pfn %llu "
					 "(seed=%llu case=%u)", i,
					 (unsigned long long)(v->first + j),
					 v->pres[j],
					 (unsigned long long)v->pfn[j],
					 (unsigned long long)(r->pfn + k),
					 (unsigned long long)g_seed, c);
		}
		total += r->n;
	}
	if (total != v->npresent)
		fail_msg("phys runs cover %llu pages, %llu present "
			 "(seed=%llu case=%u)", (unsigned long long)total,
			 (unsigned long long)v->npresent,
			 (unsigned long long)g_seed, c);
}

/*
 * Runs one VMA through the accumulator and checks everything against the
 * reference. use_pfn: with a mappable histogram and the run callback.
 */
static void run_acc_case(uint64_t *s, const struct vma_case *v, bool use_pfn,
			 bool skip_holes, unsigned c)
{
	unsigned mo = v->max_order;
	uint64_t *present = hist_new(mo), *mappable = hist_new(mo);
	uint64_t want_p[NORD] = { 0 }, want_m[NORD] = { 0 };
	struct run_log log = { 0 };
	struct mt_hist_acc a;

	/* init must set every field */
	memset(&a, 0xa5, sizeof(a));
	mt_hist_acc_init(&a, present, use_pfn ? mappable : NULL, mo);
	if (use_pfn) {
		a.on_phys_run = log_run;
		a.ctx = &log;
	}
	feed_batches(s, &a, v, skip_holes);
	mt_hist_acc_flush(&a);

	ref_hist(v->first, v->n, v->pres, NULL, mo, want_p);
	check_hist("present", present, want_p, mo,
		   "case=%u first=%llu n=%zu max_order=%u pfn=%d holes=%d", c,
		   (unsigned long long)v->first, v->n, mo, use_pfn,
		   skip_holes);
	hist_check_guard(present, mo);
	assert_int_equal(weighted_sum(present, mo), v->npresent);
	if (use_pfn) {
		ref_hist(v->first, v->n, v->pres, v->pfn, mo, want_m);
		check_hist("mappable", mappable, want_m, mo,
			   "case=%u first=%llu n=%zu max_order=%u holes=%d", c,
			   (unsigned long long)v->first, v->n, mo,
			   skip_holes);
		assert_int_equal(weighted_sum(mappable, mo), v->npresent);
		check_phys_runs(v, &log, c);
		for (unsigned o = 3; o <= mo; o++)
			if (want_m[o]) {
				g_cov_mappable_high++;
				break;
			}
		if (memcmp(want_m, want_p, sizeof(want_m)) != 0)
			g_cov_mappable_differs++;
		if (mo >= 9 && want_p[9])
			g_cov_present_high++;
	} else {
		for (unsigned o = 0; o <= mo; o++)
			assert_int_equal(mappable[o], 0);
	}
	hist_check_guard(mappable, mo);
	if (a.present_pages != v->npresent)
		fail_msg("present_pages %llu, want %llu (seed=%llu case=%u)",
			 (unsigned long long)a.present_pages,
			 (unsigned long long)v->npresent,
			 (unsigned long long)g_seed, c);
	if (a.swapped_pages != v->nswapped)
		fail_msg("swapped_pages %llu, want %llu (seed=%llu case=%u)",
			 (unsigned long long)a.swapped_pages,
			 (unsigned long long)v->nswapped,
			 (unsigned long long)g_seed, c);
	free(log.r);
	free(present);
	free(mappable);
}

static unsigned rnd_max_order(uint64_t *s)
{
	switch (rnd_below(s, 4)) {
	case 0:
		return 9;
	default:
		return (unsigned)rnd_below(s, 13);
	}
}

/* ------------------------------------------------------------------ */
/* Reference self-checks: the reference must agree with hand counts.   */

static void test_reference_sanity(void **state)
{
	(void)state;
	bool pres[16];
	uint64_t pfn[16], h[NORD] = { 0 }, g[NORD] = { 0 };

	/* 0x10..0x1f all present: one order-4 block */
	for (int i = 0; i < 16; i++) {
		pres[i] = true;
		pfn[i] = 0x100 + (uint64_t)i;
	}
	ref_hist(0x10, 16, pres, NULL, 9, h);
	assert_int_equal(h[4], 1);
	assert_int_equal(weighted_sum(h, 9), 16);
	memset(h, 0, sizeof(h));
	ref_hist(0x10, 16, pres, pfn, 9, h);
	assert_int_equal(h[4], 1);
	/* PFNs off by one: physically nothing aligned above order 0 */
	for (int i = 0; i < 16; i++)
		pfn[i] = 0x101 + (uint64_t)i;
	memset(h, 0, sizeof(h));
	ref_hist(0x10, 16, pres, pfn, 9, h);
	assert_int_equal(h[0], 16);
	/* page 0x13 missing: [0x10,0x12) o1, 0x12 o0, 0x14-0x17 o2,
	 * 0x18-0x1f o3 */
	pres[3] = false;
	memset(h, 0, sizeof(h));
	ref_hist(0x10, 16, pres, NULL, 9, h);
	assert_int_equal(h[0], 1);
	assert_int_equal(h[1], 1);
	assert_int_equal(h[2], 1);
	assert_int_equal(h[3], 1);
	assert_int_equal(h[4], 0);
	/* greedy agrees with the reference on full runs */
	for (int i = 0; i < 16; i++)
		pres[i] = true;
	for (uint64_t first = 0; first < 40; first++)
		for (uint64_t n = 1; n <= 16; n++) {
			memset(h, 0, sizeof(h));
			memset(g, 0, sizeof(g));
			ref_hist(first, (size_t)n, pres, NULL, 3, h);
			greedy_run(g, 3, first, n);
			assert_memory_equal(h, g, sizeof(h));
		}
}

/* ------------------------------------------------------------------ */
/* mt_hist_add_run                                                     */

static void test_add_run_random(void **state)
{
	(void)state;
	bool *pres = malloc(6000 * sizeof(*pres));

	assert_non_null(pres);
	for (size_t j = 0; j < 6000; j++)
		pres[j] = true;
	for (unsigned c = 0; c < 4000; c++) {
		uint64_t s = case_seed(1, c);
		unsigned mo = (unsigned)rnd_below(&s, NORD);
		uint64_t first = rnd_start(&s);
		uint64_t n = c < 50 ? 1 : rnd_range(&s, 1, 5000);
		uint64_t *h = hist_new(mo);
		uint64_t want[NORD] = { 0 };

		/* the function adds: start from arbitrary counts */
		for (unsigned o = 0; o <= mo; o++) {
			h[o] = rnd_below(&s, 1000);
			want[o] = h[o];
		}
		mt_hist_add_run(h, mo, first, n);
		ref_hist(first, (size_t)n, pres, NULL, mo, want);
		check_hist("add_run", h, want, mo,
			   "case=%u first=%llu n=%llu max_order=%u", c,
			   (unsigned long long)first, (unsigned long long)n,
			   mo);
		hist_check_guard(h, mo);
		free(h);
	}
	free(pres);
}

static void test_add_run_large(void **state)
{
	(void)state;
	for (unsigned c = 0; c < 300; c++) {
		uint64_t s = case_seed(2, c);
		unsigned mo = (unsigned)rnd_range(&s, 6, MT_ORDER_LIMIT);
		uint64_t first = rnd_start(&s);
		uint64_t n = rnd_range(&s, 1, UINT64_C(1) << 22);
		uint64_t *h = hist_new(mo);
		uint64_t want[NORD] = { 0 };

		mt_hist_add_run(h, mo, first, n);
		greedy_run(want, mo, first, n);
		check_hist("add_run", h, want, mo,
			   "case=%u first=%llu n=%llu max_order=%u", c,
			   (unsigned long long)first, (unsigned long long)n,
			   mo);
		assert_int_equal(weighted_sum(h, mo), n);
		hist_check_guard(h, mo);
		free(h);
	}
}

static void test_add_run_hand(void **state)
{
	(void)state;
	uint64_t h[NORD + 1];

	/* 2 MiB aligned, 512 pages, max_order 9: one order-9 block */
	memset(h, 0, sizeof(h));
	mt_hist_add_run(h, 9, UINT64_C(0x7f0000200), 512);
	for (unsigned o = 0; o < 9; o++)
		assert_int_equal(h[o], 0);
	assert_int_equal(h[9], 1);
	assert_int_equal(h[10], 0);

	/* same run, max_order 0: 512 single pages */
	memset(h, 0, sizeof(h));
	mt_hist_add_run(h, 0, UINT64_C(0x7f0000200), 512);
	assert_int_equal(h[0], 512);
	assert_int_equal(h[1], 0);

	/* max_order 3 on an aligned 512-page run: 64 blocks of order 3 */
	memset(h, 0, sizeof(h));
	mt_hist_add_run(h, 3, UINT64_C(0x7f0000200), 512);
	assert_int_equal(h[0], 0);
	assert_int_equal(h[1], 0);
	assert_int_equal(h[2], 0);
	assert_int_equal(h[3], 64);
	assert_int_equal(h[4], 0);

	/* one page, any max_order */
	for (unsigned mo = 0; mo <= MT_ORDER_LIMIT; mo++) {
		memset(h, 0, sizeof(h));
		mt_hist_add_run(h, mo, UINT64_C(0x400000), 1);
		assert_int_equal(h[0], 1);
		for (unsigned o = 1; o <= NORD; o++)
			assert_int_equal(h[o], 0);
	}

	/* odd start 0x1001, 1023 pages up to 0x1400: one block of each
	 * order 0..9 */
	memset(h, 0, sizeof(h));
	mt_hist_add_run(h, 9, 0x1001, 1023);
	for (unsigned o = 0; o <= 9; o++)
		assert_int_equal(h[o], 1);
	assert_int_equal(h[10], 0);

	/* same with max_order 3: 0x1001 o0, 0x1002 o1, 0x1004 o2, then
	 * (0x1400 - 0x1008) / 8 = 127 blocks of order 3 */
	memset(h, 0, sizeof(h));
	mt_hist_add_run(h, 3, 0x1001, 1023);
	assert_int_equal(h[0], 1);
	assert_int_equal(h[1], 1);
	assert_int_equal(h[2], 1);
	assert_int_equal(h[3], 127);
	assert_int_equal(h[4], 0);

	/* 0x1ff..0x400 (514 pages): 0x1ff o0, 0x200 o9, 0x400 o0 */
	memset(h, 0, sizeof(h));
	mt_hist_add_run(h, 9, 0x1ff, 514);
	assert_int_equal(h[0], 2);
	for (unsigned o = 1; o < 9; o++)
		assert_int_equal(h[o], 0);
	assert_int_equal(h[9], 1);

	/* empty run adds nothing */
	memset(h, 0, sizeof(h));
	mt_hist_add_run(h, 9, 0x1000, 0);
	for (unsigned o = 0; o <= NORD; o++)
		assert_int_equal(h[o], 0);

	/* 2^32 pages from an aligned start, max_order 20: 4096 blocks */
	memset(h, 0, sizeof(h));
	mt_hist_add_run(h, MT_ORDER_LIMIT, UINT64_C(1) << 32,
			UINT64_C(1) << 32);
	assert_int_equal(h[MT_ORDER_LIMIT], 4096);
	for (unsigned o = 0; o < MT_ORDER_LIMIT; o++)
		assert_int_equal(h[o], 0);
	assert_int_equal(h[MT_ORDER_LIMIT + 1], 0);

	/* adds to what is there */
	memset(h, 0, sizeof(h));
	h[0] = 5;
	h[9] = 7;
	mt_hist_add_run(h, 9, 0x200, 513);
	assert_int_equal(h[0], 6);
	assert_int_equal(h[9], 8);
}

/* ------------------------------------------------------------------ */
/* The fast path of mt_hist_acc_feed (runs of entries rising by one, taken
 * eight at a time) against feeding the same entries one by one, which
 * never takes it: runs of random lengths, some with the zero page's PFN
 * inside, some with a break in the rise or a flag change.              */

static void test_acc_rising_runs(void **state)
{
	(void)state;
	unsigned zero_hits = 0, huge_zero_hits = 0;
	for (unsigned c = 0; c < 4000; c++) {
		uint64_t s = case_seed(9, c);
		size_t n = (size_t)rnd_range(&s, 1, 300);
		uint64_t *pm = calloc(n, sizeof(uint64_t));
		uint64_t base = rnd_range(&s, 1, UINT64_C(1) << 30);
		uint64_t zero_pfn = UINT64_MAX;
		assert_non_null(pm);
		for (size_t i = 0; i < n; i++) {
			pm[i] = MT_PM_PRESENT | (base + i);
			if (rnd_range(&s, 0, 40) == 0) /* a break in the rise */
				base += rnd_range(&s, 2, 9);
			if (rnd_range(&s, 0, 60) == 0) /* another flag */
				pm[i] |= UINT64_C(1) << 56;
			if (rnd_range(&s, 0, 80) == 0)
				pm[i] = 0; /* not present */
		}
		if (rnd_range(&s, 0, 2) == 0) {
			size_t z = (size_t)rnd_range(&s, 0, n - 1);
			zero_pfn = pm[z] & MT_PM_PFN_MASK;
			zero_hits += zero_pfn != 0;
		}
		/* a "huge zero page" of 16 PFNs, often among the entries */
		uint64_t hz = UINT64_MAX, hzn = 0;
		if (rnd_range(&s, 0, 2) == 0) {
			size_t z = (size_t)rnd_range(&s, 0, n - 1);
			hz = pm[z] & MT_PM_PFN_MASK;
			hz = hz > 5 ? hz - 5 : hz;
			hzn = 16;
		}
		uint64_t v = rnd_range(&s, 0, UINT64_C(1) << 20);
		/* the PMD orders of 4K, 16K and 64K pages */
		static const unsigned pmd_orders[] = { 9, 11, 13 };
		unsigned mo = pmd_orders[rnd_range(&s, 0, 2)];
		uint64_t hp[2][NORD] = {{0}}, hm[2][NORD] = {{0}};
		struct mt_hist_acc a[2];
		for (int k = 0; k < 2; k++) {
			mt_hist_acc_init(&a[k], hp[k], hm[k], mo);
			a[k].zero_pfn = zero_pfn;
			a[k].huge_zero_pfn = hz;
			a[k].huge_zero_n = hzn;
			mt_hist_acc_track_pmd(&a[k], mo, v, v + n);
		}
		mt_hist_acc_feed(&a[0], v, pm, n);
		for (size_t i = 0; i < n; i++)
			mt_hist_acc_feed(&a[1], v + i, pm + i, 1);
		for (int k = 0; k < 2; k++)
			mt_hist_acc_flush(&a[k]);
		uint64_t hzpages = 0;
		for (size_t i = 0; i < n; i++)
			hzpages += (pm[i] & MT_PM_PRESENT) &&
				   (pm[i] & MT_PM_PFN_MASK) - hz < hzn;
		huge_zero_hits += hzpages > 0;
		assert_true(a[0].zero_pages >= hzpages);
		assert_int_equal(a[0].present_pages, a[1].present_pages);
		assert_int_equal(a[0].zero_pages, a[1].zero_pages);
		assert_int_equal(a[0].pmd_full, a[1].pmd_full);
		assert_int_equal(a[0].pmd_touched, a[1].pmd_touched);
		for (unsigned o = 0; o <= mo; o++) {
			assert_int_equal(hp[0][o], hp[1][o]);
			assert_int_equal(hm[0][o], hm[1][o]);
		}
		free(pm);
	}
	assert_true(zero_hits > 1000); /* the zero page was often inside */
	assert_true(huge_zero_hits > 500); /* and the huge zero page */
}

/* ------------------------------------------------------------------ */
/* Accumulator, random                                                 */

static void test_acc_random(void **state)
{
	(void)state;
	g_cov_mappable_high = g_cov_mappable_differs = g_cov_present_high = 0;
	for (unsigned c = 0; c < 3000; c++) {
		uint64_t s = case_seed(3, c);
		struct vma_case v;

		make_vma(&s, &v, rnd_max_order(&s));
		run_acc_case(&s, &v, true, false, c);
		run_acc_case(&s, &v, false, false, c);
		vma_case_free(&v);
	}
	/* the cases are not trivial */
	assert_true(g_cov_mappable_high > 150);
	assert_true(g_cov_mappable_differs > 500);
	assert_true(g_cov_present_high > 30);
}

/* Batches that skip ranges of empty entries. */
static void test_acc_random_gaps(void **state)
{
	(void)state;
	for (unsigned c = 0; c < 1500; c++) {
		uint64_t s = case_seed(4, c);
		struct vma_case v;

		make_vma(&s, &v, rnd_max_order(&s));
		run_acc_case(&s, &v, true, true, c);
		run_acc_case(&s, &v, false, true, c);
		vma_case_free(&v);
	}
}

/* Present runs without PFNs (PAGEMAP_SCAN): regions may be adjacent (they
 * differ in other categories) and must then merge. */
static void test_acc_present_runs(void **state)
{
	(void)state;
	for (unsigned c = 0; c < 2000; c++) {
		uint64_t s = case_seed(5, c);
		struct vma_case v;
		struct mt_hist_acc a;
		unsigned mo;
		uint64_t *h, want[NORD] = { 0 };
		size_t j = 0;

		make_vma(&s, &v, rnd_max_order(&s));
		mo = v.max_order;
		h = hist_new(mo);
		mt_hist_acc_init(&a, h, NULL, mo);
		while (j < v.n) {
			size_t e = j;

			if (!v.pres[j]) {
				j++;
				continue;
			}
			while (e < v.n && v.pres[e])
				e++;
			/* report [j, e) as one or more adjacent pieces */
			while (j < e) {
				size_t len = rnd_chance(&s, 1, 2) ?
						     e - j :
						     (size_t)rnd_range(&s, 1,
								       e - j);

				mt_hist_acc_present(&a, v.first + j, len);
				j += len;
			}
		}
		mt_hist_acc_flush(&a);
		ref_hist(v.first, v.n, v.pres, NULL, mo, want);
		check_hist("present (runs)", h, want, mo,
			   "case=%u first=%llu n=%zu max_order=%u", c,
			   (unsigned long long)v.first, v.n, mo);
		hist_check_guard(h, mo);
		assert_int_equal(a.present_pages, v.npresent);
		assert_int_equal(a.swapped_pages, 0);
		free(h);
		vma_case_free(&v);
	}
}

/* The accumulator adds to the histograms it is given, so that several
 * VMAs can be summed into one. */
static void test_acc_adds(void **state)
{
	(void)state;
	for (unsigned c = 0; c < 300; c++) {
		uint64_t s = case_seed(6, c);
		struct vma_case v1, v2;
		unsigned mo = rnd_max_order(&s);
		uint64_t *p = hist_new(mo), *m = hist_new(mo);
		uint64_t wp[NORD] = { 0 }, wm[NORD] = { 0 };
		struct mt_hist_acc a;

		make_vma(&s, &v1, mo);
		make_vma(&s, &v2, mo);
		for (unsigned o = 0; o <= mo; o++) {
			p[o] = wp[o] = rnd_below(&s, 100);
			m[o] = wm[o] = rnd_below(&s, 100);
		}
		mt_hist_acc_init(&a, p, m, mo);
		feed_batches(&s, &a, &v1, false);
		mt_hist_acc_flush(&a);
		mt_hist_acc_init(&a, p, m, mo);
		feed_batches(&s, &a, &v2, false);
		mt_hist_acc_flush(&a);
		ref_hist(v1.first, v1.n, v1.pres, NULL, mo, wp);
		ref_hist(v2.first, v2.n, v2.pres, NULL, mo, wp);
		ref_hist(v1.first, v1.n, v1.pres, v1.pfn, mo, wm);
		ref_hist(v2.first, v2.n, v2.pres, v2.pfn, mo, wm);
		check_hist("present (two VMAs)", p, wp, mo, "case=%u", c);
		check_hist("mappable (two VMAs)", m, wm, mo, "case=%u", c);
		assert_int_equal(a.present_pages, v2.npresent);
		assert_int_equal(a.swapped_pages, v2.nswapped);
		free(p);
		free(m);
		vma_case_free(&v1);
		vma_case_free(&v2);
	}
}

/* ------------------------------------------------------------------ */
/* Accumulator, hand-made                                              */

/* A VMA from a presence string-like pattern function. */
static void vma_from(struct vma_case *v, uint64_t first, size_t n,
		     unsigned max_order, bool (*present)(size_t j),
		     uint64_t pfn_base)
{
	memset(v, 0, sizeof(*v));
	v->first = first;
	v->n = n;
	v->max_order = max_order;
	v->pres = calloc(n, sizeof(*v->pres));
	v->pfn = calloc(n, sizeof(*v->pfn));
	v->pm = calloc(n, sizeof(*v->pm));
	assert_non_null(v->pres);
	assert_non_null(v->pfn);
	assert_non_null(v->pm);
	for (size_t j = 0; j < n; j++) {
		v->pres[j] = present(j);
		if (v->pres[j]) {
			v->pfn[j] = pfn_base + j;
			v->pm[j] = MT_PM_PRESENT | v->pfn[j];
			v->npresent++;
		}
	}
}

static bool all_present(size_t j)
{
	(void)j;
	return true;
}

/* Feeds v in fixed batches of bsz pages and returns the histograms. */
static void acc_fixed(const struct vma_case *v, size_t bsz, uint64_t *p,
		      uint64_t *m, struct run_log *log)
{
	struct mt_hist_acc a;

	mt_hist_acc_init(&a, p, m, v->max_order);
	if (log) {
		a.on_phys_run = log_run;
		a.ctx = log;
	}
	for (size_t j = 0; j < v->n; j += bsz)
		feed_copy(&a, v, j, bsz < v->n - j ? bsz : v->n - j);
	mt_hist_acc_flush(&a);
	assert_int_equal(a.present_pages, v->npresent);
	assert_int_equal(a.swapped_pages, 0);
}

static void test_acc_pmd_vma(void **state)
{
	(void)state;
	static const size_t batches[] = { 512, 511, 1, 3, 256, 100 };
	struct vma_case v;

	for (size_t b = 0; b < sizeof(batches) / sizeof(batches[0]); b++) {
		uint64_t p[11] = { 0 }, m[11] = { 0 };
		struct run_log log = { 0 };

		/* physically aligned too: one order-9 block in both */
		vma_from(&v, UINT64_C(0x7f0000200), 512, 9, all_present,
			 UINT64_C(0x40000));
		acc_fixed(&v, batches[b], p, m, &log);
		for (unsigned o = 0; o < 9; o++) {
			assert_int_equal(p[o], 0);
			assert_int_equal(m[o], 0);
		}
		assert_int_equal(p[9], 1);
		assert_int_equal(m[9], 1);
		assert_int_equal(p[10], 0);
		assert_int_equal(m[10], 0);
		assert_int_equal(log.len, 1);
		assert_int_equal(log.r[0].vpage, UINT64_C(0x7f0000200));
		assert_int_equal(log.r[0].pfn, UINT64_C(0x40000));
		assert_int_equal(log.r[0].n, 512);
		free(log.r);
		vma_case_free(&v);

		/* PFNs contiguous but starting at 1 mod 512: no physical
		 * block is aligned above order 0 */
		memset(p, 0, sizeof(p));
		memset(m, 0, sizeof(m));
		vma_from(&v, UINT64_C(0x7f0000200), 512, 9, all_present,
			 UINT64_C(0x40001));
		acc_fixed(&v, batches[b], p, m, NULL);
		assert_int_equal(p[9], 1);
		assert_int_equal(m[0], 512);
		for (unsigned o = 1; o <= 10; o++)
			assert_int_equal(m[o], 0);
		vma_case_free(&v);

		/* PFNs starting at 8 mod 512: 64 blocks of order 3 */
		memset(p, 0, sizeof(p));
		memset(m, 0, sizeof(m));
		vma_from(&v, UINT64_C(0x7f0000200), 512, 9, all_present,
			 UINT64_C(0x40008));
		acc_fixed(&v, batches[b], p, m, NULL);
		assert_int_equal(p[9], 1);
		for (unsigned o = 0; o <= 10; o++)
			assert_int_equal(m[o], o == 3 ? 64 : 0);
		vma_case_free(&v);
	}
}

/* The example from the reference script's output: a 256 MiB anonymous
 * region 0x7fa926a00000-0x7fa936a00000 (65536 pages, 2 MiB aligned) whose
 * workload left every 7th page (offset 2 mod 7) untouched. The script
 * printed [9363, 9361, 7022, 0, ...] because it skips the first aligned
 * block of every order.
 *
 * Counting by hand over one 28-page period (lcm of 4 and 7), holes at 2, 9,
 * 16, 23: fully present 4-blocks are 4-7, 12-15, 24-27 (3); the broken
 * 4-blocks give the pairs 0-1, 10-11, 18-19, 20-21 (4) and the single pages
 * 3, 8, 17, 22 (4); no run of 8 exists. 65536 = 2340 * 28 + 16 and the
 * 16-page tail holds 2 four-blocks, 2 pairs and 2 singles:
 *   order 0: 2340 * 4 + 2 = 9362
 *   order 1: 2340 * 4 + 2 = 9362
 *   order 2: 2340 * 3 + 2 = 7022
 * and 9362 + 2 * 9362 + 4 * 7022 = 56174 = 65536 - 9362 holes. */
static bool seed_pattern(size_t j)
{
	return j % 7 != 2;
}

static void test_acc_seed_example(void **state)
{
	(void)state;
	static const uint64_t want[10] = { 9362, 9362, 7022, 0, 0,
					   0,    0,    0,    0, 0 };
	struct vma_case v;
	uint64_t p[11] = { 0 }, m[11] = { 0 }, r[11] = { 0 };

	vma_from(&v, UINT64_C(0x7fa926a00000) >> 12, 65536, 9, seed_pattern,
		 UINT64_C(0x200000));
	assert_int_equal(v.npresent, 56174);
	/* the reference agrees with the hand count */
	ref_hist(v.first, v.n, v.pres, NULL, 9, r);
	assert_memory_equal(r, want, sizeof(want));

	acc_fixed(&v, 4096, p, m, NULL);
	assert_memory_equal(p, want, sizeof(want));
	/* identity-aligned PFNs: mappable equals present */
	assert_memory_equal(m, want, sizeof(want));
	assert_int_equal(p[10], 0);

	memset(p, 0, sizeof(p));
	memset(m, 0, sizeof(m));
	acc_fixed(&v, 1001, p, m, NULL);
	assert_memory_equal(p, want, sizeof(want));
	assert_memory_equal(m, want, sizeof(want));

	/* presence only (PAGEMAP_SCAN): one call per present run */
	{
		struct mt_hist_acc a;
		uint64_t q[11] = { 0 };

		mt_hist_acc_init(&a, q, NULL, 9);
		for (size_t j = 0; j < v.n;) {
			size_t e = j;

			while (e < v.n && v.pres[e])
				e++;
			if (e > j)
				mt_hist_acc_present(&a, v.first + j, e - j);
			j = e + 1;
		}
		mt_hist_acc_flush(&a);
		assert_memory_equal(q, want, sizeof(want));
		assert_int_equal(a.present_pages, 56174);
	}
	vma_case_free(&v);
}

static bool odd_holes(size_t j)
{
	return j % 3 != 0;
}

static void test_acc_small_cases(void **state)
{
	(void)state;
	struct vma_case v;
	uint64_t p[NORD + 1], m[NORD + 1];

	/* max_order 0: every present page is a block */
	vma_from(&v, UINT64_C(0x7f0000200), 512, 0, all_present, 0x40000);
	memset(p, 0, sizeof(p));
	memset(m, 0, sizeof(m));
	acc_fixed(&v, 64, p, m, NULL);
	assert_int_equal(p[0], 512);
	assert_int_equal(m[0], 512);
	assert_int_equal(p[1], 0);
	vma_case_free(&v);

	vma_from(&v, 0x12345, 1000, 0, odd_holes, 0x40000);
	memset(p, 0, sizeof(p));
	memset(m, 0, sizeof(m));
	acc_fixed(&v, 77, p, m, NULL);
	assert_int_equal(p[0], v.npresent);
	assert_int_equal(p[0], 666);
	assert_int_equal(m[0], 666);
	vma_case_free(&v);

	/* one-page VMA */
	vma_from(&v, 0x7fff0, 1, 9, all_present, 0x40000);
	memset(p, 0, sizeof(p));
	memset(m, 0, sizeof(m));
	acc_fixed(&v, 1, p, m, NULL);
	assert_int_equal(p[0], 1);
	assert_int_equal(m[0], 1);
	for (unsigned o = 1; o <= 10; o++)
		assert_int_equal(p[o] + m[o], 0);
	vma_case_free(&v);

	/* one swapped page, one empty page */
	{
		struct mt_hist_acc a;
		uint64_t e[2] = { MT_PM_SWAP | 0x1234, 0 };

		memset(p, 0, sizeof(p));
		memset(m, 0, sizeof(m));
		mt_hist_acc_init(&a, p, m, 9);
		mt_hist_acc_feed(&a, 0x500, e, 1);
		mt_hist_acc_feed(&a, 0x501, e + 1, 1);
		mt_hist_acc_flush(&a);
		assert_int_equal(a.present_pages, 0);
		assert_int_equal(a.swapped_pages, 1);
		for (unsigned o = 0; o <= 10; o++)
			assert_int_equal(p[o] + m[o], 0);
	}

	/* VMA at an odd page: 0x1001..0x1400, one block of each order */
	vma_from(&v, 0x1001, 1023, 9, all_present, 0x80001);
	memset(p, 0, sizeof(p));
	memset(m, 0, sizeof(m));
	acc_fixed(&v, 300, p, m, NULL);
	for (unsigned o = 0; o <= 9; o++) {
		assert_int_equal(p[o], 1);
		/* PFN = vpage + 0x7f000: congruent mod 2^12, so the
		 * physical blocks are the same */
		assert_int_equal(m[o], 1);
	}
	assert_int_equal(p[10], 0);
	vma_case_free(&v);

	/* noise bits (soft-dirty, exclusive, uffd-wp, file) are not PFN */
	{
		struct mt_hist_acc a;
		uint64_t e[4];

		for (int i = 0; i < 4; i++)
			e[i] = MT_PM_PRESENT | MT_PM_FILE |
			       (UINT64_C(1) << 55) | (UINT64_C(1) << 56) |
			       (0x1000 + (uint64_t)i);
		memset(p, 0, sizeof(p));
		memset(m, 0, sizeof(m));
		mt_hist_acc_init(&a, p, m, 9);
		mt_hist_acc_feed(&a, 0x2000, e, 4);
		mt_hist_acc_flush(&a);
		assert_int_equal(p[2], 1);
		assert_int_equal(m[2], 1);
		assert_int_equal(a.present_pages, 4);
	}
}

/* ------------------------------------------------------------------ */
/* Folio accounting                                                    */

#define KPF_UPTODATE (UINT64_C(1) << 3)
#define KPF_LRU (UINT64_C(1) << 5)
#define KPF_SWAPBACKED (UINT64_C(1) << 14)
#define ANON (MT_KPF_ANON | KPF_SWAPBACKED)
#define FILEPG 0
#define HEAD (MT_KPF_COMPOUND_HEAD | MT_KPF_THP | KPF_UPTODATE | KPF_LRU)
#define TAIL (MT_KPF_COMPOUND_TAIL | MT_KPF_THP | KPF_UPTODATE | KPF_LRU)
#define SMALL (KPF_UPTODATE | KPF_LRU)

/* Writes the flags of a folio of 2^order pages at k; returns the pages. */
static size_t put_folio(uint64_t *k, unsigned order, uint64_t kind)
{
	size_t nr = (size_t)1 << order;

	k[0] = HEAD | kind;
	for (size_t i = 1; i < nr; i++)
		k[i] = TAIL | kind;
	return nr;
}

static size_t put_tails(uint64_t *k, size_t nr, uint64_t kind)
{
	for (size_t i = 0; i < nr; i++)
		k[i] = TAIL | kind;
	return nr;
}

struct pmd_probe {
	bool answer;
	unsigned calls;
	uint64_t vpage;
	void *self;
};

static bool probe_is_pmd(void *ctx, uint64_t vpage)
{
	struct pmd_probe *p = ctx;

	p->calls++;
	p->vpage = vpage;
	p->self = ctx;
	return p->answer;
}

/* Accounts one run (through an exactly sized copy) into a zeroed struct
 * and compares all of it with want. */
static void folio_check(const char *what, unsigned pmd_order, uint64_t vpage,
			const uint64_t *k, size_t n, uint64_t next,
			mt_pmd_mapped_fn fn, void *ctx,
			const struct mt_folio_stats *want)
{
	struct mt_folio_stats fs;
	uint64_t *copy = malloc(n * sizeof(*copy));

	assert_non_null(copy);
	memcpy(copy, k, n * sizeof(*copy));
	memset(&fs, 0, sizeof(fs));
	mt_folio_account_run(&fs, pmd_order, vpage, copy, n, next, fn, ctx);
	free(copy);
	if (memcmp(&fs, want, sizeof(fs)) == 0)
		return;
	for (int t = 0; t < 2; t++) {
		print_error("%s: kind %d: pmd %llu/%llu partial %llu/%llu\n",
			    what, t, (unsigned long long)fs.pmd[t],
			    (unsigned long long)want->pmd[t],
			    (unsigned long long)fs.partial[t],
			    (unsigned long long)want->partial[t]);
		for (int o = 0; o < MT_FOLIO_ORDERS; o++)
			if (fs.aligned[t][o] != want->aligned[t][o] ||
			    fs.unaligned[t][o] != want->unaligned[t][o])
				print_error("  order %d: aligned %llu (want "
					    "%llu) unaligned %llu (want "
					    "%llu)\n", o,
					    (unsigned long long)
						    fs.aligned[t][o],
					    (unsigned long long)
						    want->aligned[t][o],
					    (unsigned long long)
						    fs.unaligned[t][o],
					    (unsigned long long)
						    want->unaligned[t][o]);
	}
	fail_msg("%s: folio stats differ", what);
}

static void test_folio_basic(void **state)
{
	(void)state;
	uint64_t k[64];
	struct mt_folio_stats w;
	size_t n;

	/* fully mapped, aligned order-4 anon folio */
	n = put_folio(k, 4, ANON);
	memset(&w, 0, sizeof(w));
	w.aligned[MT_FOLIO_ANON][4] = 16;
	folio_check("aligned order 4", 9, UINT64_C(0x7f0000010), k, n, 0,
		    NULL, NULL, &w);
	/* next page a plain page: still complete */
	folio_check("aligned order 4, next small", 9, UINT64_C(0x7f0000010),
		    k, n, SMALL | ANON, NULL, NULL, &w);
	/* next page the head of another folio: still complete */
	folio_check("aligned order 4, next head", 9, UINT64_C(0x7f0000010),
		    k, n, HEAD | ANON, NULL, NULL, &w);

	/* virtually unaligned (8 mod 16) */
	memset(&w, 0, sizeof(w));
	w.unaligned[MT_FOLIO_ANON][4] = 16;
	folio_check("unaligned order 4", 9, UINT64_C(0x7f0000018), k, n, 0,
		    NULL, NULL, &w);
	/* 1 mod 16 */
	folio_check("unaligned order 4 (odd)", 9, UINT64_C(0x7f0000011), k, n,
		    0, NULL, NULL, &w);

	/* file folio (no ANON bit) */
	n = put_folio(k, 4, FILEPG);
	memset(&w, 0, sizeof(w));
	w.aligned[MT_FOLIO_FILE][4] = 16;
	folio_check("file order 4", 9, UINT64_C(0x7f0000010), k, n, 0, NULL,
		    NULL, &w);

	/* order-1 file folio */
	n = put_folio(k, 1, FILEPG);
	memset(&w, 0, sizeof(w));
	w.aligned[MT_FOLIO_FILE][1] = 2;
	folio_check("file order 1", 9, 0x4002, k, n, 0, NULL, NULL, &w);

	/* small pages are not counted */
	for (int i = 0; i < 8; i++)
		k[i] = SMALL | ANON;
	memset(&w, 0, sizeof(w));
	folio_check("small pages", 9, 0x4000, k, 8, 0, NULL, NULL, &w);
	for (int i = 0; i < 8; i++)
		k[i] = SMALL;
	folio_check("small file pages", 9, 0x4000, k, 8, 0, NULL, NULL, &w);
}

static void test_folio_partial(void **state)
{
	(void)state;
	uint64_t k[64];
	struct mt_folio_stats w;
	size_t n;

	/* run starts on a tail: the last 8 pages of an order-4 folio, then
	 * an aligned order-3 folio at 0x1000 */
	n = put_tails(k, 8, ANON);
	n += put_folio(k + n, 3, ANON);
	memset(&w, 0, sizeof(w));
	w.partial[MT_FOLIO_ANON] = 8;
	w.aligned[MT_FOLIO_ANON][3] = 8;
	folio_check("starts on a tail", 9, 0x1000 - 8, k, n, 0, NULL, NULL,
		    &w);

	/* the page after the run is a tail: the last folio is partial */
	n = put_folio(k, 2, ANON);
	k[n++] = HEAD | ANON;
	n += put_tails(k + n, 7, ANON);
	memset(&w, 0, sizeof(w));
	w.aligned[MT_FOLIO_ANON][2] = 4;
	w.partial[MT_FOLIO_ANON] = 8;
	folio_check("next is a tail", 9, 0x2000, k, n, TAIL | ANON, NULL,
		    NULL, &w);

	/* only tails, next a tail too: all partial, counted once */
	n = put_tails(k, 5, ANON);
	memset(&w, 0, sizeof(w));
	w.partial[MT_FOLIO_ANON] = 5;
	folio_check("tails only, next tail", 9, 0x3003, k, n, TAIL | ANON,
		    NULL, NULL, &w);
	folio_check("tails only, next unknown", 9, 0x3003, k, n, 0, NULL,
		    NULL, &w);

	/* just the head, next a tail */
	k[0] = HEAD | ANON;
	memset(&w, 0, sizeof(w));
	w.partial[MT_FOLIO_ANON] = 1;
	folio_check("head only, next tail", 9, 0x3000, k, 1, TAIL | ANON,
		    NULL, NULL, &w);

	/* partial at both ends around a full folio, file memory */
	n = put_tails(k, 3, FILEPG);
	n += put_folio(k + n, 3, FILEPG);
	n += put_folio(k + n, 0 + 2, FILEPG) - 2; /* half of an order-2 */
	memset(&w, 0, sizeof(w));
	w.partial[MT_FOLIO_FILE] = 3 + 2;
	w.unaligned[MT_FOLIO_FILE][3] = 8; /* at 0x5003 */
	folio_check("partial both ends", 9, 0x5000, k, n, TAIL, NULL, NULL,
		    &w);
}

static void test_folio_mixed(void **state)
{
	(void)state;
	uint64_t k[64];
	struct mt_folio_stats w;
	size_t n;

	/* orders by distance between heads: 3 at +0, 2 at +8, 4 at +12
	 * (unaligned), 2 at +28 */
	n = put_folio(k, 3, ANON);
	n += put_folio(k + n, 2, ANON);
	n += put_folio(k + n, 4, ANON);
	n += put_folio(k + n, 2, ANON);
	assert_int_equal(n, 32);
	memset(&w, 0, sizeof(w));
	w.aligned[MT_FOLIO_ANON][3] = 8;
	w.aligned[MT_FOLIO_ANON][2] = 8;
	w.unaligned[MT_FOLIO_ANON][4] = 16;
	folio_check("four folios", 9, 0x10000, k, n, 0, NULL, NULL, &w);

	/* small pages around and between folios are ignored */
	n = 0;
	k[n++] = SMALL | ANON;
	k[n++] = SMALL | ANON;
	k[n++] = SMALL | ANON;
	n += put_folio(k + n, 2, ANON); /* at 0x3000: aligned */
	k[n++] = SMALL | ANON;
	n += put_folio(k + n, 2, ANON); /* at 0x3005: unaligned */
	k[n++] = SMALL | ANON;
	k[n++] = SMALL | ANON;
	memset(&w, 0, sizeof(w));
	w.aligned[MT_FOLIO_ANON][2] = 4;
	w.unaligned[MT_FOLIO_ANON][2] = 4;
	folio_check("small pages around", 9, 0x3000 - 3, k, n, 0, NULL, NULL,
		    &w);

	/* an anon folio followed by a file folio */
	n = put_folio(k, 2, ANON);
	n += put_folio(k + n, 2, FILEPG);
	memset(&w, 0, sizeof(w));
	w.aligned[MT_FOLIO_ANON][2] = 4;
	w.aligned[MT_FOLIO_FILE][2] = 4;
	folio_check("anon then file", 9, 0x6000, k, n, 0, NULL, NULL, &w);

	/* accounting adds to the stats */
	{
		struct mt_folio_stats fs;

		memset(&fs, 0, sizeof(fs));
		n = put_folio(k, 4, ANON);
		mt_folio_account_run(&fs, 9, 0x10, k, n, 0, NULL, NULL);
		mt_folio_account_run(&fs, 9, 0x20, k, n, 0, NULL, NULL);
		mt_folio_account_run(&fs, 9, 0x38, k, n, 0, NULL, NULL);
		assert_int_equal(fs.aligned[MT_FOLIO_ANON][4], 32);
		assert_int_equal(fs.unaligned[MT_FOLIO_ANON][4], 16);
		assert_int_equal(mt_folio_total(&fs), 48);
	}
}

static void test_folio_pmd(void **state)
{
	(void)state;
	uint64_t *k = malloc(8192 * sizeof(*k));
	struct mt_folio_stats w;
	struct pmd_probe pr;
	size_t n;

	assert_non_null(k);
	n = put_folio(k, 9, ANON);

	/* aligned PMD-order folio mapped by a PMD */
	memset(&pr, 0, sizeof(pr));
	pr.answer = true;
	memset(&w, 0, sizeof(w));
	w.pmd[MT_FOLIO_ANON] = 512;
	folio_check("pmd mapped", 9, UINT64_C(0x7f0000200), k, n, 0,
		    probe_is_pmd, &pr, &w);
	assert_int_equal(pr.calls, 1);
	assert_int_equal(pr.vpage, UINT64_C(0x7f0000200));
	assert_ptr_equal(pr.self, &pr);

	/* aligned but PTE-mapped */
	memset(&pr, 0, sizeof(pr));
	pr.answer = false;
	memset(&w, 0, sizeof(w));
	w.aligned[MT_FOLIO_ANON][9] = 512;
	folio_check("pte mapped", 9, UINT64_C(0x7f0000200), k, n, 0,
		    probe_is_pmd, &pr, &w);
	assert_int_equal(pr.calls, 1);

	/* no callback: aligned PMD-order folios count as PMD mapped */
	memset(&w, 0, sizeof(w));
	w.pmd[MT_FOLIO_ANON] = 512;
	folio_check("pmd, no callback", 9, UINT64_C(0x7f0000200), k, n, 0,
		    NULL, NULL, &w);

	/* unaligned: cannot be PMD mapped whatever the callback says */
	memset(&pr, 0, sizeof(pr));
	pr.answer = true;
	memset(&w, 0, sizeof(w));
	w.unaligned[MT_FOLIO_ANON][9] = 512;
	folio_check("unaligned pmd order", 9, UINT64_C(0x7f0000100), k, n, 0,
		    probe_is_pmd, &pr, &w);
	folio_check("unaligned pmd order, no callback", 9,
		    UINT64_C(0x7f0000100), k, n, 0, NULL, NULL, &w);

	/* file / shmem THP */
	n = put_folio(k, 9, FILEPG);
	memset(&pr, 0, sizeof(pr));
	pr.answer = true;
	memset(&w, 0, sizeof(w));
	w.pmd[MT_FOLIO_FILE] = 512;
	folio_check("file pmd mapped", 9, UINT64_C(0x7f0000400), k, n, 0,
		    probe_is_pmd, &pr, &w);

	/* an aligned order-9 folio when the PMD order is 13 (64K pages):
	 * just an aligned folio; the callback has nothing to decide */
	n = put_folio(k, 9, ANON);
	memset(&pr, 0, sizeof(pr));
	pr.answer = true;
	memset(&w, 0, sizeof(w));
	w.aligned[MT_FOLIO_ANON][9] = 512;
	folio_check("order 9, pmd order 13", 13, UINT64_C(0x7f0000200), k, n,
		    0, probe_is_pmd, &pr, &w);
	assert_int_equal(pr.calls, 0);

	/* PMD order 13: an aligned order-13 folio */
	n = put_folio(k, 13, ANON);
	memset(&w, 0, sizeof(w));
	w.pmd[MT_FOLIO_ANON] = 8192;
	folio_check("order 13 pmd", 13, UINT64_C(0x7f0002000), k, n, 0, NULL,
		    NULL, &w);

	/* two PMD folios, the first PMD mapped and the second not */
	n = put_folio(k, 9, ANON);
	n += put_folio(k + n, 9, ANON);
	{
		struct mt_folio_stats fs;

		memset(&fs, 0, sizeof(fs));
		memset(&pr, 0, sizeof(pr));
		pr.answer = true;
		mt_folio_account_run(&fs, 9, UINT64_C(0x7f0000200), k, 512,
				     0, probe_is_pmd, &pr);
		pr.answer = false;
		mt_folio_account_run(&fs, 9, UINT64_C(0x7f0000400), k + 512,
				     512, 0, probe_is_pmd, &pr);
		assert_int_equal(fs.pmd[MT_FOLIO_ANON], 512);
		assert_int_equal(fs.aligned[MT_FOLIO_ANON][9], 512);
		assert_int_equal(pr.calls, 2);
		assert_int_equal(pr.vpage, UINT64_C(0x7f0000400));
	}
	free(k);
}

static uint64_t folio_sum(const struct mt_folio_stats *f)
{
	uint64_t s = 0;

	for (int t = 0; t < 2; t++) {
		s += f->pmd[t] + f->partial[t];
		for (int o = 0; o < MT_FOLIO_ORDERS; o++)
			s += f->aligned[t][o] + f->unaligned[t][o];
	}
	return s;
}

/* PMD mapping decided by address, so the expected stats can follow it. */
static bool pmd_by_address(void *ctx, uint64_t vpage)
{
	unsigned *calls = ctx;

	(*calls)++;
	return ((vpage >> 9) & 1) == 0;
}

/*
 * Random runs built from known pieces: tails of a folio mapped from its
 * middle, whole folios of random orders and kinds at random virtual
 * offsets, small pages between them, and the start of a folio cut by the
 * end of the run. The expected stats follow from the construction.
 */
static void test_folio_random(void **state)
{
	(void)state;
	/* PMD orders: 4 (small cases), 9 (4K pages), 11 and 13 (arm64's
	 * 16K and 64K pages): up to 12 folios of 2^13 pages */
	static const unsigned pmd_orders[] = { 4, 9, 11, 13 };
	size_t cap = 256 * 1024;
	uint64_t *k = malloc(cap * sizeof(*k));

	assert_non_null(k);
	for (unsigned c = 0; c < 1500; c++) {
		uint64_t s = case_seed(8, c);
		unsigned pmd_order = pmd_orders[rnd_below(&s, 4)];
		uint64_t vpage = rnd_start(&s);
		struct mt_folio_stats want, got;
		uint64_t next = 0;
		unsigned calls = 0, want_calls = 0;
		bool use_cb = rnd_chance(&s, 1, 2);
		size_t n = 0, nfolios = (size_t)rnd_below(&s, 12);

		memset(&want, 0, sizeof(want));
		if (rnd_chance(&s, 1, 2)) { /* front: tails only */
			int t = (int)rnd_below(&s, 2);
			size_t m = (size_t)rnd_range(&s, 1, 40);

			n += put_tails(k + n, m, t ? FILEPG : ANON);
			want.partial[t] += m;
		}
		for (size_t f = 0; f < nfolios; f++) {
			unsigned o = (unsigned)rnd_range(&s, 1, pmd_order);
			int t = (int)rnd_below(&s, 2);
			uint64_t nr = UINT64_C(1) << o, v;

			if (rnd_chance(&s, 1, 4))
				for (uint64_t m = rnd_range(&s, 1, 3); m; m--)
					k[n++] = SMALL | (t ? FILEPG : ANON);
			/* often move the folio to an aligned address */
			if (rnd_chance(&s, 2, 3) && ((vpage + n) & (nr - 1))) {
				uint64_t pad = nr - ((vpage + n) & (nr - 1));

				for (uint64_t m = 0; m < pad; m++)
					k[n++] = SMALL;
			}
			v = vpage + n;
			n += put_folio(k + n, o, t ? FILEPG : ANON);
			if (v & (nr - 1)) {
				want.unaligned[t][o] += nr;
			} else if (o == pmd_order) {
				bool pmd = true;

				if (use_cb) {
					want_calls++;
					pmd = ((v >> 9) & 1) == 0;
				}
				if (pmd)
					want.pmd[t] += nr;
				else
					want.aligned[t][o] += nr;
			} else {
				want.aligned[t][o] += nr;
			}
		}
		if (rnd_chance(&s, 1, 4))
			k[n++] = SMALL;
		switch (rnd_below(&s, 4)) {
		case 0: { /* back: the start of a folio, cut */
			int t = (int)rnd_below(&s, 2);
			size_t m = (size_t)rnd_range(&s, 0, 30);

			k[n++] = HEAD | (t ? FILEPG : ANON);
			n += put_tails(k + n, m, t ? FILEPG : ANON);
			next = TAIL | (t ? FILEPG : ANON);
			want.partial[t] += m + 1;
			break;
		}
		case 1:
			next = SMALL;
			break;
		case 2:
			next = HEAD | ANON;
			break;
		default:
			next = 0;
			break;
		}
		if (n == 0)
			continue;
		assert_true(n <= cap);
		memset(&got, 0, sizeof(got));
		uint64_t counted = mt_folio_account_run(
			&got, pmd_order, vpage, k, n, next,
			use_cb ? pmd_by_address : NULL, use_cb ? &calls : NULL);
		/* it returns the pages it put anywhere */
		assert_int_equal(counted, folio_sum(&want));
		if (memcmp(&got, &want, sizeof(got)) != 0) {
			char what[96];

			snprintf(what, sizeof(what),
				 "random run %u (seed %llu, pmd order %u)", c,
				 (unsigned long long)g_seed, pmd_order);
			folio_check(what, pmd_order, vpage, k, n, next,
				    use_cb ? pmd_by_address : NULL,
				    use_cb ? &calls : NULL, &want);
		}
		assert_int_equal(calls, want_calls);
		assert_int_equal(mt_folio_total(&got), folio_sum(&want));
	}
	free(k);
}


/* The PMD order of 4K, 16K and 64K pages (x86-64, arm64), from the page
 * table's size or from sysfs when it says something usable. */
static void test_pmd_order(void **state)
{
	(void)state;
	assert_int_equal(mt_pmd_order(12, 0), 9);
	assert_int_equal(mt_pmd_order(14, 0), 11);
	assert_int_equal(mt_pmd_order(16, 0), 13);
	assert_int_equal(mt_pmd_order(12, UINT64_C(2) << 20), 9);
	assert_int_equal(mt_pmd_order(14, UINT64_C(32) << 20), 11);
	assert_int_equal(mt_pmd_order(16, UINT64_C(512) << 20), 13);
	/* a sysfs that claims 1 MiB on 4K pages is believed */
	assert_int_equal(mt_pmd_order(12, UINT64_C(1) << 20), 8);
	/* not a power of two, or smaller than a page: the page table's */
	assert_int_equal(mt_pmd_order(12, 3 << 20), 9);
	assert_int_equal(mt_pmd_order(16, 4096), 13);
	/* never past the orders memtop tracks */
	assert_int_equal(mt_pmd_order(12, UINT64_C(1) << 40), MT_ORDER_LIMIT);
}

/*
 * Entries with the swap bit that are not swap: a guard region marker
 * (bit 58), another PTE marker (type 31) are nothing; a migration entry
 * (a type the kernel keeps for itself, 23..30) is memory on the move:
 * present, but of unknown PFN, so it ends the physical run around it.
 */
static void test_swap_kinds(void **state)
{
	(void)state;
	uint64_t p[10] = {0}, m[10] = {0};
	struct mt_hist_acc a;
	struct run_log log = {0};
	const uint64_t off = UINT64_C(0x777) << 5;
	const uint64_t e[] = {
		MT_PM_PRESENT | 0x1000,               /* 0x200 */
		MT_PM_PRESENT | 0x1001,               /* 0x201 */
		MT_PM_SWAP | off | 25,                /* 0x202 migrating */
		MT_PM_PRESENT | 0x1003,               /* 0x203 */
		MT_PM_SWAP | MT_PM_GUARD | MT_SWP_MARKER, /* 0x204 guard */
		MT_PM_SWAP | off | 0,                 /* 0x205 swap area 0 */
		MT_PM_SWAP | MT_SWP_MARKER,           /* 0x206 uffd-wp marker */
		MT_PM_SWAP | off | 22,                /* 0x207 swap area 22 */
	};
	assert_int_equal(mt_swap_kind(e[2]), MT_SWAP_MOVING);
	assert_int_equal(mt_swap_kind(e[4]), MT_SWAP_NONE);
	assert_int_equal(mt_swap_kind(e[5]), MT_SWAP_AREA);
	assert_int_equal(mt_swap_kind(e[6]), MT_SWAP_NONE);
	assert_int_equal(mt_swap_kind(e[7]), MT_SWAP_AREA);
	/* without PFNs the type reads 0: swap, as before */
	assert_int_equal(mt_swap_kind(MT_PM_SWAP), MT_SWAP_AREA);

	mt_hist_acc_init(&a, p, m, 9);
	a.on_phys_run = log_run;
	a.ctx = &log;
	mt_hist_acc_feed(&a, 0x200, e, sizeof(e) / sizeof(e[0]));
	mt_hist_acc_flush(&a);
	assert_int_equal(a.present_pages, 4);
	assert_int_equal(a.swapped_pages, 2);
	assert_non_null(log.r);
	/* present 0x200..0x203: one order-2 block */
	assert_int_equal(p[2], 1);
	assert_int_equal(p[0] + p[1], 0);
	/* mappable: 0x200-0x201 (order 1), the moving page and 0x203 alone */
	assert_int_equal(m[1], 1);
	assert_int_equal(m[0], 2);
	/* the folio view sees the runs with PFNs only */
	assert_int_equal(log.len, 2);
	assert_int_equal(log.r[0].vpage, 0x200);
	assert_int_equal(log.r[0].n, 2);
	assert_int_equal(log.r[1].vpage, 0x203);
	assert_int_equal(log.r[1].pfn, 0x1003);
	free(log.r);
}

/* The one-folio figure by its definition, as tools/mm/thpmaps --cont
 * counts: for every order from the top down, each aligned block of the
 * run not inside one counted above, whose pages all are in large folios
 * with no head after its first page, and whose PFN is aligned too. */
static void ref_folio_cont(uint64_t *hist, unsigned max_order, uint64_t v0,
			   uint64_t pfn0, const uint64_t *k, size_t n)
{
	unsigned char covered[256] = { 0 };
	assert_true(n <= sizeof(covered));
	for (int o = (int)max_order; o >= 1; o--) {
		uint64_t size = UINT64_C(1) << o;
		for (uint64_t v = (v0 + size - 1) & ~(size - 1);
		     v + size <= v0 + n; v += size) {
			size_t s = (size_t)(v - v0);
			bool ok = !covered[s] && !((pfn0 + s) & (size - 1));
			for (size_t i = s; ok && i < s + size; i++)
				ok = (k[i] & MT_KPF_THP) &&
				     (i == s || !(k[i] & MT_KPF_COMPOUND_HEAD));
			if (!ok)
				continue;
			hist[o]++;
			memset(covered + s, 1, (size_t)size);
		}
	}
}

static void test_folio_cont(void **state)
{
	(void)state;
	uint64_t k[256], h[10], want[10];

	/* an aligned 64K folio: one order-4 block */
	size_t n = put_folio(k, 4, ANON);
	memset(h, 0, sizeof(h));
	mt_folio_cont_run(h, 9, 0x7f0000010, 0x1230, k, n);
	assert_int_equal(h[4], 1);
	/* physically misaligned against the virtual address by 8 pages:
	 * blocks of at most 8 pages */
	memset(h, 0, sizeof(h));
	mt_folio_cont_run(h, 9, 0x7f0000018, 0x1230, k, n);
	assert_int_equal(h[4], 0);
	assert_int_equal(h[3], 2);
	/* contiguous small pages: nothing (the mappable view counts them) */
	for (int i = 0; i < 16; i++)
		k[i] = SMALL | ANON;
	memset(h, 0, sizeof(h));
	mt_folio_cont_run(h, 9, 0x7f0000010, 0x1230, k, 16);
	for (int o = 0; o < 10; o++)
		assert_int_equal(h[o], 0);
	/* two order-3 folios back to back: two order-3 blocks, not one of
	 * order 4 */
	put_folio(k, 3, ANON);
	put_folio(k + 8, 3, ANON);
	memset(h, 0, sizeof(h));
	mt_folio_cont_run(h, 9, 0x7f0000010, 0x1230, k, 16);
	assert_int_equal(h[4], 0);
	assert_int_equal(h[3], 2);

	/* random runs against the definition */
	uint64_t seed = 0x9e3779b97f4a7c15ULL;
	for (int iter = 0; iter < 20000; iter++) {
		size_t len = 0;
		while (len < 200) {
			seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
			unsigned r = (unsigned)(seed >> 33);
			if (r % 5 == 0) {
				k[len++] = SMALL | ANON;
			} else if (r % 5 == 1) {
				k[len++] = TAIL | ANON; /* a folio's middle */
			} else {
				unsigned o = 1 + (r >> 4) % 6;
				if (len + ((size_t)1 << o) > 256)
					break;
				len += put_folio(k + len, o, (r & 8) ? ANON
								     : FILEPG);
			}
		}
		seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
		uint64_t v0 = 0x7f0000000 + ((seed >> 20) & 255);
		uint64_t p0 = 0x100000 + ((seed >> 40) & 255);
		unsigned mo = 1 + (unsigned)((seed >> 10) % 9);
		memset(h, 0, sizeof(h));
		memset(want, 0, sizeof(want));
		mt_folio_cont_run(h, mo, v0, p0, k, len);
		ref_folio_cont(want, mo, v0, p0, k, len);
		h[0] = want[0] = 0; /* order 0: mt_hist_fill_order0 */
		if (memcmp(h, want, sizeof(h)) != 0)
			fail_msg("run %d: one-folio histogram differs (v %llx "
				 "pfn %llx len %zu max order %u)", iter,
				 (unsigned long long)v0, (unsigned long long)p0,
				 len, mo);
	}

	/* order 0 is the rest of the pages */
	memset(h, 0, sizeof(h));
	h[4] = 1;
	h[1] = 3;
	mt_hist_fill_order0(h, 10, 40);
	assert_int_equal(h[0], 40 - 16 - 6);
}

static void test_folio_add_total(void **state)
{
	(void)state;
	for (unsigned c = 0; c < 200; c++) {
		uint64_t s = case_seed(7, c);
		struct mt_folio_stats a, b, want;
		uint64_t *pa = (uint64_t *)&a, *pb = (uint64_t *)&b;
		uint64_t *pw = (uint64_t *)&want;
		size_t words = sizeof(a) / sizeof(uint64_t);

		for (size_t i = 0; i < words; i++) {
			pa[i] = rnd_chance(&s, 1, 2) ? rnd_below(&s, 1u << 20)
						     : 0;
			pb[i] = rnd_chance(&s, 1, 2) ? rnd_below(&s, 1u << 20)
						     : 0;
			pw[i] = pa[i] + pb[i];
		}
		assert_int_equal(mt_folio_total(&a), folio_sum(&a));
		assert_int_equal(mt_folio_total(&b), folio_sum(&b));
		mt_folio_add(&a, &b);
		assert_memory_equal(&a, &want, sizeof(a));
		assert_int_equal(mt_folio_total(&a), folio_sum(&want));
	}
	{
		struct mt_folio_stats z;

		memset(&z, 0, sizeof(z));
		assert_int_equal(mt_folio_total(&z), 0);
		z.partial[MT_FOLIO_FILE] = 3;
		z.pmd[MT_FOLIO_ANON] = 512;
		z.aligned[MT_FOLIO_FILE][MT_FOLIO_ORDERS - 1] = 1u << 20;
		z.unaligned[MT_FOLIO_ANON][0] = 1;
		assert_int_equal(mt_folio_total(&z), 3 + 512 + (1u << 20) + 1);
	}
}

/* --- per PMD slot counts for khugepaged -------------------------------- */

struct slot_want {
	uint64_t holed, missing, over_none, fit, unsure, full_over, full_unknown;
};

static uint64_t slot_rnd(uint64_t *s)
{
	*s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
	return *s >> 33;
}

/* The per slot figures worked out slot by slot, the slow way. pm NULL:
 * present pages without bit 56 known (pres[] only). */
static void slot_naive(const uint64_t *pm, const bool *pres, uint64_t vs,
		       uint64_t n, unsigned po, uint64_t mn, uint64_t msw,
		       uint64_t msh, struct slot_want *w)
{
	uint64_t size = UINT64_C(1) << po;
	memset(w, 0, sizeof(*w));
	for (uint64_t sl = (vs + size - 1) >> po; (sl + 1) << po <= vs + n;
	     sl++) {
		uint64_t p = 0, sw = 0, sh = 0;
		for (uint64_t i = sl << po; i < (sl + 1) << po; i++) {
			uint64_t k = i - vs;
			if (pm) {
				if (pm[k] & MT_PM_PRESENT) {
					p++;
					sh += !(pm[k] & MT_PM_EXCLUSIVE);
				} else if (pm[k] & MT_PM_SWAP) {
					sw++;
				}
			} else {
				p += pres[k];
			}
		}
		if (!p && !sw)
			continue;
		bool unknown = !pm && p > msh;
		if (p < size) {
			uint64_t miss = size - p - sw;
			if (miss) {
				w->holed++;
				w->missing += miss;
				w->over_none += miss > mn;
			}
			if (p && miss <= mn && sw <= msw) {
				if (unknown)
					w->unsure++;
				else if (sh <= msh)
					w->fit++;
			}
		} else if (unknown) {
			w->full_unknown++;
		} else if (sh > msh) {
			w->full_over++;
		}
	}
}

static void slot_check(const struct mt_hist_acc *a, const struct slot_want *w)
{
	assert_int_equal(a->slots_holed, w->holed);
	assert_int_equal(a->holes_missing, w->missing);
	assert_int_equal(a->slots_over_none, w->over_none);
	assert_int_equal(a->khp_fit, w->fit);
	assert_int_equal(a->khp_unsure, w->unsure);
	assert_int_equal(a->full_shared_over, w->full_over);
	assert_int_equal(a->full_shared_unknown, w->full_unknown);
}

/* Random slots (empty, sparse, nearly full, full, shared or not, with
 * swap) fed in random batches, one entry at a time, with and without
 * PFN runs, and as PAGEMAP_SCAN runs: the same per slot figures as the
 * slow count. */
static void test_acc_slot_counts(void **state)
{
	(void)state;
	const unsigned po = 4; /* 16-page slots: many slots, small cases */
	uint64_t seen_fit = 0, seen_over = 0, seen_shared = 0;
	for (unsigned c = 0; c < 2000; c++) {
		uint64_t s = 0x5107 + c * 7919;
		uint64_t vs = 1000 + slot_rnd(&s) % 40;
		uint64_t n = 16 * (1 + slot_rnd(&s) % 8) + slot_rnd(&s) % 20;
		uint64_t *pm = calloc(n, sizeof(*pm));
		bool *pres = calloc(n, sizeof(*pres));
		uint64_t pfn = 5000;
		for (uint64_t i = 0; i < n; i += 16) {
			unsigned kind = (unsigned)(slot_rnd(&s) % 5);
			unsigned density = kind == 0 ? 0 : kind == 1 ? 20
					   : kind == 2 ? 90 : 100;
			bool shared = slot_rnd(&s) % 3 == 0;
			for (uint64_t k = i; k < n && k < i + 16; k++) {
				unsigned r = (unsigned)(slot_rnd(&s) % 100);
				if (r < density) {
					pm[k] = MT_PM_PRESENT | pfn++ |
						(shared && slot_rnd(&s) % 2
							 ? 0 : MT_PM_EXCLUSIVE);
					if (slot_rnd(&s) % 8 == 0)
						pfn += 3;
					pres[k] = true;
				} else if (kind == 4 && r < density + 5) {
					pm[k] = MT_PM_SWAP | 1;
				}
			}
		}
		uint64_t mn = slot_rnd(&s) % 17, msw = slot_rnd(&s) % 4,
			 msh = slot_rnd(&s) % 17;
		struct slot_want w, wu;
		slot_naive(pm, NULL, vs, n, po, mn, msw, msh, &w);
		slot_naive(NULL, pres, vs, n, po, mn, msw, msh, &wu);
		seen_fit += w.fit;
		seen_over += w.over_none;
		seen_shared += w.full_over;
		for (int mode = 0; mode < 4; mode++) {
			uint64_t h[NORD] = {0}, m[NORD] = {0};
			struct mt_hist_acc a;
			mt_hist_acc_init(&a, h, mode == 1 ? m : NULL, po);
			mt_hist_acc_track_pmd(&a, po, vs, vs + n);
			mt_hist_acc_limits(&a, mn, msw, msh);
			if (mode == 3) {
				/* PAGEMAP_SCAN: runs, swap, no bit 56 */
				uint64_t j = 0;
				while (j < n) {
					uint64_t e = j;
					if (pres[j]) {
						while (e < n && pres[e])
							e++;
						mt_hist_acc_present(&a, vs + j,
								    e - j);
					} else if (pm[j] & MT_PM_SWAP) {
						mt_hist_acc_swapped(&a, vs + j, 1);
						e = j + 1;
					} else {
						e = j + 1;
					}
					j = e;
				}
			} else {
				uint64_t j = 0;
				while (j < n) {
					uint64_t b = mode == 2 ? 1
						     : 1 + slot_rnd(&s) % 37;
					if (b > n - j)
						b = n - j;
					mt_hist_acc_feed(&a, vs + j, pm + j, b);
					j += b;
				}
			}
			mt_hist_acc_flush(&a);
			slot_check(&a, mode == 3 ? &wu : &w);
		}
		free(pm);
		free(pres);
	}
	assert_true(seen_fit > 100);
	assert_true(seen_over > 100);
	assert_true(seen_shared > 10);
}

/* A PMD mapping (a run known to be PMD-mapped) is neither over the
 * shared limit nor of unknown sharing; nor is a slot before the first
 * or after the last whole slot counted. */
static void test_acc_slot_pmd(void **state)
{
	(void)state;
	uint64_t h[NORD] = {0};
	struct mt_hist_acc a;
	mt_hist_acc_init(&a, h, NULL, 9);
	mt_hist_acc_track_pmd(&a, 9, 100, 3 * 512 + 7);
	mt_hist_acc_limits(&a, 511, 64, 256);
	mt_hist_acc_present(&a, 100, 10);          /* outside any slot */
	mt_hist_acc_present_pmd(&a, 512, 512);     /* slot 1: PMD-mapped */
	mt_hist_acc_present(&a, 1024, 512);        /* slot 2: full, unknown */
	mt_hist_acc_present(&a, 1536, 3);          /* outside */
	mt_hist_acc_flush(&a);
	assert_int_equal(a.pmd_full, 2);
	assert_int_equal(a.full_shared_unknown, 1);
	assert_int_equal(a.full_shared_over, 0);
	assert_int_equal(a.slots_holed, 0);
	mt_hist_acc_init(&a, h, NULL, 9);
	mt_hist_acc_track_pmd(&a, 9, 0, 1024);
	mt_hist_acc_limits(&a, 511, 64, 256);
	mt_hist_acc_present(&a, 3, 1);             /* 511 missing: fits */
	mt_hist_acc_present(&a, 600, 1);
	mt_hist_acc_swapped(&a, 601, 1);           /* 510 missing: fits */
	mt_hist_acc_flush(&a);
	assert_int_equal(a.slots_holed, 2);
	assert_int_equal(a.holes_missing, 511 + 510);
	assert_int_equal(a.slots_over_none, 0);
	assert_int_equal(a.khp_fit, 2);
	/* a slot of swapped pages only has no present PTE to write */
	mt_hist_acc_init(&a, h, NULL, 9);
	mt_hist_acc_track_pmd(&a, 9, 0, 512);
	mt_hist_acc_limits(&a, 511, 64, 256);
	mt_hist_acc_swapped(&a, 7, 2);
	mt_hist_acc_flush(&a);
	assert_int_equal(a.pmd_populated, 1);
	assert_int_equal(a.slots_holed, 1);
	assert_int_equal(a.khp_fit, 0);
}

int main(void)
{
	const char *env = getenv("MEMTOP_TEST_SEED");
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reference_sanity),
		cmocka_unit_test(test_add_run_hand),
		cmocka_unit_test(test_add_run_random),
		cmocka_unit_test(test_add_run_large),
		cmocka_unit_test(test_acc_pmd_vma),
		cmocka_unit_test(test_acc_seed_example),
		cmocka_unit_test(test_acc_small_cases),
		cmocka_unit_test(test_acc_rising_runs),
		cmocka_unit_test(test_acc_random),
		cmocka_unit_test(test_acc_random_gaps),
		cmocka_unit_test(test_acc_present_runs),
		cmocka_unit_test(test_acc_slot_counts),
		cmocka_unit_test(test_acc_slot_pmd),
		cmocka_unit_test(test_acc_adds),
		cmocka_unit_test(test_folio_basic),
		cmocka_unit_test(test_folio_partial),
		cmocka_unit_test(test_folio_mixed),
		cmocka_unit_test(test_folio_pmd),
		cmocka_unit_test(test_folio_random),
		cmocka_unit_test(test_folio_add_total),
		cmocka_unit_test(test_folio_cont),
		cmocka_unit_test(test_swap_kinds),
		cmocka_unit_test(test_pmd_order),
	};

	if (env && *env)
		g_seed = strtoull(env, NULL, 0);
	else
		g_seed = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32);
	printf("test_hist: seed %llu (MEMTOP_TEST_SEED=%llu to repeat)\n",
	       (unsigned long long)g_seed, (unsigned long long)g_seed);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
