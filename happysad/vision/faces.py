"""Find faces in pictures (BlazeFace) and box them the way the training faces are framed.

The detector is BlazeFace, MediaPipe's face detector (full-range model). Its weights ship inside
the package (happysad/resources; nothing is downloaded at run time); this module runs them
on LiteRT (happysad.vision.litert), with no TensorFlow, decoding the model's boxes as MediaPipe
does (anchors, score threshold, weighted non-maximum suppression).

BlazeFace sees a picture at 192x192, so the box a face gets depends on how big the face is in
that view. Each face found is therefore looked at again, in a square around it REFINE_SCALE
times its size: every face is boxed at one scale, wherever it stands.
"""
import math
from pathlib import Path

import numpy as np
from PIL import Image

from ..quiet import muted_stderr
from . import litert
from .boxes import Box, corners, iou

DETECTION_SIDE = 1024  # huge pictures are shrunk to this before detection: BlazeFace looks at 192x192 anyway
INPUT_SIDE = 192  # the full-range model's input
MIN_SCORE = 0.5  # BlazeFace's own threshold
# A first look at a whole picture keeps faces from this score on; each is then looked at again,
# bigger, and one below MIN_SCORE stays only if BlazeFace finds it there (small faces in a
# crowded picture score low at 192x192 and clearly once enlarged).
CANDIDATE_SCORE = 0.3
SUPPRESSION_OVERLAP = 0.3  # MediaPipe's: boxes overlapping more than this are one face, merged
RAW_SCORE_LIMIT = 80  # sigmoid of +-80 still fits a float32
REFINE_SCALE = 3.0  # a face found is looked at again in a square this many times its size, at full resolution
FINAL_ROUNDS = 3  # ... and then this many times more, each centred on the mean of the looks before
MIN_FACE_SIDE = 20  # pixels in the original picture; smaller faces hold too little expression
# FER2013 faces are framed forehead to chin with a little around; BlazeFace's box widened by this
# share gives that framing (docs/faces.md)
FACE_MARGIN = 0.3
MODEL_FILE = "face_detection_full_range.tflite"  # in happysad/resources


def blazeface_file() -> Path:
    """BlazeFace's full-range weights, shipped inside the package (happysad/resources, with their
    licence): nothing is downloaded, and no detection package (they import TensorFlow) is needed."""
    return Path(__file__).resolve().parents[1] / "resources" / MODEL_FILE


def _anchors(side=INPUT_SIDE, stride=4) -> np.ndarray:
    """The full-range model's anchor centres: one per cell of a 48x48 grid, row by row."""
    cells = side // stride
    centres = (np.arange(cells) + 0.5) / cells
    x, y = np.meshgrid(centres, centres)
    return np.stack([x.ravel(), y.ravel()], axis=1).astype(np.float32)


