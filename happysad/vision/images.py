"""Decode image files safely: any common format and mode, upright, with clear errors.

Every image the project reads (import, prediction) goes through `decode_image`,
so one function decides what a usable image is. Anything unusable raises
`ImageError`, which names the file and the reason.
"""
import io
import warnings
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

# Far above any real photo (a 50 MP phone picture is 50e6), far below a decompression bomb.
MAX_PIXELS = 100_000_000
MIN_SIDE = 16  # smaller holds no usable face (FER2013 faces are 48x48)
MAX_ASPECT = 10  # a 10000x50 strip is a banner, not a photo


class ImageError(ValueError):
    """An image file that cannot be used; str() is '<file>: <reason>'."""

    def __init__(self, path, reason: str):
        super().__init__(f"{path}: {reason}")
        self.path = str(path)
        self.reason = reason


def read_bytes(path) -> bytes:
    """The bytes of the file at `path`; ImageError (not OSError) when it cannot be read."""
    path = Path(path)
    try:
        return path.read_bytes()
    except IsADirectoryError:
        raise ImageError(path, "is a folder, not an image file") from None
    except FileNotFoundError:
        raise ImageError(path, "no such file") from None
    except PermissionError:
        raise ImageError(path, "permission denied") from None
    except OSError as error:
        raise ImageError(path, f"cannot be read ({error.strerror or error})") from None


def read_image(path) -> Image.Image:
    """Decode the image file at `path` (see `decode_image`)."""
    return decode_image(read_bytes(path), path)


def decode_image(data: bytes, name, max_pixels: int = MAX_PIXELS) -> Image.Image:
    """Decode `data` into an upright image in mode 'RGB' or 'L'; one of more than `max_pixels`
    pixels is refused before it is decoded.

    EXIF orientation is applied, the first frame of an animation is used,
    transparency is flattened onto white, 16-bit and CMYK are converted.
    """
    if not data:
        raise ImageError(name, "empty file")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # Pillow's chatter about odd metadata: the image is still fine
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            width, height = image.size
            if width * height > max_pixels:
                raise ImageError(name, f"refused: {width}x{height} pixels is more than {max_pixels:,}"
                                       + (" (a decompression bomb or a corrupt header)" if max_pixels == MAX_PIXELS else ""))
            if min(width, height) < MIN_SIDE:
                raise ImageError(name, f"too small ({width}x{height} pixels; a face needs at least {MIN_SIDE})")
            if max(width, height) > MAX_ASPECT * min(width, height):
                raise ImageError(name, f"a {width}x{height} strip, not a picture of a face")
            image.load()
            image = ImageOps.exif_transpose(image)
            return _standard_mode(image)
    except ImageError:
        raise
    except UnidentifiedImageError:
        raise ImageError(name, "not an image (unrecognised file format)") from None
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ImageError(name, "refused: too many pixels (a decompression bomb)") from None
    except Exception as error:  # Pillow raises many types for corrupt data
        raise ImageError(name, f"corrupt or truncated image ({error})") from None


def _standard_mode(image: Image.Image) -> Image.Image:
    if image.mode in ("I;16", "I;16B", "I;16L", "I", "F"):
        pixels = np.asarray(image, dtype=np.float64)
        top = 65535.0 if pixels.max(initial=0) > 255 else 255.0
        return Image.fromarray(np.clip(pixels / top * 255 + 0.5, 0, 255).astype(np.uint8), "L")
    if image.mode == "P" and "transparency" in image.info:
        image = image.convert("RGBA")
    if image.mode in ("RGBA", "LA", "PA", "RGBa", "La"):
        image = image.convert("RGBA")
        background = Image.new("RGBA", image.size, (255, 255, 255, 255))
        return Image.alpha_composite(background, image).convert("RGB")
    if image.mode in ("L", "RGB"):
        return image
    if image.mode == "1":
        return image.convert("L")
    return image.convert("RGB")


def to_model_input(image: Image.Image, size: int, channels: int = 1, resample=Image.BILINEAR) -> np.ndarray:
    """A float32 array (size, size, channels) in [0, 1], resized as Keras' loader does
    (bilinear, as the project's flows ask; Keras' own default is nearest): `size` and `channels`
    are the model's input side and channels (1 grayscale, 3 colour)."""
    image = image.convert("L" if channels == 1 else "RGB")
    image = image.resize((size, size), resample)
    pixels = np.asarray(image, dtype=np.float32) / 255.0
    return pixels[..., None] if pixels.ndim == 2 else pixels
