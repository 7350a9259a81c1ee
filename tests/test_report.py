"""A video's report from its table: read row by row, an hour of frames summarised and drawn from
arrays (the figure's lines thinned, its shading one span per stretch of a label)."""
import csv

import numpy as np

from happysad.answer.report import TIMELINE_POINTS, face_series, label_runs, plot_timeline, read_table, summarise
from happysad.answer.video import COLUMNS


def write_table(path, faces, frames, frames_per_second=30.0):
    """A table as `video --csv` writes it: each face in every frame, sad for the middle third."""
    with open(path, "w", newline="") as file:
        writer = csv.DictWriter(file, fieldnames=COLUMNS)
        writer.writeheader()
        for frame in range(frames):
            sad = frames // 3 <= frame < 2 * frames // 3
            for face in range(1, faces + 1):
                writer.writerow({"frame": frame, "time_s": round(frame / frames_per_second, 3), "face": face,
                                 "x": 0, "y": 0, "width": 50, "height": 50, "p_sad": 0.9 if sad else 0.1,
                                 "p_sad_smoothed": 0.8 if sad else 0.2, "label": "sad" if sad else "happy",
                                 "confidence": 0.8})
    return path


def test_a_long_video_is_summarised_and_drawn_from_its_table_read_row_by_row(tmp_path):
    table = write_table(tmp_path / "faces.csv", faces=2, frames=12_000)  # 400 s at 30 frames/s: 6x the points drawn
    rows = read_table(table)
    assert iter(rows) is rows  # a generator: the rows are never all held
    series = face_series(rows)
    assert sorted(series) == [1, 2] and len(series[1].times) == 12_000 and series[1].sad.dtype == bool
    summary = summarise(series, 1 / 30)
    assert summary[0]["seconds_seen"] == 400.0 and abs(summary[0]["sad_share"] - 1 / 3) < 1e-3
    assert [sad for _, _, sad in label_runs(series[1].times, series[1].sad)] == [False, True, False]
    figure = plot_timeline(series)
    lines = [line for ax in figure.axes for line in ax.get_lines() if len(line.get_xdata()) > 2]
    assert lines and all(len(line.get_xdata()) <= TIMELINE_POINTS for line in lines)
    assert len(figure.axes[0].patches) == 3  # one shaded span per stretch of a label, not per frame


def test_a_short_clip_keeps_every_frame_in_the_figure(tmp_path):
    series = face_series(read_table(write_table(tmp_path / "faces.csv", faces=1, frames=90)))
    figure = plot_timeline(series)
    assert max(len(line.get_xdata()) for line in figure.axes[0].get_lines()) == 90
    assert np.isclose(summarise(series, 1 / 30)[0]["mean_p_sad"], (60 * 0.1 + 30 * 0.9) / 90, atol=1e-3)
