#!/usr/bin/env python3
"""Render a tmux `capture-pane -e -p` dump (text with SGR colour escapes)
to a PNG, the way a terminal with a dark theme would show it.

    render.py INPUT.ans OUTPUT.png COLS ROWS [TITLE]

Only what tmux emits is understood: SGR 0/1/2/4/7/22/24/27, the 8 and 16
colours (30-37, 90-97, 40-47, 100-107), 39/49 and the 256-colour forms
38;5;N / 48;5;N. Block elements (left and lower eighth blocks) and
braille dots (the time plots) are drawn as rectangles so bars and plots
join up; everything else comes from DejaVu Sans Mono.
"""
import re
import sys

from PIL import Image, ImageDraw, ImageFont

FONT_DIR = "/usr/share/fonts/truetype/dejavu/"
FONT_SIZE = 15
PAD = 12
TITLE_H = 28

FG = (0xd3, 0xd7, 0xcf)
BG = (0x1e, 0x1f, 0x22)
# Tango-like palette: 0-7 normal, 8-15 bright
PALETTE = [
    (0x2e, 0x34, 0x36), (0xef, 0x39, 0x39), (0x4e, 0xc7, 0x3a), (0xe5, 0xc0, 0x3b),
    (0x4d, 0x8f, 0xe0), (0xc6, 0x6f, 0xd8), (0x2c, 0xc7, 0xc9), (0xd3, 0xd7, 0xcf),
    (0x55, 0x57, 0x53), (0xff, 0x6b, 0x6b), (0x8a, 0xe2, 0x34), (0xfc, 0xe9, 0x4f),
    (0x72, 0x9f, 0xcf), (0xad, 0x7f, 0xa8), (0x34, 0xe2, 0xe2), (0xee, 0xee, 0xec),
]


