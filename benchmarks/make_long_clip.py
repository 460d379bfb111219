"""Render a deterministic ~3 minute synthetic street clip for ``benchmarks/frames.py``.

Twelve shots of Pillow-drawn signs (English, and Urdu in Noto Naskh Arabic shaped with Raqm):
static shots, slow pans, hard cuts, mild hand shake, and two shots that return later (A-B-A).
The output (960x540 H.264, 25 fps) is not committed; it is rebuilt in well under two minutes.

    .venv/bin/python benchmarks/make_long_clip.py [--out PATH] [--seconds-scale 1.0]
"""

from __future__ import annotations

import argparse
import math
import time
from dataclasses import dataclass
from pathlib import Path

import av
import numpy as np
from PIL import Image, ImageDraw, ImageFont

W, H, FPS = 960, 540, 25
LATIN = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"
URDU = "/usr/share/fonts/truetype/noto/NotoNaskhArabic-Regular.ttf"
DEFAULT_OUT = Path.home() / ".cache" / "geoverify" / "bench" / "long_clip.mp4"


@dataclass
class Shot:
    world: str  # key of the scene drawn (a returning shot reuses its world)
    seconds: float
    pan: tuple[float, float] = (0.0, 0.0)  # pixels per second (x, y) across the world image
    shake: float = 0.0  # amplitude in pixels


def _font(path: str, size: int, urdu: bool = False) -> ImageFont.FreeTypeFont:
    layout = ImageFont.Layout.RAQM if urdu else ImageFont.Layout.BASIC
    return ImageFont.truetype(path, size, layout_engine=layout)


