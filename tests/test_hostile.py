"""Hostile material: text that must stay data in every output, and crafted case folders.

Everything geoverify reads was made by someone else, possibly the people investigated. The
payloads below go through every output (map.html, report.html, report.md, text.csv, the
notebook reprs); the HTML ones are opened in headless Chromium, where a payload that would
change ``document.title`` must not. Crafted case folders load with a clear error or warning,
never hang, and never read outside themselves.
"""

from __future__ import annotations

import csv
import html
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import geoverify as gv
from geoverify._escape import csv_cell, csv_uncell, html_text, js_string, md_text
from geoverify.cli import main
from geoverify.exceptions import CaseFormatError, CaseVersionWarning

#: Run, this sets the page title to "PWNED"; as text it never spells that word.
TITLE_TRAP = "document.title='PW'+'NED'"
#: Each line names a real place, so it becomes a candidate and lands in map popups too.
PAYLOADS = [
    "Kargil {{ lipsum.__globals__.os.popen('echo PWNED-$((6*7))').read() }}",
    "Kargil {{ banner",
    "{% for x in range(3) %}LOOP{% endfor %} Lal Chowk",
    "{# a comment #} Khomeini Chowk",
    f"Lal Chowk ${{{TITLE_TRAP}}}",
    f"Kargil `);{TITLE_TRAP};(`",
    f"Kargil </script><script>{TITLE_TRAP}</script>",
    f'Khomeini Chowk <img src=x onerror="{TITLE_TRAP}">',
    f"Skardu '\"; {TITLE_TRAP}; //",
    "Kargil \u202eevil\u202c and \u2066isolated\u2069",
    '=HYPERLINK("http://example.invalid","Kargil")',
    "+cmd|' /C calc'!A0 Kargil",
    "@SUM(1+1) Kargil",
    "Kargil\r# Injected heading\n- injected list",
    "Kargil [link](javascript:alert(1)) **bold** | pipe |",
    "کرگل {{ 7*7 }} لال چوک",
]
#: What a payload would print if it ran.
RAN = ("PWNED-42", "LOOPLOOP", "49 لال")


@pytest.fixture
def no_hang():
    """Fail instead of hanging (a FIFO or /dev/zero would block a careless reader)."""

    def _alarm(*_):
        raise TimeoutError("took more than 10 s: a read blocked?")

    old = signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(10)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, old)


@pytest.fixture(scope="module")
def hostile_case(tmp_path_factory):
    gv.settings.allow_downloads = False
    case = gv.Case(
        sources=[],
        claim="PoK",
        title=f"Case <b>{{{{ 7*7 }}}}</b>\r# Heading {TITLE_TRAP}",
        notes="Notes ${1+1} `x` <script>alert(1)</script>",
        typed_evidence=PAYLOADS,
    )
    case.run(progress=False)
    out = tmp_path_factory.mktemp("hostile") / "case"
    case.save(out)
    return case, out


def _all_outputs(out: Path) -> dict[str, str]:
    return {
        name: (out / name).read_text(encoding="utf-8")
        for name in ("map.html", "report.html", "report.md", "case.json", "verdict.json")
    }


def test_saving_hostile_text_writes_every_output(hostile_case):
    case, out = hostile_case
    assert len(case.candidates) >= 10  # the payloads name places: they reach the popups
    for name, text in _all_outputs(out).items():
        for ran in RAN:
            assert ran not in text, f"{name}: a payload ran ({ran})"


def test_map_and_report_hold_no_raw_markup(hostile_case):
    _, out = hostile_case
    outputs = _all_outputs(out)
    for name in ("map.html", "report.html"):
        page = outputs[name]
        for p in PAYLOADS:
            if set(p) & set("<>{}$`'\"\u202e"):
                assert p not in page, f"{name} holds a payload unescaped: {p!r}"
        assert "<img src=x" not in page and "</script><script>document" not in page
    # the popups hold the escaped HTML as JavaScript string literals
    assert js_string(html_text(PAYLOADS[4]))[1:-1] in outputs["map.html"]


def test_markdown_has_no_injected_blocks(hostile_case):
    _, out = hostile_case
    md = (out / "report.md").read_text(encoding="utf-8")
    lines = md.splitlines()
    assert sum(ln.startswith("# ") for ln in lines) == 1  # the title, nothing injected
    assert not any(ln.startswith(("- injected", "# Injected", "# Heading")) for ln in lines)
    assert "<script>" not in md and "<img" not in md
    assert "](javascript:" not in md
    assert not set(md) & set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
    # every table row keeps its column count: a pipe in a payload cannot add a cell
    rows = [ln for ln in lines if ln.startswith("| ") and "Kargil" in ln]
    assert rows and all(ln.replace("\\|", "").count("|") == 8 for ln in rows)


