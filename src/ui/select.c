/*
 * select.c - the selection: which process pane line, VMA, process or
 * cgroup row is selected, kept on the same process or VMA when the rows
 * are rebuilt, and what the histogram pane shows for it.
 *
 * Reads the view model (u->data) and changes only the selection fields
 * of struct ui. The cgroup key of a selection (struct ui_selid) is
 * malloc'd and owned by it: free it with ui_selid_free(). UI thread only.
 */
#include "ui_int.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- selection ------------------------------------------------------- */

const struct ui_line *ui_sel_line(const struct ui *u)
{
	const struct ui_data *d = &u->data;
	return u->sel < d->nlines ? &d->lines[u->sel] : NULL;
}

static void set_sel_group(struct ui *u, const char *key)
{
	if (u->sel_group && key && strcmp(u->sel_group, key) == 0)
		return;
	free(u->sel_group);
	u->sel_group = key ? xstrdup(key) : NULL;
}

void ui_sync_selection(struct ui *u)
{
	const struct ui_data *d = &u->data;
	const struct ui_line *l = ui_sel_line(u);
	if (!l)
		return;
	if (l->kind == UI_LINE_GROUP) {
		u->sel_is_group = true;
		set_sel_group(u, d->groups[l->idx].key);
	} else {
		u->sel_is_group = false;
		u->sel_pid = d->ps[l->idx].p->pid;
	}
}

/* The line that shows the selection best: the process, else (grouped)
 * its cgroup row; the cgroup row, else (not grouped) its first process. */
static ssize_t find_selection(const struct ui *u)
{
	const struct ui_data *d = &u->data;
	if (u->sel_is_group && u->sel_group) {
		ssize_t r = ui_data_find_group(d, u->sel_group);
		if (r >= 0)
			return r;
		/* the process selected before the cgroup row, if it is in
		 * that cgroup */
		const char *own = ui_data_cgroup_of(d, u->sel_pid);
		if (own && strcmp(own, u->sel_group) == 0 &&
		    (r = ui_data_find_pid(d, u->sel_pid)) >= 0)
			return r;
		for (size_t i = 0; i < d->nlines; i++) {
			const struct ui_line *l = &d->lines[i];
			const char *cg = d->ps[l->idx].p->cgroup;
			if (l->kind == UI_LINE_PROC &&
			    strcmp(cg ? cg : "", u->sel_group) == 0)
				return (ssize_t)i;
		}
		return -1;
	}
	ssize_t r = ui_data_find_pid(d, u->sel_pid);
	if (r < 0 && u->set.group) {
		const char *cg = ui_data_cgroup_of(d, u->sel_pid);
		if (cg)
			r = ui_data_find_group(d, cg);
	}
	return r;
}

void ui_fix_selection(struct ui *u)
{
	struct ui_data *d = &u->data;
	ssize_t r = find_selection(u);
	if (r >= 0)
		u->sel = (size_t)r;
	else if (u->sel >= d->nlines)
		u->sel = d->nlines ? d->nlines - 1 : 0;
	if (d->nlines)
		ui_sync_selection(u);
	if (!u->vma_mode)
		return;
	r = ui_data_find_vma(d, u->vsel_start);
	if (r >= 0)
		u->vsel = (size_t)r;
	else if (u->vsel >= d->nvrows)
		u->vsel = d->nvrows ? d->nvrows - 1 : 0;
	if (d->nvrows)
		u->vsel_start = d->vs[d->vrows[u->vsel]].v->start;
}

/* Figures of an earlier scan: how old (exp_ms: the PFN figures';
 * walk_ms: all of them, 0 when the rest is this scan's). */
static void add_age_ms(char *title, size_t len, uint64_t exp_ms,
		       uint64_t walk_ms)
{
	size_t n = strlen(title);
	if (exp_ms == 0 || n >= len)
		return;
	if (exp_ms == UINT64_MAX)
		snprintf(title + n, len - n, " (PFN figures not read yet)");
	else if (walk_ms)
		snprintf(title + n, len - n, " (~ all figures %.0fs old)",
			 (double)walk_ms / 1000.0);
	else
		snprintf(title + n, len - n, " (~ PFN figures %.0fs old)",
			 (double)exp_ms / 1000.0);
}

static void add_age(char *title, size_t len, const struct ui_pstat *ps)
{
	add_age_ms(title, len, ps->exp_age_ms, ps->walk_age_ms);
}

const struct ui_dist *ui_selected_dist(const struct ui *u, char *title,
				       size_t len)
{
	const struct ui_data *d = &u->data;
	if (u->vma_mode && d->nvrows > 0) {
		const struct ui_vstat *vs = &d->vs[d->vrows[u->vsel]];
		const char *path = ui_data_str(d, vs->path);
		snprintf(title, len, "VMA %" PRIx64 " %s", vs->v->start,
			 *path ? path : mt_kind_name(vs->v->kind));
		add_age_ms(title, len, vs->exp_age_ms, 0);
		return &vs->dist;
	}
	if (u->vma_mode && d->vproc >= 0) {
		const struct ui_pstat *ps = &d->ps[d->vproc];
		snprintf(title, len, "PID %d %s", (int)ps->p->pid,
			 ui_data_str(d, ps->name));
		add_age(title, len, ps);
		return &ps->dist;
	}
	const struct ui_line *l = u->vma_mode ? NULL : ui_sel_line(u);
	if (!l)
		return NULL;
	if (l->kind == UI_LINE_GROUP) {
		const struct ui_group *g = &d->groups[l->idx];
		snprintf(title, len, "cgroup %s (%zu process%s)",
			 ui_data_str(d, g->name), g->n, g->n == 1 ? "" : "es");
		return &g->dist;
	}
	const struct ui_pstat *ps = &d->ps[l->idx];
	snprintf(title, len, "PID %d %s", (int)ps->p->pid,
		 ui_data_str(d, ps->name));
	add_age(title, len, ps);
	return &ps->dist;
}

void ui_selected_id(const struct ui *u, struct ui_selid *id)
{
	const struct ui_data *d = &u->data;
	memset(id, 0, sizeof(*id));
	id->view = u->set.view;
	id->omit_file = u->set.omit_file;
	if (u->vma_mode && d->nvrows > 0) {
		id->kind = UI_SEL_VMA;
		id->pid = u->vpid;
		id->vstart = d->vs[d->vrows[u->vsel]].v->start;
		return;
	}
	if (u->vma_mode) {
		id->kind = d->vproc >= 0 ? UI_SEL_PROC : UI_SEL_NONE;
		id->pid = u->vpid;
		return;
	}
	const struct ui_line *l = ui_sel_line(u);
	if (!l)
		return;
	if (l->kind == UI_LINE_GROUP) {
		id->kind = UI_SEL_GROUP;
		id->group = xstrdup(d->groups[l->idx].key);
	} else {
		id->kind = UI_SEL_PROC;
		id->pid = d->ps[l->idx].p->pid;
	}
}

bool ui_selid_equal(const struct ui_selid *a, const struct ui_selid *b)
{
	if (a->kind != b->kind || a->pid != b->pid || a->vstart != b->vstart ||
	    a->view != b->view || a->omit_file != b->omit_file)
		return false;
	if (a->kind == UI_SEL_GROUP)
		return a->group && b->group && strcmp(a->group, b->group) == 0;
	return a->kind != UI_SEL_NONE;
}

void ui_selid_free(struct ui_selid *id)
{
	free(id->group);
	memset(id, 0, sizeof(*id));
}