class FaceDetector:
    """BlazeFace, loaded on first use; `detect` returns square boxes."""

    def __init__(self, refine=True, tiles=True, threads=None):
        """`refine`: box each face again at one scale; `tiles`: also search wide pictures in square
        tiles (group photos; a video's frames are searched whole, a face there is never that small);
        `threads`: LiteRT's (None: litert.default_threads())."""
        self.refine, self.tiles = refine, tiles
        self.threads = threads or litert.default_threads()
        self._interpreter = None

    def _load(self):
        if self._interpreter is None:
            interpreter = litert.interpreter(self.threads, model_path=blazeface_file())
            with muted_stderr():  # XNNPACK announces itself when the tensors are laid out
                interpreter.allocate_tensors()
            self._input = interpreter.get_input_details()[0]["index"]
            outputs = {int(d["shape"][-1]): d["index"] for d in interpreter.get_output_details()}
            self._boxes, self._scores = outputs[16], outputs[1]  # box and 6 keypoints; one score
            self._anchors = _anchors()
            self._interpreter = interpreter
        return self._interpreter

    def _faces_in_square(self, image: Image.Image, left: float, top: float, side: float,
                         min_score=MIN_SCORE) -> list:
        """[(x, y, width, height, score), ...] in picture pixels, for the faces BlazeFace finds in
        the square (left, top, side) of the picture (black where it reaches past an edge)."""
        interpreter = self._load()
        square_left, square_top = round(left), round(top)
        square = image.crop((square_left, square_top, square_left + round(side), square_top + round(side)))
        pixels = np.asarray(square.resize((INPUT_SIDE, INPUT_SIDE), Image.BILINEAR), dtype=np.float32)
        interpreter.set_tensor(self._input, (pixels / 127.5 - 1.0)[None])
        interpreter.invoke()
        raw = interpreter.get_tensor(self._boxes)[0]
        scores = 1 / (1 + np.exp(-np.clip(interpreter.get_tensor(self._scores)[0, :, 0], -RAW_SCORE_LIMIT,
                                          RAW_SCORE_LIMIT)))
        found = scores >= min_score
        centre = raw[found, :2] / INPUT_SIDE + self._anchors[found]
        size = raw[found, 2:4] / INPUT_SIDE
        edges = np.concatenate([centre - size / 2, centre + size / 2], axis=1)
        valid = (size > 0).all(axis=1)
        scale = square.width  # box corners are fractions of the square
        return [(square_left + x0 * scale, square_top + y0 * scale, (x1 - x0) * scale, (y1 - y0) * scale, score)
                for (x0, y0, x1, y1), score in _weighted_suppression(edges[valid], scores[found][valid])]

    def _nearest(self, image, centre_x, centre_y, side):
        """The face found in the square of `side` centred on (centre_x, centre_y) whose centre is
        nearest to it, as (x, y, width, height, score), or None."""
        candidates = self._faces_in_square(image, centre_x - side / 2, centre_y - side / 2, side)
        if not candidates:
            return None
        return min(candidates, key=lambda f: (f[0] + f[2] / 2 - centre_x) ** 2 + (f[1] + f[3] / 2 - centre_y) ** 2)

    def _refined(self, image, face):
        """The face looked at again at one scale, in the full-resolution picture: in a square
        REFINE_SCALE times its size around it, then FINAL_ROUNDS times more, each square centred on
        the mean of the boxes found so far; the face's box is the mean of all the looks. BlazeFace's
        box jitters by a few pixels with where its square stands; the mean of four looks hardly
        does. The detection nearest each square's centre is the face (a look that finds another
        face, or a part of one, ends the looking); a candidate below MIN_SCORE not found again is
        none; a face not found again keeps the box it had."""
        x, y, width, height, score = face
        found = self._nearest(image, x + width / 2, y + height / 2, REFINE_SCALE * max(width, height))
        if found is None:
            return face if score >= MIN_SCORE else None
        looks = [found]
        for _ in range(FINAL_ROUNDS):
            x, y, width, height, score = found
            look = self._nearest(image, x + width / 2, y + height / 2, REFINE_SCALE * max(width, height))
            if look is None or not _same_face(look, found):
                break
            looks.append(look)
            found = (*np.mean([look[:4] for look in looks], axis=0), max(look[4] for look in looks))
        return found

    def find_near(self, image: Image.Image, box: Box) -> Box | None:
        """The face nearest to where `box` (a face's square, from an earlier frame) stands, looked
        for in a square REFINE_SCALE times the face around it, in the full-resolution picture;
        None when no face is there or the nearest is not the same size or place. One search of
        192x192 whatever the picture's size: how video follows a face from frame to frame."""
        picture = image if image.mode == "RGB" else image.convert("RGB")
        side = box.size / (1 + FACE_MARGIN)  # the detector's own box inside the widened square
        centre_x, centre_y = box.x + box.size / 2, box.y + box.size / 2
        face = self._nearest(picture, centre_x, centre_y, REFINE_SCALE * side)
        if face is None:
            return None
        found = square_box(face[:4], float(face[4]))
        moved = math.hypot(found.x + found.size / 2 - centre_x, found.y + found.size / 2 - centre_y)
        if moved > found.size / 2 or not 0.6 <= found.size / box.size <= 1.6 or found.size < MIN_FACE_SIDE:
            return None  # another face beside it, or a part of one
        return found

    def search(self, image: Image.Image, known=(), tile=None) -> list:
        """[Box, ...] of the faces found in the whole picture (shrunk to DETECTION_SIDE), and in a wide
        one also in tiles, each boxed again at full resolution when `refine`, biggest first; faces
        where one of the `known` boxes already stands are left out. `tile` k: the whole picture
        and only the k-th tile (counting round), a share of the search (video spreads it over frames)."""
        picture = image if image.mode == "RGB" else image.convert("RGB")
        small = picture.copy() if max(picture.size) > DETECTION_SIDE else picture
        small.thumbnail((DETECTION_SIDE, DETECTION_SIDE))
        scale_x, scale_y = picture.width / small.width, picture.height / small.height
        windows = _search_windows(small.size) if self.tiles else [(0, 0, *small.size)]
        if tile is not None and len(windows) > 1:
            windows = [windows[0], windows[1 + tile % (len(windows) - 1)]]
        found = []
        for left, top, width, height in windows:
            side = max(width, height)  # letterboxed: the window in the middle of a square
            found += self._faces_in_square(small, left - (side - width) / 2, top - (side - height) / 2, side,
                                           CANDIDATE_SCORE if self.refine else MIN_SCORE)
        found = _without_repeats(sorted(found, key=lambda face: -face[4]))  # a face seen in two windows: once
        found = [(x * scale_x, y * scale_y, w * scale_x, h * scale_y, score) for x, y, w, h, score in found]
        found = [f for f in found if all(iou(corners(f), corners(k)) < 0.3 for k in known)]
        if self.refine:
            refined = (self._refined(picture, face) for face in found)
            found = _without_repeats(sorted((face for face in refined if face), key=lambda f: -f[4]))
        boxes = [square_box((x, y, w, h), float(score)) for x, y, w, h, score in found]
        return sorted((b for b in boxes if b.size >= MIN_FACE_SIDE), key=lambda b: -b.size)

    def detect(self, image: Image.Image) -> list:
        """[Box, ...] for one PIL image in any mode, biggest face first.

        BlazeFace sees a picture at 192x192, where the faces of a wide group picture get
        too small: a picture wider (or taller) than WIDE is also searched in square tiles
        along its long side, and the boxes found twice are merged. Each face is then boxed
        again in the full-resolution picture, at one scale, so it gets the same box alone and
        among others, in a small picture or a huge one.
        """
        return self.search(image)


