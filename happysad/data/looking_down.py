"""The looking-down yardstick: faces bent forward and lit from below or from one side, as people
are filmed looking at a phone, a keyboard or a robot's screen.

Each face (48x48 gray, as FER2013 stores it) is changed in three steps, all drawn from a random
generator seeded by the face's own pixels, so the same face always gives the same picture:

1. **Bent forward** by a pitch of 15-35 degrees: the face is taken as a plane turning about a
   horizontal axis through its centre, seen by a pinhole camera 2.5 face-heights away, so the
   forehead comes nearer (and grows) while the mouth and chin go away, shrink and move up; the
   whole face is foreshortened by cos(pitch). The crop stays where it was, as a detector's box
   would follow the face; rows the face no longer covers repeat its edge.
2. **Lit by a screen**: two faces in three from below (the chin and mouth bright, the eyes and
   forehead in shadow), one in three from the left or right; the light falls off linearly across
   the face, the dark side at 30-55% of its brightness; then the mean brightness is put back, as
   a camera's automatic exposure would.
3. **Filmed in dim light**: contrast lowered to 70-90% around the mean and a Gaussian blur of
   0.4-0.9 px.

Limits, written down so no one reads more into it: a plane is not a head (the nose and brows
do not hide what is behind them); the eyes are not cast down and the eyelids not lowered, which a
real bent head shows; the light is a ramp, not a shadow cast by the nose or brows; gray only, so
the blue cast of a screen is not there. It is a yardstick of how far the answer moves for these
changes, on faces whose votes say what they show; real clips stay the final check.

`LookingDownAugmentation` is the training side's version (the notebook's LOOKING_DOWN_SHARE): a
share of training faces changed by the same three steps, drawn from wider ranges than the
yardstick's (from no bend at all to 40 degrees, any dark side from 25% to none, contrast 60-100%,
blur up to 1.2 px) so a model cannot learn the yardstick's exact ranges, and from the training
run's own seeded generator, not from the face's pixels.
"""
import hashlib

import cv2
import numpy as np
from PIL import Image, ImageFilter

PITCH_DEGREES = (15.0, 35.0)
CAMERA_DISTANCE = 2.5  # in face heights
FROM_BELOW = 2 / 3  # the share of faces lit from below; the rest from one side
DARK_SIDE = (0.30, 0.55)  # brightness of the far side of the light's ramp
CONTRAST = (0.70, 0.90)
BLUR_PIXELS = (0.4, 0.9)


def generator_for(pixels: np.ndarray) -> np.random.Generator:
    """A random generator seeded by the face's pixels: the same face, the same draw."""
    return np.random.default_rng(int.from_bytes(hashlib.sha256(pixels.tobytes()).digest()[:8], "little"))


def bend_forward(pixels: np.ndarray, pitch_degrees: float) -> np.ndarray:
    """Rows resampled as a plane pitched forward by `pitch_degrees` projects (module docstring, step 1)."""
    height, width = pixels.shape
    pitch = np.radians(pitch_degrees)
    # Output row v (centred, in face heights, up positive) shows the face's row u with
    # v = u cos(p) / (1 - u sin(p) / d): the upper half nearer the camera. Inverted for u:
    v = (height / 2 - 0.5 - np.arange(height)) / height
    u = v / (np.cos(pitch) + v * np.sin(pitch) / CAMERA_DISTANCE)
    rows = np.clip(height / 2 - 0.5 - u * height, 0, height - 1)
    low = np.floor(rows).astype(int)
    high = np.minimum(low + 1, height - 1)
    share = (rows - low)[:, None]
    return pixels[low] * (1 - share) + pixels[high] * share


def light_ramp(shape, direction: str, dark_side: float) -> np.ndarray:
    """Brightness factors falling linearly from 1 at the lit edge to `dark_side` at the other."""
    height, width = shape
    if direction == "below":
        ramp = np.linspace(dark_side, 1.0, height)[:, None] * np.ones((1, width))
    else:
        ramp = np.ones((height, 1)) * np.linspace(1.0, dark_side, width)[None, :]
        if direction == "right":
            ramp = ramp[:, ::-1]
    return ramp


