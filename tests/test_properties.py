"""Property-based: whatever bytes, sizes and modes arrive, the only error is ImageError."""
import io

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from happysad.vision.images import ImageError, decode_image, to_model_input
from happysad.answer.classifier import load_classifier
from happysad.answer.prediction import classify_photos

MODES = ["1", "L", "LA", "P", "RGB", "RGBA", "CMYK", "I;16", "I", "F", "YCbCr"]
FORMATS = ["PNG", "JPEG", "GIF", "BMP", "WEBP", "TIFF"]


@st.composite
def image_files(draw):
    """Bytes of a real image of random size, mode and format, possibly cut short or corrupted."""
    width, height = draw(st.integers(1, 80)), draw(st.integers(1, 80))
    mode = draw(st.sampled_from(MODES))
    seed = draw(st.integers(0, 2**32 - 1))
    pixels = np.random.default_rng(seed).integers(0, 256, (height, width, 4), dtype=np.uint8)
    image = Image.fromarray(pixels, "RGBA").convert(mode if mode not in ("I;16", "I", "F") else "L")
    if mode in ("I;16", "I", "F"):
        image = image.convert("I").point(lambda v: v * 200) if mode != "F" else image.convert("F")
        if mode == "I;16":
            image = Image.fromarray(np.asarray(image).astype(np.uint16))
    buffer = io.BytesIO()
    try:
        image.save(buffer, draw(st.sampled_from(FORMATS)))
    except (OSError, ValueError, KeyError):  # that format cannot hold that mode: save plain PNG
        buffer = io.BytesIO()
        image.convert("RGB").save(buffer, "PNG")
    data = buffer.getvalue()
    cut = draw(st.one_of(st.none(), st.integers(0, len(data))))
    if cut is not None:
        data = data[:cut]
    flips = draw(st.lists(st.integers(0, max(0, len(data) - 1)), max_size=3))
    data = bytearray(data)
    for index in flips:
        if data:
            data[index] ^= 0xFF
    return bytes(data)


def check_decodes_or_refuses(data):
    try:
        image = decode_image(data, "random")
    except ImageError as error:
        assert str(error).startswith("random: ") and error.reason
        return
    assert image.mode in ("L", "RGB")
    array = to_model_input(image, 48)
    assert array.shape == (48, 48, 1) and np.isfinite(array).all() and 0 <= array.min() <= array.max() <= 1


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=2048))
def test_random_bytes(data):
    check_decodes_or_refuses(data)


@settings(max_examples=300, deadline=None)
@given(image_files())
def test_random_images_sizes_and_modes(data):
    check_decodes_or_refuses(data)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(image_files(), min_size=1, max_size=4))
def test_predict_on_random_files(untrained_model_path, tmp_path, files):
    paths = []
    for index, data in enumerate(files):
        paths.append(tmp_path / f"file{index}.img")
        paths[-1].write_bytes(data)
    predictions, errors = classify_photos(load_classifier(untrained_model_path), paths)
    assert len(predictions) + len(errors) == len(paths)
    assert all(isinstance(e, ImageError) for e in errors)
    assert all(0 <= p.p_sad_vs_happy <= 1 and abs(sum(p.answer.probabilities) - 1) < 1e-6 for p in predictions)
