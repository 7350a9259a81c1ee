"""Labels drawn on photos stay inside the picture and readable."""
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

from happysad.answer.annotate import LABEL_COLOURS, TEXT_COLOUR, draw_predictions, place_label, place_labels
from happysad.vision.boxes import Box
from happysad.answer.prediction import Prediction
from conftest import REPO, answer_of

CASES = {  # picture size, face box
    "top edge": ((200, 150), Box(60, 0, 80)),
    "bottom edge": ((200, 150), Box(60, 70, 80)),
    "left edge": ((200, 150), Box(0, 30, 80)),
    "right edge": ((200, 150), Box(120, 30, 80)),
    "whole picture": ((150, 150), Box(0, 0, 150)),
    "past every edge": ((120, 100), Box(-15, -20, 150)),
    "60x60 picture": ((60, 60), Box(0, 0, 60)),
}


def assert_label_readable(annotated, label):
    width, height = annotated.size
    left, top, right, bottom = label.area
    assert 0 <= left <= right < width and 0 <= top <= bottom < height, "label outside the picture"
    text_left, text_top, text_right, text_bottom = label.font.getbbox(label.text)
    assert text_right - text_left <= right - left + 1, "text wider than its label"
    pixels = np.asarray(annotated.crop((left, top, right + 1, bottom + 1))).reshape(-1, 3).astype(int)
    fill = np.all(np.abs(pixels - label.colour) < 40, axis=1).mean()
    ink = np.all(np.abs(pixels - TEXT_COLOUR) < 60, axis=1).mean()
    assert fill > 0.3, f"label background overdrawn ({fill:.0%} of its colour left)"
    assert ink > 0.03, "no text in the label"


@pytest.mark.parametrize("case", CASES)
def test_label_is_inside_the_picture_and_readable(case):
    size, box = CASES[case]
    picture = Image.new("RGB", size, (128, 128, 128))
    for p_sad in (0.03, 0.97):
        prediction = Prediction("x.jpg", answer_of(p_sad), box, face_found=True)
        annotated = draw_predictions(picture, [prediction])
        assert annotated.size == size
        assert_label_readable(annotated, place_label(prediction, size))


def test_label_of_a_face_found_nowhere_fits_a_small_picture():
    prediction = Prediction("x.jpg", answer_of(0.8), Box(0, 0, 60), face_found=False)
    annotated = draw_predictions(Image.new("L", (60, 60), 200), [prediction])
    assert_label_readable(annotated, place_label(prediction, (60, 60)))


def test_a_neighbours_box_does_not_cross_a_label():
    first = Prediction("x.jpg", answer_of(0.1), Box(10, 40, 80), face_found=True)
    neighbour = Prediction("x.jpg", answer_of(0.9), Box(40, 5, 120), face_found=True)  # its box runs through first's label
    annotated = draw_predictions(Image.new("RGB", (300, 200), "white"), [first, neighbour])
    for prediction in (first, neighbour):
        assert_label_readable(annotated, place_label(prediction, (300, 200)))
    assert LABEL_COLOURS["happy"] != LABEL_COLOURS["sad"]


def test_labels_of_neighbouring_faces_in_a_row_do_not_cover_each_other():
    size = (420, 160)
    row = [Prediction("x.jpg", answer_of(p), Box(10 + 45 * i, 60, 40), face_found=True)  # labels wider than the gaps
           for i, p in enumerate((0.05, 0.97, 0.4, 0.88, 0.02, 0.7, 0.3, 0.99, 0.1))]
    labels = place_labels(row, size)
    annotated = draw_predictions(Image.new("RGB", size, (128, 128, 128)), row)
    for index, label in enumerate(labels):
        assert_label_readable(annotated, label)
        for other in labels[:index]:
            assert not (label.area[0] <= other.area[2] and other.area[0] <= label.area[2]
                        and label.area[1] <= other.area[3] and other.area[1] <= label.area[3]), (label, other)


def test_the_command_line_path_never_imports_the_plotting_libraries():
    # Keras 3 itself imports matplotlib.pyplot (keras.src.visualization); seaborn and our figures are the cost we own.
    code = ("import sys, happysad.answer.predict_command, happysad.answer.annotate, happysad.answer.prediction, happysad.data.datafolder; "
            "print(sorted(m for m in ('seaborn', 'happysad.train.plots') if m in sys.modules))")
    run = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True)
    assert run.stdout.strip() == "[]"


def test_a_tiny_picture_keeps_the_label_whole_rather_than_a_clipped_percentage():
    prediction = Prediction("x.jpg", answer_of(0.98), Box(0, 0, 28), face_found=True)
    label = place_label(prediction, (28, 40))
    left, top, right, bottom = label.font.getbbox(label.text)
    assert label.text in ("sad 98%", "sad") and right - left + 2 * label.padding <= 28
    assert_label_readable(draw_predictions(Image.new("RGB", (28, 40), "white"), [prediction]), label)
