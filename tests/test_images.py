import numpy as np
import pytest
from PIL import Image

from happysad.vision.images import ImageError, decode_image, read_image, to_model_input
from conftest import encoded, face


@pytest.mark.parametrize("mode,format", [
    ("L", "PNG"), ("RGB", "JPEG"), ("RGBA", "PNG"), ("P", "PNG"), ("CMYK", "JPEG"),
    ("RGB", "WEBP"), ("RGB", "BMP"), ("P", "GIF"), ("RGB", "TIFF"), ("1", "PNG"), ("LA", "PNG"),
])
def test_common_formats_and_modes_decode_to_l_or_rgb(mode, format):
    image = decode_image(encoded(face("happy").convert(mode), format), "x")
    assert image.mode in ("L", "RGB")
    assert image.size == (48, 48)


def test_sixteen_bit_png_keeps_its_brightness():
    pixels = (np.arange(48 * 48, dtype=np.uint16).reshape(48, 48) * 28)  # up to ~64500
    image = decode_image(encoded(Image.fromarray(pixels)), "x")
    assert image.mode == "L"
    assert 250 <= np.asarray(image).max() <= 255 and np.asarray(image).min() == 0


def test_transparency_is_flattened_onto_white():
    clear = Image.new("RGBA", (16, 16), (0, 0, 0, 0))
    assert np.asarray(decode_image(encoded(clear), "x")).min() == 255


def test_exif_orientation_is_applied():
    upright = Image.new("RGB", (40, 20), "white")
    upright.paste((0, 0, 0), (0, 0, 10, 20))  # black band on the left
    exif = Image.Exif()
    exif[0x0112] = 6  # stored rotated: viewers turn it 90 degrees clockwise
    stored = upright.transpose(Image.Transpose.ROTATE_90)
    image = decode_image(encoded(stored, "JPEG", exif=exif.tobytes()), "x")
    assert image.size == (40, 20)
    assert np.asarray(image.convert("L"))[:, :10].mean() < 60


@pytest.mark.parametrize("data,reason", [
    (b"", "empty file"),
    (b"hello, I am a text file\n", "not an image"),
    (b"<html><body>404</body></html>", "not an image"),
])
def test_non_images_are_refused_with_a_reason(data, reason):
    with pytest.raises(ImageError, match=reason) as caught:
        decode_image(data, "bad.jpg")
    assert str(caught.value).startswith("bad.jpg: ")


@pytest.mark.parametrize("format", ["PNG", "JPEG"])
def test_truncated_images_are_refused(format):
    data = encoded(face("sad", size=200, mode="RGB"), format)
    with pytest.raises(ImageError, match="corrupt or truncated"):
        decode_image(data[: len(data) // 2], "cut")


def test_huge_header_is_refused_as_a_bomb():
    import struct
    import zlib
    header = struct.pack(">IIBBBBB", 100_000, 100_000, 8, 0, 0, 0, 0)
    chunk = b"IHDR" + header
    png = b"\x89PNG\r\n\x1a\n" + struct.pack(">I", 13) + chunk + struct.pack(">I", zlib.crc32(chunk))
    png += struct.pack(">I", 0) + b"IEND" + struct.pack(">I", zlib.crc32(b"IEND"))
    with pytest.raises(ImageError, match="refused"):
        decode_image(png, "bomb.png")


def test_read_image_names_missing_files_and_folders(tmp_path):
    with pytest.raises(ImageError, match="no such file"):
        read_image(tmp_path / "missing.jpg")
    (tmp_path / "face.jpg").mkdir()
    with pytest.raises(ImageError, match="is a folder"):
        read_image(tmp_path / "face.jpg")


@pytest.mark.parametrize("channels", [1, 3])
def test_model_input_shape_and_range(channels):
    array = to_model_input(face("happy", mode="RGB"), 64, channels)
    assert array.shape == (64, 64, channels) and array.dtype == np.float32
    assert 0 <= array.min() and array.max() <= 1
