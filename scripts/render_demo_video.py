#!/usr/bin/env python3
"""Render the geoverify teaching reconstruction of the Kargil case.

What this is
------------
A short, fully synthetic video (about 15.5 s, 1280x720, 25 fps, H.264) that
*reconstructs* the kind of footage at the centre of the project's founding
case.  It is NOT real footage: every frame is drawn here from flat shapes and
text with Pillow, and a "RECONSTRUCTION" label is burnt into every frame.

The case: in January 2021 a protest in Kargil (Ladakh, India-administered
territory) against the killing of Hazara Shia coal miners in Mach, near
Quetta (Balochistan, Pakistan) was shared online as a protest in
"Pakistan-occupied Kashmir".  The rally was organised by Anjuman Jamiyat Ulama
Isna Asharia Kargil, started at Isna Asharia square and passed Khomeini Chowk
and Lal Chowk.  The visible text (banner, street signs) is what geolocates it.

Scenes (hard cuts between them):

1. title card ("RECONSTRUCTION - not original footage");
2. the organiser's banner, in Nastaliq Urdu, Naskh Urdu and English, with a
   slight deterministic camera shake;
3. a green municipal street sign "خمینی چوک / KHOMEINI CHOWK / Kargil" with a
   slow horizontal pan;
4. a street sign "لال چوک / LAL CHOWK / Kargil, Ladakh";
5. a second banner: "We condemn the killing of Hazara Shias in Quetta" and
   "کوئٹہ میں ہزارہ شیعوں کا قتل بند کرو".

Text sizes are tuned so that Tesseract (``urd`` / ``eng``) can read the key
strings from a mid-scene frame; the project's demo relies on that.

The output is deterministic: there is no randomness apart from a texture drawn
from a fixed-seed generator.  Needs Pillow with libraqm (for Urdu shaping and
right-to-left layout), numpy and PyAV (libx264), and the Noto fonts from the
Debian package ``fonts-noto-core``.

Usage::

    python scripts/render_demo_video.py [--out data/demo/kargil-reconstruction.mp4]
"""

from __future__ import annotations

import argparse
import os
import tempfile
from fractions import Fraction
from functools import cache
from pathlib import Path

import av
import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont, features

W, H = 1280, 720
FPS = 25
CRF = 30
SEED = 20210108  # fixed seed for the mild background texture

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = REPO_ROOT / "data" / "demo" / "kargil-reconstruction.mp4"
FONT_DIRS = ("/usr/share/fonts", "/usr/local/share/fonts")

URDU_ORGANISER = "انجمن جمعیت العلماء اثنا عشریہ کرگل"
EN_ORGANISER = "Anjuman Jamiyat Ulama Isna Asharia Kargil"
URDU_CONDEMN = "کوئٹہ میں ہزارہ شیعوں کا قتل بند کرو"
EN_CONDEMN_1 = "We condemn the killing of"
EN_CONDEMN_2 = "Hazara Shias in Quetta"

# (name, number of frames) -- 38+87+100+75+88 = 388 frames = 15.52 s
SCENES = (
    ("title", 38),
    ("banner", 87),
    ("khomeini", 100),
    ("lal", 75),
    ("condemn", 88),
)

WHITE = (255, 255, 255)
YELLOW = (255, 222, 40)
SIGN_GREEN = (0, 104, 56)
INK = (20, 20, 20)
DARK_RED = (150, 0, 0)


# --------------------------------------------------------------------------
# fonts
# --------------------------------------------------------------------------


@cache
def find_font(filename: str) -> str:
    """Return the path of a font file found under the system font dirs."""
    for root in FONT_DIRS:
        for dirpath, _dirs, files in os.walk(root):
            if filename in files:
                return os.path.join(dirpath, filename)
    raise FileNotFoundError(
        f"font {filename!r} not found under {', '.join(FONT_DIRS)}; "
        "install the Debian package 'fonts-noto-core' "
        "(apt-get install fonts-noto-core)"
    )


