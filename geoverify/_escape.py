"""One escaping discipline for every output geoverify writes.

Text that geoverify did not write itself (OCR lines, gazetteer names and sources, titles, notes,
file names, anything in a received case folder) is *data*, and each function here makes it data
for one place where it lands:

========================  =========================================================
:func:`html_text`         HTML element content and quoted attribute values; also safe
                          where the HTML is later pasted into a Jinja2 template or a
                          JavaScript template literal (folium does both)
:func:`js_string`         a JavaScript string literal inside an inline ``<script>``;
                          contains no ``{``, ``$``, backtick, ``<`` or quote, so neither
                          Jinja2 nor an HTML parser nor a template literal can act on it
:func:`md_text`           Markdown inline text (table cells, headings): one line, no
                          block, link, emphasis or HTML syntax
:func:`json_text`         JSON for a report (a Markdown code block): bidi controls shown
                          as escapes, no fence that could close the block
:func:`csv_cell`          a CSV cell: a leading ``= + - @`` cannot start a formula
                          (:func:`csv_uncell` undoes it on reading)
:func:`mpl_text`          matplotlib text (figure labels, legends, titles): no ``$``
                          that could start mathtext
========================  =========================================================

Bidirectional overrides and isolates (the "Trojan Source" characters) and other control
characters are replaced by a visible ``⟨U+202E⟩`` in every display format, so hostile text can
neither hide nor reorder what is around it.
"""

from __future__ import annotations

import html
import json
import re
import string
from typing import Any

__all__ = ["csv_cell", "csv_uncell", "html_text", "js_string", "json_text", "md_text", "mpl_text"]

#: Characters that reorder or hide the text around them (embeddings, overrides, isolates),
#: and C0/C1 controls other than tab and newline.
_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069\x00-\x08\x0b-\x1f\x7f-\x9f]")
#: Every way of breaking a line that a Markdown or terminal renderer may honour.
_LINE_BREAKS = re.compile("\r\n|[\r\n\u2028\u2029\x0b\x0c\x85]")
#: What HTML escaping adds beyond <>&"': the characters that start Jinja2 syntax ({{ {% {#),
#: JavaScript template substitutions (${) and template literals (`).
_HTML_EXTRA = str.maketrans({"{": "&#123;", "}": "&#125;", "$": "&#36;", "`": "&#96;"})
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+!|~<>=$-])")
#: Characters a JavaScript string literal may hold as they are; all others become \\u escapes.
_JS_PLAIN = frozenset(string.ascii_letters + string.digits + " ,.:;!?()[]-_+=*/|@^~")
_CSV_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "'")


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def visible_controls(value: Any) -> str:
    """``value`` as text with bidi overrides/isolates and control characters made visible."""
    return _CONTROLS.sub(lambda m: f"⟨U+{ord(m.group()):04X}⟩", _text(value))


def html_text(value: Any) -> str:
    """Escape outside text for HTML content or a quoted attribute.

    Beyond ``& < > " '`` it also escapes ``{ } $ `````, so the result stays inert when a
    library later embeds the HTML in a Jinja2 template or a JavaScript template literal.
    """
    s = html.escape(visible_controls(value), quote=True)
    return s.translate(_HTML_EXTRA)


def js_string(value: Any) -> str:
    """A JavaScript string literal (with its quotes) holding ``value`` exactly.

    Every character that means something to an HTML parser, to Jinja2 or to a JavaScript
    template is written as a ``\\uXXXX`` escape, so the literal is safe inside an inline
    ``<script>`` that is itself rendered by Jinja2 (as folium renders its map scripts).
    """
    out = []
    for ch in _text(value):
        if ch in _JS_PLAIN:
            out.append(ch)
        elif ord(ch) > 0xFFFF:  # a UTF-16 surrogate pair, as JavaScript strings hold it
            v = ord(ch) - 0x10000
            out.append(f"\\u{0xD800 + (v >> 10):04x}\\u{0xDC00 + (v & 0x3FF):04x}")
        else:
            out.append(f"\\u{ord(ch):04x}")
    return '"' + "".join(out) + '"'


def mpl_text(value: Any) -> str:
    """Outside text for a matplotlib label, legend entry or title: controls made visible and
    every ``$`` escaped, so matplotlib never reads it as mathtext (which runs a parser over
    it and fails on an unknown macro). Shape Arabic script before, never after: reordering
    would separate the backslash from its ``$``."""
    return visible_controls(value).replace("$", r"\$")


def md_text(value: Any) -> str:
    """Escape outside text for Markdown inline content (a table cell, a heading).

    Line breaks of any kind become spaces, so no block syntax (headings, lists, fences,
    tables) can start; HTML is escaped; link, emphasis and table characters are backslashed.
    """
    s = _LINE_BREAKS.sub(" ", _text(value))
    s = html.escape(visible_controls(s).replace("\t", " "), quote=False)
    return _MD_SPECIAL.sub(r"\\\1", s)


def json_text(obj: Any) -> str:
    """JSON of ``obj`` for a Markdown code block: bidi/control characters as ``\\u`` escapes
    (still valid JSON) and no run of backticks that could close the fence."""
    s = json.dumps(obj, indent=2, ensure_ascii=False, default=str)
    s = _CONTROLS.sub(lambda m: f"\\u{ord(m.group()):04x}", s)
    return s.replace("`", "\\u0060")


def csv_cell(value: Any) -> Any:
    """A cell for a CSV file that spreadsheets open: text starting with ``= + - @`` (or a tab,
    CR, or an apostrophe) gets a leading apostrophe so it cannot run as a formula."""
    if isinstance(value, str) and value.startswith(_CSV_TRIGGERS):
        return "'" + value
    return value


def csv_uncell(value: Any) -> Any:
    """Undo :func:`csv_cell` on a value read back from a geoverify CSV."""
    if isinstance(value, str) and value[:1] == "'" and value[1:].startswith(_CSV_TRIGGERS):
        return value[1:]
    return value
