"""Faces in video: followed through the frames, steady answers, the table, the figure, bad input.

The clips are made here from real portraits: one moved and zoomed, two crossing, one leaving and
coming back with blank frames between. The shared real clip is used where it is there."""
import csv
import signal
import subprocess
import sys
import time

import numpy as np
import pytest
from PIL import Image

from conftest import REPO, SHARED_DATASETS, needs_real_faces, portraits
from happysad.__main__ import main
from happysad.answer.classifier import load_classifier
from happysad.answer.prediction import classify_photos
from happysad.answer.tracking import LOST_SECONDS, SteadyAnswer
from happysad.answer.frames import VideoSource
from happysad.answer.prediction import VIDEO_COLUMNS as COLUMNS
from happysad.answer.video import follow_faces

FPS = 30
SIZE = (640, 360)


def write_clip(path, frames, fps=FPS, codec="mp4v"):
    import cv2
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*codec), fps, frames[0].size)
    for frame in frames:
        writer.write(np.asarray(frame.convert("RGB"))[:, :, ::-1])
    writer.release()
    return path


def canvas():
    return Image.new("RGB", SIZE, (90, 100, 110))


def placed(*faces):
    """A frame with each (portrait, x, y, side) pasted in order (the last one in front)."""
    frame = canvas()
    for portrait, x, y, side in faces:
        frame.paste(portrait.resize((side, side), Image.BICUBIC), (int(x), int(y)))
    return frame


def run_clip(path, model_path, every=1):
    source = VideoSource(path)
    try:
        return [row for _, _, _, faces in follow_faces(source, load_classifier(model_path), every) for row in faces]
    finally:
        source.close()


def numbers(rows):
    return sorted({row.face for row in rows})


@pytest.fixture(scope="module")
def people():
    found = portraits(2, 220)
    if len(found) < 2:
        pytest.skip("not enough real portraits")
    return found


@needs_real_faces
def test_a_face_moved_and_zoomed_keeps_one_number_and_the_still_photo_s_answer(people, tmp_path):
    model = REPO / "happy_sad_model.keras"
    portrait = people[0]
    portrait.save(tmp_path / "still.png")
    (still,), _ = classify_photos(load_classifier(model), [tmp_path / "still.png"])
    frames = [placed((portrait, 40 + 12 * i, 40 + 2 * i, int(220 - 2 * i))) for i in range(30)]
    rows = run_clip(write_clip(tmp_path / "moving.mp4", frames), model)
    assert numbers(rows) == [1] and len(rows) >= 28  # found in (nearly) every frame, one number throughout
    assert {row.label for row in rows} == {still.label}
    assert abs(np.median([row.answer.p_sad_vs_happy for row in rows]) - still.p_sad_vs_happy) <= 0.1


@needs_real_faces
def test_two_faces_crossing_keep_their_numbers(people, tmp_path, untrained_model_path):
    a, b = people
    frames = []
    for i in range(40):  # a walks right, b walks left, lower; b passes in front of a, hiding it for a few frames
        frames.append(placed((a, 20 + 10 * i, 20, 200), (b, 420 - 10 * i, 140, 200)))
    rows = run_clip(write_clip(tmp_path / "crossing.mp4", frames), untrained_model_path)
    by_face = {n: [row.box.x for row in rows if row.face == n] for n in numbers(rows)}
    walkers = {n: xs for n, xs in by_face.items() if len(xs) >= 10}
    assert len(walkers) == 2, by_face
    directions = sorted(np.sign(np.diff(xs)).mean() for xs in walkers.values())
    assert directions[0] < -0.8 and directions[1] > 0.8, by_face  # each number keeps to one direction


@needs_real_faces
def test_faces_followed_across_a_panning_camera_are_found_in_every_frame_they_are_in_view(tmp_path):
    """Three portraits on a wall, a camera panning along it: each face is looked for where it
    should be in every frame, so every face fully in view has its row in every frame."""
    found = portraits(3, 200)
    if len(found) < 3:
        pytest.skip("not enough real portraits")
    wall = Image.new("RGB", (1000, SIZE[1]), (90, 100, 110))
    for index, portrait in enumerate(found):
        wall.paste(portrait, (40 + 320 * index, 80))
    frames = [wall.crop((8 * i, 0, 8 * i + SIZE[0], SIZE[1])) for i in range(45)]
    rows = run_clip(write_clip(tmp_path / "pan.mp4", frames), REPO / "happy_sad_model.keras")
    for index in range(3):
        left = 40 + 320 * index
        in_view = [i for i in range(45) if left - 8 * i >= 0 and left + 200 - 8 * i <= SIZE[0]]
        seen = {row.frame for row in rows if left - 8 * row.frame <= row.box.x + row.box.size / 2 <= left + 200 - 8 * row.frame}
        assert in_view and set(in_view) <= seen, (index, sorted(set(in_view) - seen))
    assert len(numbers(rows)) == 3


