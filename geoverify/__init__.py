"""geoverify: verify where a photo or video was taken.

Frames -> text (OCR, Urdu and English) -> candidate places (gazetteers) -> a verdict on a claimed
location against its alternatives -> a map and a reproducible write-up. Each stage takes and
returns plain objects (arrays, DataFrames, GeoDataFrames) that can be inspected and corrected in a
notebook before the next stage.
"""

from __future__ import annotations

from . import matching, settings
from ._version import __version__
from .batching import batch, read_batch
from .case import Case
from .clips import find_clip
from .evidence import (
    KIND_WEIGHTS,
    apply_kind_rules,
    infer_kind,
    line_key,
    line_table,
    mark_captions,
    match_places,
    set_kind,
)
from .exceptions import (
    CaseFormatError,
    DataUnavailableError,
    EngineUnavailableError,
    GazetteerError,
    GeoverifyError,
    GeoverifyWarning,
    ImageTooLargeError,
    InputError,
    MediaDownloadError,
    OptionError,
    OutputExistsError,
    UnknownRegionError,
    UnsupportedLanguageError,
    VideoDecodeError,
)
from .fetch import FetchedMedia, fetch_media
from .frames import Frame, FrameSet, extract_frames, load_images
from .gazetteer import Gazetteer, load_gazetteer
from .maps import plot_candidates
from .matching import FrameMatch, match_frames
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
    "FetchedMedia",
    "Frame",
    "FrameMatch",
    "FrameSet",
    "Gazetteer",
    "GazetteerError",
    "GeoverifyError",
    "GeoverifyWarning",
    "ImageTooLargeError",
    "InputError",
    "MediaDownloadError",
    "OptionError",
    "OutputExistsError",
    "Review",
    "UnknownRegionError",
    "UnsupportedLanguageError",
    "Verdict",
    "VideoDecodeError",
    "__version__",
    "apply_kind_rules",
    "batch",
    "extract_frames",
    "fetch_media",
    "find_clip",
    "infer_kind",
    "line_key",
    "line_table",
    "load_gazetteer",
    "load_images",
    "load_regions",
    "mark_captions",
    "match_frames",
    "match_places",
    "matching",
    "merge_text",
    "plot_candidates",
    "read_batch",
    "read_text",
    "region",
    "review",
    "set_kind",
    "settings",
    "test_claim",
]
