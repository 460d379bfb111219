"""Exceptions and warnings raised by geoverify.

Every error that geoverify raises on purpose derives from :class:`GeoverifyError`, and every
warning from :class:`GeoverifyWarning`, so a notebook can catch them as a family.
"""

from __future__ import annotations


class GeoverifyError(Exception):
    """Base class of geoverify's errors."""


class InputError(GeoverifyError, ValueError):
    """An input file or value cannot be used (names the file and the problem)."""


class OptionError(GeoverifyError, ValueError, TypeError):
    """An argument or option is not one geoverify accepts; the message lists the ones it does.

    A ``ValueError`` for a bad value and a ``TypeError`` for an unknown keyword, as Python's own
    errors would be, so code that caught those still does.
    """


class UnknownSettingError(OptionError, AttributeError):
    """``geoverify.settings`` has no setting of that name (a typo would otherwise change nothing)."""


class VideoDecodeError(InputError):
    """A video could not be opened or decoded at all."""


class ImageTooLargeError(InputError):
    """An image has more pixels than ``settings.max_image_pixels`` (decompression bomb guard)."""


class EngineUnavailableError(GeoverifyError, RuntimeError):
    """An OCR engine, or its language data, is not installed; the message says how to install it."""


class UnsupportedLanguageError(GeoverifyError, ValueError):
    """A language code is not supported by the chosen OCR engine."""


class GazetteerError(InputError):
    """A gazetteer file is malformed or of the wrong format."""


class RegionDataError(InputError):
    """A region polygon file is unreadable, empty, or fails the sanity checks (wrong CRS,
    swapped coordinates, a region without geometry, a known place outside its region)."""


class UnknownRegionError(GeoverifyError, KeyError):
    """A region name or alias is not known; the message lists the known ones."""

    def __str__(self) -> str:  # KeyError would repr() the message
        return str(self.args[0]) if self.args else ""


class DataUnavailableError(GeoverifyError, FileNotFoundError):
    """Published data is neither cached, nor in ``GEOVERIFY_DATA_DIR``, nor downloadable."""


class MediaDownloadError(GeoverifyError, OSError):
    """Media could not be fetched from a link (offline, refused, not found, not media, too
    large, or downloads switched off); nothing of it was kept."""


class IntegrityError(GeoverifyError):
    """A downloaded file or a saved case does not match its recorded hash."""


class OutputExistsError(GeoverifyError, FileExistsError):
    """An output path exists and overwriting was not asked for, or the folder there is not one
    geoverify wrote (so replacing it could lose someone's files)."""


class CaseFormatError(InputError):
    """A case folder is malformed, crafted, or of a case format this geoverify cannot read."""


class GeoverifyWarning(UserWarning):
    """Base class of geoverify's warnings."""


class GeoverifyDeprecationWarning(GeoverifyWarning, FutureWarning):
    """A public name that moved or is going away; the message says what to use instead.

    A ``FutureWarning`` so that notebooks show it (Python hides ``DeprecationWarning`` raised
    inside libraries).
    """


class TruncatedVideoWarning(GeoverifyWarning):
    """A video stopped decoding part way; the frames before the break are kept."""


class FramesDroppedWarning(GeoverifyWarning):
    """Frames of an animated image were not read (beyond ``settings.max_animation_frames``, a
    damaged frame, or :func:`~geoverify.load_image` reading only the first)."""


class RegionDataWarning(GeoverifyWarning):
    """Region polygons were unusable (see :class:`RegionDataError`); admin-1 codes are used."""


class BadRowsWarning(GeoverifyWarning):
    """Some rows of an input table were unusable; they are reported, the rest are kept."""


class CaseChangedWarning(GeoverifyWarning):
    """A saved case's inputs or outputs differ from its manifest."""


class CaseVersionWarning(GeoverifyWarning):
    """A case folder was written by another version of geoverify (same case format)."""