@pytest.mark.slow
@needs_real_faces
def test_a_face_hidden_behind_another_for_2_seconds_keeps_its_number_and_lends_none_its_answer(people, tmp_path):
    """b walks behind a, which stands still, hidden for over two seconds: both keep their numbers,
    and no row gives b a's place while b is more than half hidden."""
    a, b = people
    frames = [placed((b, -120 + 3 * i, 90, 200), (a, 220, 60, 200)) for i in range(200)]
    rows = run_clip(write_clip(tmp_path / "behind.mp4", frames), REPO / "happy_sad_model.keras")
    a_number = {row.face for row in rows if row.frame < 5}
    assert len(a_number) == 1
    b_rows = [row for row in rows if row.face not in a_number]
    assert len({row.face for row in b_rows}) == 1, numbers(rows)  # one number for b, before and after
    hidden = [i for i in range(200) if abs(-120 + 3 * i - 220) < 100]  # more than half of b behind a
    assert len(hidden) / FPS >= 2 and any(row.frame < hidden[0] for row in b_rows) \
        and any(row.frame > hidden[-1] for row in b_rows)
    assert not [row for row in b_rows if row.frame in hidden[5:-5]]  # no answer while b is hidden
    assert {row.face for row in rows if row.frame in hidden[5:-5]} == a_number


@needs_real_faces
def test_a_face_keeps_its_number_through_a_short_gap_and_gets_a_new_one_after_a_long_absence(
        people, tmp_path, untrained_model_path):
    portrait = people[0]
    seen = placed((portrait, 200, 60, 200))
    short_gap = 4  # frames without the face: well under LOST_SECONDS
    long_gap = int(3 * LOST_SECONDS * FPS)
    frames = [seen] * 10 + [canvas()] * short_gap + [seen] * 10 + [canvas()] * long_gap + [seen] * 10
    rows = run_clip(write_clip(tmp_path / "gaps.mp4", frames), untrained_model_path)
    first = {row.face for row in rows if row.frame < 24}
    last = {row.face for row in rows if row.frame >= 24 + long_gap}
    assert len(first) == 1 and len(last) == 1 and first != last, (first, last)
    assert not [row for row in rows if 24 <= row.frame < 24 + long_gap]  # no face where there is none


def three(p_sad, p_neither=0.0):
    return (1 - p_sad - p_neither, p_sad, p_neither)


def test_smoothing_is_in_seconds_so_every_third_frame_gives_the_same_curve():
    answers = [three(0.1)] * 30 + [three(0.9)] * 60  # a face turns sad at 1 s
    every_frame, every_third = SteadyAnswer(), SteadyAnswer()
    curve_1 = [every_frame.update(p, i / FPS)[0][1] for i, p in enumerate(answers)]
    curve_3 = {i: every_third.update(p, i / FPS)[0][1] for i, p in enumerate(answers) if i % 3 == 0}
    gaps = {i: abs(curve_1[i] - p) for i, p in curve_3.items()}
    # Read every third frame, the turn is known to within three frames, nothing finer: the curves
    # part by up to a tenth at the turn and meet again within a second.
    assert max(gaps.values()) < 0.1 and max(gap for i, gap in gaps.items() if i >= 60) < 0.02
    assert max(gaps[i] for i in range(0, 30, 3)) < 1e-9  # steady answers: the same curve exactly
    assert 0.1 < curve_1[35] < 0.9 and curve_1[-1] > 0.85  # it follows within about a second


def test_the_label_does_not_flicker_around_undecided():
    steady = SteadyAnswer(time_constant=0)  # no smoothing: the hysteresis alone
    labels = [steady.update(three(p), i / FPS)[1] for i, p in enumerate([0.3, 0.52, 0.47, 0.55, 0.45, 0.58, 0.65, 0.45, 0.35])]
    assert labels == ["happy"] * 6 + ["sad", "sad", "happy"]


def test_three_states_turn_only_when_another_answer_leads_by_the_margin():
    steady = SteadyAnswer(time_constant=0)
    frames = [three(0.1, 0.2), three(0.1, 0.45), three(0.1, 0.52), three(0.05, 0.6), three(0.5, 0.4),
              three(0.55, 0.3), three(0.3, 0.4), three(0.2, 0.6)]
    # happy 0.7: happy; neither 0.45 against happy 0.45, 0.52 against 0.38: within 0.2, still happy;
    # 0.6 against 0.35: neither; sad 0.5 against neither 0.4: within, neither; sad 0.55 against 0.3: sad;
    # neither 0.4 against sad 0.3: sad; neither 0.6 against sad 0.2: neither
    assert [steady.update(p, i / FPS)[1] for i, p in enumerate(frames)] == \
        ["happy", "happy", "happy", "neither", "neither", "sad", "sad", "neither"]
    smoothed = SteadyAnswer()
    for i in range(90):
        probabilities, _ = smoothed.update(three(0.1, 0.8) if i % 2 else three(0.1, 0.1), i / FPS)
        assert abs(sum(probabilities) - 1) < 1e-9  # the three smoothed answers still sum to 1


