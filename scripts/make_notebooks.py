"""Write the notebooks in notebooks/ (their source of truth is this script; outputs are not stored).

.venv/bin/python scripts/make_notebooks.py
"""

from __future__ import annotations

from pathlib import Path

import nbformat as nbf

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "notebooks"


def nb(cells: list[tuple[str, str]]) -> nbf.NotebookNode:
    book = nbf.v4.new_notebook()
    book.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    book.metadata["language_info"] = {"name": "python"}
    book.cells = [
        nbf.v4.new_markdown_cell(src) if kind == "md" else nbf.v4.new_code_cell(src)
        for kind, src in cells
    ]
    return book


QUICKSTART = [
    (
        "md",
        """# geoverify in five minutes

Where was this video filmed? We take the bundled **teaching reconstruction** of the Kargil protest video
(January 2021), which was shared online as a protest in "Pakistan-occupied Kashmir", and run the whole
chain: frames → text → places → verdict → map. Everything here runs offline.""",
    ),
    (
        "code",
        """import geoverify as gv
from geoverify.demo import demo_video

gv.settings.progress = False  # quieter output for this notebook
video = demo_video()
video.name""",
    ),
    (
        "md",
        "**1. Frames.** Keyframe mode keeps one sharp frame per view, with the time a write-up can cite.",
    ),
    (
        "code",
        """frames = gv.extract_frames(video)
frames""",
    ),
    (
        "md",
        "**2. Text.** Tesseract reads Urdu and English; each line has its script, confidence and box.",
    ),
    (
        "code",
        """texts = gv.read_text(frames, languages=("ur", "en"))
texts[["frame", "t", "text", "script", "confidence"]]""",
    ),
    (
        "md",
        "**3. Places.** Names are spotted inside each line and looked up across scripts in the bundled gazetteer.",
    ),
    (
        "code",
        """gaz = gv.load_gazetteer()
candidates = gv.match_places(texts, gaz)
candidates[["item", "text", "kind", "name", "score", "specificity"]].head(12)""",
    ),
    (
        "md",
        "**4. Verdict.** The claim is compared with its alternatives; `explain()` says what pulled which way.",
    ),
    (
        "code",
        """verdict = gv.test_claim(candidates, claim="PoK")
print(verdict.explain())""",
    ),
    (
        "code",
        """assert verdict.label == "contradicted"
assert verdict.best_region == "india-administered-jammu-and-kashmir"
verdict""",
    ),
    (
        "md",
        "**5. Map.** Candidates sized by weight, coloured by kind; co-location clusters circled.",
    ),
    ("code", "gv.plot_candidates(candidates, verdict=verdict)"),
]

