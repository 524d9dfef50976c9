"""The README's and the docs' pictures, remade from the page as it is now.

    python scripts/pictures.py            # take them (JupyterLab, headless Chromium), shrink them into docs/img/
    python scripts/pictures.py -k drag    # only the shots whose name matches (pytest's -k), then shrink those
    python scripts/pictures.py --check    # every picture README.md and docs/ show exists, within its budget

The shots are tests/e2e/shots.py: the end-to-end tests' server, notebooks and helpers (tests/e2e/notebook.py),
each shot asserting the state it shows before it is taken. They run in a temporary folder (the raw screenshots,
JupyterLab's state), never in the repository; only the shrunk pictures are written, to docs/img/. `bash run.sh
pictures` does the same after installing what it needs. Needs Pillow (the `dev` extra has it).
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
IMG = ROOT / "docs" / "img"
BUDGET = {".png": 150_000, ".gif": 300_000}  # bytes per committed picture

# raw screenshot (without .png) -> (picture in docs/img, colours, widest it may be in px)
STILLS = {
    "neuron-step-light": ("neuron-step-light.png", 256, None),
    "neuron-step-dark": ("neuron-step-dark.png", 256, None),
    "neuron-step-420-light": ("neuron-step-narrow-light.png", 256, None),
    "mlp-light": ("mlp-folded-light.png", 256, None),
    "mlp-dark": ("mlp-folded-dark.png", 256, None),
    "demo-light": ("micrograd-demo-light.png", 256, None),
    "demo-dark": ("micrograd-demo-dark.png", 256, None),
    "learner-light": ("learner-faulty-node-light.png", 256, None),
    "learner-dark": ("learner-faulty-node-dark.png", 256, None),
    "saved-light": ("saved-page-light.png", 256, None),
    "saved-dark": ("saved-page-dark.png", 256, None),
    "present-light": ("presenter-light.png", 256, 1280),
    "present-dark": ("presenter-dark.png", 256, 1280),
}
GIF = "neuron-drag.gif"
GIF_WIDTH = 720  # px: the frames are scaled down to this, so the file stays under its budget


def take(raw: Path, work: Path, select: str | None) -> None:
    """Run the shots; the raw screenshots land in `raw`."""
    command = [sys.executable, "-m", "pytest", str(ROOT / "tests" / "e2e" / "shots.py"), "-q", "-p", "no:cacheprovider"]
    command += [f"--basetemp={work / 'pytest'}", "--rootdir", str(ROOT)]
    if select:
        command += ["-k", select]
    env = {**os.environ, "LIVEGRAD_PICTURES": str(raw), "TMPDIR": str(work)}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT / "src"), env.get("PYTHONPATH")]))
    subprocess.run(command, cwd=ROOT, env=env, check=True)


def shrink_still(source: Path, target: Path, colours: int, widest: int | None) -> None:
    """A screenshot as a palette PNG: a user interface has few colours, so a palette of 256 keeps every one
    of the legend's (no dithering, which would speckle flat fills) at a fraction of the size."""
    from PIL import Image

    image = Image.open(source).convert("RGB")
    if widest and image.width > widest:
        image = image.resize((widest, round(image.height * widest / image.width)), Image.Resampling.LANCZOS)
    image.quantize(colours, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE).save(target, optimize=True)


def make_gif(frames: list[Path], target: Path) -> None:
    """The drag's frames as one looping GIF, all on one palette (so nothing flickers from frame to frame)."""
    from PIL import Image

    images = [Image.open(f).convert("RGB") for f in frames]
    width = min(GIF_WIDTH, images[0].width)
    height = round(images[0].height * width / images[0].width)
    images = [im.resize((width, height), Image.Resampling.LANCZOS) for im in images]
    sheet = Image.new("RGB", (width, height * len(images)))
    for k, im in enumerate(images):
        sheet.paste(im, (0, k * height))
    palette = sheet.quantize(256, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE)
    quantized = [im.quantize(palette=palette, dither=Image.Dither.NONE) for im in images]
    durations = [900] + [320] * (len(quantized) - 2) + [1500]
    quantized[0].save(
        target, save_all=True, append_images=quantized[1:], duration=durations, loop=0, optimize=True, disposal=1
    )


def shrink(raw: Path) -> list[Path]:
    IMG.mkdir(parents=True, exist_ok=True)
    written = []
    for name, (picture, colours, widest) in STILLS.items():
        source = raw / f"{name}.png"
        if source.exists():
            shrink_still(source, IMG / picture, colours, widest)
            written.append(IMG / picture)
    frames = sorted((raw / "drag").glob("*.png"))
    if frames:
        make_gif(frames, IMG / GIF)
        written.append(IMG / GIF)
    return written


# Pictures a page shows: Markdown images and HTML src/srcset (a fragment such as #only-dark is not the file's).
REFERENCE = re.compile(r"!\[(?:[^\[\]]|\[[^\]]*\])*\]\(([^)\s#]+)[^)]*\)|(?:src|srcset)=\"([^\"#]+)")


def check() -> list[str]:
    """Every picture README.md and the docs pages show exists and is within its budget; every picture in
    docs/img is shown somewhere. Returns the problems (none: all is well)."""
    problems, shown = [], set()
    pages = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
    for page in pages:
        for match in REFERENCE.finditer(page.read_text(encoding="utf-8")):
            link = match.group(1) or match.group(2)
            if re.match(r"[a-z]+:", link):
                continue  # a web address
            path = (page.parent / link).resolve()
            shown.add(path)
            if not path.is_file():
                problems.append(f"{page.relative_to(ROOT)}: no picture {link}")
    for picture in sorted(IMG.glob("*")):
        budget = BUDGET.get(picture.suffix)
        if budget and picture.stat().st_size > budget:
            problems.append(f"{picture.relative_to(ROOT)}: {picture.stat().st_size:,} B, over its {budget:,} B")
        if picture.resolve() not in shown:
            problems.append(f"{picture.relative_to(ROOT)}: shown on no page")
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-k", dest="select", help="only the shots whose test name matches (pytest -k)")
    parser.add_argument("--check", action="store_true", help="only check the pictures the pages show")
    parser.add_argument("--raw", type=Path, help="keep the full-size screenshots in this folder, to look at")
    args = parser.parse_args()
    if not args.check:
        with tempfile.TemporaryDirectory(prefix="livegrad-pictures.") as folder:
            raw = args.raw.resolve() if args.raw else Path(folder) / "raw"
            raw.mkdir(parents=True, exist_ok=True)
            take(raw, Path(folder), args.select)
            for picture in shrink(raw):
                print(f"{picture.relative_to(ROOT)}: {picture.stat().st_size:,} B")
            missing = [f"{name}.png" for name in STILLS if not (raw / f"{name}.png").exists()]
            if not args.select and missing:  # a shot skipped (no Chromium?) leaves the old picture in place
                print(f"not taken: {', '.join(missing)} (pytest's report above says why)", file=sys.stderr)
                return 1
    problems = check()
    for problem in problems:
        print(problem, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
