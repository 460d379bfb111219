"""Render one synthetic signage line: font, colours, photo background, camera degradations.

:func:`render_line` returns a grayscale ``uint8`` array of height :data:`HEIGHT` (32) and
width at most :data:`MAX_WIDTH`. Backgrounds are random crops of frames of the real videos
in ``../shared/data/video`` beside the repository (``$GEOVERIFY_SHARED/data/video`` where that
is set, as the tests and benchmarks read it; decoded once and cached as ``training/runs/textures.npz``,
never committed); colours follow road signs (white on green or blue), warning boards
(black on yellow, white on red), shop boards and plain dark-on-light / light-on-dark text.
Augmentations imitate a photo from a moving car or a crowd: perspective, rotation, motion
and defocus blur, low resolution, JPEG, noise, night, glare and a thin occluder.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from functools import lru_cache
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

from .corpus import CHARSET

cv2.setNumThreads(1)

HEIGHT = 32
MAX_WIDTH = 400
#: Width factors of a condensed line (``render_line(condense=...)``). Real Nastaliq print and
#: signs come 4.8-8 px per character at the model's height (urdu-print/2.png, urdu-signs),
#: the renderer's Nastaliq lines 7 (median) and all its lines 11.
CONDENSE_RANGE = (0.5, 1.0)
FONT_DIR = Path("/usr/share/fonts/truetype")
#: Fonts the recogniser is trained on (each checked to shape Urdu with raqm).
TRAIN_FONTS = [
    "noto/NotoNastaliqUrdu-Regular.ttf",
    "noto/NotoNastaliqUrdu-Bold.ttf",
    "noto/NotoNaskhArabic-Regular.ttf",
    "noto/NotoNaskhArabic-Bold.ttf",
    "noto/NotoSansArabic-Regular.ttf",
    "noto/NotoSansArabic-Bold.ttf",
    "fonts-nafees/NafeesWeb.ttf",
    "paktype/PakType Naskh Basic Urdu.ttf",
    "paktype/PakType Naqsh.ttf",
    "paktype/PakType Ajrak.ttf",
]
#: The Nastaliq fonts of :data:`TRAIN_FONTS`: fine-tuning draws them more often.
NASTALIQ_FONTS = TRAIN_FONTS[:2]
#: Font held out of training, for evaluation only (a PakType design close to Naskh).
HELDOUT_FONT = "paktype/PakType Tehreer.ttf"
#: Nastaliq font held out of training, for evaluation only: a true Nastaliq design the model
#: never sees. It needs Graphite shaping, which Pillow's bundled raqm lacks, so it is drawn by
#: HarfBuzz's ``hb-view`` (Debian's libharfbuzz-bin, built with graphite2).
HELDOUT_NASTALIQ = "awami/AwamiNastaliq-Regular.ttf"
GRAPHITE_FONTS = frozenset({HELDOUT_NASTALIQ})
_ROOT = Path(__file__).resolve().parents[1]
VIDEO_DIR = Path(os.environ.get("GEOVERIFY_SHARED", _ROOT.parent / "shared")) / "data" / "video"
TEXTURE_CACHE = Path(__file__).resolve().parent / "runs" / "textures.npz"

# (background, foreground) RGB
PALETTES = [
    ((0, 110, 60), (255, 255, 255)),  # road sign green
    ((20, 60, 150), (255, 255, 255)),  # road sign blue
    ((200, 30, 30), (255, 255, 255)),  # white on red
    ((250, 210, 0), (10, 10, 10)),  # black on yellow
    ((245, 245, 240), (20, 20, 20)),  # dark on light
    ((30, 30, 30), (240, 240, 240)),  # light on dark
    ((255, 255, 255), (200, 20, 20)),  # red on white (shop board)
    ((255, 255, 255), (0, 60, 160)),  # blue on white
    ((0, 90, 40), (250, 220, 0)),  # yellow on green (banner)
    ((120, 20, 90), (255, 255, 255)),  # shop board magenta
    ((255, 140, 0), (0, 0, 0)),  # black on orange
    ((230, 220, 190), (90, 40, 10)),  # brown on cream
]


def font_path(name: str) -> Path:
    """Absolute path of a font named relative to :data:`FONT_DIR`."""
    return FONT_DIR / name


@lru_cache(maxsize=256)
def _font(name: str, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(font_path(name)), size, layout_engine=ImageFont.Layout.RAQM)


@lru_cache(maxsize=32)
def font_covers(name: str) -> frozenset[str]:
    """The characters of :data:`CHARSET` that a font has glyphs for."""
    from fontTools.ttLib import TTFont

    cmap = TTFont(str(font_path(name)), lazy=True).getBestCmap()
    return frozenset(ch for ch in CHARSET if ord(ch) in cmap or ch == " ")


def load_textures(n_frames: int = 240) -> np.ndarray:
    """Frames of the real videos as an ``(N, 180, 320, 3)`` uint8 array (cached)."""
    if TEXTURE_CACHE.exists():
        cached = np.load(TEXTURE_CACHE)["frames"]
        if cached.any():  # an all-black cache was written when the videos were missing
            return cached
    import av

    frames: list[np.ndarray] = []
    videos = sorted(VIDEO_DIR.glob("*.mp4"))
    if not videos:
        # blank backgrounds would train another model without a word said
        raise FileNotFoundError(
            f"{VIDEO_DIR}: no .mp4 videos for the backgrounds (set GEOVERIFY_SHARED)"
        )
    for video in videos:
        with av.open(str(video)) as container:
            decoded = [f.to_ndarray(format="rgb24") for f in container.decode(video=0)]
        step = max(1, len(decoded) // (n_frames // max(1, len(videos))))
        frames += [cv2.resize(f, (320, 180), interpolation=cv2.INTER_AREA) for f in decoded[::step]]
    arr = np.stack(frames).astype(np.uint8)
    TEXTURE_CACHE.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(TEXTURE_CACHE, frames=arr)
    return arr


def text_mask(text: str, font: str, size: int, stroke: int = 0, rtl: bool = True) -> np.ndarray:
    """Alpha mask (uint8) of ``text`` drawn right-to-left (Urdu; ``rtl=False``: English,
    left-to-right), tight to its ink."""
    if font in GRAPHITE_FONTS:
        if stroke or not rtl:
            # hb-view draws one plain right-to-left run: it would silently drop these
            raise ValueError(f"{font}: Graphite lines are drawn right-to-left without a stroke")
        return _graphite_mask(text, font, size)
    f = _font(font, size)
    kw = {
        "direction": "rtl" if rtl else "ltr",
        "language": "ur" if rtl else "en",
        "stroke_width": stroke,
    }
    x0, y0, x1, y1 = f.getbbox(text, **kw)
    im = Image.new("L", (max(1, x1 - x0), max(1, y1 - y0)), 0)
    ImageDraw.Draw(im).text((-x0, -y0), text, font=f, fill=255, **kw)
    return np.asarray(im)


def _graphite_mask(text: str, font: str, size: int) -> np.ndarray:
    """Alpha mask of an Urdu line shaped with Graphite by ``hb-view``, tight to its ink.

    hb-view shapes one right-to-left run and has no bidi step, so digit runs (which read left
    to right inside Urdu) are reversed before shaping; the text goes in a file, never a shell.
    """
    from .corpus import to_visual

    exe = shutil.which("hb-view")
    if exe is None:
        raise RuntimeError("hb-view not found: install libharfbuzz-bin (scripts/setup_system.sh)")
    run = to_visual(text)[::-1]  # logical order, digit runs reversed
    with tempfile.TemporaryDirectory() as tmp:
        src, png = Path(tmp) / "line.txt", Path(tmp) / "line.png"
        src.write_text(run, encoding="utf-8")
        subprocess.run(
            [
                exe,
                f"--font-file={font_path(font)}",
                f"--font-size={size}",
                "--margin=4",
                "--shapers=graphite2",
                "--direction=rtl",
                "--script=Arab",
                "--language=ur",
                f"--text-file={src}",
                "-O",
                "png",
                "-o",
                str(png),
            ],
            check=True,
            capture_output=True,
            timeout=30,
        )
        ink = 255 - np.asarray(Image.open(png).convert("L"))
    rows, cols = np.nonzero(ink > 8)
    if not len(rows):
        return np.zeros((1, 1), np.uint8)
    return np.ascontiguousarray(ink[rows.min() : rows.max() + 1, cols.min() : cols.max() + 1])


def _restyle(rng: np.random.Generator, mask: np.ndarray, size: int) -> np.ndarray:
    """Vary the letterforms the way other typefaces and painters do: stroke weight (thinner or
    bolder), slant, and a condensed or extended line."""
    if rng.random() < 0.3:
        k = np.ones((2, 2) if size < 40 else (3, 3), np.uint8)
        mask = cv2.dilate(mask, k) if rng.random() < 0.6 else cv2.erode(mask, k)
    h, w = mask.shape
    if rng.random() < 0.2:
        shear = rng.uniform(-0.25, 0.25)
        m = np.float32([[1, shear, max(0.0, -shear * h)], [0, 1, 0]])
        mask = cv2.warpAffine(mask, m, (w + int(abs(shear) * h) + 1, h))
    if rng.random() < 0.3:
        fx = rng.uniform(0.7, 1.3)
        mask = cv2.resize(mask, (max(1, int(w * fx)), h), interpolation=cv2.INTER_AREA)
    return mask


def _jitter(rng: np.random.Generator, rgb: tuple[int, int, int], amount: int) -> np.ndarray:
    return np.clip(np.array(rgb, np.float32) + rng.integers(-amount, amount + 1, 3), 0, 255)


def _background(rng: np.random.Generator, h: int, w: int, textures: np.ndarray | None):
    """Background image and the text colour to draw on it (float32 RGB)."""
    bg_rgb, fg_rgb = PALETTES[rng.integers(len(PALETTES))]
    if textures is not None and rng.random() < 0.35:
        frame = textures[rng.integers(len(textures))]
        fh, fw = frame.shape[:2]
        ch = int(rng.integers(max(8, fh // 6), fh))
        cw = int(min(fw, max(8, ch * w / max(h, 1) * rng.uniform(0.5, 1.5))))
        y, x = rng.integers(0, fh - ch + 1), rng.integers(0, fw - cw + 1)
        bg = cv2.resize(frame[y : y + ch, x : x + cw], (w, h)).astype(np.float32)
        if rng.random() < 0.5:  # a painted board over the texture
            bg = 0.5 * bg + 0.5 * _jitter(rng, bg_rgb, 30)
        lum = bg.mean()
        fg = _jitter(rng, (245, 245, 245) if lum < 128 else (15, 15, 15), 15)
        return bg, fg
    bg = np.empty((h, w, 3), np.float32)
    bg[:] = _jitter(rng, bg_rgb, 30)
    if rng.random() < 0.4:  # uneven light across the board
        ramp = np.linspace(rng.uniform(0.7, 1.0), rng.uniform(0.85, 1.15), w, dtype=np.float32)
        bg *= ramp[None, :, None]
    return bg, _jitter(rng, fg_rgb, 25)


def compose(
    rng: np.random.Generator,
    text: str,
    font: str,
    textures: np.ndarray | None,
    rtl: bool = True,
    restyle: bool = False,
):
    """Colour image (uint8 RGB) of ``text`` on a board or photo background (``restyle``:
    with :func:`_restyle`'s stroke, slant and width changes)."""
    size = int(rng.integers(26, 60))
    outline = rng.random() < 0.15
    mask = text_mask(text, font, size, rtl=rtl)
    if restyle:
        mask = _restyle(rng, mask, size)
    mask = mask.astype(np.float32) / 255
    h, w = mask.shape
    py0, py1 = (rng.uniform(0.03, 0.35, 2) * h).astype(int)
    px0, px1 = (rng.uniform(0.03, 0.6, 2) * h).astype(int)
    H, W = h + py0 + py1, w + px0 + px1
    alpha = np.zeros((H, W), np.float32)
    alpha[py0 : py0 + h, px0 : px0 + w] = mask
    bg, fg = _background(rng, H, W, textures)
    if outline:  # dark or light halo around the letters, as on some signs and banners
        halo = cv2.dilate(alpha, np.ones((3, 3), np.uint8), iterations=max(1, size // 18))
        halo_rgb = 255 - fg
        bg = bg * (1 - halo[..., None]) + halo_rgb * halo[..., None]
    if rng.random() < 0.15:  # drop shadow
        shadow = np.roll(alpha, (max(1, size // 20), max(1, size // 20)), (0, 1))
        bg = bg * (1 - 0.6 * shadow[..., None])
    img = bg * (1 - alpha[..., None]) + fg * alpha[..., None]
    return np.clip(img, 0, 255).astype(np.uint8)


def _perspective(rng: np.random.Generator, img: np.ndarray) -> np.ndarray:
    h, w = img.shape[:2]
    d = rng.uniform(-0.08, 0.08, (4, 2)) * np.array([min(w, 3 * h), h])
    src = np.float32([[0, 0], [w, 0], [w, h], [0, h]])
    dst = (src + d).astype(np.float32)
    angle = rng.uniform(-3, 3) if rng.random() < 0.5 else 0.0
    rot = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    dst = cv2.transform(dst[None], rot)[0].astype(np.float32)
    x0, y0 = dst.min(0)
    dst -= [x0, y0]
    out_w, out_h = (dst.max(0) + 1).astype(int)
    m = cv2.getPerspectiveTransform(src, dst)
    return cv2.warpPerspective(img, m, (int(out_w), int(out_h)), borderMode=cv2.BORDER_REPLICATE)


def _motion_blur(rng: np.random.Generator, img: np.ndarray) -> np.ndarray:
    k = int(rng.integers(3, 8))
    kernel = np.zeros((k, k), np.float32)
    kernel[k // 2, :] = 1.0
    rot = cv2.getRotationMatrix2D(((k - 1) / 2, (k - 1) / 2), rng.uniform(-30, 30), 1.0)
    kernel = cv2.warpAffine(kernel, rot, (k, k))
    return cv2.filter2D(img, -1, kernel / max(kernel.sum(), 1e-6))


def _glare(rng: np.random.Generator, img: np.ndarray) -> np.ndarray:
    h, w = img.shape[:2]
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    cy, cx = rng.uniform(0, h), rng.uniform(0, w)
    r = rng.uniform(0.3, 1.5) * h
    blob = np.exp(-((yy - cy) ** 2 + (xx - cx) ** 2) / (2 * r * r)) * rng.uniform(100, 230)
    return np.clip(img + blob[..., None], 0, 255)


def _jpeg(rng: np.random.Generator, img: np.ndarray) -> np.ndarray:
    q = int(rng.integers(20, 91))
    ok, buf = cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, q])
    return cv2.imdecode(buf, cv2.IMREAD_UNCHANGED) if ok else img


def degrade(rng: np.random.Generator, img: np.ndarray) -> np.ndarray:
    """Camera degradations of a colour line image (uint8 RGB in, uint8 RGB out)."""
    if rng.random() < 0.5:
        img = _perspective(rng, img)
    work_h = int(HEIGHT * rng.choice([1.0, 1.5, 2.0]))
    w = max(8, round(img.shape[1] * work_h / img.shape[0]))
    out = cv2.resize(img, (w, work_h), interpolation=cv2.INTER_AREA).astype(np.float32)
    if rng.random() < 0.05:  # a pole or a wire across the text
        x = int(rng.integers(0, w))
        cv2.line(
            out, (x, 0), (x + int(rng.integers(-5, 6)), work_h), rng.uniform(0, 255, 3).tolist(), 2
        )
    if rng.random() < 0.15:  # night: dark and low contrast
        out = out * rng.uniform(0.15, 0.5) + rng.uniform(0, 25)
    if rng.random() < 0.1:
        out = _glare(rng, out)
    if rng.random() < 0.25:
        out = _motion_blur(rng, out)
    if rng.random() < 0.2:
        out = cv2.GaussianBlur(out, (0, 0), rng.uniform(0.5, 1.4))
    if rng.random() < 0.25:  # low resolution: downscale then upscale
        f = rng.uniform(0.35, 0.75)
        small = cv2.resize(
            out, (max(4, int(w * f)), max(4, int(work_h * f))), interpolation=cv2.INTER_AREA
        )
        out = cv2.resize(small, (w, work_h), interpolation=cv2.INTER_LINEAR)
    if rng.random() < 0.3:
        out = out + rng.normal(0, rng.uniform(3, 15), out.shape)
    out = np.clip(out, 0, 255).astype(np.uint8)
    if rng.random() < 0.4:
        out = _jpeg(rng, out)
    return out


def to_input(img: np.ndarray) -> np.ndarray:
    """Grayscale, height :data:`HEIGHT`, aspect kept, width capped at :data:`MAX_WIDTH`."""
    gray = cv2.cvtColor(img, cv2.COLOR_RGB2GRAY) if img.ndim == 3 else img
    w = max(8, min(MAX_WIDTH, round(gray.shape[1] * HEIGHT / max(1, gray.shape[0]))))
    return cv2.resize(gray, (w, HEIGHT), interpolation=cv2.INTER_AREA)


def pick_font(rng: np.random.Generator, text: str, fonts: list[str]) -> str:
    """A random font of ``fonts`` that has glyphs for every character of ``text``."""
    ok = [f for f in fonts if set(text) <= font_covers(f)]
    return ok[rng.integers(len(ok))] if ok else fonts[rng.integers(len(fonts))]


def render_line(
    rng: np.random.Generator,
    text: str,
    fonts: list[str] | None = None,
    textures: np.ndarray | None = None,
    augment: bool = True,
    restyle: bool = False,
    condense: float = 0.0,
) -> np.ndarray:
    """One model input (uint8, ``HEIGHT`` x W) showing ``text`` (logical order);
    ``restyle`` (augmented lines only) varies stroke weight, slant and width; ``condense``:
    the share of lines squeezed to 0.5-1.0 of their width, as dense print and signs are set
    (see :data:`CONDENSE_RANGE`)."""
    font = pick_font(rng, text, fonts or TRAIN_FONTS)
    img = compose(rng, text, font, textures if augment else None, restyle=augment and restyle)
    if augment:
        img = degrade(rng, img)
    line = to_input(img)
    if condense and rng.random() < condense:
        fx = rng.uniform(*CONDENSE_RANGE)
        line = cv2.resize(
            line, (max(8, round(line.shape[1] * fx)), HEIGHT), interpolation=cv2.INTER_AREA
        )
    return line


def main() -> None:
    """Write a sheet of sample renders to training/runs/samples.png."""
    import random

    from .corpus import load, sample_line

    rng = np.random.default_rng(0)
    prng = random.Random(0)
    corpus = load(False)
    tex = load_textures()
    rows = []
    for i in range(24):
        fonts = [HELDOUT_FONT] if i % 6 == 5 else TRAIN_FONTS
        rows.append(render_line(rng, sample_line(prng, corpus), fonts, tex, augment=i % 3 != 0))
    sheet = np.full((len(rows) * (HEIGHT + 4), MAX_WIDTH), 128, np.uint8)
    for i, r in enumerate(rows):
        sheet[i * (HEIGHT + 4) : i * (HEIGHT + 4) + HEIGHT, : r.shape[1]] = r
    out = TEXTURE_CACHE.parent / "samples.png"
    Image.fromarray(sheet).save(out)
    print(out, tex.shape)


if __name__ == "__main__":
    main()