KARGIL = [
    (
        "md",
        """# The Kargil case, step by step

In January 2021 a video of a protest was shared with the caption *"Thousands of locals in Pakistan occupied
Kashmir protested against the atrocities … committed by Pakistan Army"*. BOOM's fact check found it was a
rally in **Kargil, Ladakh** (India-administered), organised by *Anjuman Jamiyat Ulama Isna Asharia Kargil*
against the killing of Hazara Shia miners in Mach, Balochistan; the march passed Khomeini Chowk and Lal Chowk.

This notebook redoes that verification on the bundled **reconstruction** (not the original footage), the way an
investigator would: look at each stage, correct what the machine got wrong, and reason about what each piece
of text can and cannot tell us.""",
    ),
    (
        "code",
        """import warnings

import geoverify as gv
from geoverify.demo import demo_video

gv.settings.progress = False
frames = gv.extract_frames(demo_video())
frames.to_dataframe()[["frame", "t", "reason"]]""",
    ),
    ("md", "Each kept frame can be looked at, cropped and zoomed by hand:"),
    (
        "code",
        """sign = frames[2]
sign.crop((0, 0, sign.shape[1] // 2, sign.shape[0])).zoom(0.5)""",
    ),
    (
        "md",
        """## Reading the text

OCR returns one row per line. The same banner seen in several frames can be folded into one row with
`merge_text`.""",
    ),
    (
        "code",
        """texts = gv.read_text(frames, languages=("ur", "en"))
lines = gv.merge_text(texts)
lines[["text", "script", "confidence", "n_frames", "first_t"]]""",
    ),
    (
        "md",
        """## Correcting a line by hand

OCR is never perfect. Suppose the Urdu organiser line had come back with a letter wrong (here we damage it
on purpose: ک for گ). The title card of the reconstruction is text the editor added: a *caption*, which
places nothing (`gv.mark_captions` finds it from the pixels: a frame flat apart from its text, and a label
that stays put while the picture behind it changes). `gv.review` shows every line with its crop, its kind, its candidate places and its weight;
in JupyterLab you correct a line in its text box, change a kind, drop a line or pick a place, and the
verdict, the hypotheses and the map follow. Every edit goes into a log: who, when, before, after, why.""",
    ),
    (
        "code",
        """damaged = lines.copy()
row = damaged.index[damaged["text"].str.startswith("انجمن")][0]
damaged.loc[row, "text"] = damaged.loc[row, "text"].replace("کرگل", "کرکل")  # a misreading
damaged = gv.mark_captions(damaged, frames)  # the title card and the corner label
gaz = gv.load_gazetteer()
rv = gv.review(gv.match_places(damaged, gaz), claim="PoK", gazetteer=gaz, frames=frames,
               user="investigator")
rv  # the widget (in JupyterLab): edit here, or call its methods as below""",
    ),
    (
        "md",
        """The widget's controls call the review's methods; a notebook that must run unattended calls them
itself. Lines are named by a stable key (`rv.key(text)` finds one), not by their position.""",
    ),
    (
        "code",
        """banner = rv.key("انجمن")
print("as read:  ", rv.lines.set_index("line").at[banner, "text"])
rv.set_text(banner, "انجمن جمعیت العلماء اثنا عشریہ کرگل",
            why="the banner reads کرگل (Kargil): OCR read ک for گ")
print("corrected:", rv.lines.set_index("line").at[banner, "text"])
assert "Anjuman Jamiyat Ulama Isna Asharia Kargil" in set(rv.result["name"])
rv.edit_log()[["who", "when", "field", "before", "after", "why"]]""",
    ),
    (
        "md",
        """## Evidence kinds

A fixed street sign names where you stand. A protest banner may name the place it is *about*: the Kargil
banners named Quetta, where the victims were from. geoverify guesses a kind for each line; the investigator
sets it where it knows better. `rv.result` is the corrected table, ready for the next stage.""",
    ),
    (
        "code",
        """candidates = rv.result
gv.line_table(candidates)[["item", "line", "text", "kind", "n_candidates"]]""",
    ),
    (
        "md",
        """## Why the Quetta banner does not place the video in Quetta

Compare the verdict with the Quetta lines treated as a slogan (the default guess, from "condemn the killing")
and as if they were a street sign in Quetta.""",
    ),
    (
        "code",
        """lines = gv.line_table(candidates)
quetta_items = list(lines.loc[lines["text"].str.contains("Quetta|کوئٹہ|Hazara"), "line"])  # stable keys
as_slogan = gv.test_claim(gv.set_kind(candidates, quetta_items, "slogan"), claim="PoK")
as_sign = gv.test_claim(gv.set_kind(candidates, quetta_items, "signage"), claim="PoK")
print("slogan :", as_slogan.label, {k: round(v, 3) for k, v in as_slogan.posterior.items()})
print("signage:", as_sign.label, {k: round(v, 3) for k, v in as_sign.posterior.items()})""",
    ),
    (
        "md",
        """Even read as signage, the Quetta lines are outweighed: the organiser's banner and two independent street
signs (Khomeini Chowk, Lal Chowk) all point to one place in Kargil — *co-location* — while Quetta is named
only in the protest text. Read as a slogan, they barely move anything, as it should be: a protest about
Quetta can happen anywhere.""",
    ),
    (
        "code",
        """verdict = as_slogan
print(verdict.explain())
assert verdict.label == "contradicted" and verdict.best_region == "india-administered-jammu-and-kashmir"
assert as_sign.best_region == "india-administered-jammu-and-kashmir\"""",
    ),
    ("md", "The clusters of independent lines that agree in one place:"),
    ("code", 'verdict.clusters[["n_items", "n_independent", "place_names", "region_name"]]'),
    ("md", "## The map and a static figure"),
    ("code", "gv.plot_candidates(candidates, verdict=verdict)"),
    (
        "code",
        """from geoverify.figures import plot_static

region_table = gv.load_regions()  # region polygons where geoverify has them
ax = plot_static(candidates, region_table, verdict)  # ax.figure.savefig("figure.pdf") for a paper""",
    ),
    (
        "md",
        """## The case as a reproducible write-up

A `Case` runs the same stages and keeps the provenance: hashes of the video and every frame, versions of the
engines and models, the gazetteer and region data used.""",
    ),
    (
        "code",
        """import tempfile
from pathlib import Path

from geoverify.demo import demo_case

case = demo_case().run(progress=False)
folder = Path(tempfile.mkdtemp()) / "kargil-case"
case.save(folder)
sorted(p.name for p in folder.iterdir())""",
    ),
    (
        "md",
        """## Reviewing the case, with the edits in the write-up

The same review works on a whole case. The lower lines of the two street signs ("Kargil" under Khomeini
Chowk, "Kargil, Ladakh" under Lal Chowk) were guessed *unknown*: the crops show they are part of the signs.
The edits update the case, and its report lists them, with the reasons.""",
    ),
    (
        "code",
        """review = gv.review(case, user="investigator")
for text in ("Kargil, Ladakh", "Kargil"):
    line = next(k for k, t in zip(review.lines["line"], review.lines["text"]) if t == text)
    review.set_kind(line, "signage", why=f"'{text}' is the bottom line of a street sign (see its crop)")
print(case.verdict.label, {k: round(v, 3) for k, v in case.verdict.posterior.items()})
case.save(folder, overwrite=True)
assert "Edits by hand" in (folder / "report.html").read_text(encoding="utf-8")
case""",
    ),
    (
        "code",
        """reloaded = gv.Case.load(folder)
print(reloaded.saved_verdict["label"], reloaded.saved_verdict["best_region"])
assert [e["why"] for e in reloaded.edits] == [e["why"] for e in case.edits]
case.summary()""",
    ),
]

