/*
 * action.c - the C key: ask MADV_COLLAPSE (process_madvise on a pidfd)
 * for the PMD slots of the selected VMA, process or cgroup row.
 *
 * Nothing is asked without the key and a confirmation: C lists the slots
 * and puts the question in the footer (what, how many slots, how much
 * memory it may allocate); y or Enter starts, any other key cancels.
 * The loop then calls ui_action_step() between polls, which asks slots
 * for a bounded time, so keys and scans go on; Esc or C stops. At the end
 * the summary goes to the status line and a rescan is requested, so the
 * next scan shows the figures after. UI thread only: no thread of its
 * own, the scanner is only asked through request.c.
 */
#include "ui_keys.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define ESC 27
/* time asked per turn of the loop: keys are read in between */
#define STEP_NS 30000000u

bool ui_action_running(const struct ui *u)
{
	return u->act.state == UI_ACT_RUN;
}

static void clear_targets(struct ui_action *a)
{
	for (size_t i = 0; i < a->nt; i++)
		mt_coll_list_free(&a->t[i].l);
	free(a->t);
	a->t = NULL;
	a->nt = a->ti = a->si = a->total = a->done = 0;
	if (a->pidfd >= 0)
		close(a->pidfd);
	a->pidfd = -1;
	a->state = UI_ACT_NONE;
	a->line[0] = '\0';
}

void ui_action_free(struct ui *u)
{
	clear_targets(&u->act);
}

/* The pids of the selection, and what to call it; false (status set)
 * when nothing can be asked. *ranged: only [start, end). */
static bool selection(struct ui *u, pid_t **pids, size_t *n, bool *ranged,
		      uint64_t *start, uint64_t *end)
{
	const struct ui_data *d = &u->data;
	struct ui_action *a = &u->act;
	*ranged = false;
	*n = 0;
	*pids = NULL;
	if (u->sysview || !u->snap) {
		ui_set_status(u, "C collapses the selected VMA, process or "
				 "cgroup: select one first");
		return false;
	}
	if (u->vma_mode) {
		if (d->nvrows == 0 || u->vsel >= d->nvrows) {
			ui_set_status(u, "no VMA selected");
			return false;
		}
		const struct mt_vma *v = d->vs[d->vrows[u->vsel]].v;
		*ranged = true;
		*start = v->start;
		*end = v->end;
		*pids = xmalloc(sizeof(pid_t));
		(*pids)[(*n)++] = u->vpid;
		snprintf(a->what, sizeof(a->what),
			 "VMA %" PRIx64 "-%" PRIx64 " of PID %d", v->start,
			 v->end, (int)u->vpid);
		return true;
	}
	const struct ui_line *l = ui_sel_line(u);
	if (!l) {
		ui_set_status(u, "no process selected");
		return false;
	}
	if (l->kind == UI_LINE_GROUP) {
		const struct ui_group *g = &d->groups[l->idx];
		*pids = xmalloc((g->n + 1) * sizeof(pid_t));
		for (size_t i = 0; i < g->n; i++) {
			const struct mt_proc *p =
				d->ps[d->gmembers[g->first + i]].p;
			if (!p->kthread)
				(*pids)[(*n)++] = p->pid;
		}
		snprintf(a->what, sizeof(a->what), "cgroup %.80s (%zu "
			 "processes)", ui_data_str(d, g->name), *n);
		if (*n == 0) {
			ui_set_status(u, "the cgroup has no process with memory");
			free(*pids);
			*pids = NULL;
			return false;
		}
		return true;
	}
	const struct mt_proc *p = d->ps[l->idx].p;
	if (p->kthread) {
		ui_set_status(u, "PID %d is a kernel thread: no memory to "
				 "collapse", (int)p->pid);
		return false;
	}
	*pids = xmalloc(sizeof(pid_t));
	(*pids)[(*n)++] = p->pid;
	snprintf(a->what, sizeof(a->what), "PID %d", (int)p->pid);
	return true;
}

