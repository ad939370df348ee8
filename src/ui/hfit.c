/*
 * hfit.c - one header line made of items that fits its width by priority
 * and abbreviation, never by cutting a word.
 *
 * Each item has up to UI_HF_FORMS forms, the full one first, then shorter
 * ones. To fit, the least important item that still has a shorter form
 * takes it, until every item is at its shortest; then the least important
 * items that may go (priority above 0) go, one by one. A line that still
 * does not fit is drawn up to its last whole word that leaves room for an
 * ellipsis. Pure: the caller draws the runs it is handed.
 */
#include "ui_format.h"

#include <stdio.h>
#include <string.h>

struct ui_hf_item *ui_hf_add(struct ui_hf_line *l, int prio, const char *join)
{
	if (l->n >= UI_HF_ITEMS)
		return NULL;
	struct ui_hf_item *it = &l->it[l->n++];
	memset(it, 0, sizeof(*it));
	it->prio = prio;
	it->join = join;
	return it;
}

void ui_hf_form(struct ui_hf_item *it, unsigned long a1, const char *t1,
		unsigned long a2, const char *t2, unsigned long a3,
		const char *t3)
{
	if (!it || it->nf >= UI_HF_FORMS)
		return;
	struct ui_hf_form *f = &it->f[it->nf++];
	const char *t[UI_HF_RUNS] = { t1, t2, t3 };
	unsigned long a[UI_HF_RUNS] = { a1, a2, a3 };
	f->n = 0;
	for (int i = 0; i < UI_HF_RUNS; i++) {
		if (!t[i] || !*t[i])
			continue;
		snprintf(f->r[f->n].t, sizeof(f->r[f->n].t), "%s", t[i]);
		f->r[f->n].attr = a[i];
		f->n++;
	}
}

static int form_width(const struct ui_hf_form *f, bool utf8)
{
	int w = 0;
	for (int i = 0; i < f->n; i++)
		w += ui_text_width(f->r[i].t, utf8);
	return w;
}

/* The join drawn before item i (none before the first shown). */
static const char *join_of(const struct ui_hf_line *l, int i, bool first)
{
	if (first)
		return "";
	return l->it[i].join ? l->it[i].join : l->sep ? l->sep : " ";
}

int ui_hf_width(const struct ui_hf_line *l, bool utf8)
{
	int w = 0;
	bool first = true;
	for (int i = 0; i < l->n; i++) {
		const struct ui_hf_item *it = &l->it[i];
		if (it->gone || !it->nf)
			continue;
		w += ui_text_width(join_of(l, i, first), utf8);
		w += form_width(&it->f[it->cur], utf8);
		first = false;
	}
	return w;
}

/* The least important item (highest prio; the later one of a tie) for
 * which ok() holds, -1 if none. */
static int least(const struct ui_hf_line *l, bool shorten)
{
	int best = -1;
	for (int i = 0; i < l->n; i++) {
		const struct ui_hf_item *it = &l->it[i];
		if (it->gone || !it->nf)
			continue;
		if (shorten ? it->cur + 1 >= it->nf : it->prio <= 0)
			continue;
		if (best < 0 || it->prio >= l->it[best].prio)
			best = i;
	}
	return best;
}

void ui_hf_fit(struct ui_hf_line *l, int cols, bool utf8)
{
	for (int i = 0; i < l->n; i++) {
		l->it[i].cur = 0;
		l->it[i].gone = false;
	}
	while (ui_hf_width(l, utf8) > cols) {
		int i = least(l, true);
		if (i >= 0) {
			l->it[i].cur++;
			continue;
		}
		i = least(l, false);
		if (i < 0)
			return;
		l->it[i].gone = true;
	}
}

/* A piece of the line: a join or a word of a run with its leading
 * spaces. */
struct tok {
	const char *t;
	size_t n;
	unsigned long attr;
	bool join;
	int w;
};

static int tok_width(const char *t, size_t n, bool utf8)
{
	char b[UI_HF_TEXT];
	n = n < sizeof(b) ? n : sizeof(b) - 1;
	memcpy(b, t, n);
	b[n] = '\0';
	return ui_text_width(b, utf8);
}

static int add_tok(struct tok *tk, int n, int max, const char *t, size_t len,
		   unsigned long attr, bool join, bool utf8)
{
	if (n >= max || !len)
		return n;
	tk[n] = (struct tok){ t, len, attr, join, tok_width(t, len, utf8) };
	return n + 1;
}

#define MAX_TOKS 512

void ui_hf_emit(const struct ui_hf_line *l, int cols, bool utf8,
		void (*put)(const char *t, size_t n, unsigned long attr,
			    void *arg),
		void *arg)
{
	struct tok tk[MAX_TOKS];
	int n = 0, total = 0;
	bool first = true;
	for (int i = 0; i < l->n; i++) {
		const struct ui_hf_item *it = &l->it[i];
		if (it->gone || !it->nf)
			continue;
		const char *j = join_of(l, i, first);
		n = add_tok(tk, n, MAX_TOKS, j, strlen(j),
			    it->join ? 0 : l->sepattr, true, utf8);
		first = false;
		const struct ui_hf_form *f = &it->f[it->cur];
		for (int r = 0; r < f->n; r++) {
			const char *s = f->r[r].t;
			while (*s) {
				const char *e = s;
				while (*e == ' ')
					e++;
				while (*e && *e != ' ')
					e++;
				n = add_tok(tk, n, MAX_TOKS, s, (size_t)(e - s),
					    f->r[r].attr, false, utf8);
				s = e;
			}
		}
	}
	for (int i = 0; i < n; i++)
		total += tk[i].w;
	int k = n;
	const char *ell = utf8 ? " \u2026" : " ...";
	if (total > cols) {
		int room = cols - ui_text_width(ell, utf8), x = 0;
		for (k = 0; k < n && x + tk[k].w <= room; k++)
			x += tk[k].w;
		while (k > 0 && tk[k - 1].join)
			k--;
	}
	for (int i = 0; i < k; i++)
		put(tk[i].t, tk[i].n, tk[i].attr, arg);
	if (k < n && cols >= ui_text_width(ell, utf8))
		put(ell, strlen(ell), 0, arg);
}

const char *ui_fmt_pids(char *buf, size_t len, const pid_t *pids, size_t n)
{
	size_t used = 0;
	if (!len)
		return buf;
	buf[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		char one[16], more[24];
		snprintf(one, sizeof(one), "%s%d", i ? "," : "", (int)pids[i]);
		snprintf(more, sizeof(more), " +%zu", n - i);
		/* room for this one, and for " +N" after it unless last */
		size_t need = strlen(one) + (i + 1 < n ? strlen(more) : 0);
		if (used + need >= len) {
			snprintf(buf + used, len - used, "%s", more);
			return buf;
		}
		memcpy(buf + used, one, strlen(one) + 1);
		used += strlen(one);
	}
	return buf;
}
