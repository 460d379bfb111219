"""Render a deterministic 3 minute synthetic street clip for ``benchmarks/frames.py``.

Fourteen shots of Pillow-drawn signs (English, and Urdu in Noto Naskh Arabic shaped with Raqm)
on textured walls, 960x540 H.264 at 25 fps: static shots, slow horizontal and vertical pans,
hard cuts, hand shake with a motion-blurred jolt every few frames (so that the sharpest frame
matters), a shot in which a second sign appears half way, and two shots that return later
(A-B-A). The text on every sign is in :data:`SIGN_LINES`, the ground truth for text recall.

The clip is not committed; it is written to a cache folder and rebuilt in well under two
minutes::

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
FONT_DIR = Path("/usr/share/fonts/truetype/noto")
LATIN = FONT_DIR / "NotoSans-Bold.ttf"
URDU = FONT_DIR / "NotoNaskhArabic-Bold.ttf"
DEFAULT_OUT = Path.home() / ".cache" / "geoverify" / "bench" / "long_clip.mp4"
SEED = 7


@dataclass(frozen=True)
class Shot:
    world: str  # key of the scene drawn (a returning shot reuses its world)
    seconds: float
    pan: tuple[float, float] = (0.0, 0.0)  # pixels per second (x, y) across the world image
    shake: float = 0.0  # amplitude in pixels; also a motion-blurred jolt every 7th frame
    appear: str | None = None  # a world that replaces this one half way through the shot


#: Every line of text drawn on a sign, per world (the ground truth for text recall).
SIGN_LINES: dict[str, list[str]] = {
    "title": ["FIELD FOOTAGE", "Sector 7 - market walk"],
    "bazaar": ["MAIN BAZAAR ROAD"],
    "shops": ["CITY BAKERY", "Fresh bread daily", "ALI MOBILES", "GREEN HOTEL", "Rooms available"],
    "railway_ur": ["لاہور ریلوے اسٹیشن"],
    "gilgit": ["WELCOME TO GILGIT", "Gateway to the north"],
    "notice": [
        "NOTICE",
        "Water supply closed",
        "Tuesday 9 am - 5 pm",
        "Ward office no. 4",
        "Tel 0581 920 33",
    ],
    "press_ur": ["کراچی پریس کلب", "PRESS CLUB"],
    "pharmacy": ["PHARMACY", "OPEN 24 HOURS"],
    "bus": ["BUS STOP"],
    "bus_route": ["BUS STOP", "Route 12 Skardu"],
    "road": ["ISLAMABAD 120 km", "PESHAWAR 45 km"],
    "store_ur": ["مدینہ جنرل اسٹور"],
}

SHOTS = [
    Shot("title", 8),
    Shot("bazaar", 14, shake=2.0),
    Shot("shops", 20, pan=(80.0, 0.0), shake=1.0),
    Shot("railway_ur", 12),
    Shot("gilgit", 14, shake=2.0),
    Shot("bazaar", 10, shake=2.0),  # returns: A-B-A
    Shot("notice", 18, pan=(0.0, 40.0)),
    Shot("press_ur", 14, pan=(55.0, 0.0), shake=1.0),
    Shot("pharmacy", 12),
    Shot("bus", 16, shake=1.5, appear="bus_route"),  # a route sign is put up half way
    Shot("road", 14, shake=1.5),
    Shot("store_ur", 12),
    Shot("gilgit", 10),  # returns
    Shot("shops", 6, pan=(-60.0, 0.0)),  # a short pan back along the shops
]


def _font(path: Path, size: int, urdu: bool = False) -> ImageFont.FreeTypeFont:
    layout = ImageFont.Layout.RAQM if urdu else ImageFont.Layout.BASIC
    return ImageFont.truetype(str(path), size, layout_engine=layout)


def _is_urdu(text: str) -> bool:
    return any("\u0600" <= ch <= "\u06ff" for ch in text)


def _background(
    rng: np.random.Generator, w: int, h: int, base: tuple[int, int, int]
) -> Image.Image:
    """A textured wall: base colour, soft blotches and brick-like lines (deterministic)."""
    noise = rng.normal(0, 10, (h // 8 + 1, w // 8 + 1, 1)).repeat(8, 0).repeat(8, 1)[:h, :w]
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
    size: int = 56,
    fg: str = "white",
    bg: str = "#1c4f8c",
) -> None:
    d = ImageDraw.Draw(im)
    fonts = [
        _font(URDU, int(size * 0.85), True) if _is_urdu(line) else _font(LATIN, size)
        for line in lines
    ]
    kws = [{"direction": "rtl", "language": "ur"} if _is_urdu(line) else {} for line in lines]
    boxes = [
        d.textbbox((0, 0), line, font=f, **kw)
        for line, f, kw in zip(lines, fonts, kws, strict=True)
    ]
    tw = max(b[2] - b[0] for b in boxes)
    lh = int(size * 1.45)
    x, y = xy
    d.rectangle([x, y, x + tw + 60, y + lh * len(lines) + 30], fill=bg, outline="black", width=4)
    for i, (line, f, kw, b) in enumerate(zip(lines, fonts, kws, boxes, strict=True)):
        d.text(
            (
                x + 30 + (tw - (b[2] - b[0])) // 2 - b[0],
                y + 15 + i * lh + (lh - (b[3] - b[1])) // 2 - b[1],
            ),
            line,
            font=f,
            fill=fg,
            **kw,
        )


def _worlds(rng: np.random.Generator) -> dict[str, Image.Image]:
    L = SIGN_LINES
    w: dict[str, Image.Image] = {}
    im = Image.new("RGB", (W, H), "black")
    d = ImageDraw.Draw(im)
    d.text((120, 200), L["title"][0], font=_font(LATIN, 80), fill="white")
    d.text((120, 320), L["title"][1], font=_font(LATIN, 44), fill="#cccccc")
    w["title"] = im
    im = _background(rng, W + 40, H + 40, (150, 120, 90))
    _sign(im, (180, 170), L["bazaar"], size=64, bg="#0a6b2e")
    w["bazaar"] = im
    im = _background(rng, 2600, H + 40, (120, 110, 100))
    _sign(im, (80, 150), L["shops"][:2], size=48, bg="#8c3b1c")
    _sign(im, (950, 190), L["shops"][2:3], size=58, bg="#222288")
    _sign(im, (1750, 140), L["shops"][3:], size=50, bg="#0a6b2e")
    w["shops"] = im
    im = _background(rng, W + 40, H + 40, (90, 100, 120))
    _sign(im, (200, 160), L["railway_ur"], size=60, bg="#f2f2f2", fg="black")
    w["railway_ur"] = im
    im = _background(rng, W + 40, H + 40, (170, 160, 140))
    _sign(im, (120, 120), L["gilgit"], size=56, bg="#b31b1b")
    w["gilgit"] = im
    im = _background(rng, W + 40, 1300, (100, 90, 80))
    _sign(im, (150, 80), L["notice"], size=54, bg="#f5f0dc", fg="black")
    w["notice"] = im
    im = _background(rng, 1800, H + 40, (130, 140, 120))
    _sign(im, (160, 180), L["press_ur"], size=60, bg="#1c4f8c")
    w["press_ur"] = im
    im = _background(rng, W + 40, H + 40, (200, 200, 205))
    _sign(im, (160, 100), L["pharmacy"][:1], size=80, bg="#0f7a3a")
    _sign(im, (260, 330), L["pharmacy"][1:], size=48, bg="#333333")
    w["pharmacy"] = im
    im = _background(rng, W + 40, H + 40, (140, 125, 115))
    _sign(im, (140, 120), L["bus"], size=60, bg="#0b4f9c")
    w["bus"] = im
    im = im.copy()
    _sign(im, (430, 330), L["bus_route"][1:], size=40, bg="#f2c200", fg="black")
    w["bus_route"] = im
    im = _background(rng, W + 40, H + 40, (110, 150, 190))
    _sign(im, (170, 130), L["road"], size=60, bg="#0a5c2a")
    w["road"] = im
    im = _background(rng, W + 40, H + 40, (160, 130, 110))
    _sign(im, (180, 170), L["store_ur"], size=62, bg="#ffd23f", fg="black")
    w["store_ur"] = im
    return w


def _frame(world: np.ndarray, x: int, y: int, blur: int) -> np.ndarray:
    """The W x H crop at (x, y); ``blur`` > 1 smears it horizontally (a jolt of the hand)."""
    if blur <= 1:
        return np.ascontiguousarray(world[y : y + H, x : x + W])
    x = min(x, world.shape[1] - W - blur)
    acc = np.zeros((H, W, 3), np.float32)
    for j in range(blur):
        acc += world[y : y + H, x + j : x + j + W]
    return (acc / blur).astype(np.uint8)


def render(out: Path, scale: float = 1.0) -> Path:
    """Render the clip to ``out`` (H.264, yuv420p); ``scale`` shortens every shot (tests)."""
    rng = np.random.default_rng(SEED)
    worlds = {k: np.asarray(v) for k, v in _worlds(rng).items()}
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.stem + ".tmp" + out.suffix)
    with av.open(str(tmp), "w") as container:
        stream = container.add_stream(
            "libx264", rate=FPS, options={"preset": "veryfast", "crf": "20", "threads": "2"}
        )
        stream.width, stream.height, stream.pix_fmt = W, H, "yuv420p"
        for shot in SHOTS:
            n = max(2, int(round(shot.seconds * scale * FPS)))
            for i in range(n):
                key = shot.appear if shot.appear and i >= n // 2 else shot.world
                world = worlds[key]
                wh, ww = world.shape[:2]
                t = i / FPS
                start_x = 20 if shot.pan[0] >= 0 else ww - W - 20
                x = start_x + shot.pan[0] * t + shot.shake * math.sin(2.1 * t * 6.28 + i % 3)
                y = 20 + shot.pan[1] * t + shot.shake * math.cos(1.7 * t * 6.28)
                if shot.world == "title":
                    x = y = 0
                x = int(min(max(0, x), ww - W))
                y = int(min(max(0, y), wh - H))
                blur = 9 if shot.shake and i % 7 == 3 else 1
                img = _frame(world, x, y, blur)
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
