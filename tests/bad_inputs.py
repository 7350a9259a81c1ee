"""A corpus of hostile and unusual image files, made by the tests (nothing binary is committed).

make_corpus(folder) writes every case and returns {file name: expectation}, where the
expectation is ("skip", words the reason must contain) or ("use", mode the decoded image has).
"""
import os
import struct
import zlib
from pathlib import Path

import numpy as np
from PIL import Image

from conftest import encoded, face


def _png_claiming(width, height) -> bytes:
    header = b"IHDR" + struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    end = b"IEND"
    return (b"\x89PNG\r\n\x1a\n" + struct.pack(">I", 13) + header + struct.pack(">I", zlib.crc32(header))
            + struct.pack(">I", 0) + end + struct.pack(">I", zlib.crc32(end)))


def _exif_rotated_jpeg() -> bytes:
    """A sad face stored lying on its side, with the EXIF flag that turns it upright."""
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90 degrees clockwise to display
    return encoded(face("sad", 11, size=96, mode="RGB").transpose(Image.Transpose.ROTATE_90), "JPEG",
                   exif=exif.tobytes())


def _animated_gif() -> bytes:
    frames = [face("happy", seed, size=64, mode="P") for seed in range(3)]
    import io
    buffer = io.BytesIO()
    frames[0].save(buffer, "GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)
    return buffer.getvalue()


def make_corpus(folder: Path) -> dict:
    folder.mkdir(parents=True, exist_ok=True)
    jpeg = encoded(face("happy", 5, size=160, mode="RGB"), "JPEG")
    png = encoded(face("happy", 6, size=160, mode="RGB"), "PNG")
    transparent = face("happy", 7, size=64, mode="RGBA")
    transparent.putalpha(Image.fromarray(np.tile(np.arange(64, dtype=np.uint8) * 4, (64, 1))))
    files = {
        "empty.jpg": (b"", ("skip", "empty file")),
        "truncated.jpg": (jpeg[: len(jpeg) // 2], ("skip", "truncated")),
        "truncated.png": (png[: len(png) // 2], ("skip", "truncated")),
        "text.jpg": (b"just some words, not a picture\n", ("skip", "not an image")),
        "page.jpg": (b"<!DOCTYPE html><html><body>403 Forbidden</body></html>", ("skip", "not an image")),
        "bomb.png": (_png_claiming(100_000, 100_000), ("skip", "refused")),
        "sixteen_bit.png": (encoded(Image.fromarray((np.asarray(face("sad", 8, 64)).astype(np.uint16) * 257))),
                            ("use", "L")),
        "cmyk.jpg": (encoded(face("sad", 9, 64, mode="CMYK"), "JPEG"), ("use", "RGB")),
        "animated.gif": (_animated_gif(), ("use", "RGB")),
        "photo.webp": (encoded(face("happy", 10, 64, mode="RGB"), "WEBP"), ("use", "RGB")),
        "bitmap.bmp": (encoded(face("sad", 12, 64, mode="RGB"), "BMP"), ("use", "RGB")),
        "scan.tiff": (encoded(face("sad", 13, 64, mode="RGB"), "TIFF"), ("use", "RGB")),
        "transparent.png": (encoded(transparent), ("use", "RGB")),
        "one_pixel.png": (encoded(Image.new("RGB", (1, 1), "red")), ("skip", "too small")),
        "strip.png": (encoded(Image.new("L", (10000, 50), 128)), ("skip", "strip")),
        "rotated_exif.jpg": (_exif_rotated_jpeg(), ("use", "RGB")),
        "with spaces.png": (encoded(face("happy", 14)), ("use", "L")),
        "ünïcødé_😀.png": (encoded(face("happy", 15)), ("use", "L")),
        "-leading-dash.png": (encoded(face("sad", 16)), ("use", "L")),
        "unreadable.png": (encoded(face("sad", 17)), ("use", "L") if os.geteuid() == 0 else ("skip", "permission denied")),
    }
    expectations = {}
    for name, (data, expectation) in files.items():
        (folder / name).write_bytes(data)
        expectations[name] = expectation
    (folder / "unreadable.png").chmod(0)  # root reads it anyway: then it is simply a good image
    (folder / "loop.jpg").symlink_to(folder / "loop.jpg")
    expectations["loop.jpg"] = ("skip", "cannot be read")
    (folder / "face.jpg").mkdir()
    (folder / "face.jpg" / "inside.png").write_bytes(encoded(face("happy", 18)))
    expectations["face.jpg/inside.png"] = ("use", "L")  # a folder is walked into, like any folder
    return expectations