def color256(n):
    if n < 16:
        return PALETTE[n]
    if n < 232:
        n -= 16
        steps = [0, 95, 135, 175, 215, 255]
        return (steps[n // 36], steps[(n // 6) % 6], steps[n % 6])
    v = 8 + (n - 232) * 10
    return (v, v, v)


class Cell:
    __slots__ = ("ch", "fg", "bg", "bold", "dim", "ul", "rev")

    def __init__(self):
        self.ch, self.fg, self.bg = " ", None, None
        self.bold = self.dim = self.ul = self.rev = False


def parse(text, cols, rows):
    grid = [[Cell() for _ in range(cols)] for _ in range(rows)]
    st = {"fg": None, "bg": None, "bold": False, "dim": False, "ul": False,
          "rev": False}
    for y, line in enumerate(text.split("\n")[:rows]):
        x = 0
        for tok in re.split(r"(\x1b\[[0-9;]*m)", line):
            if tok.startswith("\x1b["):
                sgr(st, tok[2:-1])
                continue
            for ch in tok:
                if x >= cols:
                    break
                c = grid[y][x]
                c.ch = ch
                for k in ("fg", "bg", "bold", "dim", "ul", "rev"):
                    setattr(c, k, st[k])
                x += 1
                if is_wide(ch) and x < cols:
                    grid[y][x].ch = ""
                    x += 1
    return grid


def is_wide(ch):
    o = ord(ch)
    return (0x1100 <= o <= 0x115f or 0x2e80 <= o <= 0xa4cf or
            0xac00 <= o <= 0xd7a3 or 0xf900 <= o <= 0xfaff or
            0xfe30 <= o <= 0xfe4f or 0xff00 <= o <= 0xff60 or
            0xffe0 <= o <= 0xffe6 or 0x1f300 <= o <= 0x1faff)


def sgr(st, params):
    ps = [int(p) if p else 0 for p in params.split(";")] if params else [0]
    i = 0
    while i < len(ps):
        p = ps[i]
        if p == 0:
            st.update(fg=None, bg=None, bold=False, dim=False, ul=False,
                      rev=False)
        elif p == 1:
            st["bold"] = True
        elif p == 2:
            st["dim"] = True
        elif p == 4:
            st["ul"] = True
        elif p == 7:
            st["rev"] = True
        elif p == 22:
            st["bold"] = st["dim"] = False
        elif p == 24:
            st["ul"] = False
        elif p == 27:
            st["rev"] = False
        elif 30 <= p <= 37:
            st["fg"] = p - 30
        elif 90 <= p <= 97:
            st["fg"] = p - 90 + 8
        elif p == 39:
            st["fg"] = None
        elif 40 <= p <= 47:
            st["bg"] = p - 40
        elif 100 <= p <= 107:
            st["bg"] = p - 100 + 8
        elif p == 49:
            st["bg"] = None
        elif p in (38, 48) and i + 2 < len(ps) and ps[i + 1] == 5:
            st["fg" if p == 38 else "bg"] = ("256", ps[i + 2])
            i += 2
        i += 1


def resolve(c):
    def col(v, default, bold):
        if v is None:
            return default
        if isinstance(v, tuple):
            return color256(v[1])
        if bold and v < 8:
            v += 8  # bold brightens, as most terminals do
        return PALETTE[v]
    fg = col(c.fg, FG, c.bold)
    bg = col(c.bg, BG, False)
    if c.rev:
        fg, bg = bg, fg
    if c.dim:
        fg = tuple((a + b) // 2 for a, b in zip(fg, bg))
    return fg, bg


# Left eighth blocks U+2588..U+258F: fraction of the cell width.
EIGHTHS = {0x2588: 8, 0x2589: 7, 0x258A: 6, 0x258B: 5, 0x258C: 4,
           0x258D: 3, 0x258E: 2, 0x258F: 1}
# Lower eighth blocks U+2581..U+2587: fraction of the cell height.
LOWER = {0x2581 + i: i + 1 for i in range(7)}
# Braille U+2800 + bits: (column, row) of each dot bit.
BRAILLE_DOTS = [(0, 0), (0, 1), (0, 2), (1, 0), (1, 1), (1, 2), (0, 3), (1, 3)]


def draw_braille(d, px, py, cw, ch_h, bits, fg):
    dw, dh = cw / 2, ch_h / 4
    r = max(1, int(min(dw, dh) * 0.32))
    for b, (cx, cy) in enumerate(BRAILLE_DOTS):
        if bits >> b & 1:
            x = px + dw * cx + dw / 2
            y = py + dh * cy + dh / 2
            d.rectangle([x - r, y - r, x + r - 1, y + r - 1], fill=fg)


def render(text, cols, rows, out, title=None):
    reg = ImageFont.truetype(FONT_DIR + "DejaVuSansMono.ttf", FONT_SIZE)
    bold = ImageFont.truetype(FONT_DIR + "DejaVuSansMono-Bold.ttf", FONT_SIZE)
    cw = round(reg.getlength("M"))
    asc, desc = reg.getmetrics()
    ch_h = asc + desc + 2
    top = PAD + (TITLE_H if title else 0)
    img = Image.new("RGB", (cols * cw + 2 * PAD, rows * ch_h + top + PAD), BG)
    d = ImageDraw.Draw(img)
    if title:
        d.rectangle([0, 0, img.width, TITLE_H], fill=(0x30, 0x32, 0x36))
        for i, c in enumerate([(0xff, 0x5f, 0x57), (0xfe, 0xbc, 0x2e),
                               (0x28, 0xc8, 0x40)]):
            d.ellipse([PAD + i * 20, 8, PAD + i * 20 + 12, 20], fill=c)
        d.text((img.width // 2, TITLE_H // 2), title, fill=(0xbb, 0xbb, 0xbb),
               font=reg, anchor="mm")
    grid = parse(text, cols, rows)
    for y, row in enumerate(grid):
        py = top + y * ch_h
        for x, c in enumerate(row):
            px = PAD + x * cw
            fg, bg = resolve(c)
            if bg != BG:
                d.rectangle([px, py, px + cw - 1, py + ch_h - 1], fill=bg)
            if not c.ch or c.ch == " ":
                continue
            o = ord(c.ch)
            if o in EIGHTHS:
                w = cw * EIGHTHS[o] // 8
                d.rectangle([px, py, px + max(w, 1) - 1, py + ch_h - 1],
                            fill=fg)
            elif o in LOWER:
                h = ch_h * LOWER[o] // 8
                d.rectangle([px, py + ch_h - max(h, 1), px + cw - 1,
                             py + ch_h - 1], fill=fg)
            elif 0x2800 < o <= 0x28FF:
                draw_braille(d, px, py, cw, ch_h, o - 0x2800, fg)
            else:
                d.text((px, py + 1), c.ch, fill=fg,
                       font=bold if c.bold else reg)
            if c.ul:
                d.line([px, py + ch_h - 2, px + cw - 1, py + ch_h - 2],
                       fill=fg)
    img.save(out, optimize=True)


def main():
    if len(sys.argv) < 5:
        sys.exit(__doc__)
    with open(sys.argv[1], encoding="utf-8", errors="replace") as f:
        text = f.read()
    title = sys.argv[5] if len(sys.argv) > 5 else None
    render(text, int(sys.argv[3]), int(sys.argv[4]), sys.argv[2], title)


if __name__ == "__main__":
    main()
