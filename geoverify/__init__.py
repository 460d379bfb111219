"""geoverify: verify where a photo or video was taken.

Frames -> text (OCR, Urdu and English) -> candidate places (gazetteers) -> a verdict on a claimed
location against its alternatives -> a map and a reproducible write-up. Each stage takes and
returns plain objects (arrays, DataFrames, GeoDataFrames) that can be inspected and corrected in a
notebook before the next stage.
"""

from __future__ import annotations

__version__ = "0.1.0"

from . import settings
from .case import Case
from .evidence import KIND_WEIGHTS, apply_kind_rules, infer_kind, match_places, set_kind
from .exceptions import (
    CaseFormatError,
    DataUnavailableError,
    EngineUnavailableError,
    GazetteerError,
    GeoverifyError,
    GeoverifyWarning,
    ImageTooLargeError,
    InputError,
    OutputExistsError,
    UnknownRegionError,
    UnsupportedLanguageError,
    VideoDecodeError,
)
from .frames import Frame, FrameSet, extract_frames, load_images
from .gazetteer import Gazetteer, load_gazetteer
from .maps import plot_candidates
from .ocr import merge_text, read_text
from .regions import load_regions, region
from .review import Review, review
from .verify import Verdict, test_claim

__all__ = [
    "KIND_WEIGHTS",
    "Case",
    "CaseFormatError",
    "DataUnavailableError",
    "EngineUnavailableError",
    "Frame",
    "FrameSet",
    "Gazetteer",
    "GazetteerError",
    "GeoverifyError",
    "GeoverifyWarning",
    "ImageTooLargeError",
    "InputError",
    "OutputExistsError",
    "Review",
    "UnknownRegionError",
    "UnsupportedLanguageError",
    "Verdict",
    "VideoDecodeError",
    "__version__",
    "apply_kind_rules",
    "extract_frames",
    "infer_kind",
    "load_gazetteer",
    "load_images",
    "load_regions",
    "match_places",
    "merge_text",
    "plot_candidates",
    "read_text",
    "region",
    "review",
    "set_kind",
    "settings",
    "test_claim",
]