def drawn_change(draw: np.random.Generator, pitch, dark_side, contrast, blur) -> tuple:
    """(pitch, light direction, dark side, contrast, blur) drawn from `draw` within the given ranges."""
    pitch = draw.uniform(*pitch)
    direction = "below" if draw.random() < FROM_BELOW else ("left" if draw.random() < 0.5 else "right")
    return pitch, direction, draw.uniform(*dark_side), draw.uniform(*contrast), draw.uniform(*blur)


def screen_lit(bent: np.ndarray, direction: str, dark_side: float, contrast: float) -> np.ndarray:
    """A bent face (height, width[, channels]) lit along the ramp, its mean brightness put back as a
    camera's exposure would, and its contrast lowered around that mean (module docstring, steps 2-3)."""
    ramp = light_ramp(bent.shape[:2], direction, dark_side)
    lit = bent * (ramp if bent.ndim == 2 else ramp[..., None])
    lit *= bent.mean() / max(float(lit.mean()), 1e-6)
    return lit.mean() + (lit - lit.mean()) * contrast


def looking_down(image: Image.Image) -> tuple[Image.Image, dict]:
    """The face as the yardstick shows it, and what was drawn for it (pitch, light, ...)."""
    pixels = np.asarray(image.convert("L"), dtype=np.float64)
    pitch, direction, dark_side, contrast, blur = drawn_change(
        generator_for(pixels.astype(np.uint8)), PITCH_DEGREES, DARK_SIDE, CONTRAST, BLUR_PIXELS)
    changed = screen_lit(bend_forward(pixels, pitch), direction, dark_side, contrast)
    picture = Image.fromarray(np.clip(np.rint(changed), 0, 255).astype(np.uint8), "L")
    picture = picture.filter(ImageFilter.GaussianBlur(blur))
    return picture, {"pitch": round(pitch, 1), "light": direction, "dark_side": round(dark_side, 2),
                     "contrast": round(contrast, 2), "blur": round(blur, 2)}


# The training side's ranges: wider than the yardstick's on every side (module docstring)
TRAINING_PITCH_DEGREES = (0.0, 40.0)
TRAINING_DARK_SIDE = (0.25, 1.0)
TRAINING_CONTRAST = (0.60, 1.0)
TRAINING_BLUR_PIXELS = (0.0, 1.2)


class LookingDownAugmentation:
    """ImageDataGenerator's `preprocessing_function`: each face, with probability `share`, bent
    forward, lit by a screen and filmed in dim light as the yardstick does, from wider ranges.

    Called with one face as Keras hands it over, (height, width, channels) in 0-255 after its other
    augmentation and before `rescale`; returns the same shape. The draws come from one generator
    seeded by `seed`, so a run with the same seed sees the same faces.
    """

    def __init__(self, share: float, seed: int):
        if not 0.0 <= share <= 1.0:
            raise ValueError(f"LOOKING_DOWN_SHARE must lie between 0 and 1, not {share}")
        self.share, self.draw = share, np.random.default_rng(seed)

    def __call__(self, face: np.ndarray) -> np.ndarray:
        draw = self.draw
        if draw.random() >= self.share:
            return face
        pitch, direction, dark_side, contrast, blur = drawn_change(
            draw, TRAINING_PITCH_DEGREES, TRAINING_DARK_SIDE, TRAINING_CONTRAST, TRAINING_BLUR_PIXELS)
        pixels = face.astype(np.float32)
        bent = np.stack([bend_forward(pixels[..., c], pitch) for c in range(pixels.shape[-1])], axis=-1)
        changed = screen_lit(bent, direction, dark_side, contrast)
        if blur > 0.05:
            changed = cv2.GaussianBlur(changed.astype(np.float32), (0, 0), blur).reshape(changed.shape)
        return np.clip(changed, 0, 255).astype(face.dtype)
