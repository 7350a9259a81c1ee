from PIL import Image

import numpy as np

from happysad.vision.boxes import Box, centre_box, crop, reading_order, visible_part
from happysad.vision.faces import FaceDetector, square_box


def test_square_box_is_centred_and_widened_even_at_the_edge():
    box = square_box((100, 100, 40, 50), margin=0.2)
    assert box.size == 60 and (box.x, box.y) == (90, 95)
    at_edge = square_box((0, 0, 40, 40), margin=0.5)
    assert (at_edge.x, at_edge.y, at_edge.size) == (-10, -10, 60)  # same framing as away from the edge
    assert visible_part(at_edge, (400, 300)) == (0, 0, 49, 49)


def test_crop_past_the_edge_repeats_the_edge_pixels():
    image = Image.fromarray(np.arange(100, dtype=np.uint8).reshape(10, 10), "L")
    pixels = np.asarray(crop(image, Box(-2, 6, 6)))
    assert pixels.shape == (6, 6)
    np.testing.assert_array_equal(pixels[:4, 2:], np.asarray(image)[6:, :4])  # the part inside
    np.testing.assert_array_equal(pixels[:4, 0], np.asarray(image)[6:, 0])  # left edge repeated
    np.testing.assert_array_equal(pixels[5], pixels[3])  # bottom edge repeated
    assert crop(Image.new("RGB", (10, 10)), Box(5, 5, 10)).size == (10, 10)


def test_reading_order_is_rows_top_to_bottom_then_left_to_right():
    boxes = [Box(793, 40, 100), Box(376, 60, 120), Box(12, 30, 140), Box(1186, 420, 90), Box(500, 400, 110)]
    assert [b.x for b in reading_order(boxes)] == [12, 376, 793, 500, 1186]


def test_centre_box_and_crop():
    image = Image.new("RGB", (300, 100))
    box = centre_box(image)
    assert box == Box(100, 0, 100, 0.0)
    assert crop(image, box).size == (100, 100)


def test_tiny_pictures_have_no_faces():
    assert FaceDetector().detect(Image.new("L", (20, 20))) == []


def test_wide_pictures_are_also_searched_in_overlapping_square_tiles():
    from happysad.vision.faces import _search_windows

    assert _search_windows((400, 300)) == [(0, 0, 400, 300)]
    wide = _search_windows((680, 260))
    assert wide[0] == (0, 0, 680, 260) and all(w[2:] == (260, 260) for w in wide[1:])
    assert wide[1][0] == 0 and wide[-1][0] == 680 - 260  # from edge to edge
    assert all(b[0] - a[0] <= 130 for a, b in zip(wide[1:], wide[2:]))  # overlapping by half or more
    tall = _search_windows((200, 500))
    assert all(w[0] == 0 and w[2:] == (200, 200) for w in tall[1:]) and tall[-1][1] == 300


def test_a_face_found_twice_is_kept_once():
    from happysad.vision.faces import _without_repeats

    kept = _without_repeats([Box(100, 100, 80, 0.9), Box(104, 98, 82, 0.7), Box(300, 100, 80, 0.6)])
    assert kept == [Box(100, 100, 80, 0.9), Box(300, 100, 80, 0.6)]
