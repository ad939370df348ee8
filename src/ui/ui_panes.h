/*
 * ui_panes.h - the panes: each draws one window from the state and the
 * view model, and changes nothing but its own scroll position. Only the
 * loop (loop.c) calls them. Curses: UI thread only.
 */
#ifndef MEMTOP_UI_PANES_H
#define MEMTOP_UI_PANES_H

#include "ui_draw.h"

/* header.c */
void ui_draw_header(struct ui *u, WINDOW *w);
void ui_draw_footer(struct ui *u, WINDOW *w);

/* procpane.c */
void ui_draw_procs(struct ui *u, WINDOW *w);
/* vmapane.c */
void ui_draw_info(struct ui *u, WINDOW *w);
void ui_draw_vmas(struct ui *u, WINDOW *w);
/* The reasons box under the VMA list: every reason of the selected VMA. */
void ui_draw_why(struct ui *u, WINDOW *w);
/* histpane.c */
/* Lines the histogram pane would like, for the layout. */
int ui_histpane_lines(const struct ui *u);
void ui_draw_hist(struct ui *u, WINDOW *w);
/* sysview.c */
void ui_draw_sysview(struct ui *u, WINDOW *w);

/* help.c */
void ui_draw_help(struct ui *u, WINDOW *w);
/* --replay: the frame shown against the marked one (compare.c). */
void ui_draw_compare(struct ui *u, WINDOW *w);

#endif
