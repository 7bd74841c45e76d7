"""Cheap but real PNGs for generated images: a colour per (job, index), the prompt written on it."""

from __future__ import annotations

import hashlib
import io
import re
import textwrap

from PIL import Image, ImageDraw, ImageFont

_ASPECT_RATIO = re.compile(r"--(?:ar|aspect)\s+(\d+)\s*:\s*(\d+)")


def aspect_ratio(prompt: str) -> tuple[int, int]:
    """The `--ar W:H` of a Midjourney prompt, 1:1 when absent or nonsensical."""
    match = _ASPECT_RATIO.search(prompt)
    if match is None:
        return 1, 1
    width, height = int(match.group(1)), int(match.group(2))
    if width <= 0 or height <= 0:
        return 1, 1
    return width, height


def image_size(prompt: str, long_side: int) -> tuple[int, int]:
    """Width and height for the prompt's aspect ratio with the longer side `long_side`."""
    width, height = aspect_ratio(prompt)
    if width >= height:
        return long_side, max(1, round(long_side * height / width))
    return max(1, round(long_side * width / height)), long_side


def _colour(seed: str, index: int) -> tuple[int, int, int]:
    digest = hashlib.sha256(f"{seed}:{index}".encode()).digest()
    return digest[0], digest[1], digest[2]


def _ink(background: tuple[int, int, int]) -> tuple[int, int, int]:
    red, green, blue = background
    luminance = 0.299 * red + 0.587 * green + 0.114 * blue
    return (0, 0, 0) if luminance > 140 else (255, 255, 255)


def render_png(*, seed: str, index: int, prompt: str, width: int, height: int) -> bytes:
    """A PNG whose colour depends on (seed, index) and which shows the index and the prompt."""
    background = _colour(seed, index)
    ink = _ink(background)
    image = Image.new("RGB", (width, height), background)
    draw = ImageDraw.Draw(image)
    short_side = min(width, height)
    title_font = ImageFont.load_default(size=max(12, short_side // 6))
    body_font = ImageFont.load_default(size=max(8, short_side // 28))
    margin = max(4, short_side // 20)
    draw.text((margin, margin), f"#{index}", fill=ink, font=title_font)
    line_chars = max(10, int(width / (body_font.size * 0.55)) - 2)
    lines = textwrap.wrap(prompt, width=line_chars)[: max(1, (height // 2) // body_font.size)]
    draw.multiline_text(
        (margin, height // 2), "\n".join(lines), fill=ink, font=body_font, spacing=2
    )
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()
