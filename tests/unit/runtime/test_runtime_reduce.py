"""Preprocessing version 2: the box pre-reduction, decoding small and the spec's preprocessing field."""

from __future__ import annotations

import io
import json

import numpy as np
import pytest
from PIL import Image

from hierattn.runtime.errors import ModelFileError
from hierattn.runtime.image_io import decode_small, load_rgb
from hierattn.runtime.parity.procedural import procedural_image
from hierattn.runtime.preprocess import crop_and_resize, preprocess
from hierattn.runtime.reduce import box_reduce, decoder_scale, reduction_factor, scale_box
from hierattn.runtime.spec import ModelSpec


def _brute_force(rgb: np.ndarray, k: int) -> np.ndarray:
    height, width = rgb.shape[:2]
    out = np.empty((-(-height // k), -(-width // k), 3), np.uint8)
    for by in range(out.shape[0]):
        for bx in range(out.shape[1]):
            block = rgb[by * k:(by + 1) * k, bx * k:(bx + 1) * k].astype(np.int64)
            n = block.shape[0] * block.shape[1]
            out[by, bx] = (block.sum(axis=(0, 1)) + n // 2) // n
    return out


@pytest.mark.parametrize("k", [2, 4, 8])
def test_box_reduce_is_the_exact_integer_mean_including_edge_blocks(k: int) -> None:
    rng = np.random.default_rng(k)
    for height, width in [(37, 45), (64, 64), (29, 51), (1, 9), (k * 3 + 1, k * 5 - 1)]:
        rgb = rng.integers(0, 256, (height, width, 3), dtype=np.uint8)
        rgb[: height // 2] = rgb[: height // 2] // 64 * 85  # levels whose block sums hit multiples of n
        got = np.asarray(box_reduce(Image.fromarray(rgb), k))
        np.testing.assert_array_equal(got, _brute_force(rgb, k), err_msg=f"{width}x{height} k={k}")


def test_pillow_reduce_alone_is_off_at_edge_blocks() -> None:
    """Why the edge blocks are recomputed: Pillow's approximate divisor rounds some of them one level low."""
    rgb = np.full((3, 7, 3), 12, np.uint8)
    rgb[0, 4] = 8  # the right 3 x 3 edge block sums to 104: (104 + 9 // 2) // 9 = 12 exactly
    assert np.asarray(Image.fromarray(rgb).reduce(4))[0, 1, 0] == 11
    assert np.asarray(box_reduce(Image.fromarray(rgb), 4))[0, 1, 0] == 12


def test_reduction_factor_rule() -> None:
    assert [reduction_factor(w, h, (256, 256)) for w, h in [(320, 320), (1023, 1023), (1024, 1024), (2047, 4000), (4000, 3000), (4001, 2999), (8191, 8191), (8192, 8192)]] == [1, 1, 2, 2, 4, 4, 8, 16]
    assert reduction_factor(4000, 3000, (224, 320)) == 4  # the long side of the input counts
    assert decoder_scale(20000, 20000, (256, 256)) == 8


def test_scale_box_clips_to_the_image() -> None:
    assert scale_box((1, 2, 251, 188), 4, 1001, 750) == (4, 8, 1001, 750)
    assert scale_box(None, 4, 100, 100) is None


def _jpeg(rgb: np.ndarray, orientation: int = 1) -> bytes:
    buf = io.BytesIO()
    image = Image.fromarray(rgb)
    exif = image.getexif()
    if orientation != 1:
        exif[0x0112] = orientation
    image.save(buf, "JPEG", quality=92, exif=exif.tobytes())
    return buf.getvalue()


def test_jpeg_is_decoded_small_and_the_crop_box_is_in_file_coordinates() -> None:
    rgb = procedural_image(2100, 1500)
    data = _jpeg(rgb)
    decoded = decode_small(data, (256, 256))
    assert decoded.scale == 2 and decoded.image.size == (1050, 750) and decoded.size == (2100, 1500)
    pre = preprocess(data, ModelSpec())
    assert pre.reduction == 2
    x0, y0, x1, y1 = pre.crop_box
    full = preprocess(data, ModelSpec(preprocessing=1)).crop_box  # version 1 on the full decode
    assert max(abs(a - b) for a, b in zip(pre.crop_box, full, strict=True)) <= 8
    assert x0 % 2 == y0 % 2 == 0 and x1 <= 2100 and y1 <= 1500


def test_exif_rotation_swaps_the_reported_size() -> None:
    data = _jpeg(procedural_image(2100, 1500), orientation=6)
    decoded = decode_small(data, (256, 256))
    assert decoded.size == (1500, 2100) and decoded.image.size == (750, 1050)
    assert load_rgb(data).shape == (2100, 1500, 3)


def test_arrays_and_png_are_box_reduced_not_decoded_small() -> None:
    rgb = procedural_image(2100, 1500)
    buf = io.BytesIO()
    Image.fromarray(rgb).save(buf, "PNG")
    from_png = preprocess(buf.getvalue(), ModelSpec())
    from_array = preprocess(rgb, ModelSpec())
    assert from_png.reduction == from_array.reduction == 2
    np.testing.assert_array_equal(from_png.resized, from_array.resized)
    resized, box = crop_and_resize(rgb, ModelSpec())
    np.testing.assert_array_equal(resized, from_array.resized)
    assert box == from_array.crop_box


def test_version_1_keeps_the_full_image_path() -> None:
    rgb = procedural_image(2100, 1500)
    old = preprocess(rgb, ModelSpec(preprocessing=1))
    assert old.reduction == 1
    assert not np.array_equal(old.resized, preprocess(rgb, ModelSpec()).resized)


def test_files_without_the_field_mean_version_1_and_unknown_versions_fail() -> None:
    data = ModelSpec().to_dict()
    assert data["preprocessing"] == 2
    del data["preprocessing"]
    assert ModelSpec.from_dict(data).preprocessing == 1
    with pytest.raises(ModelFileError, match="preprocessing version 3"):
        ModelSpec.from_json(json.dumps({**data, "preprocessing": 3}))