def test_text_csv_cells_cannot_run_as_formulas(tmp_path):
    case = gv.Case(sources=[], claim="PoK", typed_evidence=["Kargil"])
    case.run(progress=False)
    case.texts = pd.DataFrame(
        {"frame": [0] * len(PAYLOADS), "text": PAYLOADS, "engine": ["typed"] * len(PAYLOADS)}
    )
    out = case.save(tmp_path / "case")
    with open(out / "text.csv", encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == len(PAYLOADS)
    for row in rows:
        assert not row["text"].startswith(("=", "+", "-", "@", "\t", "\r"))
    loaded = gv.Case.load(out)
    assert list(loaded.texts["text"]) == PAYLOADS  # the guard is undone on reading


@pytest.mark.browser
@pytest.mark.parametrize("name", ["map.html", "report.html"])
def test_payloads_do_not_run_in_chromium(browser, open_page, hostile_case, name):
    case, out = hostile_case
    page, _external, errors = open_page(browser, out / name)
    target = page if name == "map.html" else next(f for f in page.frames if f != page.main_frame)
    target.wait_for_selector("path.leaflet-interactive", timeout=20_000)
    # one circle and one dashed uncertainty ring per candidate: no script broke part way
    assert target.locator("path.leaflet-interactive").count() >= len(case.candidates)
    assert "PWNED" not in page.title() and "PWNED" not in target.evaluate("document.title")
    assert not errors, errors
    if name == "report.html":
        body = page.inner_text("body")
        assert f"Lal Chowk ${{{TITLE_TRAP}}}" in body  # shown as text
        assert "\u202e" not in body and "\u2066" not in body
    # open every popup: its content is text, and opening it runs nothing
    n = target.evaluate(
        """() => { let n = 0; for (const k of Object.keys(window)) { try { const l = window[k];
             if (l && l.getPopup && l.getPopup() && l.openPopup) { l.openPopup(); n++; } }
             catch (e) { /* a cross-origin frame */ } }
           return n; }"""
    )
    assert n >= len(case.candidates)
    assert "PWNED" not in target.evaluate("document.title")
    page.close()


#: Two dollar signs make matplotlib read a label as mathtext (and fail on an unknown macro).
MATHTEXT = r"Kargil $\undefinedmacro{x}$ and $\frac{1}{0}$"


def test_frame_strip_and_static_figure_keep_text_as_data(hostile_case):
    import numpy as np

    from geoverify import report
    from geoverify.figures import static_png

    case, _ = hostile_case
    lines = [*PAYLOADS, MATHTEXT]
    frame = gv.Frame.from_array(np.full((120, 400, 3), 90, np.uint8), source="<b>x</b>.png")
    case.frames = gv.FrameSet([frame])
    case.texts = pd.DataFrame(
        {"frame": 0, "text": lines, "x0": 10.0, "y0": 10.0, "x1": 200.0, "y1": 40.0}
    )
    try:
        strip = report._strip_html(case)
    finally:
        case.frames, case.texts = None, None
    assert strip.count("<img ") == 1 and f"{len(lines)} lines boxed" in strip
    for p in lines:
        if set(p) & set("<>{}$`'\"\u202e"):
            assert p not in strip, f"the frame strip holds a payload unescaped: {p!r}"
    assert html_text(PAYLOADS[4]) in strip  # the lines read, shown as text on hover
    assert "\u202e" not in strip
    # the figure labels places by the lines as read: no payload is read as mathtext
    c = gv.match_places([MATHTEXT, *PAYLOADS], gv.load_gazetteer())
    png = static_png(c, None, gv.test_claim(c, "PoK"), label="text")
    assert png.startswith(b"\x89PNG\r\n\x1a\n")


def test_notebook_reprs_escape(hostile_case, gazetteer):
    case, _ = hostile_case
    frame = gv.Frame.from_array(
        __import__("numpy").zeros((8, 8, 3), "uint8"), source="<script>alert(1)</script>"
    )
    reprs = [
        case._repr_html_(),
        case.verdict._repr_html_(),
        frame._repr_html_(),
        gv.FrameSet([frame], source="{{ 7*7 }}<img src=x>")._repr_html_(),
    ]
    for r in reprs:
        assert "<script>alert" not in r and "<img src=x" not in r and "<b>{{" not in r
        assert "\u202e" not in r


# ---------------------------------------------------------------- property-based


@given(st.text())
def test_html_text_is_inert_and_faithful(s):
    out = html_text(s)
    assert not set(out) & set("<>\"'{}$`\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
    assert html.unescape(out) == gv._escape.visible_controls(s)


@given(st.text())
def test_js_string_is_inert_and_exact(s):
    out = js_string(s)
    assert out.isascii() and not set(out[1:-1].replace('\\"', "")) & set("<>&'`${}%#\n\r")
    assert json.loads(out) == s


@given(st.text())
def test_md_text_is_one_inert_line(s):
    out = md_text(s)
    assert "\n" not in out and "\r" not in out and "<" not in out
    for ch in "`*_[]()#|":
        assert out.replace("\\" + ch, "").count(ch) == 0


@given(st.text())
def test_csv_guard_round_trips(s):
    cell = csv_cell(s)
    assert not cell.startswith(("=", "+", "-", "@", "\t", "\r"))
    assert csv_uncell(cell) == s


@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.text(min_size=1, max_size=60))
def test_saving_never_raises_and_escapes_any_text(tmp_path, s):
    gv.settings.allow_downloads = False
    line = f"Kargil {s}"
    case = gv.Case(sources=[], claim="PoK", title=s, notes=s, typed_evidence=[line])
    case.run(progress=False)
    out = case.save(Path(tempfile.mkdtemp(dir=tmp_path)) / "case")
    page = (out / "map.html").read_text(encoding="utf-8")
    for text in set(case.candidates["text"]):  # the line as the evidence table holds it
        assert js_string(html_text(text))[1:-1] in page
    if set(s) & set("<>&{}$`'\""):
        # the escaped line may hold the raw one ("Kargil &amp;" holds "Kargil &"): not counted
        report = (out / "report.html").read_text(encoding="utf-8")
        assert line not in page.replace(html_text(line), "")
        assert line not in report.replace(html_text(line), "")
    shutil.rmtree(out)


# ---------------------------------------------------------------- crafted case folders


@pytest.fixture(scope="module")
def saved_case(tmp_path_factory):
    """A small real case folder, with one saved frame, to craft copies of."""
    import numpy as np
    from PIL import Image, ImageDraw

    img = Image.new("RGB", (320, 80), "white")
    ImageDraw.Draw(img).text((10, 30), "KARGIL", fill="black")
    src = tmp_path_factory.mktemp("src") / "sign.png"
    img.save(src)
    case = gv.Case(sources=[str(src)], claim="PoK", typed_evidence=["Kargil", "Lal Chowk"])
    case.run(progress=False)
    case.frames = gv.FrameSet([gv.Frame.from_array(np.asarray(img), source=str(src))])
    out = tmp_path_factory.mktemp("saved") / "case"
    case.save(out)
    return out


def _copy(saved: Path, tmp_path: Path) -> Path:
    dst = tmp_path / "received"
    shutil.copytree(saved, dst)
    return dst


def _edit_json(path: Path, edit) -> None:
    doc = json.loads(path.read_text(encoding="utf-8"))
    edit(doc)
    path.write_text(json.dumps(doc), encoding="utf-8")


def test_clean_folder_loads_without_warning(saved_case):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        case = gv.Case.load(saved_case)
    assert case.saved_verdict["label"] in ("supported", "contradicted", "inconclusive")


@pytest.mark.parametrize(
    "entry", ["../../../../dev/zero", "/etc/hostname", "frames/../../x", "", "a\\..\\b"]
)
def test_manifest_paths_outside_the_folder_are_refused(saved_case, tmp_path, no_hang, entry):
    folder = _copy(saved_case, tmp_path)
    _edit_json(folder / "manifest.json", lambda m: m["files"].update({entry: "0" * 64}))
    started = time.monotonic()
    with pytest.raises(CaseFormatError, match="outside|relative"):
        gv.Case.load(folder)
    assert time.monotonic() - started < 5


def test_fifo_and_links_in_the_folder_do_not_hang(saved_case, tmp_path, no_hang):
    folder = _copy(saved_case, tmp_path)
    (folder / "text.csv").unlink()
    os.mkfifo(folder / "text.csv")
    (folder / "report.md").unlink()
    os.symlink("/etc/hostname", folder / "report.md")
    with pytest.warns(gv.exceptions.CaseChangedWarning) as rec:
        case = gv.Case.load(folder)
    msg = str(rec[0].message)
    assert "text.csv: missing, or not a regular file" in msg and "report.md" in msg
    assert case.texts is None


def test_case_json_fifo_is_an_error_not_a_hang(saved_case, tmp_path, no_hang):
    folder = _copy(saved_case, tmp_path)
    (folder / "case.json").unlink()
    os.mkfifo(folder / "case.json")
    with pytest.raises(CaseFormatError):
        gv.Case.load(folder)


def test_inputs_outside_the_folder_are_not_hashed_by_default(saved_case, tmp_path):
    folder = _copy(saved_case, tmp_path)
    probe = tmp_path / "investigators-file.txt"
    probe.write_text("private")
    _edit_json(
        folder / "manifest.json",
        lambda m: m.update(inputs=[{"path": str(probe), "sha256": "0" * 64}]),
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        gv.Case.load(folder)  # nothing about the probe: its existence is not revealed
    with pytest.warns(gv.exceptions.CaseChangedWarning, match="investigators-file.txt: changed"):
        gv.Case.load(folder, check_inputs=True)  # the investigator's own choice


def test_a_source_glob_never_pulls_in_local_files(saved_case, tmp_path):
    private = tmp_path / "private"
    private.mkdir()
    from PIL import Image

    Image.new("RGB", (64, 64), "red").save(private / "secret.png")
    folder = _copy(saved_case, tmp_path)
    _edit_json(
        folder / "case.json",
        lambda m: m["params"].update(sources=[str(private / "*.png"), "/etc/passwd"]),
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        case = gv.Case.load(folder).run(progress=False)
    assert len(case.frames) == 1
    assert all(str(private) not in f.source for f in case.frames)
    assert all(f.reason.startswith("saved frame") for f in case.frames)


@pytest.mark.parametrize(
    ("name", "content", "match"),
    [
        ("case.json", b"{not json", "not valid JSON"),
        ("case.json", b"[1, 2]", "expected a JSON object"),
        ("case.json", b"\xff\xfe\x00", "not UTF-8"),
        ("case.json", b'{"params": {"claim": 7}}', "claim must be text"),
        ("case.json", b'{"params": {"claim": "PoK", "every": "fast"}}', "every must be"),
        # JSON integers have no bound: one too big for a float is refused, not an OverflowError
        (
            "case.json",
            b'{"params": {"claim": "PoK", "every": 1' + b"0" * 400 + b"}}",
            "every must be",
        ),
        ("case.json", b'{"params": {"claim": "Narnia"}}', "unknown region"),
        ("case.json", b'{"format": 99, "params": {"claim": "PoK"}}', "upgrade geoverify"),
        (
            "case.json",
            b'{"params": {"claim": "PoK", "kind_rules": [["(a+)+$", "slogan"]]}}',
            "nested quantifiers",
        ),
        (
            "case.json",
            b'{"params": {"claim": "PoK", "typed_evidence": [{"x": 1}]}}',
            "typed_evidence",
        ),
        ("manifest.json", b"{}}", "not valid JSON"),
        ("manifest.json", b'{"files": ["a"]}', "'files' must map"),
        ("manifest.json", b'{"files": {"text.csv": "abc"}}', "not a sha256"),
        ("text.csv", b"\xff\xfe\x00\x00garbage", "not a readable CSV"),
        ("candidates.geojson", b'{"type": "Feature"}', "not a readable GeoJSON"),
        ("frames/manifest.json", b'{"frames": [{"file": "../../etc/passwd"}]}', "not a frame file"),
        (
            "frames/manifest.json",
            b'{"frames": [{"file": "frame_000001.png", "t": 1' + b"0" * 400 + b"}]}",
            "bad time",
        ),
    ],
)
def test_malformed_files_raise_case_format_error(saved_case, tmp_path, name, content, match):
    folder = _copy(saved_case, tmp_path)
    (folder / name).write_bytes(content)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", gv.exceptions.CaseChangedWarning)
        with pytest.raises(CaseFormatError, match=match):
            case = gv.Case.load(folder)
            if name.startswith("frames/"):
                case.run(progress=False)
    assert issubclass(CaseFormatError, gv.GeoverifyError)


def test_other_version_warns(saved_case, tmp_path):
    folder = _copy(saved_case, tmp_path)
    _edit_json(folder / "case.json", lambda m: m.update(geoverify="0.0.1"))
    with pytest.warns(CaseVersionWarning, match="0.0.1"):
        gv.Case.load(folder)


def test_a_gazetteer_path_in_case_json_is_not_followed(saved_case, tmp_path):
    folder = _copy(saved_case, tmp_path)
    _edit_json(folder / "case.json", lambda m: m["params"].update(gazetteer="/etc/passwd"))
    with pytest.warns(gv.exceptions.CaseChangedWarning, match="bundled gazetteer is used"):
        case = gv.Case.load(folder)
    assert case.gazetteer is None


def test_report_command_keeps_the_manifest_true(saved_case, tmp_path):
    folder = _copy(saved_case, tmp_path)
    assert main(["--quiet", "report", str(folder)]) == 0
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        gv.Case.load(folder)  # report.html was rewritten, and the manifest with it


def test_a_killed_save_leaves_nothing_the_next_save_keeps(saved_case, tmp_path):
    target = tmp_path / "case"
    script = f"""
import time, geoverify as gv, geoverify.report as r
gv.settings.allow_downloads = False
case = gv.Case(sources=[], claim="PoK", typed_evidence=["Kargil"]).run(progress=False)
def stall(_case):
    print("writing", flush=True)
    time.sleep(120)
r.render_markdown = stall
case.save({str(target)!r})
"""
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "writing"
        proc.kill()
    finally:
        proc.wait(timeout=30)
    left = list(tmp_path.glob(".case.*"))
    assert left and not target.exists()
    case = gv.Case.load(saved_case)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        case.run(progress=False)
    case.save(target)
    assert not list(tmp_path.glob(".case.*")) and (target / "manifest.json").exists()


# ---------------------------------------------------------------- output folders


def test_force_never_replaces_what_geoverify_did_not_write(saved_case, tmp_path, capsys):
    mine = tmp_path / "thesis"
    mine.mkdir()
    (mine / "chapter1.tex").write_text("years of work")
    argv = ["--quiet", "verify", str(saved_case / "frames"), "--claim", "AJK"]
    assert main([*argv, "--out", str(mine), "--force"]) == 2
    assert "not a geoverify case folder" in capsys.readouterr().err
    assert (mine / "chapter1.tex").read_text() == "years of work"
    case_copy = _copy(saved_case, tmp_path)
    (case_copy / "notes.txt").write_text("my notes")
    assert main([*argv, "--out", str(case_copy), "--force"]) == 2
    assert "notes.txt" in capsys.readouterr().err and (case_copy / "notes.txt").exists()


def test_out_dot_force_is_a_clear_error(tmp_path, monkeypatch, capsys, saved_case):
    work = tmp_path / "work"
    work.mkdir()
    (work / "data.csv").write_text("x")
    monkeypatch.chdir(work)
    argv = ["--quiet", "verify", str(saved_case / "frames"), "--claim", "AJK", "--out", "."]
    assert main([*argv, "--force"]) == 2
    assert "not a geoverify case folder" in capsys.readouterr().err
    assert (work / "data.csv").exists()


def test_verify_with_no_readable_frame_fails(tmp_path, capsys):
    empty = tmp_path / "empty"
    empty.mkdir()
    code = main(["--quiet", "verify", str(empty), "--claim", "AJK", "--out", str(tmp_path / "o")])
    assert code == 2
    assert "no readable frame" in capsys.readouterr().err
    assert not (tmp_path / "o").exists()


def test_frames_command_refuses_a_non_empty_folder_and_replaces_its_own(
    demo_video, tmp_path, capsys
):
    out = tmp_path / "frames"
    out.mkdir()
    (out / "holiday.png").write_bytes(b"not mine")
    argv = ["--quiet", "frames", str(demo_video), "--out", str(out), "--max-frames", "2"]
    assert main(argv) == 2 and "not empty" in capsys.readouterr().err
    assert main([*argv, "--force"]) == 2 and (out / "holiday.png").exists()
    (out / "holiday.png").unlink()
    assert main(argv) == 0
    (out / "frame_9999_t0000.000.png").write_bytes(b"stale")  # as if left by an old run
    first = sorted(p.name for p in out.iterdir())
    assert main([*argv, "--force"]) == 2  # a file the manifest does not list
    (out / "frame_9999_t0000.000.png").unlink()
    assert main([*argv, "--force"]) == 0
    assert sorted(p.name for p in out.iterdir()) == [n for n in first if "9999" not in n]


def test_terminal_output_shows_escape_sequences_as_text(saved_case, tmp_path, capsys):
    folder = _copy(saved_case, tmp_path)
    evil = "Title \x1b[2J\x1b]0;owned\x07 \u202eevil"
    _edit_json(folder / "case.json", lambda m: m["params"].update(title=evil))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert main(["--quiet", "report", str(folder)]) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\x07" not in out and "\u202e" not in out
    assert "⟨U+001B⟩[2J" in out
