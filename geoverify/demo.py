"""The founding case, bundled: a teaching reconstruction of the January 2021 Kargil protest video.

In January 2021 a video of a protest in Kargil (Ladakh, India-administered) against the killing
of Hazara coal miners in Mach, Balochistan, was shared as a protest in "Pakistan-occupied
Kashmir". The banners named the organiser, Anjuman Jamiyat Ulama Isna Asharia Kargil; the march
passed Khomeini Chowk and Lal Chowk. The bundled video is a *reconstruction* rendered by
``scripts/render_demo_video.py`` (it says so on every frame), not the original footage.
"""

from __future__ import annotations

from pathlib import Path

from .case import Case
from .data import bundled_path

#: The claim the video was shared with.
DEMO_CLAIM = "Pakistan-administered Kashmir"


def demo_video() -> Path:
    """Path of the bundled reconstruction video."""
    return bundled_path("demo", "kargil-reconstruction.mp4")


def demo_case() -> Case:
    """The founding case, ready to ``.run()``."""
    return Case(
        sources=[str(demo_video())],
        claim=DEMO_CLAIM,
        title="Kargil protest, January 2021 — shared as 'Pakistan-occupied Kashmir' (teaching reconstruction)",
        languages=("ur", "en"),
        engine="tesseract",
        # the title card is text the editor added, not a sign in the scene
        kind_rules=[(r"reconstruction|teaching case", "caption")],
        notes=(
            "The video is a reconstruction made for teaching, modelled on the BOOM fact check of January 2021; "
            "it is not the original footage. The banners name the organiser (Anjuman Jamiyat Ulama Isna Asharia "
            "Kargil) and street signs name Khomeini Chowk and Lal Chowk; a banner names Quetta as the subject "
            "of the protest."
        ),
    )
