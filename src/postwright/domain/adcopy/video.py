"""The builtin video renderer: an H.264 MP4 of brand-coloured cards with the script burned in
as captions, each shown for as long as it takes to say.

Captions are the script's sentences, split further so none runs past a few words; each is
timed at a speaking pace with a floor so short lines stay readable. Frames are drawn with
Pillow and joined by the ffmpeg binary shipped in the ``imageio-ffmpeg`` wheel (concat
demuxer with per-frame durations), so no system ffmpeg is needed.
"""

from __future__ import annotations

import asyncio
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import imageio_ffmpeg  # type: ignore[import-untyped]
from PIL import Image, ImageDraw

from postwright.domain.adcopy.avatar import round_portrait
from postwright.domain.adcopy.design import VIDEO_SIZES, Palette, draw_lines, fit_text

WORDS_PER_SECOND = 2.5  # about 150 words a minute, a comfortable voice-over pace
MIN_CAPTION_SECONDS = 1.2
MAX_CAPTION_WORDS = 8
FRAME_RATE = 25


@dataclass(frozen=True)
class Caption:
    text: str
    start: float
    end: float

    @property
    def duration(self) -> float:
        return self.end - self.start


def captions_for(script: str) -> list[Caption]:
    """The script cut into timed captions, back to back from 0."""
    chunks: list[str] = []
    for sentence in re.split(r"(?<=[.!?])\s+", " ".join(script.split())):
        words = sentence.split()
        if not words:
            continue
        # Split long sentences into near-equal pieces rather than leaving a one-word tail.
        pieces = -(-len(words) // MAX_CAPTION_WORDS)
        size = -(-len(words) // pieces)
        chunks.extend(" ".join(words[i : i + size]) for i in range(0, len(words), size))
    captions = []
    clock = 0.0
    for chunk in chunks:
        duration = max(MIN_CAPTION_SECONDS, len(chunk.split()) / WORDS_PER_SECOND)
        captions.append(Caption(chunk, round(clock, 3), round(clock + duration, 3)))
        clock += duration
    return captions


@dataclass(frozen=True)
class VideoSpec:
    script: str
    product_name: str
    aspect_ratio: str = "9:16"
    brand_colors: list[str] = field(default_factory=list)
    avatar: bytes | None = None  # the fetched avatarUrl image, shown as a round portrait


def portrait_box(aspect_ratio: str) -> tuple[int, int, int]:
    """Left, top and diameter of the avatar portrait on a frame."""
    width, height = VIDEO_SIZES[aspect_ratio]
    diameter = min(width, height) * 3 // 10
    return (
        (width - diameter) // 2,
        int(height * 0.58) - diameter - min(width, height) // 20,
        diameter,
    )


def _frame(
    spec: VideoSpec, caption: Caption, palette: Palette, portrait: Image.Image | None
) -> Image.Image:
    width, height = VIDEO_SIZES[spec.aspect_ratio]
    image = Image.new("RGB", (width, height), palette.background)
    draw = ImageDraw.Draw(image)
    unit = min(width, height)
    margin = width // 12
    if portrait is not None:
        left, top, _ = portrait_box(spec.aspect_ratio)
        image.paste(portrait, (left, top), portrait)
    draw.rectangle((0, 0, width, max(6, height // 100)), fill=palette.accent)
    name_face, name_lines = fit_text(
        draw,
        spec.product_name.upper(),
        max_width=width - 2 * margin,
        max_height=height // 8,
        largest=unit // 14,
        smallest=unit // 30,
    )
    draw_lines(
        draw, name_lines[:2], name_face, top=height // 10, centre_x=width // 2, fill=palette.accent
    )
    # The caption band sits in the lower third, where players expect subtitles.
    band_top = int(height * 0.62)
    draw.rounded_rectangle(
        (margin // 2, band_top, width - margin // 2, int(height * 0.9)),
        radius=unit // 30,
        fill=palette.accent,
    )
    face, lines = fit_text(
        draw,
        caption.text,
        max_width=width - 2 * margin,
        max_height=int(height * 0.24),
        largest=unit // 12,
        smallest=unit // 28,
    )
    block = len(lines) * int(face.size * 1.2)
    top = band_top + (int(height * 0.9) - band_top - block) // 2
    draw_lines(draw, lines, face, top=top, centre_x=width // 2, fill=palette.on_accent)
    return image


def _concat_list(frames: list[Path], captions: list[Caption]) -> str:
    entries = [
        f"file '{path.name}'\nduration {caption.duration:.3f}"
        for path, caption in zip(frames, captions, strict=True)
    ]
    # The concat demuxer ignores the last entry's duration unless the file is listed again.
    entries.append(f"file '{frames[-1].name}'")
    return "\n".join(entries) + "\n"


def _write_frames(spec: VideoSpec, captions: list[Caption], directory: Path) -> list[Path]:
    palette = Palette.for_brand(spec.brand_colors, "product_hero")
    portrait = None
    if spec.avatar is not None:
        portrait = round_portrait(spec.avatar, portrait_box(spec.aspect_ratio)[2])
    paths = []
    for index, caption in enumerate(captions):
        path = directory / f"frame{index:04d}.png"
        _frame(spec, caption, palette, portrait).save(path)
        paths.append(path)
    return paths


class VideoRenderError(RuntimeError):
    pass


async def render_video(spec: VideoSpec) -> bytes:
    """The MP4 bytes. Frames are drawn in a worker thread; ffmpeg runs as a subprocess."""
    captions = captions_for(spec.script)
    if not captions:
        raise VideoRenderError("the script has no words to show")
    with tempfile.TemporaryDirectory(prefix="postwright-video-") as temporary:
        directory = Path(temporary)
        frames = await asyncio.to_thread(_write_frames, spec, captions, directory)
        (directory / "frames.txt").write_text(_concat_list(frames, captions))
        output = directory / "video.mp4"
        process = await asyncio.create_subprocess_exec(
            imageio_ffmpeg.get_ffmpeg_exe(),
            "-hide_banner",
            "-loglevel",
            "error",
            "-y",
            "-f",
            "concat",
            "-safe",
            "0",
            "-i",
            "frames.txt",
            "-vf",
            f"fps={FRAME_RATE},format=yuv420p",
            "-c:v",
            "libx264",
            "-preset",
            "veryfast",
            "-tune",
            "stillimage",
            "-movflags",
            "+faststart",
            # The repeated last entry would otherwise add its own length to the end.
            "-t",
            f"{captions[-1].end:.3f}",
            output.name,
            cwd=directory,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.PIPE,
        )
        _, errors = await process.communicate()
        if process.returncode != 0:
            raise VideoRenderError(f"ffmpeg failed: {errors.decode(errors='replace')[-500:]}")
        return output.read_bytes()
