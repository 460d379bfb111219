"""The benchmarks' own scoring helpers: a wrong one would misreport every engine alike."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.append(str(Path(__file__).resolve().parent.parent / "benchmarks"))

from geoverify.ocr.base import Line


def _line(text: str, box: tuple[int, int, int, int]) -> Line:
    return Line(text, 0.9, box, "test")


def test_rendered_benchmark_joins_a_frame_in_reading_order():
    from ocr import frame_text

    # an Urdu line cut in two pieces reads right to left; a row below comes after it
    second, first = _line("دوسرا", (10, 10, 50, 30)), _line("پہلا", (60, 12, 100, 31))
    below = _line("نیچے", (10, 50, 50, 70))
    assert frame_text([below, second, first]) == "پہلا دوسرا نیچے"
    assert frame_text([_line("world", (60, 12, 100, 31)), _line("Hello", (10, 10, 50, 30))]) == (
        "Hello world"
    )
    assert frame_text([]) == ""
    # a tall line reaching past the centre of the line under it: two rows all the same
    tall, under = _line("اوپر", (10, 10, 100, 100)), _line("نیچے", (120, 70, 200, 120))
    assert frame_text([under, tall]) == "اوپر نیچے"
    # two pieces of one line, one taller: one row
    assert frame_text([_line("اوپر", (10, 10, 100, 60)), _line("نیچے", (120, 30, 200, 80))]) == (
        "نیچے اوپر"
    )
