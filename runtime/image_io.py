"""Decode any image input to an 8-bit RGB array, safely (see docs/preprocessing.md, "Decode").

Accepts a path, raw bytes, a PIL image or a uint8 array. Refuses decompression bombs before decoding
and turns every decoder failure into one InvalidImageError sentence.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from .errors import InvalidImageError
from .reduce import decoder_scale

MAX_PIXELS = 100_000_000
"""Largest accepted width x height; bigger files are refused as possible decompression bombs."""

ImageInput = str | Path | bytes | bytearray | Image.Image | np.ndarray

_SIXTEEN_BIT_MODES = ("I;16", "I;16B", "I;16L", "I;16N", "I")
_ORIENTATION = 0x0112
_SWAPPING_ORIENTATIONS = (5, 6, 7, 8)  # transpose, rotate 270, transverse, rotate 90: width and height swap


@dataclass(frozen=True)
class Decoded:
    """An image decoded for preprocessing version 2: possibly ``scale`` times smaller than the file.

    ``size`` is the full image's ``(width, height)`` after EXIF orientation, so a crop box found on
    ``image`` maps back to the file's coordinates (``reduce.scale_box(box, scale, *size)``).
    """

    image: Image.Image | np.ndarray  # RGB (mode RGB, or H x W x 3 uint8), EXIF orientation applied
    scale: int
    size: tuple[int, int]


def load_rgb(source: ImageInput, max_pixels: int = MAX_PIXELS) -> np.ndarray:
    """The image as an ``H x W x 3`` uint8 RGB array, EXIF orientation applied."""
    if isinstance(source, np.ndarray):
        return _array_to_rgb(source)
    return np.asarray(_open(source, max_pixels, None).image, dtype=np.uint8)


def decode_small(source: ImageInput, input_size: tuple[int, int], max_pixels: int = MAX_PIXELS) -> Decoded:
    """Decode for a model of ``input_size`` (version 2): JPEG files at the decoder scale of docs/preprocessing.md.

    Pillow's JPEG ``draft`` mode scales in the DCT domain (1/2, 1/4, 1/8), so a 12 MP photo is never
    decoded in full; other formats, PIL images and arrays come back at full size (scale 1).
    """
    if isinstance(source, np.ndarray):
        rgb = _array_to_rgb(source)
        return Decoded(Image.fromarray(rgb), 1, (rgb.shape[1], rgb.shape[0]))
    return _open(source, max_pixels, input_size)


def _open(source: ImageInput, max_pixels: int, input_size: tuple[int, int] | None) -> Decoded:
    if not isinstance(source, (str, Path, bytes, bytearray, Image.Image)):
        raise InvalidImageError(
            f"cannot read an image from a {type(source).__name__}; pass a path, bytes, a PIL image or a uint8 array."
        )
    name = "image" if isinstance(source, Image.Image) else "bytes" if isinstance(source, (bytes, bytearray)) else str(source)
    try:
        with warnings.catch_warnings():
            # our own MAX_PIXELS check below decides; Pillow's warning threshold (89 MP) would be a second limit
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            if isinstance(source, Image.Image):
                return _decode(source, name, max_pixels, None)
            stream = io.BytesIO(bytes(source)) if isinstance(source, (bytes, bytearray)) else source
            with Image.open(stream) as image:
                return _decode(image, name, max_pixels, input_size)
    except FileNotFoundError:
        raise InvalidImageError(f"{name}: no such file.") from None
    except IsADirectoryError:
        raise InvalidImageError(f"{name}: is a directory, not an image file.") from None
    except PermissionError:
        raise InvalidImageError(f"{name}: permission denied; check the file's permissions.") from None
    except UnidentifiedImageError:
        raise InvalidImageError(f"{name}: not a recognised image (empty, truncated or not an image file).") from None
    except Image.DecompressionBombError:
        raise _bomb(name, max_pixels) from None
    except (OSError, SyntaxError, ValueError, EOFError) as exc:
        raise InvalidImageError(f"{name}: cannot decode the image ({_short(exc)}); the file may be truncated or corrupt.") from None


def _decode(image: Image.Image, name: str, max_pixels: int, input_size: tuple[int, int] | None) -> Decoded:
    stored_width, stored_height = image.size
    if stored_width * stored_height > max_pixels:
        raise _bomb(name, max_pixels, stored_width, stored_height)
    if stored_width < 1 or stored_height < 1:
        raise InvalidImageError(f"{name}: the image is empty ({stored_width}x{stored_height}).")
    orientation = image.getexif().get(_ORIENTATION, 1)
    swapped = orientation in _SWAPPING_ORIENTATIONS
    width, height = (stored_height, stored_width) if swapped else (stored_width, stored_height)
    scale = 1
    if input_size is not None and image.format == "JPEG":
        wanted = decoder_scale(width, height, input_size)
        drafted = image.draft("RGB", (stored_width // wanted, stored_height // wanted)) if wanted > 1 else None
        if drafted is not None:  # Pillow chooses the scale itself; read back the one it used
            scale = round(stored_width / drafted[1][2])
    if orientation != 1:  # exif_transpose copies even an upright image: only call it when needed
        image = ImageOps.exif_transpose(image) or image
    rgb = _to_rgb(image)
    rgb.load()  # decode here, inside the error handling and before the file is closed
    return Decoded(rgb, scale, (width, height))


def _to_rgb(image: Image.Image) -> Image.Image:
    mode = image.mode
    if mode == "RGB":
        return image
    if mode in _SIXTEEN_BIT_MODES:
        values = np.clip(np.asarray(image, dtype=np.int64), 0, 65535) >> 8
        return Image.fromarray(values.astype(np.uint8)).convert("RGB")
    if mode == "F":
        levels = np.round(np.clip(np.asarray(image, dtype=np.float64), 0, 255))
        return Image.fromarray(levels.astype(np.uint8)).convert("RGB")
    if mode in ("RGBA", "LA", "PA", "La", "RGBa") or (mode == "P" and "transparency" in image.info):
        return image.convert("RGBA").convert("RGB")  # alpha dropped, colours kept as stored
    return image.convert("RGB")


def _array_to_rgb(array: np.ndarray) -> np.ndarray:
    if array.dtype != np.uint8:
        raise InvalidImageError(f"array input must be uint8 (H, W) or (H, W, 3/4), got {array.dtype}.")
    if array.ndim == 2:
        array = np.repeat(array[:, :, None], 3, axis=2)
    if array.ndim != 3 or array.shape[2] not in (3, 4) or min(array.shape[:2]) < 1:
        raise InvalidImageError(f"array input must have shape (H, W), (H, W, 3) or (H, W, 4), got {list(array.shape)}.")
    return np.ascontiguousarray(array[:, :, :3])


def _bomb(name: str, max_pixels: int, width: int | None = None, height: int | None = None) -> InvalidImageError:
    size = f" ({width}x{height})" if width else ""
    return InvalidImageError(
        f"{name}: image{size} exceeds the {max_pixels:,}-pixel limit (possible decompression bomb); "
        "downscale it first."
    )


def _short(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0][:120] if text else type(exc).__name__
