/*
 * rc.c - the viewer's state as memtoprc values (see memtop/settings.h), and
 * which of them the user changed. Pure: loop.c loads and saves the file.
 *
 * Only what the user changes is written: a sort given with -s, or the
 * demo's layout, stays out of the file unless the user sorts again.
 */
#include "ui_model.h"
#include "ui_layout.h"

#include <math.h>

void ui_settings_to_rc(const struct ui_settings *st, uint64_t interval_ms,
		       const struct mt_settings *base,
		       struct mt_settings *out)
{
	*out = *base;
	enum mt_sort_key k;
	if (ui_proc_sort_key(st->psort, &k)) {
		out->sort = k;
		out->sort_desc = st->pdesc;
	}
	switch (st->view) {
	case UI_VIEW_MAPPABLE: out->view = MT_SETTINGS_VIEW_MAPPABLE; break;
	case UI_VIEW_FOLIOS: out->view = MT_SETTINGS_VIEW_FOLIOS; break;
	default: out->view = MT_SETTINGS_VIEW_PRESENT; break;
	}
	out->show_kthreads = st->show_kthreads;
	out->omit_file_backed = st->omit_file;
	out->omit_unfaulted = st->omit_unfaulted;
	out->show_hist = !st->hide_hist;
	out->hist_counts = st->hist_counts;
	out->hist_log = st->hist_log;
	out->show_cmdline = st->show_cmdline;
	out->show_delta = st->show_delta;
	out->interval_s = (double)interval_ms / 1000.0;
}

bool ui_rc_merge(struct mt_settings *file, const struct mt_settings *before,
		 const struct mt_settings *after)
{
	bool changed = false;
#define MERGE(f)                                       \
	do {                                           \
		if (before->f != after->f) {           \
			file->f = after->f;            \
			changed = true;                \
		}                                      \
	} while (0)
	MERGE(sort);
	MERGE(sort_desc);
	MERGE(view);
	MERGE(show_kthreads);
	MERGE(omit_file_backed);
	MERGE(omit_unfaulted);
	MERGE(show_hist);
	MERGE(hist_counts);
	MERGE(hist_log);
	MERGE(show_cmdline);
	MERGE(show_delta);
#undef MERGE
	if (fabs(before->interval_s - after->interval_s) > 1e-9) {
		file->interval_s = after->interval_s;
		changed = true;
	}
	return changed;
}
