"""``hierattn-synth``: write a synthetic image-folder dataset (one folder per class)."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from ..runtime.console import CliApp, deprecated, log, run_or_exit, split_list
from .generate import DATASET_IMAGE_SIZE, STYLES, write_dataset

app = CliApp(help="Generate synthetic skin-lesion images (no clinical meaning).")


@app.command()
def main(
    out: Path = typer.Argument(..., help="Output folder; images go to OUT/<CLASS>/<style>_<index>.png."),
    per_class: int = typer.Option(100, "--per-class", help="Images per class (styles alternate)."),
    seed: int = typer.Option(0, "--seed", help="Dataset seed; the same seed writes the same images."),
    style: list[str] = typer.Option(list(STYLES), "--style", callback=split_list, help="Image styles: dermoscopy, smartphone; repeat or separate with commas."),
    size: int = typer.Option(DATASET_IMAGE_SIZE, "--size", help="Image side in pixels."),
    image_format: str = typer.Option("png", "--image-format", help="Image file format: png (lossless) or jpg (quality 92)."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON summary on stdout."),
    old_format: str | None = typer.Option(None, "--format", hidden=True, help="Deprecated spelling of --image-format."),
) -> None:
    """Write a seeded synthetic dataset of the eight ISIC2019 classes."""
    if old_format is not None:
        deprecated("hierattn-synth --format", "--image-format")
        image_format = old_format
    paths = run_or_exit(lambda: write_dataset(out, per_class, seed, style, size, image_format=image_format))
    summary = {"root": str(out), "images": len(paths), "per_class": per_class, "seed": seed, "styles": list(style)}
    if as_json:
        print(json.dumps(summary))
    else:
        log(f"wrote {len(paths)} images to {out}")


if __name__ == "__main__":
    app()
