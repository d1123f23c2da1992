/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tui-shell.c: drawing the embedded shell's cells with ncurses and passing
 * it keys (see tui-shell.h). Colours: the 8 (or 256) indexed colours map to
 * curses colours, a bright one to its base colour in bold where the terminal
 * has only 8, and a true colour to the nearest of the 8; the pairs are made
 * as cells need them, from pair 16 on (the TUI's own are below). */
#include "tui-shell.h"
#include "vtshell.h"

#include <string.h>
#include <wchar.h>

#define PAIR_FIRST 16
#define PAIR_CACHE 240

static struct {
	short fg, bg;
} pairs[PAIR_CACHE];
static int npairs;

/* An RGB colour as the nearest of the 8 basic ones (each channel on or off). */
static short basic_of_rgb(const VTermColor *c)
{
	return (short)((c->rgb.red > 127 ? COLOR_RED : 0) | (c->rgb.green > 127 ? COLOR_GREEN : 0) |
		       (c->rgb.blue > 127 ? COLOR_BLUE : 0));
}

/* The curses colour of a cell colour, -1 for the default; *bright when an
 * 8-colour terminal shows it as bold. */
static short curses_color(const VTermColor *c, bool fg, bool *bright)
{
	if (fg ? VTERM_COLOR_IS_DEFAULT_FG(c) : VTERM_COLOR_IS_DEFAULT_BG(c))
		return -1;
	if (VTERM_COLOR_IS_RGB(c))
		return basic_of_rgb(c);
	short idx = c->indexed.idx;
	if (idx < COLORS)
		return idx;
	if (idx < 16) {
		*bright = fg;
		return (short)(idx - 8);
	}
	return -1; /* a 256-colour index on an 8-colour terminal: the default */
}

static short pair_of(short fg, short bg)
{
	if (fg < 0 && bg < 0)
		return 0;
	for (int i = 0; i < npairs; i++)
		if (pairs[i].fg == fg && pairs[i].bg == bg)
			return (short)(PAIR_FIRST + i);
	if (npairs == PAIR_CACHE || PAIR_FIRST + npairs >= COLOR_PAIRS)
		return 0; /* out of pairs: default colours, attributes still shown */
	init_pair((short)(PAIR_FIRST + npairs), fg, bg);
	pairs[npairs].fg = fg;
	pairs[npairs].bg = bg;
	return (short)(PAIR_FIRST + npairs++);
}

static attr_t cell_attr(const VTermScreenCell *cell, bool color, short *pair)
{
	attr_t a = A_NORMAL;
	bool bright = false;
	*pair = 0;
	if (color) {
		VTermColor fgc = cell->fg, bgc = cell->bg;
		short fg = curses_color(&fgc, true, &bright), bg = curses_color(&bgc, false, &bright);
		*pair = pair_of(fg, bg);
	}
	if (cell->attrs.bold || bright)
		a |= A_BOLD;
	if (cell->attrs.underline)
		a |= A_UNDERLINE;
	if (cell->attrs.reverse)
		a |= A_REVERSE;
	if (cell->attrs.blink)
		a |= A_BLINK;
	if (cell->attrs.italic)
		a |= A_ITALIC;
	return a;
}

static void draw_cell(WINDOW *w, int row, int col, const VTermScreenCell *cell, bool color)
{
	short pair;
	attr_t a = cell_attr(cell, color, &pair);
	wchar_t wc[VTERM_MAX_CHARS_PER_CELL + 1] = {0};
	int k = 0;
	for (; k < VTERM_MAX_CHARS_PER_CELL && cell->chars[k]; k++)
		wc[k] = (wchar_t)cell->chars[k];
	if (k == 0 || wcwidth(wc[0]) < 0)
		wc[0] = L' ', wc[1] = 0;
	cchar_t cc;
	if (setcchar(&cc, wc, a, pair, NULL) == OK)
		mvwadd_wch(w, row, col, &cc);
}

void tshell_draw(WINDOW *w, const struct vtshell *v, bool color)
{
	int rows, cols, wh, ww;
	vtshell_size(v, &rows, &cols);
	getmaxyx(w, wh, ww);
	werase(w);
	for (int r = 0; r < rows && r < wh; r++)
		for (int c = 0; c < cols && c < ww; c++) {
			VTermScreenCell cell;
			if (!vtshell_cell(v, r, c, &cell))
				continue;
			if (cell.width > 1 && c + 1 >= ww)
				break; /* a wide character that does not fit at the edge */
			draw_cell(w, r, c, &cell, color);
			if (cell.width > 1)
				c += cell.width - 1; /* its right half is drawn with it */
		}
	wattrset(w, A_NORMAL);
}

void tshell_place_cursor(WINDOW *w, const struct vtshell *v)
{
	int row, col, wh, ww;
	bool visible;
	vtshell_cursor(v, &row, &col, &visible);
	getmaxyx(w, wh, ww);
	curs_set(visible ? 1 : 0);
	leaveok(w, FALSE);
	wmove(w, row < wh ? row : wh - 1, col < ww ? col : ww - 1);
	wnoutrefresh(w);
	leaveok(w, TRUE);
}

static const struct {
	int curses;
	VTermKey key;
	VTermModifier mod;
} keymap[] = {
    {KEY_UP, VTERM_KEY_UP, 0},
    {KEY_DOWN, VTERM_KEY_DOWN, 0},
    {KEY_LEFT, VTERM_KEY_LEFT, 0},
    {KEY_RIGHT, VTERM_KEY_RIGHT, 0},
    {KEY_HOME, VTERM_KEY_HOME, 0},
    {KEY_END, VTERM_KEY_END, 0},
    {KEY_PPAGE, VTERM_KEY_PAGEUP, 0},
    {KEY_NPAGE, VTERM_KEY_PAGEDOWN, 0},
    {KEY_IC, VTERM_KEY_INS, 0},
    {KEY_DC, VTERM_KEY_DEL, 0},
    {KEY_ENTER, VTERM_KEY_ENTER, 0},
    {KEY_BTAB, VTERM_KEY_TAB, VTERM_MOD_SHIFT},
    {KEY_SLEFT, VTERM_KEY_LEFT, VTERM_MOD_SHIFT},
    {KEY_SRIGHT, VTERM_KEY_RIGHT, VTERM_MOD_SHIFT},
    {KEY_SR, VTERM_KEY_UP, VTERM_MOD_SHIFT},
    {KEY_SF, VTERM_KEY_DOWN, VTERM_MOD_SHIFT},
};

void tshell_key(struct vtshell *v, int ch)
{
	if (ch >= 0 && ch < 256) { /* a byte as typed (UTF-8 comes a byte at a time) */
		char b = (char)ch;
		vtshell_text(v, &b, 1);
		return;
	}
	if (ch == KEY_BACKSPACE) {
		vtshell_text(v, "\x7f", 1);
		return;
	}
	for (int f = 1; f <= 12; f++)
		if (ch == KEY_F(f)) {
			vtshell_key(v, VTERM_KEY_FUNCTION(f), 0);
			return;
		}
	for (size_t i = 0; i < sizeof(keymap) / sizeof(keymap[0]); i++)
		if (keymap[i].curses == ch) {
			vtshell_key(v, keymap[i].key, keymap[i].mod);
			return;
		}
	/* other curses keys (the mouse) have no terminal bytes to send */
}