def _background(
    rng: np.random.Generator, w: int, h: int, base: tuple[int, int, int]
) -> Image.Image:
    """A textured wall: base colour, mild blotches and brick-like lines (deterministic).

    Stronger texture (sd 10) made Tesseract miss most signs on most frames, so the recall
    measured OCR luck rather than frame selection."""
    noise = rng.normal(0, 4, (h // 8 + 1, w // 8 + 1, 1)).repeat(8, 0).repeat(8, 1)[:h, :w]
    arr = np.clip(np.array(base, np.float32)[None, None] + noise, 0, 255).astype(np.uint8)
    im = Image.fromarray(arr)
    d = ImageDraw.Draw(im)
    for y in range(0, h, 40):
        d.line([(0, y), (w, y)], fill=tuple(max(0, c - 30) for c in base), width=2)
    return im


def _sign(
    im: Image.Image,
    xy: tuple[int, int],
    lines: list[str],
    *,
    urdu: bool = False,
    size: int = 56,
    fg: str = "white",
    bg: str = "#1c4f8c",
) -> None:
    d = ImageDraw.Draw(im)
    font = _font(URDU if urdu else LATIN, size, urdu)
    kw = {"direction": "rtl", "language": "ur"} if urdu else {}
    boxes = [d.textbbox((0, 0), line, font=font, **kw) for line in lines]
    tw = max(b[2] - b[0] for b in boxes)
    lh = int(size * (1.9 if urdu else 1.3))
    x, y = xy
    d.rectangle([x, y, x + tw + 60, y + lh * len(lines) + 30], fill=bg, outline="black", width=4)
    for i, (line, b) in enumerate(zip(lines, boxes, strict=True)):
        d.text(
            (x + 30 - b[0], y + 15 + i * lh - b[1] + (lh - (b[3] - b[1])) // 2),
            line,
            font=font,
            fill=fg,
            **kw,
        )


def _worlds(rng: np.random.Generator) -> dict[str, Image.Image]:
    w: dict[str, Image.Image] = {}
    im = Image.new("RGB", (W, H), "black")
    d = ImageDraw.Draw(im)
    d.text((120, 200), "FIELD FOOTAGE", font=_font(LATIN, 80), fill="white")
    d.text((120, 310), "Sector 7 - market walk", font=_font(LATIN, 44), fill="#cccccc")
    w["title"] = im
    im = _background(rng, W + 40, H + 40, (150, 120, 90))
    _sign(im, (180, 170), ["MAIN BAZAAR ROAD"], size=64, bg="#0a6b2e")
    w["bazaar"] = im
    im = _background(rng, 2600, H + 40, (120, 110, 100))
    _sign(im, (80, 150), ["CITY BAKERY", "Fresh bread daily"], size=48, bg="#8c3b1c")
    _sign(im, (950, 190), ["ALI MOBILES"], size=58, bg="#222288")
    _sign(im, (1750, 140), ["GREEN HOTEL", "Rooms available"], size=50, bg="#0a6b2e")
    w["shops"] = im
    im = _background(rng, W + 40, H + 40, (90, 100, 120))
    _sign(im, (200, 160), ["لاہور ریلوے اسٹیشن"], urdu=True, size=64, bg="#f2f2f2", fg="black")
    w["railway_ur"] = im
    im = _background(rng, W + 40, H + 40, (170, 160, 140))
    _sign(im, (120, 120), ["WELCOME TO GILGIT", "Gateway to the north"], size=56, bg="#b31b1b")
    w["gilgit"] = im
    im = _background(rng, W + 40, 1300, (100, 90, 80))
    _sign(
        im,
        (150, 80),
        [
            "NOTICE",
            "Water supply closed",
            "Tuesday 9 am - 5 pm",
            "Ward office no. 4",
            "Tel 0581 920 33",
        ],
        size=54,
        bg="#f5f0dc",
        fg="black",
    )
    w["notice"] = im
    im = _background(rng, 1800, H + 40, (130, 140, 120))
    _sign(im, (160, 180), ["کراچی پریس کلب"], urdu=True, size=68, bg="#1c4f8c")
    w["press_ur"] = im
    im = _background(rng, W + 40, H + 40, (200, 200, 205))
    _sign(im, (160, 100), ["PHARMACY"], size=80, bg="#0f7a3a")
    _sign(im, (260, 330), ["OPEN 24 HOURS"], size=48, bg="#333333")
    w["pharmacy"] = im
    im = _background(rng, W + 40, H + 40, (110, 150, 190))
    _sign(im, (170, 130), ["ISLAMABAD 120 km", "PESHAWAR 45 km"], size=60, bg="#0a5c2a")
    w["road"] = im
    im = _background(rng, W + 40, H + 40, (160, 130, 110))
    _sign(im, (180, 170), ["مدینہ جنرل اسٹور"], urdu=True, size=70, bg="#ffd23f", fg="black")
    w["store_ur"] = im
    return w


SHOTS = [
    Shot("title", 10),
    Shot("bazaar", 15, shake=2.0),
    Shot("shops", 20, pan=(80.0, 0.0), shake=1.0),
    Shot("railway_ur", 15),
    Shot("gilgit", 15, shake=2.0),
    Shot("bazaar", 10, shake=2.0),  # returns: A-B-A
    Shot("notice", 20, pan=(0.0, 36.0)),
    Shot("press_ur", 15, pan=(55.0, 0.0), shake=1.0),
    Shot("pharmacy", 15),
    Shot("road", 15, shake=1.5),
    Shot("store_ur", 15),
    Shot("gilgit", 15),  # returns
]


def render(out: Path, scale: float = 1.0) -> Path:
    rng = np.random.default_rng(7)
    worlds = {k: np.asarray(v) for k, v in _worlds(rng).items()}
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(".tmp.mp4")
    with av.open(str(tmp), "w") as container:
        stream = container.add_stream(
            "libx264", rate=FPS, options={"preset": "veryfast", "crf": "20"}
        )
        stream.width, stream.height, stream.pix_fmt = W, H, "yuv420p"
        for shot in SHOTS:
            world = worlds[shot.world]
            wh, ww = world.shape[:2]
            n = int(round(shot.seconds * scale * FPS))
            for i in range(n):
                t = i / FPS
                x = 20 + shot.pan[0] * t + shot.shake * math.sin(2.1 * t * 6.28 + i % 3)
                y = 20 + shot.pan[1] * t + shot.shake * math.cos(1.7 * t * 6.28)
                if shot.world == "title":
                    x = y = 0
                x = int(min(max(0, x), ww - W))
                y = int(min(max(0, y), wh - H))
                img = np.ascontiguousarray(world[y : y + H, x : x + W])
                frame = av.VideoFrame.from_ndarray(img, format="rgb24")
                for packet in stream.encode(frame):
                    container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    tmp.replace(out)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    ap.add_argument("--seconds-scale", type=float, default=1.0, help="shorten every shot (tests)")
    args = ap.parse_args()
    t0 = time.perf_counter()
    path = render(args.out, args.seconds_scale)
    print(
        f"wrote {path} ({sum(s.seconds for s in SHOTS) * args.seconds_scale:.0f} s) "
        f"in {time.perf_counter() - t0:.1f} s"
    )


if __name__ == "__main__":
    main()
