"""Render the OCR evaluation set: signs and banners with known text on frame-like backgrounds.

Deterministic (fixed seeds). Writes PNG/JPEG images and ``truth.json`` into a cache folder,
by default ``~/.cache/geoverify/bench/ocr_eval/`` (not committed)::

    .venv/bin/python benchmarks/make_ocr_eval.py [--out DIR] [--per-group N]

Groups: font (Naskh, Nastaliq, Sans English, mixed Naskh + English) x text size (20, 40, 80,
120 px) x degradation (clean, JPEG q30, Gaussian blur, 10-15 degree perspective).
"""

from __future__ import annotations

import argparse
import io
import json
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

FONTS = Path("/usr/share/fonts/truetype/noto")
NASKH = FONTS / "NotoNaskhArabic-Regular.ttf"
NASTALIQ = FONTS / "NotoNastaliqUrdu-Regular.ttf"
SANS = FONTS / "NotoSans-Regular.ttf"

URDU = [
    "کرگل",
    "خمینی چوک",
    "لال چوک",
    "اثنا عشریہ",
    "انجمن جمعیت العلماء",
    "کوئٹہ",
    "ہزارہ ٹاؤن",
    "مظفرآباد",
    "سکردو",
    "پاراچنار",
    "علمدار روڈ",
    "سری نگر",
]
ENGLISH = [
    "KARGIL",
    "Khomeini Chowk",
    "LAL CHOWK",
    "Hazara Town",
    "Muzaffarabad",
    "Skardu Road",
    "Parachinar",
    "Alamdar Road",
    "Srinagar",
    "Quetta",
    "Anjuman Jamiat Ulama",
    "Isna Asharia",
]
FONT_GROUPS = ("naskh", "nastaliq", "sans", "mixed")
SIZES = (20, 40, 80, 120)
DEGRADATIONS = ("clean", "jpeg30", "blur", "perspective")
W, H = 1280, 720


def _background(rng: np.random.Generator) -> Image.Image:
    """A frame-like scene: sky/wall gradient, blocks of 'buildings', noise."""
    top = rng.integers(90, 200, 3)
    bot = rng.integers(40, 140, 3)
    ramp = np.linspace(0, 1, H)[:, None, None]
    img = (top * (1 - ramp) + bot * ramp) * np.ones((H, W, 3))
    for _ in range(6):
        x0, y0 = int(rng.integers(0, W - 100)), int(rng.integers(H // 3, H - 60))
        x1, y1 = x0 + int(rng.integers(80, 400)), min(H, y0 + int(rng.integers(60, 300)))
        img[y0:y1, x0:x1] = rng.integers(30, 170, 3)
    img += rng.normal(0, 6, img.shape)
    return Image.fromarray(np.clip(img, 0, 255).astype(np.uint8))


def _font(group: str, size: int, latin: bool = False) -> ImageFont.FreeTypeFont:
    path = SANS if latin or group == "sans" else NASKH if group in ("naskh", "mixed") else NASTALIQ
    return ImageFont.truetype(str(path), size, layout_engine=ImageFont.Layout.RAQM)


def _draw_line(draw: ImageDraw.ImageDraw, xy: tuple[int, int], text: str, font, fill, rtl: bool):
    kw = {"direction": "rtl", "language": "ur"} if rtl else {}
    draw.text(xy, text, font=font, fill=fill, **kw)


def render(group: str, size: int, degradation: str, idx: int, seed: int) -> tuple[Image.Image, str]:
    rng = np.random.default_rng(seed)
    frame = _background(rng)
    if group == "sans":
        text, parts = ENGLISH[idx % len(ENGLISH)], [(ENGLISH[idx % len(ENGLISH)], False)]
    elif group == "mixed":
        ur, en = URDU[idx % len(URDU)], ENGLISH[(idx * 5 + 3) % len(ENGLISH)]
        parts = [(ur, True), (en, False)]
        text = f"{ur} {en}"
    else:
        text = URDU[idx % len(URDU)]
        parts = [(text, True)]
    fonts = [_font(group, size, latin=not rtl) for _, rtl in parts]
    boxes = [f.getbbox(t, direction="rtl" if rtl else None) for (t, rtl), f in zip(parts, fonts)]
    gap = size // 2
    tw = sum(b[2] - b[0] for b in boxes) + gap * (len(parts) - 1)
    th = max(b[3] - b[1] for b in boxes)
    pad = max(12, size // 3)
    sw, sh = min(W - 20, tw + 2 * pad), th + 2 * pad
    dark_on_light = bool(rng.integers(0, 2))
    bg = tuple(
        int(v) for v in (rng.integers(200, 255, 3) if dark_on_light else rng.integers(0, 90, 3))
    )
    fg = (20, 20, 25) if dark_on_light else (245, 245, 240)
    sign = Image.new("RGB", (sw, sh), bg)
    d = ImageDraw.Draw(sign)
    # mixed lines: Urdu on the right, English to its left (visual order of an RTL line)
    x = sw - pad
    for (t, rtl), f, b in zip(parts, fonts, boxes):
        x -= b[2] - b[0]
        _draw_line(d, (x - b[0], pad - min(bb[1] for bb in boxes)), t, f, fg, rtl)
        x -= gap
    sx = int(rng.integers(10, max(11, W - sw - 10)))
    sy = int(rng.integers(10, max(11, H - sh - 10)))
    frame.paste(sign, (sx, sy))
    arr = np.asarray(frame)
    if degradation == "blur":
        k = 3 if size <= 40 else 5
        arr = cv2.GaussianBlur(arr, (k, k), 1.0 + size / 80)
    elif degradation == "perspective":
        ang = float(rng.uniform(10, 15)) * (1 if rng.integers(0, 2) else -1)
        cx, cy = sx + sw / 2, sy + sh / 2
        m = cv2.getRotationMatrix2D((cx, cy), ang, 1.0)
        arr = cv2.warpAffine(arr, m, (W, H), borderMode=cv2.BORDER_REFLECT)
        src = np.float32([[0, 0], [W, 0], [W, H], [0, H]])
        dx = W * 0.04
        dst = np.float32([[dx, 0], [W - dx, 0], [W, H], [0, H]])
        arr = cv2.warpPerspective(arr, cv2.getPerspectiveTransform(src, dst), (W, H))
    img = Image.fromarray(np.ascontiguousarray(arr))
    if degradation == "jpeg30":
        buf = io.BytesIO()
        img.save(buf, "JPEG", quality=30)
        buf.seek(0)
        img = Image.open(buf).convert("RGB")
    return img, text


def main(argv: list[str] | None = None) -> Path:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default=str(Path.home() / ".cache/geoverify/bench/ocr_eval"))
    ap.add_argument("--per-group", type=int, default=2, help="images per group (default 2)")
    args = ap.parse_args(argv)
    out = Path(args.out).expanduser()
    out.mkdir(parents=True, exist_ok=True)
    truth = []
    seed = 0
    for group in FONT_GROUPS:
        for size in SIZES:
            for deg in DEGRADATIONS:
                for k in range(args.per_group):
                    seed += 1
                    idx = (seed * 7 + k) % 12
                    img, text = render(group, size, deg, idx, seed)
                    name = f"{group}_{size}_{deg}_{k}.png"
                    img.save(out / name)
                    truth.append(
                        {
                            "file": name,
                            "text": text,
                            "font": group,
                            "size": size,
                            "degradation": deg,
                        }
                    )
    (out / "truth.json").write_text(
        json.dumps(truth, ensure_ascii=False, indent=1), encoding="utf-8"
    )
    print(f"{len(truth)} images in {out}")
    return out


if __name__ == "__main__":
    main()
