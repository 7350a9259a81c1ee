"""Classify pictures with the saved model: every face found, or the whole picture when none is.
`Prediction` is a classified face, a photo's or a video frame's."""
from dataclasses import dataclass

import numpy as np

from ..config import ANSWERS
from ..vision.boxes import Box, centre_box, crop, reading_order
from ..vision.faces import FaceDetector
from ..vision.images import ImageError, read_image, to_model_input
from .emotions import Answer

SMOOTHED_COLUMNS = tuple(f"p_{answer}_smoothed" for answer in ANSWERS)
# a video's table (`video --csv`): a row per face per frame read (Prediction.row)
VIDEO_COLUMNS = ("frame", "time_s", "face", "x", "y", "width", "height", *(f"p_{answer}" for answer in ANSWERS),
                 *SMOOTHED_COLUMNS, "label", "confidence", "p_sad_vs_happy")


@dataclass
class Prediction:
    """One classified face: its box and its Answer (happy, sad or neither, happysad.answer.emotions).
    A photo's names its file (`path`); `face_found` is False when no face was found and the whole
    picture was answered. A video frame's (happysad.answer.video) also has the frame's index and
    time, the face's number, its three answers smoothed over time and the `steady` (label,
    confidence) shown, which turns with hysteresis; its label and confidence are those."""
    path: str = ""
    answer: Answer | None = None
    box: Box | None = None
    face_found: bool = False
    frame: int | None = None
    time_s: float | None = None
    face: int | None = None
    smoothed: tuple | None = None
    steady: tuple | None = None

    @property
    def label(self) -> str:
        return self.steady[0] if self.steady else self.answer.label

    @property
    def confidence(self) -> float:
        return self.steady[1] if self.steady else self.answer.confidence

    @property
    def name(self) -> str | None:
        """A face followed through a video: "face N"."""
        return None if self.face is None else f"face {self.face}"

    @property
    def p_sad_vs_happy(self) -> float:
        return self.answer.p_sad_vs_happy

    @property
    def where(self) -> str:
        if self.face_found:
            return f"face at x={self.box.x} y={self.box.y} size={self.box.size}"
        return "no face found: whole picture"

    def __str__(self):
        a = self.answer
        return (f"{self.label}, {self.confidence:.0%} confident (happy {a.p_happy:.0%}, sad {a.p_sad:.0%}, "
                f"neither {a.p_neither:.0%})")

    def as_dict(self, with_emotions=False) -> dict:
        x, y, width, height = self.box.as_tuple() if self.box else (None,) * 4
        return {"file": self.path, "face_found": self.face_found, "x": x, "y": y, "width": width,
                "height": height, "label": self.label, "confidence": round(self.confidence, 4),
                **self.answer.as_dict(with_emotions)}

    def row(self) -> dict:
        """The video table's row (VIDEO_COLUMNS)."""
        a = self.answer
        return {"frame": self.frame, "time_s": round(self.time_s, 3), "face": self.face, "x": self.box.x,
                "y": self.box.y, "width": self.box.size, "height": self.box.size,
                **{f"p_{answer}": round(p, 4) for answer, p in zip(ANSWERS, a.probabilities)},
                **{column: round(p, 4) for column, p in zip(SMOOTHED_COLUMNS, self.smoothed)},
                "label": self.label, "confidence": round(self.confidence, 4), "p_sad_vs_happy": round(a.p_sad_vs_happy, 4)}


def input_size_and_channels(model) -> tuple[int, int]:
    """The side of the square images the model takes (the notebook's IMAGE_SIZE when it was
    trained) and their channels (1 grayscale, 3 colour: its COLOR_MODE)."""
    return int(model.input_shape[1]), int(model.input_shape[-1])


def predict_arrays(model, arrays, batch_size=64, copies=None) -> np.ndarray:
    """P(sad) for a list of model inputs, in batches: a classifier (happysad.answer.classifier), with
    `copies` of each face averaged (None: its default, the Keras file's ten), or a Keras model
    called directly (much faster than predict() for a few faces)."""
    options = {} if copies is None else {"copies": copies}
    p_sad = [np.asarray(model(np.stack(arrays[i:i + batch_size]), training=False, **options)).ravel()
             for i in range(0, len(arrays), batch_size)]
    return np.concatenate(p_sad) if p_sad else np.zeros(0)


def answer_arrays(classifier, arrays, batch_size=64, copies=None) -> list:
    """An Answer (happysad.answer.emotions) for each of a list of model inputs, in batches; `copies`
    of each face averaged (None: the classifier's default, ten)."""
    options = {} if copies is None else {"copies": copies}
    return [answer for i in range(0, len(arrays), batch_size)
            for answer in classifier.answer(np.stack(arrays[i:i + batch_size]), **options)]


_detector = FaceDetector()


def faces_to_answer(image, name, size, channels, find_faces=True, detector=None) -> list:
    """[(Prediction without its answer yet, model input), ...]: each face found in the picture, in
    reading order (rows top to bottom, each left to right), or the whole picture (its centred
    square) when none is found."""
    boxes = reading_order((detector or _detector).detect(image)) if find_faces else []
    return [(Prediction(name, None, box, face_found=bool(boxes)), to_model_input(crop(image, box), size, channels))
            for box in boxes or [centre_box(image)]]


def classify_image(model, image, name, copies=None, detector=None) -> list:
    """The Predictions of one decoded picture (classify_photos, for a picture already in memory)."""
    size, channels = input_size_and_channels(model)
    found = faces_to_answer(image, name, size, channels, detector=detector)
    for (prediction, _), answer in zip(found, answer_arrays(model, [array for _, array in found], copies=copies)):
        prediction.answer = answer
    return [prediction for prediction, _ in found]


def classify_photos(model, paths, find_faces=True, batch_size=64, progress=False, detector=None, copies=None):
    """(predictions, errors): one Prediction per face found in each picture, in reading order
    (rows top to bottom, each left to right), or one for the whole picture (its centred
    square) when none is found. An unreadable file becomes an ImageError in errors and the
    others are still classified. `model`: a classifier (happysad.answer.classifier); `copies`:
    of each face, averaged (10, the default, or 1).
    """
    from tqdm import tqdm

    size, channels = input_size_and_channels(model)
    pending, arrays, errors = [], [], []
    for path in tqdm(paths, desc="Classifying", unit="photo", disable=not progress):
        try:
            image = read_image(path)
        except ImageError as error:
            errors.append(error)
            continue
        for prediction, array in faces_to_answer(image, str(path), size, channels, find_faces, detector):
            pending.append(prediction)
            arrays.append(array)
    for prediction, answer in zip(pending, answer_arrays(model, arrays, batch_size, copies)):
        prediction.answer = answer
    return pending, errors
