#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""unwrap-prose.py: no pre-wrapped prose in the lab sources.

The screen decides where a lab text's lines break: nslab shows a lab's
summary and a step's task, hint and explain through text_reflow()
(src/reflow.c), which turns each soft line break inside a paragraph into a
space. A break stays where the next line is blank, indented (a command to
type) or a list item ("- ", "* ", "1. ", "1) "), or where this line is blank
or indented. A text hand-wrapped at 80 columns ("...calling\\n" "process's")
is shown as one paragraph anyway; this tool writes it that way, so each
paragraph is one logical line in the source and nothing the learner sees
changes by one byte.

It rewrites
  - labs/*.c: in each learner text (a struct nslab_lab's .summary, a struct
    nslab_step's .task, .hint and .explain) every "\\n" escape that
    text_reflow would turn into a space becomes a space, in place: the string
    literals stay split where they were, so the lines stay within
    clang-format's column limit. Macros spliced into a text ("hostname "
    LAB_HOSTNAME) are expanded to decide, never edited;
  - labs/po/ID/*.po: the msgid of each of those texts the same way (a
    catalogue is keyed by the English text) and its msgstr with the same rule
    (Korean separates words with spaces too, so a space is right), leaving
    every other entry (check messages, which are not reflowed) alone.
A hint is shown behind "hint: " (src/session.c), so its first line is never
blank or indented on the screen; the rule is applied to it with that prefix
(the catalogue's translation of "hint: %s" for a msgstr).

Deterministic and idempotent: a second run changes nothing. Afterwards run
`make format` (clang-format may lay a shortened initializer out anew) and
`make pot` (the templates, labs/po/ID/ID.pot). `make po-check` runs this
tool with --check, so a pre-wrapped text does not come back.
scripts/dev/dump-lab-texts.c prints every text as the screen shows it: the
same before and after.

Usage: scripts/dev/unwrap-prose.py [--check] [-v] [LAB.c...]
  (no files: every labs/*.c of the tree this script is in)
  --check  change nothing; list what would change and exit 1 if anything would
Exit status 2: a text this tool cannot rewrite safely (a soft break inside a
macro, or a text that is not a string); nothing was written.
"""

import argparse
import os
import re
import sys

FIELDS = {
    "nslab_lab": ("summary",),
    "nslab_step": ("task", "hint", "explain"),
}
HINT_FORMAT = "hint: %s"  # src/session.c: session_hint()

# --------------------------------------------------------------------------
# text_reflow's rule (src/reflow.c), on a Python str


def _indented(s, i):
    return i < len(s) and s[i] in " \t"


def _list_item(s, i):
    if i + 1 < len(s) and s[i] in "-*" and s[i + 1] == " ":
        return True
    j = i
    while j < len(s) and s[j] in "0123456789":
        j += 1
    return j > i and j + 1 < len(s) and s[j] in ".)" and s[j + 1] == " "


def soft_breaks(s, start=0):
    """Indices of the newlines of s at or after start that text_reflow turns
    into spaces. A line is the text between two newlines of s as written
    (text_reflow looks at its original lines, joined or not)."""
    out = []
    line = 0
    i = s.find("\n")
    while i != -1:
        nxt = i + 1
        hard = (
            line == i
            or _indented(s, line)
            or nxt == len(s)
            or s[nxt] == "\n"
            or _indented(s, nxt)
            or _list_item(s, nxt)
        )
        if not hard and i >= start:
            out.append(i)
        line = nxt
        i = s.find("\n", nxt)
    return out


def unwrap(text, prefix=""):
    """text with its soft breaks made spaces, as shown behind prefix."""
    s = prefix + text
    chars = list(s)
    for i in soft_breaks(s, len(prefix)):
        chars[i] = " "
    return "".join(chars)[len(prefix) :]


# --------------------------------------------------------------------------
# C: a tokenizer good enough for the labs' sources

TOKEN = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<comment>//[^\n]*|/\*.*?\*/)
  | (?P<str>(?:u8|u|U|L)?"(?:[^"\\\n]|\\.)*")
  | (?P<char>(?:u8|u|U|L)?'(?:[^'\\\n]|\\.)*')
  | (?P<ident>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<num>\.?[0-9](?:[eEpP][+-]|[A-Za-z0-9_.])*)
  | (?P<punct>->|\+\+|--|<<=|>>=|<<|>>|[<>=!&|^+\-*/%]=|&&|\|\||\.\.\.|\#\#|.)
    """,
    re.S | re.X,
)


class Tok:
    __slots__ = ("kind", "start", "end", "text")

    def __init__(self, kind, start, end, text):
        self.kind, self.start, self.end, self.text = kind, start, end, text

    def __repr__(self):
        return f"{self.kind}:{self.text!r}"


def tokenize(src, base=0):
    """Tokens of src (no whitespace or comments); a preprocessor directive is
    one token of kind "pp" (its lines joined by backslash-newline)."""
    toks, i, bol = [], 0, True
    while i < len(src):
        if bol:
            m = re.compile(r"[ \t]*#").match(src, i)
            if m:
                j = i
                while True:
                    nl = src.find("\n", j)
                    if nl == -1:
                        nl = len(src)
                        break
                    # a comment may hide a newline: skip whole comments
                    c = src.find("/*", j, nl)
                    if c != -1:
                        e = src.find("*/", c + 2)
                        j = len(src) if e == -1 else e + 2
                        continue
                    if src[nl - 1] == "\\":
                        j = nl + 1
                        continue
                    break
                toks.append(Tok("pp", base + i, base + nl, src[i:nl]))
                i = nl
                continue
        m = TOKEN.match(src, i)
        kind = m.lastgroup
        if kind in ("ws", "comment"):
            bol = bol or "\n" in m.group()
        else:
            toks.append(Tok(kind, base + m.start(), base + m.end(), m.group()))
            bol = False
        i = m.end()
    return toks


SIMPLE_ESCAPES = {
    "n": "\n",
    "t": "\t",
    "r": "\r",
    "a": "\a",
    "b": "\b",
    "f": "\f",
    "v": "\v",
    "\\": "\\",
    '"': '"',
    "'": "'",
    "?": "?",
    "e": "\x1b",
}


def decode_literal(tok):
    """[(char, (start, end) in the file)] of a string literal token."""
    text = tok.text
    q = text.index('"')
    out, i, end = [], q + 1, len(text) - 1
    while i < end:
        if text[i] != "\\":
            out.append((text[i], (tok.start + i, tok.start + i + 1)))
            i += 1
            continue
        c = text[i + 1]
        j = i + 2
        if c in SIMPLE_ESCAPES:
            ch = SIMPLE_ESCAPES[c]
        elif c == "x":
            while j < end and text[j] in "0123456789abcdefABCDEF":
                j += 1
            ch = chr(int(text[i + 2 : j], 16))
        elif c in "01234567":
            j = i + 1
            while j < end and j < i + 4 and text[j] in "01234567":
                j += 1
            ch = chr(int(text[i + 1 : j], 8))
        elif c in "uU":
            j = i + 2 + (4 if c == "u" else 8)
            ch = chr(int(text[i + 2 : j], 16))
        else:
            raise ValueError(f"unknown escape \\{c}")
        out.append((ch, (tok.start + i, tok.start + j)))
        i = j
    return out


class Failure(Exception):
    pass


def line_of(src, off):
    return src.count("\n", 0, off) + 1


def read_macros(src, toks):
    """Object-like macros whose body is string literals and other macros:
    name -> list of body tokens."""
    macros = {}
    for t in toks:
        if t.kind != "pp":
            continue
        m = re.match(r"[ \t]*#[ \t]*define[ \t]+([A-Za-z_][A-Za-z0-9_]*)(?=[ \t]|$)", t.text)
        if not m:
            continue
        body = t.text[m.end() :].replace("\\\n", " ")
        btoks = tokenize(body)
        if btoks and all(b.kind in ("str", "ident") for b in btoks) and any(b.kind == "str" for b in btoks):
            macros[m.group(1)] = btoks
    return macros


def expand(name, macros, seen=()):
    """The value of a string macro, or None if it is not one."""
    if name not in macros or name in seen:
        return None
    out = []
    for b in macros[name]:
        if b.kind == "str":
            out.extend(c for c, _ in decode_literal(b))
        else:
            v = expand(b.text, macros, seen + (name,))
            if v is None:
                return None
            out.extend(v)
    return "".join(out)


class Text:
    """A learner text in a C source: its pieces and where its escapes are."""

    def __init__(self, path, line, struct, field):
        self.path, self.line, self.struct, self.field = path, line, struct, field
        self.chars = []  # [(char, (start, end) or None for a macro's)]

    @property
    def value(self):
        return "".join(c for c, _ in self.chars)

    @property
    def prefix(self):
        return HINT_FORMAT.split("%s")[0] if self.field == "hint" else ""

    def where(self):
        return f"{self.path}:{self.line}: .{self.field}"


def struct_of(toks, k):
    """The struct type of the top-level declaration whose initializer opens
    with the brace toks[k]: the last "struct NAME" since the previous
    declaration ended."""
    name = None
    j = k - 1
    while j >= 0 and not (toks[j].kind == "punct" and toks[j].text in ";}") and toks[j].kind != "pp":
        j -= 1
    for i in range(j + 1, k):
        if toks[i].text == "struct" and i + 1 < k and toks[i + 1].kind == "ident":
            name = toks[i + 1].text
    return name


def field_value(src, toks, i, macros, text):
    """Fills text from the initializer that starts at toks[i] (after "=");
    returns the index after it."""
    depth, j = 0, i
    while j < len(toks):
        t = toks[j]
        if t.kind == "punct" and t.text in "([{":
            depth += 1
        elif t.kind == "punct" and t.text in ")]}":
            if depth == 0:
                break
            depth -= 1
        elif t.kind == "punct" and t.text == "," and depth == 0:
            break
        j += 1
    expr = toks[i:j]
    if len(expr) >= 3 and expr[0].text in ("N_", "_") and expr[1].text == "(" and expr[-1].text == ")":
        expr = expr[2:-1]
    if len(expr) == 1 and expr[0].text in ("NULL", "0"):
        return j
    for t in expr:
        if t.kind == "str":
            text.chars.extend(decode_literal(t))
        elif t.kind == "ident" and expand(t.text, macros) is not None:
            text.chars.extend((c, None) for c in expand(t.text, macros))
        else:
            raise Failure(f"{text.where()}: not a string or string macro: {src[t.start:t.end]!r}")
    return j


def learner_texts(path, src):
    """Every learner text of a lab source, in file order."""
    toks = tokenize(src)
    macros = read_macros(src, toks)
    texts, depth, struct = [], 0, None
    i = 0
    while i < len(toks):
        t = toks[i]
        if t.kind == "punct" and t.text == "{":
            if depth == 0:
                struct = struct_of(toks, i)
            elif (
                struct in FIELDS
                and toks[i - 1].text in ("{", ",")
                and i + 1 < len(toks)
                and toks[i + 1].text not in (".", "}")
            ):
                # an element without designators: its texts would go unseen
                raise Failure(f"{path}:{line_of(src, t.start)}: a struct {struct} without designators (.task = ...)")
            depth += 1
        elif t.kind == "punct" and t.text == "}":
            depth -= 1
        elif (
            depth > 0
            and struct in FIELDS
            and t.text == "."
            and i + 2 < len(toks)
            and toks[i + 1].text in FIELDS[struct]
            and toks[i + 2].text == "="
        ):
            text = Text(path, line_of(src, t.start), struct, toks[i + 1].text)
            i = field_value(src, toks, i + 3, macros, text)
            if text.chars:
                texts.append(text)
            continue
        i += 1
    return texts


def rewrite_c(path, src):
    """(new source, [(text, new value)]) for a lab source."""
    edits, changed = [], []
    for text in learner_texts(path, src):
        old = text.value
        new = unwrap(old, text.prefix)
        if new == old:
            continue
        for k in soft_breaks(text.prefix + old, len(text.prefix)):
            span = text.chars[k - len(text.prefix)][1]
            if span is None:
                raise Failure(f"{text.where()}: a soft line break inside a macro; write the macro without it")
            edits.append(span)
        changed.append((text, new))
    for start, end in sorted(edits, reverse=True):
        src = src[:start] + " " + src[end:]
    return src, changed


# --------------------------------------------------------------------------
# PO files: msgid/msgstr of the learner texts

PO_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "a": "\a", "b": "\b", "f": "\f", "v": "\v", "\\": "\\", '"': '"'}


def po_unquote(line):
    """The value of one quoted po line ("..." after the keyword)."""
    m = re.match(r'\s*"(.*)"\s*$', line)
    if not m:
        raise Failure(f"not a po string: {line!r}")
    s, out, i = m.group(1), [], 0
    while i < len(s):
        if s[i] == "\\" and i + 1 < len(s):
            c = s[i + 1]
            if c in PO_ESCAPES:
                out.append(PO_ESCAPES[c])
                i += 2
                continue
            if c in "01234567":
                j = i + 1
                while j < len(s) and j < i + 4 and s[j] in "01234567":
                    j += 1
                out.append(chr(int(s[i + 1 : j], 8)))
                i = j
                continue
        out.append(s[i])
        i += 1
    return "".join(out)


def po_quote(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t").replace(
        "\r", "\\r"
    ) + '"'


class PoField:
    """A keyword (msgid, msgstr, msgstr[0], ...) and its lines in a po file."""

    def __init__(self, keyword, first, last, value, one_line):
        self.keyword, self.first, self.last, self.value, self.one_line = keyword, first, last, value, one_line

    def lines(self, value):
        """value written the way this field was: on the keyword's line, or
        (as msgcat --no-wrap writes a text with a line break inside it) as ""
        and then one line for each line of the text."""
        if self.one_line or "\n" not in value[:-1]:
            return [f"{self.keyword} {po_quote(value)}"]
        parts = re.findall(r"[^\n]*\n|[^\n]+", value)
        return [f'{self.keyword} ""'] + [po_quote(p) for p in parts]


def po_entries(lines):
    """[{keyword: PoField}] of the live (not #~) entries of a po file: an
    entry is a run of lines up to a blank line."""
    entries, cur, field = [], {}, None
    for n, line in enumerate(lines + [""]):
        m = re.match(r"(msgctxt|msgid|msgid_plural|msgstr(?:\[\d+\])?)\s+(\".*)$", line)
        if m:
            field = PoField(m.group(1), n, n, po_unquote(m.group(2)), True)
            cur[m.group(1)] = field
        elif field and line.startswith('"'):
            field.value += po_unquote(line)
            field.last = n
            field.one_line = False
        else:
            field = None
            if not line.strip():
                if "msgid" in cur:
                    entries.append(cur)
                cur = {}
    return entries


def hint_prefix(lang_po):
    """The translation's "hint: " (what precedes %s in "hint: %s")."""
    prefix = HINT_FORMAT.split("%s")[0]
    if not lang_po or not os.path.exists(lang_po):
        return prefix
    with open(lang_po, encoding="utf-8") as f:
        for e in po_entries(f.read().split("\n")):
            if e["msgid"].value == HINT_FORMAT and "msgctxt" not in e and e.get("msgstr") and e["msgstr"].value:
                return e["msgstr"].value.split("%s")[0]
    return prefix


def rewrite_po(path, src, texts, core_po):
    """The po file src with its learner texts' msgid and msgstr unwrapped.
    texts: English text (as in the source before and after) -> field."""
    lines = src.split("\n")
    prefix = hint_prefix(core_po)
    repl = []  # (first, last, new lines)
    for e in po_entries(lines):
        msgid = e["msgid"]
        field = texts.get(msgid.value)
        if field is None or "msgid_plural" in e:
            continue
        new_id = unwrap(msgid.value, HINT_FORMAT.split("%s")[0] if field == "hint" else "")
        if new_id != msgid.value:
            repl.append((msgid.first, msgid.last, msgid.lines(new_id)))
        st = e.get("msgstr")
        if st:
            new_st = unwrap(st.value, prefix if field == "hint" else "")
            if new_st != st.value:
                repl.append((st.first, st.last, st.lines(new_st)))
    for first, last, new in sorted(repl, reverse=True):
        lines[first : last + 1] = new
    return "\n".join(lines), len(repl)


# --------------------------------------------------------------------------


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--check", action="store_true", help="change nothing; exit 1 if anything would change")
    ap.add_argument("-v", "--verbose", action="store_true")
    ap.add_argument("files", nargs="*")
    args = ap.parse_args()
    top = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    files = [os.path.relpath(os.path.abspath(f), top) for f in args.files]
    os.chdir(top)
    files = files or sorted(os.path.join("labs", f) for f in os.listdir("labs") if f.endswith(".c"))

    writes, report = [], []
    try:
        for path in files:
            with open(path, encoding="utf-8") as f:
                src = f.read()
            new, changed = rewrite_c(path, src)
            if new != src:
                writes.append((path, new))
                report.append(f"{path}: {len(changed)} texts with soft line breaks")
                if args.verbose:
                    report.extend(f"  {t.where()}" for t, _ in changed)
            # a catalogue may be keyed by the text as it was or as it is now
            texts = {}
            for t in learner_texts(path, src):
                texts.setdefault(t.value, t.field)
                texts.setdefault(unwrap(t.value, t.prefix), t.field)
            podir = os.path.join("labs", "po", os.path.splitext(os.path.basename(path))[0])
            if not os.path.isdir(podir):
                continue
            for po in sorted(os.listdir(podir)):
                if not po.endswith(".po"):
                    continue
                popath = os.path.join(podir, po)
                with open(popath, encoding="utf-8") as f:
                    posrc = f.read()
                try:
                    new, n = rewrite_po(popath, posrc, texts, os.path.join("src", "po", po))
                except Failure as e:
                    raise Failure(f"{popath}: {e}")
                if new != posrc:
                    writes.append((popath, new))
                    report.append(f"{popath}: {n} msgid/msgstr with soft line breaks")
    except Failure as e:
        print(f"unwrap-prose: {e}", file=sys.stderr)
        return 2

    for line in report:
        print(("would change " if args.check else "") + line if not line.startswith("  ") else line)
    if args.check:
        if writes:
            print(
                "unwrap-prose: lab texts are pre-wrapped: the screen wraps them; "
                "write each paragraph as one line (scripts/dev/unwrap-prose.py does it)",
                file=sys.stderr,
            )
        return 1 if writes else 0
    for path, text in writes:
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
    print(f"unwrap-prose: {len(writes)} files rewritten")
    return 0


if __name__ == "__main__":
    sys.exit(main())