WORKSHOP = [
    (
        "md",
        """# Verification workshop: reading places from protest footage

Exercises for a trainer-led session. Each exercise has an answer cell and a check. Learners write their
answer and run the check. Trainers: set `TRAINER = True` to fill in the model answers and check that
everything still works (this is how the notebook is tested).""",
    ),
    (
        "code",
        """import geoverify as gv

gv.settings.progress = False
TRAINER = True  # learners: set to False and write your own answers
gaz = gv.load_gazetteer()


def check(name, answer, expected):
    if answer is None:
        print(f"{name}: not answered yet")
        return
    assert answer == expected, f"{name}: {answer!r} is not right — look again at the evidence table"
    print(f"{name}: correct")""",
    ),
    (
        "md",
        """## Exercise 1 — one name, many places

A frame shows only a sign reading **LAL CHOWK**. What is the verdict on the claim "PoK", and why?
Answer with the label (`"supported"`, `"contradicted"` or `"inconclusive"`).""",
    ),
    (
        "code",
        """v1 = gv.test_claim(gv.match_places(["LAL CHOWK"], gaz), "PoK")
gaz.search("Lal Chowk", k=5)[["name", "score", "specificity", "country", "admin1"]]""",
    ),
    (
        "code",
        """answer_1 = None  # your answer
if TRAINER:
    answer_1 = "inconclusive"
check("exercise 1", answer_1, v1.label)""",
    ),
    (
        "md",
        """## Exercise 2 — cross-script matching

A banner reads **کرگل**. The bundled GeoNames data lists Kargil's Urdu name only as کارگل. Which place does
geoverify find first? Answer with its `id`.""",
    ),
    (
        "code",
        """answer_2 = None
if TRAINER:
    answer_2 = gaz.search("کرگل", k=1)["id"].iloc[0]
check("exercise 2", answer_2, "geonames:1267776")""",
    ),
    (
        "md",
        """## Exercise 3 — what kind of text is it?

Set the evidence kind of the line that names Quetta so that it does not count as a sign. Which kind do you
choose, and does the verdict on "Balochistan" change?""",
    ),
    (
        "code",
        """lines = ["Khomeini Chowk", "Hazara Shias in Quetta"]
cands = gv.match_places(lines, gaz)
before = gv.test_claim(cands, "Balochistan")
kind_3 = None  # your answer: one of signage, banner, slogan, caption, unknown
if TRAINER:
    kind_3 = "slogan"
if kind_3 is not None:
    after = gv.test_claim(gv.set_kind(cands, 1, kind_3), "Balochistan")
    print(before.posterior["balochistan"], "->", after.posterior["balochistan"])
    check("exercise 3", after.posterior["balochistan"] < before.posterior["balochistan"], True)""",
    ),
    (
        "md",
        """## Exercise 4 — aliases

The same region has different names on each side. Which region id do "PoJK", "AJK" and "Northern Areas"
belong to? Give the top-level region id they share.""",
    ),
    (
        "code",
        """answer_4 = None
if TRAINER:
    answer_4 = "pakistan-administered-kashmir"
from geoverify import regions

parents = {regions.ancestors(gv.region(a).id)[-1] for a in ["PoJK", "AJK", "Northern Areas"]}
check("exercise 4", {answer_4} if answer_4 else None, parents)""",
    ),
    (
        "md",
        """## Exercise 5 — build your own case

Type the lines you would expect on the street in Skardu, test the claim "Kargil", and explain the result.""",
    ),
    (
        "code",
        """my_lines = None
if TRAINER:
    my_lines = ["Skardu", "سکردو", "Kargil chalo"]
if my_lines:
    v5 = gv.test_claim(gv.match_places(my_lines, gaz), "Kargil")
    print(v5.explain())
    check("exercise 5", v5.label, "contradicted")""",
    ),
]


