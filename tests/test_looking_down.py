"""The looking-down yardstick's faces: the same face always gives the same picture, bent as a head
bends forward (the chin goes farther and up, the forehead nearer), lit as the draw says."""
import numpy as np
import pytest
from PIL import Image

from conftest import face
from happysad.data.looking_down import LookingDownAugmentation, bend_forward, light_ramp, looking_down


def test_the_same_face_gives_the_same_picture_and_another_face_another_draw():
    first, drawn = looking_down(face("happy", seed=1))
    again, drawn_again = looking_down(face("happy", seed=1))
    assert drawn == drawn_again and np.array_equal(np.asarray(first), np.asarray(again))
    assert first.size == (48, 48) and first.mode == "L"
    assert looking_down(face("happy", seed=2))[1] != drawn
    assert 15 <= drawn["pitch"] <= 35 and drawn["light"] in ("below", "left", "right")


def test_bending_forward_moves_the_chin_up_more_than_the_forehead_down():
    lines = np.zeros((48, 48))
    lines[8], lines[40] = 255, 255  # a brow line and a chin line
    bent = bend_forward(lines, 30)
    brow, chin = (int(np.argmax(bent[:24, 0])), 24 + int(np.argmax(bent[24:, 0])))
    assert abs(brow - 8) < abs(chin - 40) and chin < 40  # the lower half shrinks most
    assert np.array_equal(bend_forward(lines, 0), lines)


def test_light_from_below_is_brightest_at_the_chin_and_from_a_side_at_that_side():
    below = light_ramp((48, 48), "below", 0.4)
    assert below[-1, 0] == 1.0 and np.isclose(below[0, 0], 0.4) and np.allclose(below[:, 0], below[:, -1])
    left, right = light_ramp((48, 48), "left", 0.4), light_ramp((48, 48), "right", 0.4)
    assert left[0, 0] == 1.0 and right[0, -1] == 1.0 and np.allclose(left, right[:, ::-1])


def test_the_brightness_is_kept_as_a_camera_exposes():
    picture = Image.fromarray(np.full((48, 48), 120, np.uint8), "L")
    assert abs(np.asarray(looking_down(picture)[0], dtype=float).mean() - 120) < 3


def test_training_augmentation_changes_its_share_of_faces_the_same_way_for_the_same_seed():
    faces = [np.asarray(face("happy", seed=s), dtype=np.float32)[..., None] for s in range(40)]
    assert all(LookingDownAugmentation(0.0, seed=1)(f) is f for f in faces)
    half = LookingDownAugmentation(0.5, seed=1)
    changed = [not np.array_equal(half(f), f) for f in faces]
    assert 10 <= sum(changed) <= 30
    again = LookingDownAugmentation(0.5, seed=1)
    assert changed == [not np.array_equal(again(f), f) for f in faces]
    every = LookingDownAugmentation(1.0, seed=2)
    for f in faces[:10]:
        out = every(f)
        assert out.shape == f.shape and out.dtype == f.dtype and abs(out.mean() - f.mean()) < 6
    rgb = np.repeat(faces[0], 3, axis=-1)
    assert every(rgb).shape == (48, 48, 3)
    with pytest.raises(ValueError, match="LOOKING_DOWN_SHARE"):
        LookingDownAugmentation(1.5, seed=1)