def _same_face(a, b) -> bool:
    """Whether two detections (x, y, width, height, ...) are one face seen twice: centres within a
    quarter of its size, sizes within a third of each other."""
    side_a, side_b = max(a[2], a[3]), max(b[2], b[3])
    moved = math.hypot(a[0] + a[2] / 2 - b[0] - b[2] / 2, a[1] + a[3] / 2 - b[1] - b[3] / 2)
    return moved <= side_b / 4 and 0.75 <= side_a / side_b <= 4 / 3


def _weighted_suppression(boxes: np.ndarray, scores: np.ndarray, overlap=SUPPRESSION_OVERLAP) -> list:
    """MediaPipe's weighted non-maximum suppression: the best box and those overlapping it by more
    than `overlap` become one, their corners (rows of `boxes`) averaged by score; its score is the best one's."""
    order = np.argsort(-scores, kind="stable")
    merged = []
    while order.size:
        best, others = boxes[order[0]], boxes[order]
        same = np.array([iou(best, other) > overlap for other in others])
        weights = scores[order[same]]
        merged.append(((others[same] * weights[:, None]).sum(axis=0) / weights.sum(), float(scores[order[0]])))
        order = order[~same]
    return merged


WIDE = 1.6  # long side / short side beyond which a picture is also searched in tiles
CORNER_TILES_FROM = 2 * INPUT_SIDE  # a picture at least this big on its short side is also searched by quarters
CORNER_TILE = 0.6  # ... in squares this share of its short side, one at each corner


def _search_windows(size) -> list:
    """(left, top, width, height) of the whole picture, then, for a wide or tall one, squares
    of its short side along its long side, overlapping by half; for another big one, a square at
    each corner (several faces side by side score low when the whole picture is seen at 192x192)."""
    width, height = size
    windows = [(0, 0, width, height)]
    short, long = min(size), max(size)
    if long >= WIDE * short:
        steps = int(np.ceil((long - short) / (short / 2)))
        for offset in np.linspace(0, long - short, steps + 1).round().astype(int):
            windows.append((offset, 0, short, short) if width > height else (0, offset, short, short))
    elif short >= CORNER_TILES_FROM:
        side = round(CORNER_TILE * short)
        windows += [(left, top, side, side) for top in (0, height - side) for left in (0, width - side)]
    return windows


def _without_repeats(faces, overlap=0.4) -> list:
    """Faces (best first), as Boxes or (x, y, width, height, score), without those that cover the same
    face as a better one."""
    kept = []
    for face in faces:
        if all(iou(corners(face), corners(other)) < overlap for other in kept):
            kept.append(face)
    return kept


def square_box(xywh, score=1.0, margin=FACE_MARGIN) -> Box:
    """The square centred on a detection, widened by `margin`.

    It is never shifted or shrunk to fit the picture: a face at the edge of a tight crop
    and the same face inside a bigger picture get the same framing, so the same answer.
    `crop` (happysad.vision.boxes) fills the part outside the picture by repeating its edge pixels.
    """
    x, y, w, h = xywh
    side = max(w, h) * (1 + margin)
    return Box(int(round(x + w / 2 - side / 2)), int(round(y + h / 2 - side / 2)), int(round(side)), float(score))