@needs_real_faces
def test_every_third_frame_gives_the_same_smoothed_curve_on_a_clip(people, tmp_path, untrained_model_path):
    frames = [placed((people[0], 200, 60, 200))] * 30 + [placed((people[1], 200, 60, 200))] * 30
    clip = write_clip(tmp_path / "turn.mp4", frames)
    every_1 = {row.frame: np.array(row.smoothed) for row in run_clip(clip, untrained_model_path, every=1)}
    every_3 = {row.frame: np.array(row.smoothed) for row in run_clip(clip, untrained_model_path, every=3)}
    common = sorted(set(every_1) & set(every_3))
    assert len(common) >= 15 and all(frame % 3 == 0 for frame in every_3)
    assert max(np.abs(every_1[f] - every_3[f]).max() for f in common) <= 0.05


@needs_real_faces
def test_the_command_writes_the_table_the_copy_the_summary_and_the_timeline(people, tmp_path, untrained_model_path,
                                                                             capsys):
    frames = [placed((people[0], 30 + 6 * i, 60, 180), (people[1], 400, 100, 160)) for i in range(20)]
    clip = write_clip(tmp_path / "two.mp4", frames)
    out = tmp_path / "out"
    out.mkdir()
    assert main(["video", str(clip), "--csv", str(out / "faces.csv"), "--out", str(out / "annotated.mp4"),
                 "--model", str(untrained_model_path)]) == 0
    with open(out / "faces.csv") as file:
        table = list(csv.DictReader(file))
    assert list(table[0]) == list(COLUMNS) and {row["face"] for row in table} == {"1", "2"}
    assert {row["label"] for row in table} <= {"happy", "sad", "neither"}
    for row in table:
        for kind in ("", "_smoothed"):
            assert abs(sum(float(row[f"p_{answer}{kind}"]) for answer in ("happy", "sad", "neither")) - 1) < 1e-3
    copy = VideoSource(out / "annotated.mp4")
    assert copy.declared_frames == 20 and copy.frame_size() == SIZE
    copy.close()
    timeline = Image.open(out / "faces.timeline.png")
    assert timeline.width > 500 and len(np.unique(np.asarray(timeline.convert("L")))) > 20  # a drawn figure
    summary = (out / "faces.summary.csv").read_text().splitlines()
    assert summary[0].startswith("face,first_s,last_s,seconds_in_view,happy_s,sad_s,neither_s") and len(summary) == 3
    printed = capsys.readouterr().out
    assert "face  seen" in printed and "faces.timeline.png" in printed


@pytest.mark.slow
@pytest.mark.skipif(not (SHARED_DATASETS / "videos" / "woman2.mp4").is_file(), reason="no shared clip")
def test_the_real_clip_every_third_frame(tmp_path, capsys):
    assert main(["video", str(SHARED_DATASETS / "videos" / "woman2.mp4"), "--every", "3",
                 "--csv", str(tmp_path / "woman.csv")]) == 0
    with open(tmp_path / "woman.csv") as file:
        table = list(csv.DictReader(file))
    assert len(table) >= 140 and {row["face"] for row in table} == {"1"}  # one woman, 155 frames read
    assert all(int(row["frame"]) % 3 == 0 for row in table)


def one_line_error(capsys, arguments, words):
    status = main(["video", *map(str, arguments)])
    err = capsys.readouterr().err.strip()
    assert status != 0 and len(err.splitlines()) == 1 and words in err, err
    return err


def test_bad_videos_give_one_line_naming_the_file(tmp_path, capsys, untrained_model_path):
    model = ["--model", untrained_model_path]
    assert str(tmp_path / "gone.mp4") in one_line_error(capsys, [tmp_path / "gone.mp4", *model], "no such file")
    (tmp_path / "empty.mp4").write_bytes(b"")
    one_line_error(capsys, [tmp_path / "empty.mp4", *model], "empty file")
    (tmp_path / "notes.mp4").write_text("not a video at all\n" * 50)
    one_line_error(capsys, [tmp_path / "notes.mp4", *model], "not a video OpenCV can read")
    one_line_error(capsys, [tmp_path, *model], "is a folder")