int ui_action_key(struct ui *u)
{
	struct ui_action *a = &u->act;
	if (a->state == UI_ACT_RUN) {
		ui_action_stop(u);
		return UI_R_REDRAW;
	}
	char why[160];
	if (u->read_only) {
		ui_set_status(u, "%s", u->rc_read_only ?
			      "collapse is off: read_only=1 in the settings "
			      "file" : "collapse is off: memtop was started "
			      "with --read-only");
		return UI_R_REDRAW;
	}
	if (u->not_live) {
		ui_set_status(u, "collapse is off: the figures come from "
				 "--proc-root, not from live processes");
		return UI_R_REDRAW;
	}
	if (mt_collapse_allowed(why, sizeof(why)) < 0) {
		ui_set_status(u, "%s", why);
		return UI_R_REDRAW;
	}
	pid_t *pids;
	size_t n;
	bool ranged;
	uint64_t start = 0, end = 0;
	if (!selection(u, &pids, &n, &ranged, &start, &end))
		return UI_R_REDRAW;
	clear_targets(a);
	a->t = xcalloc(n, sizeof(*a->t));
	size_t already = 0;
	uint64_t pmd = 0;
	int err = 0;
	pid_t err_pid = 0;
	for (size_t i = 0; i < n; i++) {
		struct ui_act_target *t = &a->t[a->nt];
		int e = mt_collapse_list(pids[i], NULL, ranged, start, end,
					 false, &t->l);
		if (e < 0) {
			/* a process of a cgroup may be gone or not readable */
			if (!err) {
				err = -e;
				err_pid = pids[i];
			}
			continue;
		}
		t->pid = pids[i];
		a->nt++;
		a->total += t->l.n;
		already += t->l.n - mt_coll_list_asked(&t->l);
		pmd = t->l.pmd;
	}
	free(pids);
	if (a->nt == 0 && err) {
		ui_set_status(u, "cannot read the memory map of PID %d: %s%s",
			      (int)err_pid, strerror(err),
			      err == EACCES || err == EPERM ?
				      " (needs root, or CAP_SYS_NICE and "
				      "ptrace access)" : "");
		clear_targets(a);
		return UI_R_REDRAW;
	}
	if (a->total == already) {
		ui_set_status(u, "nothing to collapse in %s: %zu PMD slots "
				 "with a page, all PMD-mapped", a->what,
			      a->total);
		clear_targets(a);
		return UI_R_REDRAW;
	}
	mt_coll_confirm_text(a->what, a->total, already, pmd, a->line,
			     sizeof(a->line));
	a->state = UI_ACT_CONFIRM;
	return UI_R_REDRAW;
}

static void progress(struct ui_action *a)
{
	pid_t pid = a->ti < a->nt ? a->t[a->ti].pid : 0;
	snprintf(a->line, sizeof(a->line), "collapsing %zu/%zu slots of %s, "
		 "now PID %d... (Esc or C stops)", a->done, a->total, a->what,
		 (int)pid);
}

int ui_action_answer(struct ui *u, int key, bool is_char)
{
	struct ui_action *a = &u->act;
	bool yes = (is_char && (key == 'y' || key == 'Y' || key == '\r' ||
				key == '\n')) ||
		   (!is_char && key == KEY_ENTER);
	if (!yes) {
		clear_targets(a);
		ui_set_status(u, "collapse cancelled: nothing was asked");
		return UI_R_REDRAW;
	}
	memset(&a->tally, 0, sizeof(a->tally));
	a->state = UI_ACT_RUN;
	a->ti = a->si = a->done = 0;
	progress(a);
	return UI_R_REDRAW;
}

static void finish(struct ui *u, size_t left)
{
	struct ui_action *a = &u->act;
	char sum[sizeof(u->status) - 32];
	mt_coll_tally_text(&a->tally, left, sum, sizeof(sum));
	clear_targets(a);
	ui_set_status(u, "%s", sum);
	ui_send_rescan(u); /* the next scan shows the figures after */
}

void ui_action_stop(struct ui *u)
{
	struct ui_action *a = &u->act;
	if (a->state != UI_ACT_RUN)
		return;
	finish(u, a->total - a->done);
}

/* Every slot of target t from the current one on: counted as not asked
 * (the process exited, or it cannot be asked). */
static void skip_target(struct ui_action *a, int en)
{
	struct ui_act_target *t = &a->t[a->ti];
	for (; a->si < t->l.n; a->si++, a->done++)
		mt_coll_tally_add(&a->tally, t->l.v[a->si].already, en);
	a->ti++;
	a->si = 0;
	if (a->pidfd >= 0)
		close(a->pidfd);
	a->pidfd = -1;
}

void ui_action_step(struct ui *u)
{
	struct ui_action *a = &u->act;
	if (a->state != UI_ACT_RUN)
		return;
	uint64_t until = mt_now_ns() + STEP_NS;
	while (a->ti < a->nt && mt_now_ns() < until) {
		struct ui_act_target *t = &a->t[a->ti];
		if (a->si >= t->l.n) {
			a->ti++;
			a->si = 0;
			if (a->pidfd >= 0)
				close(a->pidfd);
			a->pidfd = -1;
			continue;
		}
		const struct mt_coll_slot *sl = &t->l.v[a->si];
		if (sl->already) {
			mt_coll_tally_add(&a->tally, true, 0);
			a->si++;
			a->done++;
			continue;
		}
		if (a->pidfd < 0) {
			a->pidfd = mt_collapse_pidfd(t->pid);
			if (a->pidfd < 0) {
				skip_target(a, ESRCH);
				continue;
			}
		}
		int en = mt_collapse_ask(a->pidfd, sl->start, t->l.pmd);
		if (en == EPERM) {
			pid_t pid = t->pid;
			size_t left = a->total - a->done;
			finish(u, left);
			ui_set_status(u, "process_madvise on PID %d: not "
					 "permitted (needs root, or CAP_SYS_NICE "
					 "and ptrace access)", (int)pid);
			return;
		}
		if (en == ESRCH) {
			skip_target(a, ESRCH);
			continue;
		}
		mt_coll_tally_add(&a->tally, false, en);
		a->si++;
		a->done++;
	}
	if (a->ti >= a->nt)
		finish(u, 0);
	else
		progress(a);
}
