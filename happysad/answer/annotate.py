"""Draw each classified face's box and its label ("happy 94%") on a copy of the picture.

Only Pillow: the CLI's --annotate does not pull in matplotlib. Every label stays inside the
picture and readable: above its box when there is room, else below it, else inside its top
edge; the font shrinks until the text fits the picture's width. In a group, a label that would
cover a neighbour's label takes the next free place (below the box, inside it, then further
down). Boxes are drawn first and labels last, so no box line crosses a label.
"""
from dataclasses import dataclass
from functools import lru_cache

from PIL import Image, ImageDraw, ImageFont

from ..vision.boxes import intersection, visible_part

LABEL_COLOURS = {"happy": (255, 190, 0), "sad": (40, 120, 255), "neither": (200, 200, 200)}
TEXT_COLOUR = (0, 0, 0)
MIN_FONT_SIZE = 8


@dataclass(frozen=True)
class Label:
    text: str
    colour: tuple
    font: ImageFont.FreeTypeFont
    area: tuple  # (left, top, right, bottom) of the filled rectangle, inside the picture
    padding: int


def label_texts(prediction) -> list:
    """The label, longest first: a picture too small for the note keeps the answer, and one too
    small for the answer keeps the label whole rather than a clipped percentage."""
    answer = f"{prediction.label} {prediction.confidence:.0%}"
    name = prediction.name  # a face followed through a video: its number
    if name:
        return [f"{name}: {answer}", f"{name}: {prediction.label}", str(name)]
    return ([] if prediction.face_found else [f"{answer} (no face)"]) + [answer, prediction.label]


def line_width(image_size) -> int:
    return max(1, round(max(image_size) / 250))


def place_label(prediction, image_size, taken=()) -> Label:
    """Where the prediction's label goes: a rectangle wholly inside the picture, over none of the
    `taken` rectangles (labels already placed) where any free place is left."""
    width, height = image_size
    padding = line_width(image_size)
    fits = (_fitted(text, image_size, padding) for text in label_texts(prediction))
    text, font, label_width, label_height = next((fit for fit in fits if fit), None) or \
        _fitted(label_texts(prediction)[-1], image_size, padding, MIN_FONT_SIZE)
    box_left, box_top, box_right, box_bottom = visible_part(prediction.box, image_size)
    x = min(max(box_left, 0), max(0, width - label_width))
    above, below, inside = box_top - label_height, box_bottom + 1, box_top
    preferred = [y for y in (above, below) if 0 <= y and y + label_height <= height] + [inside]
    further = range(inside + label_height, box_bottom + 1, max(1, label_height))  # down the box, a line at a time

    def area(y):
        y = min(max(y, 0), max(0, height - label_height))
        return (x, y, min(width, x + label_width) - 1, min(height, y + label_height) - 1)

    free = (area(y) for y in [*preferred, *further] if not any(_touching(area(y), other) for other in taken))
    return Label(text, LABEL_COLOURS[prediction.label], font, next(free, area(preferred[0])), padding)


def place_labels(predictions, image_size) -> list:
    """The labels of all faces of one picture, each placed clear of those placed before it."""
    labels = []
    for prediction in predictions:
        labels.append(place_label(prediction, image_size, [label.area for label in labels]))
    return labels


def _touching(a, b) -> bool:
    """Whether two rectangles of pixels (left, top, right, bottom, right and bottom inclusive) share one."""
    return intersection((a[0], a[1], a[2] + 1, a[3] + 1), (b[0], b[1], b[2] + 1, b[3] + 1)) > 0


def _fitted(text, image_size, padding, size=None):
    """(text, font, label width, label height) at the largest font size whose label fits the
    picture, from one scaled to the picture down to MIN_FONT_SIZE; None when none fits."""
    sizes = [size] if size else range(max(12, round(max(image_size) / 30)), MIN_FONT_SIZE - 1, -1)
    for size in sizes:
        font = _font(size)
        left, top, right, bottom = font.getbbox(text)
        label_width, label_height = right - left + 2 * padding, bottom - top + 2 * padding
        if (label_width <= image_size[0] and label_height <= image_size[1]) or len(sizes) == 1:
            return text, font, label_width, label_height
    return None


@lru_cache(maxsize=None)
def _font(size: int) -> ImageFont.FreeTypeFont:
    """Pillow's own font at `size`, loaded once (a video draws a label on every frame)."""
    return ImageFont.load_default(size=size)


def draw_predictions(image: Image.Image, predictions) -> Image.Image:
    """A copy of the picture with a box on each classified face and its label."""
    annotated = image.convert("RGB")
    draw = ImageDraw.Draw(annotated)
    for prediction in predictions:
        draw.rectangle(visible_part(prediction.box, image.size), outline=LABEL_COLOURS[prediction.label],
                       width=line_width(image.size))
    for label in place_labels(predictions, image.size):
        draw.rectangle(label.area, fill=label.colour)
        left, top = label.font.getbbox(label.text)[:2]
        draw.text((label.area[0] + label.padding - left, label.area[1] + label.padding - top), label.text,
                  fill=TEXT_COLOUR, font=label.font)
    return annotated
