"""Box geometry: a face's square, how much two boxes overlap, the crop a box cuts from a picture.

One overlap function serves every caller: `intersection` of two boxes' corners, from which `iou`
and `covered_share` are read (plain Python: they run for every pair of faces in every frame).
"""
from dataclasses import dataclass

import numpy as np
from PIL import Image


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


def corners(box) -> tuple:
    """(left, top, right, bottom) of a Box, or of a detection (x, y, width, height, ...)."""
    if isinstance(box, Box):
        return box.x, box.y, box.x + box.size, box.y + box.size
    x, y, width, height = box[:4]
    return x, y, x + width, y + height


def area(a):
    """The area of corners (left, top, right, bottom)."""
    return (a[2] - a[0]) * (a[3] - a[1])


def intersection(a, b):
    """The area two boxes' corners share (0 when apart)."""
    width = min(a[2], b[2]) - max(a[0], b[0])
    height = min(a[3], b[3]) - max(a[1], b[1])
    return max(0, width) * max(0, height)


def iou(a, b) -> float:
    """Intersection over union of two boxes' corners (0 when their union is empty)."""
    both = intersection(a, b)
    union = area(a) + area(b) - both
    return both / union if union > 0 else 0.0


def covered_share(a, b) -> float:
    """The share of box a that box b covers (0 for an empty a)."""
    own = area(corners(a))
    return intersection(corners(a), corners(b)) / own if own else 0.0


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
    """(left, top, right, bottom) of the box clipped to the picture, right and bottom inclusive: what to draw."""
    return (max(box.x, 0), max(box.y, 0), min(box.x + box.size, image_size[0]) - 1,
            min(box.y + box.size, image_size[1]) - 1)
