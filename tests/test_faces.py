from PIL import Image

from happysad.faces import Box, FaceDetector, centre_box, crop, square_box


def test_square_box_is_centred_widened_and_kept_inside():
    box = square_box((100, 100, 40, 50), (400, 300), margin=0.2)
    assert box.size == 60 and (box.x, box.y) == (90, 95)
    at_edge = square_box((0, 0, 40, 40), (400, 300), margin=0.5)
    assert (at_edge.x, at_edge.y, at_edge.size) == (0, 0, 60)
    too_big = square_box((0, 0, 500, 500), (400, 300))
    assert too_big.size == 300 and too_big.x + too_big.size <= 400


def test_centre_box_and_crop():
    image = Image.new("RGB", (300, 100))
    box = centre_box(image)
    assert box == Box(100, 0, 100, 0.0)
    assert crop(image, box).size == (100, 100)


def test_tiny_pictures_have_no_faces():
    assert FaceDetector().detect(Image.new("L", (20, 20))) == []
