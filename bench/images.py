"""How fast, and in how much memory, a phone photo becomes what we store.

    .venv/bin/python -m bench.images                  # 12 MP, as phones send
    .venv/bin/python -m bench.images --width 800 --height 600 --repeats 1 --rounds 1

Makes a 4032x3024 phone JPEG (EXIF orientation 6 and a GPS position) and
the same picture as HEIC, then normalises each with the project's pipeline
(`image_normalize`) and with a straightforward Pillow version that makes the
same outputs (open, exif_transpose, resize, save: a working copy, a WebP
thumbnail and a BlurHash). Every variant runs in a fresh process, so its peak
memory is the process's peak RSS (VmHWM, else ru_maxrss), decoder buffers
included; the baseline is that of a process that only imported the same
modules.
Prints one JSON object. On a shared machine compare the ratios, not the
absolute figures.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

VARIANTS = ("pipeline", "plain")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--width", type=int, default=4032)
    parser.add_argument("--height", type=int, default=3024)
    parser.add_argument("--repeats", type=int, default=3, help="timed runs in each process")
    parser.add_argument("--rounds", type=int, default=3, help="fresh processes per variant, taken in turns")
    parser.add_argument("--max-side", type=int, default=1600)
    parser.add_argument("--thumbnail-side", type=int, default=384)
    parser.add_argument(
        "--grain", type=int, default=16, help="sensor noise in the made photo: 16 a noisy low-light shot, 4 a clean daylight one"
    )
    parser.add_argument("--child", nargs=2, metavar=("VARIANT", "PATH"), help=argparse.SUPPRESS)
    parser.add_argument("--make", metavar="FOLDER", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(_child(*args.child, args)))
        return
    if args.make:
        for kind, content in _phone_photos(args.width, args.height, args.grain).items():
            (Path(args.make) / f"photo.{kind}").write_bytes(content)
        return

    sizes = ["--repeats", str(args.repeats), "--max-side", str(args.max_side), "--thumbnail-side", str(args.thumbnail_side)]
    results = {}
    with tempfile.TemporaryDirectory(prefix="platepilot-bench-") as folder:
        # Made in a process of its own: this one stays small, and its
        # children start from nothing.
        _run(["--make", folder, "--width", str(args.width), "--height", str(args.height), "--grain", str(args.grain)], parse=False)
        for kind in ("jpeg", "heic"):
            path = Path(folder) / f"photo.{kind}"
            content = path.read_bytes()
            # The variants take turns, so that both see the same machine load.
            rounds = [{variant: _run(["--child", variant, str(path), *sizes]) for variant in VARIANTS}
                      for _ in range(args.rounds)]  # fmt: skip
            runs = {variant: _merged([one[variant] for one in rounds]) for variant in VARIANTS}
            if runs["pipeline"]["output"] != runs["plain"]["output"]:
                raise SystemExit(f"the variants made different outputs: {runs}")
            results[kind] = {
                "bytes": len(content),
                "output": runs["pipeline"]["output"],
                **{variant: {k: v for k, v in run.items() if k != "output"} for variant, run in runs.items()},
                "speedup": round(runs["plain"]["median_ms"] / runs["pipeline"]["median_ms"], 2),
                "peak_rss_ratio": round(runs["pipeline"]["peak_rss_mib"] / runs["plain"]["peak_rss_mib"], 2),
            }
        baseline = _run(["--child", "baseline", str(path), *sizes])
    print(
        json.dumps(
            {
                "bench": "images",
                "machine": platform.machine(),
                "cpus": os.cpu_count(),
                "load_avg": [round(load, 2) for load in os.getloadavg()],
                "source": [args.width, args.height],
                "runs": args.rounds * args.repeats,
                "baseline_rss_mib": baseline["peak_rss_mib"],
                **results,
            }
        )
    )


def _merged(runs: list[dict]) -> dict:
    times = [ms for run in runs for ms in run["times_ms"]]
    return {
        "median_ms": round(statistics.median(times), 1),
        "min_ms": round(min(times), 1),
        "peak_rss_mib": max(run["peak_rss_mib"] for run in runs),
        "output": runs[0]["output"],
    }


def _run(arguments: list[str], parse: bool = True) -> dict | None:
    done = subprocess.run(
        [sys.executable, "-m", "bench.images", *arguments],
        cwd=Path(__file__).resolve().parents[1], capture_output=True, text=True,
    )  # fmt: skip
    if done.returncode:
        raise SystemExit(f"bench.images {' '.join(arguments)} failed:\n{done.stderr}")
    return json.loads(done.stdout) if parse else None


def _phone_photos(width: int, height: int, grain: int) -> dict[str, bytes]:
    """A detailed, grainy picture as a phone JPEG and as a HEIC, both with
    EXIF orientation 6 and a GPS position. At 12 MP the JPEG is about 3.6 MB
    and decodes in about the time a real phone photo does."""
    import pillow_heif
    from PIL import ExifTags, Image, ImageChops

    pillow_heif.register_heif_opener()
    detail = Image.effect_mandelbrot((width, height), (-2.2, -1.2, 1.0, 1.2), 100)
    gradient = Image.linear_gradient("L").resize((width, height))
    channels = [
        ImageChops.add(base, Image.effect_noise((width, height), grain), scale=2.0, offset=-64)
        for base in (detail, gradient, ImageChops.invert(detail))
    ]
    picture = Image.merge("RGB", channels)
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef], gps[ExifTags.GPS.GPSLatitude] = "N", (48.0, 51.0, 24.0)
    photos = {}
    # HEIC at about half the JPEG's bytes, as phones write it.
    for kind, fmt, quality in (("jpeg", "JPEG", 92), ("heic", "HEIF", 50)):
        out = io.BytesIO()
        picture.save(out, fmt, quality=quality, exif=exif.tobytes())
        photos[kind] = out.getvalue()
    return photos


def _child(variant: str, path: str, args) -> dict:
    _django_configured()
    from recipes_api.photos.images import ImageRules, image_normalize

    data = Path(path).read_bytes()
    if variant == "baseline":
        return {"peak_rss_mib": _peak_rss_mib()}
    rules = ImageRules(
        max_bytes=len(data), max_pixels=10**9, min_side=1, max_aspect=100,
        max_side=args.max_side, thumbnail_side=args.thumbnail_side,
    )  # fmt: skip
    normalize = {"pipeline": lambda: image_normalize(io.BytesIO(data), rules), "plain": lambda: _plain(data, rules)}
    made = normalize[variant]()  # the first run loads codecs; it is not timed
    times = []
    for _ in range(args.repeats):
        started = time.perf_counter()
        normalize[variant]()
        times.append((time.perf_counter() - started) * 1000)
    from PIL import Image

    working, thumbnail = Image.open(io.BytesIO(made.content)), Image.open(io.BytesIO(made.thumbnail))
    return {
        "times_ms": [round(ms, 1) for ms in times],
        "peak_rss_mib": _peak_rss_mib(),
        "output": {"working": list(working.size), "thumbnail": list(thumbnail.size)},
    }


def _plain(data: bytes, rules):
    """The straightforward version: decode everything, then shrink."""
    from PIL import Image, ImageOps

    from recipes_api.photos.images import NormalizedImage, image_blurhash

    # resize's own default filter (bicubic), the one the pipeline ends with.
    image = ImageOps.exif_transpose(Image.open(io.BytesIO(data))).convert("RGB")
    working = image.resize(_fit(image.size, rules.max_side))
    thumbnail = working.resize(_fit(working.size, rules.thumbnail_side))
    content = _saved(working, "JPEG", quality=90)
    return NormalizedImage(
        content=content, width=working.width, height=working.height, sha256="",
        thumbnail=_saved(thumbnail, "WEBP", quality=80), blurhash=image_blurhash(thumbnail),
        source_format="", original=data,
    )  # fmt: skip


def _fit(size: tuple[int, int], side: int) -> tuple[int, int]:
    scale = min(1.0, side / max(size))
    return max(1, round(size[0] * scale)), max(1, round(size[1] * scale))


def _saved(image, fmt: str, **options) -> bytes:
    image.info = {}
    out = io.BytesIO()
    image.save(out, fmt, **options)
    return out.getvalue()


def _peak_rss_mib() -> float:
    """Peak resident memory of this process. Linux's VmHWM belongs to the
    process image, while ru_maxrss survives exec and so may be the parent's."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)  # KiB on Linux


def _django_configured() -> None:
    """The pipeline's errors are DRF exceptions, which read Django settings
    when imported; empty settings will do, and touch no data folder."""
    from django.conf import settings

    if not settings.configured:
        settings.configure()


if __name__ == "__main__":
    main()