@cache
def font(filename: str, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(find_font(filename), size, layout_engine=ImageFont.Layout.RAQM)


def sans(size: int, bold: bool = True) -> ImageFont.FreeTypeFont:
    return font("NotoSans-Bold.ttf" if bold else "NotoSans-Regular.ttf", size)


def naskh(size: int) -> ImageFont.FreeTypeFont:
    return font("NotoNaskhArabic-Bold.ttf", size)


def nastaliq(size: int) -> ImageFont.FreeTypeFont:
    return font("NotoNastaliqUrdu-Bold.ttf", size)


def _is_urdu(text: str) -> bool:
    return any("\u0600" <= ch <= "\u06ff" for ch in text)


def text_kwargs(text: str) -> dict:
    if _is_urdu(text):
        return {"direction": "rtl", "language": "ur"}
    return {}


def draw_centered(draw, cx, top, text, fnt, fill, stroke=0, stroke_fill=None):
    """Draw text horizontally centred on cx, its ink box starting at y=top.

    Returns the bottom y of the ink box."""
    kw = text_kwargs(text)
    x0, y0, x1, y1 = draw.textbbox((0, 0), text, font=fnt, stroke_width=stroke, **kw)
    draw.text(
        (cx - (x0 + x1) / 2, top - y0),
        text,
        font=fnt,
        fill=fill,
        stroke_width=stroke,
        stroke_fill=stroke_fill,
        **kw,
    )
    return top + (y1 - y0)


def text_size(draw, text, fnt):
    x0, y0, x1, y1 = draw.textbbox((0, 0), text, font=fnt, **text_kwargs(text))
    return x1 - x0, y1 - y0


# --------------------------------------------------------------------------
# backgrounds
# --------------------------------------------------------------------------


def texture(w: int, h: int, amp: float, seed_offset: int = 0) -> np.ndarray:
    """Low-frequency, low-amplitude grain (deterministic)."""
    rng = np.random.default_rng(SEED + seed_offset)
    small = rng.normal(0.0, 1.0, (h // 16 + 2, w // 16 + 2)).astype(np.float32)
    img = Image.fromarray(((small * 40) + 128).clip(0, 255).astype(np.uint8))
    img = img.resize((w, h), Image.BICUBIC).filter(ImageFilter.GaussianBlur(6))
    arr = (np.asarray(img, dtype=np.float32) - 128.0) / 40.0
    return arr * amp


def add_texture(img: Image.Image, amp: float, seed_offset: int = 0) -> Image.Image:
    arr = np.asarray(img, dtype=np.float32)
    arr = arr + texture(img.width, img.height, amp, seed_offset)[..., None]
    return Image.fromarray(arr.clip(0, 255).astype(np.uint8))


def street(w: int, h: int, seed_offset: int) -> Image.Image:
    """Sky, mountains, a row of flat-roofed buildings and a road."""
    img = Image.new("RGB", (w, h))
    d = ImageDraw.Draw(img)
    horizon = int(h * 0.62)
    # sky gradient (winter, pale)
    for y in range(horizon):
        t = y / horizon
        d.line(
            [(0, y), (w, y)],
            fill=(int(150 + 60 * t), int(180 + 45 * t), int(215 + 25 * t)),
        )
    # bare brown mountains behind the town
    pts = [(0, int(h * 0.35))]
    for i, x in enumerate(range(0, w + 160, 160)):
        pts.append((x, int(h * (0.22 + 0.12 * ((i * 7) % 5) / 4))))
    pts += [(w, horizon), (0, horizon)]
    d.polygon(pts, fill=(150, 128, 104))
    d.polygon(
        [(x, y + 40) for x, y in pts[:-2]] + [(w, horizon), (0, horizon)],
        fill=(128, 108, 88),
    )
    # buildings
    palette = [(196, 180, 150), (170, 150, 128), (210, 200, 182), (150, 120, 100), (188, 168, 140)]
    x = -20
    i = 0
    while x < w:
        bw = 150 + (i * 53) % 110
        bh = 170 + (i * 71) % 120
        col = palette[i % len(palette)]
        top = horizon - bh
        d.rectangle([x, top, x + bw, horizon + 10], fill=col)
        d.rectangle([x - 4, top - 10, x + bw + 4, top], fill=tuple(c - 35 for c in col))
        for wy in range(top + 28, horizon - 40, 62):
            for wx in range(x + 20, x + bw - 40, 52):
                d.rectangle([wx, wy, wx + 28, wy + 36], fill=(70, 78, 88))
        # shop shutter at street level
        d.rectangle(
            [x + 14, horizon - 60, x + bw - 14, horizon + 10], fill=tuple(c - 55 for c in col)
        )
        x += bw + 6
        i += 1
    # pavement and road
    d.rectangle([0, horizon + 10, w, horizon + 36], fill=(160, 156, 150))
    d.rectangle([0, horizon + 36, w, h], fill=(78, 80, 84))
    for rx in range(0, w, 180):
        d.rectangle([rx, int(h * 0.86), rx + 90, int(h * 0.86) + 8], fill=(210, 210, 200))
    return add_texture(img, 3.0, seed_offset)


def crowd(d: ImageDraw.ImageDraw, w: int, y: int, seed_offset: int) -> None:
    """Simple silhouettes of heads/shoulders along the bottom."""
    cols = [(40, 38, 40), (60, 52, 48), (30, 32, 40), (72, 64, 58)]
    i = 0
    for x in range(-30, w + 60, 70):
        j = i + seed_offset
        yy = y + (j * 37) % 40
        c = cols[j % len(cols)]
        d.ellipse([x, yy, x + 70, yy + 70], fill=(110, 84, 66))
        d.pieslice([x - 6, yy - 4, x + 76, yy + 40], 180, 360, fill=(20, 20, 22))
        d.rounded_rectangle([x - 30, yy + 62, x + 100, yy + 260], 40, fill=c)
        i += 1


# --------------------------------------------------------------------------
# scenes (each returns a "world" image; frames are crops of it)
# --------------------------------------------------------------------------

MARGIN = 12  # extra border for camera shake


def corner_label(img: Image.Image) -> None:
    d = ImageDraw.Draw(img)
    f = sans(20)
    tw, th = text_size(d, "RECONSTRUCTION", f)
    x1, y0 = W - 18, 16
    d.rectangle([x1 - tw - 20, y0, x1, y0 + th + 18], fill=(170, 20, 20))
    draw_centered(d, x1 - (tw + 20) / 2, y0 + 9, "RECONSTRUCTION", f, WHITE)


def scene_title() -> Image.Image:
    img = Image.new("RGB", (W, H), (22, 26, 34))
    d = ImageDraw.Draw(img)
    d.rectangle([0, 250, W, 470], fill=(32, 38, 50))
    bottom = draw_centered(
        d, W / 2, 290, "RECONSTRUCTION - not original footage", sans(50), (255, 210, 70)
    )
    draw_centered(
        d,
        W / 2,
        bottom + 40,
        "geoverify teaching case: Kargil, January 2021",
        sans(38, bold=False),
        WHITE,
    )
    return add_texture(img, 2.0, 1)


def banner_world(lines, cloth, seed_offset, border=YELLOW) -> Image.Image:
    """A street with a crowd holding a cloth banner across the frame.

    lines: list of (text, font, fill, gap_before)."""
    w, h = W + 2 * MARGIN, H + 2 * MARGIN
    img = street(w, h, seed_offset)
    d = ImageDraw.Draw(img)
    bx0, by0, bx1, by1 = 40, 110, w - 40, 560
    # poles
    for px in (bx0 + 10, bx1 - 22):
        d.rectangle([px, by0 - 40, px + 12, h], fill=(96, 70, 44))
    d.rectangle([bx0, by0, bx1, by1], fill=cloth)
    # cloth folds: a few slightly darker vertical bands
    for k, fx in enumerate(range(bx0 + 140, bx1 - 60, 230)):
        shade = tuple(max(0, c - 10) for c in cloth)
        d.rectangle([fx, by0, fx + 50 + 10 * (k % 2), by1], fill=shade)
    d.rectangle([bx0 + 12, by0 + 12, bx1 - 12, by1 - 12], outline=border, width=4)
    heights = []
    for text, fnt, _fill, gap in lines:
        heights.append(gap + text_size(d, text, fnt)[1])
    y = (by0 + by1) / 2 - sum(heights) / 2
    for text, fnt, fill, gap in lines:
        y = draw_centered(d, w / 2, y + gap, text, fnt, fill)
    crowd(d, w, by1 - 20, seed_offset)
    return img


def scene_banner() -> Image.Image:
    return banner_world(
        [
            (URDU_ORGANISER, nastaliq(50), YELLOW, 0),
            (URDU_ORGANISER, naskh(34), WHITE, 34),
            (EN_ORGANISER, sans(46), WHITE, 34),
        ],
        cloth=(14, 70, 34),
        seed_offset=2,
    )


def scene_condemn() -> Image.Image:
    return banner_world(
        [
            (EN_CONDEMN_1, sans(50), INK, 0),
            (EN_CONDEMN_2, sans(50), INK, 22),
            # Naskh at 30 px is read robustly; 32 px is not (tested)
            (URDU_CONDEMN, naskh(30), DARK_RED, 50),
        ],
        cloth=(238, 234, 222),  # light cloth, dark ink
        seed_offset=5,
        border=DARK_RED,
    )


def street_sign(img, cx, top, urdu, english, small, pole_to) -> None:
    d = ImageDraw.Draw(img)
    fu, fe, fs = naskh(36), sans(50), sans(30, bold=False)
    uw, uh = text_size(d, urdu, fu)
    ew, eh = text_size(d, english, fe)
    sw, sh = text_size(d, small, fs)
    pad, gap1, gap2 = 36, 26, 20
    sign_w = max(uw, ew, sw) + 2 * pad + 40
    sign_h = pad + uh + gap1 + eh + gap2 + sh + pad
    x0, x1 = cx - sign_w / 2, cx + sign_w / 2
    # two posts
    for px in (x0 + 40, x1 - 52):
        d.rectangle([px, top + sign_h, px + 12, pole_to], fill=(90, 92, 96))
    d.rectangle([x0 + 6, top + 6, x1 + 6, top + sign_h + 6], fill=(60, 60, 60))
    d.rectangle([x0, top, x1, top + sign_h], fill=SIGN_GREEN)
    d.rectangle([x0 + 8, top + 8, x1 - 8, top + sign_h - 8], outline=WHITE, width=4)
    y = draw_centered(d, cx, top + pad, urdu, fu, WHITE)
    y = draw_centered(d, cx, y + gap1, english, fe, WHITE)
    draw_centered(d, cx, y + gap2, small, fs, WHITE)


PAN_PX = 400


def scene_khomeini() -> Image.Image:
    w, h = W + PAN_PX + 2 * MARGIN, H + 2 * MARGIN
    img = street(w, h, 3)
    street_sign(img, w / 2 + 80, 120, "خمینی چوک", "KHOMEINI CHOWK", "Kargil", h - 150)
    return img


def scene_lal() -> Image.Image:
    w, h = W + 2 * MARGIN, H + 2 * MARGIN
    img = street(w, h, 4)
    street_sign(img, w / 2 - 60, 130, "لال چوک", "LAL CHOWK", "Kargil, Ladakh", h - 140)
    return img


# --------------------------------------------------------------------------
# camera
# --------------------------------------------------------------------------


def shake(i: int, amp: float = 4.0) -> tuple[int, int]:
    """Deterministic hand-held jitter, a few px."""
    dx = amp * (0.6 * np.sin(i * 0.9) + 0.4 * np.sin(i * 2.3 + 1.0))
    dy = amp * (0.6 * np.sin(i * 1.1 + 0.5) + 0.4 * np.sin(i * 2.9))
    return int(round(dx)), int(round(dy))


def crop(world: Image.Image, x: int, y: int) -> Image.Image:
    return world.crop((x, y, x + W, y + H))


def frames():
    """Yield (scene_name, PIL frame) for the whole video."""
    for name, n in SCENES:
        if name == "title":
            base = scene_title()
            corner_label(base)
            for _ in range(n):
                yield name, base
        elif name in ("banner", "condemn"):
            world = scene_banner() if name == "banner" else scene_condemn()
            for i in range(n):
                dx, dy = shake(i + (0 if name == "banner" else 40))
                fr = crop(world, MARGIN + dx, MARGIN + dy)
                corner_label(fr)
                yield name, fr
        elif name == "khomeini":
            world = scene_khomeini()
            for i in range(n):
                # pan right-to-left across the scene: the sign moves leftwards
                x = round(PAN_PX * i / (n - 1))
                dx, dy = shake(i, amp=1.5)
                fr = crop(world, MARGIN + x + dx, MARGIN + dy)
                corner_label(fr)
                yield name, fr
        elif name == "lal":
            world = scene_lal()
            for i in range(n):
                dx, dy = shake(i + 100, amp=2.0)
                fr = crop(world, MARGIN + dx, MARGIN + dy)
                corner_label(fr)
                yield name, fr


def scene_times() -> list[tuple[str, float, float]]:
    out, t = [], 0
    for name, n in SCENES:
        out.append((name, t / FPS, (t + n) / FPS))
        t += n
    return out


# --------------------------------------------------------------------------
# encoding
# --------------------------------------------------------------------------


def render(out: Path) -> Path:
    if not features.check("raqm"):
        raise RuntimeError("Pillow was built without libraqm; Urdu text cannot be shaped")
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=".mp4", dir=out.parent)
    os.close(fd)
    try:
        with av.open(tmp, mode="w", format="mp4") as container:
            stream = container.add_stream("libx264", rate=FPS)
            stream.width, stream.height = W, H
            stream.pix_fmt = "yuv420p"
            stream.time_base = Fraction(1, FPS)
            stream.options = {
                "crf": str(CRF),
                "preset": "slow",
                "tune": "stillimage",
                "threads": "1",  # bit-exact output across machines/runs
            }
            stream.codec_context.options = {"x264-params": "keyint=250:min-keyint=25"}
            for idx, (_name, fr) in enumerate(frames()):
                vf = av.VideoFrame.from_ndarray(np.asarray(fr.convert("RGB")), format="rgb24")
                vf.pts = idx
                vf.time_base = Fraction(1, FPS)
                for pkt in stream.encode(vf):
                    container.mux(pkt)
            for pkt in stream.encode(None):
                container.mux(pkt)
        os.chmod(tmp, 0o644)  # mkstemp creates 0600
        os.replace(tmp, out)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument(
        "--out", type=Path, default=DEFAULT_OUT, help=f"output mp4 path (default: {DEFAULT_OUT})"
    )
    args = ap.parse_args(argv)
    path = render(args.out)
    total = sum(n for _, n in SCENES)
    print(f"wrote {path} ({path.stat().st_size} bytes, {total} frames, {total / FPS:.2f} s)")
    for name, t0, t1 in scene_times():
        print(f"  {name:9s} {t0:6.2f} - {t1:6.2f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