def test_a_codec_that_cannot_be_read_and_a_video_with_no_frames(tmp_path, capsys, untrained_model_path):
    model = ["--model", untrained_model_path]
    data = write_clip(tmp_path / "real.avi", [canvas()] * 10, codec="MJPG").read_bytes()
    (tmp_path / "codec.avi").write_bytes(data.replace(b"MJPG", b"QQQQ"))  # a codec no decoder knows
    one_line_error(capsys, [tmp_path / "codec.avi", *model], "codec.avi: not a video OpenCV can read")
    (tmp_path / "header.avi").write_bytes(data[:2048])  # the header and no frame
    err = one_line_error(capsys, [tmp_path / "header.avi", *model], "header.avi")
    assert "no frame could be decoded" in err or "not a video OpenCV can read" in err


@needs_real_faces
def test_a_video_cut_mid_stream_keeps_every_row_read_before(people, tmp_path, capsys, untrained_model_path):
    frames = [placed((people[0], 100 + 4 * i, 60, 180)) for i in range(40)]
    clip = write_clip(tmp_path / "whole.avi", frames, codec="MJPG")  # an AVI can be read up to where it was cut
    data = clip.read_bytes()
    (tmp_path / "cut.avi").write_bytes(data[:len(data) // 2])
    status = main(["video", str(tmp_path / "cut.avi"), "--csv", str(tmp_path / "cut.csv"), "--model",
                   str(untrained_model_path)])
    err = capsys.readouterr().err
    assert status == 1 and "cut.avi" in err and "cut short" in err, err
    with open(tmp_path / "cut.csv") as file:
        assert 10 <= len(list(csv.DictReader(file))) < 40  # the rows read before the cut


def test_a_camera_that_is_not_there(capsys, untrained_model_path):
    one_line_error(capsys, ["--camera", "97", "--no-window", "--model", untrained_model_path], "camera 97")


def test_outputs_that_cannot_be_written(tmp_path, capsys, untrained_model_path):
    clip = write_clip(tmp_path / "blank.mp4", [canvas()] * 5)
    model = ["--model", untrained_model_path]
    one_line_error(capsys, [clip, "--csv", tmp_path / "no" / "such" / "folder.csv", *model], "cannot write the table")
    one_line_error(capsys, [clip, "--out", tmp_path / "missing" / "a.mp4", *model], "cannot write the video")
    assert not (tmp_path / "no").exists()


def test_a_file_and_a_camera_together_or_neither_is_refused(capsys):
    assert main(["video"]) == 2 and "one of them" in capsys.readouterr().err


@pytest.mark.slow
@needs_real_faces
def test_ctrl_c_keeps_every_row_read_before(people, tmp_path, untrained_model_path):
    frames = [placed((people[0], 100 + (i % 40) * 4, 60, 180)) for i in range(600)]
    clip = write_clip(tmp_path / "long.mp4", frames)
    table = tmp_path / "long.csv"
    process = subprocess.Popen([sys.executable, "-m", "happysad", "video", str(clip), "--csv", str(table),
                                "--model", str(untrained_model_path)], cwd=tmp_path,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and (not table.exists() or len(table.read_text().splitlines()) < 20):
        time.sleep(0.1)
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=60)
    assert process.returncode == 130 and "everything read so far is kept" in err, err
    with open(table) as file:
        rows = list(csv.DictReader(file))
    assert 19 <= len(rows) < 600 and "face  seen" in out


def write_variable_rate_clip(path, frames, times):
    """An MP4 whose frames stand at the given times (seconds): as phones and screen recorders write."""
    from fractions import Fraction

    import av

    with av.open(str(path), "w") as container:
        stream = container.add_stream("mpeg4", rate=30)
        stream.width, stream.height, stream.pix_fmt = *frames[0].size, "yuv420p"
        stream.time_base = Fraction(1, 1000)
        for picture, time_s in zip(frames, times):
            frame = av.VideoFrame.from_ndarray(np.asarray(picture.convert("RGB")), format="rgb24")
            frame.pts, frame.time_base = round(time_s * 1000), Fraction(1, 1000)
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path


@needs_real_faces
def test_times_come_from_the_file_s_own_timestamps_at_a_variable_frame_rate(people, tmp_path, untrained_model_path):
    """30 frames/s, then 10, then 30 again: each row's time_s is its frame's timestamp (within one
    frame), where frame number / average rate is off by a quarter of a second in the middle."""
    times = [i / 30 for i in range(30)] + [1 + i / 10 for i in range(10)] + [2 + i / 30 for i in range(30)]
    frames = [placed((people[0], 100 + 3 * i, 60, 200)) for i in range(len(times))]
    clip = write_variable_rate_clip(tmp_path / "variable.mp4", frames, times)
    rows = run_clip(clip, untrained_model_path)
    assert len(rows) >= len(times) - 2
    assert max(abs(row.time_s - times[row.frame]) for row in rows) <= 1 / 30
    source = VideoSource(clip)
    assert max(abs(index / source.frames_per_second - times[index]) for index in range(len(times))) > 0.2
    source.close()