WORKSHOP += [
    (
        "md",
        """## Exercise 6 — correct the evidence by hand

Three lines were read in a video claimed to be from Balochistan. Run the cell to get the review widget.
In the widget: (a) the Quetta line is protest text, but suppose it was on a street sign: set its kind to
`signage` and write why in the *Why* box first; (b) "LAL CHOWK" names several places: pick the one in
Kargil. Watch the verdict and the map after each edit. Which label does the claim get in the end?""",
    ),
    (
        "code",
        """rv6 = gv.review(gv.match_places(["Khomeini Chowk", "Hazara Shias in Quetta", "LAL CHOWK"], gaz),
                "Balochistan", gazetteer=gaz, user="learner")
rv6""",
    ),
    (
        "code",
        """answer_6 = None  # your answer, after your edits in the widget
if TRAINER:
    rv6.set_kind(rv6.key("Quetta"), "signage", why="trainer: as if it were a street sign")
    rv6.pick(rv6.key("LAL CHOWK"), "landmark:kargil-lal-chowk", why="trainer: beside Khomeini Chowk")
    answer_6 = rv6.verdict.label
check("exercise 6 (your edits)", sorted(e["field"] for e in rv6.edits) or None, ["kind", "place"])
check("exercise 6 (the label)", answer_6, rv6.verdict.label)
rv6.edit_log()""",
    ),
]


def main() -> None:
    OUT.mkdir(exist_ok=True)
    for name, cells in [
        ("01-quickstart.ipynb", QUICKSTART),
        ("02-kargil-case.ipynb", KARGIL),
        ("03-workshop.ipynb", WORKSHOP),
    ]:
        nbf.write(nb(cells), OUT / name)
        print("wrote", OUT / name)


if __name__ == "__main__":
    main()
