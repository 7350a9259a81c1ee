"""A video's report from its table: read row by row, an hour of frames summarised and drawn from
arrays (the figure's lines thinned, its shading one span per stretch of a label)."""
import csv

import numpy as np

from happysad.answer.report import TIMELINE_POINTS, face_series, label_runs, plot_timeline, read_table, summarise
from happysad.answer.prediction import VIDEO_COLUMNS as COLUMNS
from happysad.config import ANSWERS


def write_table(path, faces, frames, frames_per_second=30.0):
    """A table as `video --csv` writes it: each face in every frame, happy for the first third, sad for
    the second, neither for the last."""
    with open(path, "w", newline="") as file:
        writer = csv.DictWriter(file, fieldnames=COLUMNS)
        writer.writeheader()
        for frame in range(frames):
            state = 3 * frame // frames
            probabilities = [0.1, 0.1, 0.1]
            probabilities[state] = 0.8
            for face in range(1, faces + 1):
                writer.writerow({"frame": frame, "time_s": round(frame / frames_per_second, 3), "face": face,
                                 "x": 0, "y": 0, "width": 50, "height": 50,
                                 **{f"p_{a}": p for a, p in zip(ANSWERS, probabilities)},
                                 **{f"p_{a}_smoothed": p for a, p in zip(ANSWERS, probabilities)},
                                 "label": ANSWERS[state], "confidence": 0.8, "p_sad_vs_happy": 0.5})
    return path


def test_a_long_video_is_summarised_and_drawn_from_its_table_read_row_by_row(tmp_path):
    table = write_table(tmp_path / "faces.csv", faces=2, frames=12_000)  # 400 s at 30 frames/s: 6x the points drawn
    rows = read_table(table)
    assert iter(rows) is rows  # a generator: the rows are never all held
    series = face_series(rows)
    assert sorted(series) == [1, 2] and len(series[1].times) == 12_000 and series[1].label.dtype == np.int8
    summary = summarise(series, series[1].times[-1] / (12_000 - 1))  # the time between frames, as a run measures it
    assert abs(summary[0]["seconds_in_view"] - 400.0) < 0.05 and summary[0]["label_changes"] == 2
    assert all(abs(summary[0][f"{answer}_share"] - 1 / 3) < 1e-3 for answer in ANSWERS)
    assert abs(sum(summary[0][f"{answer}_s"] for answer in ANSWERS) - 400.0) < 1e-2
    assert [index for _, _, index in label_runs(series[1].times, series[1].label)] == [0, 1, 2]
    figure = plot_timeline(series)
    lines = [line for ax in figure.axes for line in ax.get_lines() if len(line.get_xdata()) > 2]
    assert lines and all(len(line.get_xdata()) <= TIMELINE_POINTS for line in lines)
    assert len(figure.axes[0].patches) == 3  # one shaded span per stretch of a label, not per frame


def test_a_short_clip_keeps_every_frame_in_the_figure(tmp_path):
    series = face_series(read_table(write_table(tmp_path / "faces.csv", faces=1, frames=90)))
    figure = plot_timeline(series)
    assert max(len(line.get_xdata()) for line in figure.axes[0].get_lines()) == 90
    assert np.isclose(summarise(series, 1 / 30)[0]["mean_p_sad_smoothed"], (60 * 0.1 + 30 * 0.8) / 90, atol=1e-3)
