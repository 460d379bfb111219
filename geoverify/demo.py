"""The founding case, bundled: a teaching reconstruction of the January 2021 Kargil protest video.

In January 2021 a video of a protest in Kargil (Ladakh, India-administered) against the killing
of Hazara coal miners in Mach, Balochistan, was shared as a protest in "Pakistan-occupied
Kashmir". The banners named the organiser, Anjuman Jamiyat Ulama Isna Asharia Kargil; the march
passed Khomeini Chowk and Lal Chowk. The bundled video is a *reconstruction* rendered by
``scripts/render_demo_video.py`` (it says so on every frame), not the original footage.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from .case import Case
from .data import bundled_path

#: The claim the video was shared with.
DEMO_CLAIM = "Pakistan-administered Kashmir"

#: Where the viral clip sits in the organiser's full footage (the fact check found it "from the
#: 3 minute 18 second mark"); the demo's longer video puts the reconstruction there.
ORIGINAL_AT = 198.0
#: Size, frame rate and length after the clip of the demo's longer video (kept small: it is
#: built on the investigator's machine the first time the demo runs).
ORIGINAL_SIZE = (426, 240)
ORIGINAL_FPS = 12.5
ORIGINAL_TAIL = 22.0


def demo_video() -> Path:
    """Path of the bundled reconstruction video."""
    return bundled_path("demo", "kargil-reconstruction.mp4")


def _original_frames(video: Path) -> Iterator[NDArray[np.uint8]]:
    """The organiser's footage, reconstructed: slow pans and zooms (1.6x and closer, the
    organiser's camera on the banners and the crowd) over stills of the reconstruction, then
    the reconstruction itself at ``ORIGINAL_AT``, then more pans."""
    import cv2

    from ._videoedit import pan, read_frames

    stills = [img for i, (_, img) in enumerate(read_frames(video, max_side=854)) if i % 20 == 10]
    paths = [
        ((0.3, 0.35), (0.7, 0.4), 0.5, 0.5),
        ((0.6, 0.7), (0.35, 0.55), 0.6, 0.45),
        ((0.5, 0.5), (0.5, 0.45), 0.35, 0.6),
        ((0.25, 0.6), (0.3, 0.3), 0.45, 0.55),
    ]
    lead = round(ORIGINAL_AT * ORIGINAL_FPS)  # frames before the clip: it starts at 3:18 exactly
    per_pan = round(9.0 * ORIGINAL_FPS)
    for i, first in enumerate(range(0, lead, per_pan)):
        still = stills[(7 * i) % len(stills)]
        seconds = min(per_pan, lead - first) / ORIGINAL_FPS
        yield from pan(still, paths[i % len(paths)], seconds, ORIGINAL_SIZE, ORIGINAL_FPS)
    for t, img in read_frames(video):
        if round(t * 25) % round(25 / ORIGINAL_FPS) == 0:  # the bundled video runs at 25 fps
            yield np.asarray(cv2.resize(img, ORIGINAL_SIZE, interpolation=cv2.INTER_AREA), np.uint8)
    for i in range(int(ORIGINAL_TAIL // 11)):
        yield from pan(stills[-1 - 3 * i], paths[(i + 2) % 4], 11.0, ORIGINAL_SIZE, ORIGINAL_FPS)


def demo_original(folder: str | Path | None = None) -> Path:
    """The organiser's "full footage" of the demo: a longer video with the reconstruction at
    3:18 (``ORIGINAL_AT``), built from the bundled video the first time (in ``folder``, default
    the cache), with a provenance record beside it that says what it is.

    Like the bundled video, it is a teaching reconstruction, not the organiser's footage.
    """
    from . import settings
    from ._atomic import write_text
    from ._videoedit import write_video
    from .data import sha256_file
    from .fetch import provenance_path

    video = demo_video()
    digest = sha256_file(video)
    where = Path(folder) if folder is not None else settings.cache_path("demo", "x").parent
    target = where / f"kargil-organiser-footage-{digest[:12]}.mp4"
    if target.is_file() and provenance_path(target).is_file():
        return target
    write_video(_original_frames(video), target, ORIGINAL_FPS)
    record = {
        "url": None,
        "extractor": "geoverify.demo",
        "id": target.stem,
        "uploader": "organiser (reconstruction)",
        "channel": None,
        "upload_date": "20210108",
        "title": "Kargil protest, full footage (teaching reconstruction)",
        "description": (
            "Built by geoverify.demo from the bundled reconstruction: pans over its stills, then "
            f"the reconstruction itself from {int(ORIGINAL_AT // 60)}:{int(ORIGINAL_AT % 60):02d}, "
            "as the fact check found the viral clip in the organiser's footage. Not real footage."
        ),
        "built_from": {"file": video.name, "sha256": digest},
        "files": {target.name: sha256_file(target)},
    }
    write_text(provenance_path(target), json.dumps(record, indent=2, ensure_ascii=False))
    return target


def prepare_demo() -> list[str]:
    """Build, once, what the demo would otherwise build on its first run: the organiser's
    longer footage (:func:`demo_original`) and the default OCR engine's one-time model exports
    (CRAFT's ONNX export, in the cache). ``make demo`` runs this as a set-up step.

    Returns
    -------
    list of str
        What is ready, one line each.
    """
    from .ocr import detect

    ready = [str(demo_original())]
    if detect.craft_available():
        from . import settings

        detect.english_reader(False)
        ready.append(f"CRAFT text detector ({'onnxruntime' if settings.craft_onnx else 'PyTorch'})")
    return ready


def demo_case(original: bool = True) -> Case:
    """The founding case, ready to ``.run()``.

    Parameters
    ----------
    original
        Also build the organiser's longer video (:func:`demo_original`; the first time, some
        seconds) and locate the reconstruction in it, for the report's "Same footage as".
    """
    return Case(
        references=[str(demo_original())] if original else [],
        sources=[str(demo_video())],
        claim=DEMO_CLAIM,
        title="Kargil protest, January 2021 — shared as 'Pakistan-occupied Kashmir' (teaching reconstruction)",
        languages=("ur", "en"),
        engine="auto",
        notes=(
            "The video is a reconstruction made for teaching, modelled on the BOOM fact check of January 2021; "
            "it is not the original footage. The banners name the organiser (Anjuman Jamiyat Ulama Isna Asharia "
            "Kargil) and street signs name Khomeini Chowk and Lal Chowk; a banner names Quetta as the subject "
            "of the protest."
        ),
    )
