"""What a video comes to: its table (a row per face per frame, written as it goes), and per face
how long it was in view and how much of that time it read happy, sad and neither (the summary,
printed and saved; a study's table is these rows of every video), and a timeline figure of each
face's answers over time.

matplotlib is imported only to draw the figure.
"""
import csv
from array import array
from pathlib import Path
from typing import NamedTuple

import numpy as np

from ..config import ANSWERS
from .frames import VideoError
from .prediction import SMOOTHED_COLUMNS, VIDEO_COLUMNS

SUMMARY_COLUMNS = ("face", "first_s", "last_s", "seconds_in_view", *(f"{a}_s" for a in ANSWERS),
                   *(f"{a}_share" for a in ANSWERS), *(f"mean_p_{a}_smoothed" for a in ANSWERS),
                   "mean_p_sad_vs_happy", "label_changes", "frames")
TIMELINE_POINTS = 2000  # a face's lines in the timeline: more frames than this are averaged in groups


class TableWriter:
    """A video's table (happysad.answer.prediction.VIDEO_COLUMNS), one row per face per frame, flushed after every frame."""

    def __init__(self, path):
        self.path = Path(path)
        try:
            self.file = open(self.path, "w", newline="")
        except OSError as error:
            raise VideoError(f"{self.path}: cannot write the table ({error.strerror or error})") from None
        self.writer = csv.DictWriter(self.file, fieldnames=VIDEO_COLUMNS)
        self.writer.writeheader()

    def write(self, faces):
        self.writer.writerows(face.row() for face in faces)
        self.file.flush()

    def close(self):
        self.file.close()


class TableRow(NamedTuple):
    """A row of a video's table as read back: what the summary and the timeline need."""
    face: int
    time_s: float
    smoothed: tuple  # the three answers' smoothed probabilities
    label: str
    p_sad_vs_happy: float


class FaceSeries(NamedTuple):
    """One face's answers over the video, as arrays: 25 bytes a frame, so an hour of a face is 2.7 MB."""
    times: np.ndarray
    smoothed: np.ndarray  # (frames, 3), float32
    label: np.ndarray  # the answer shown, as its index in ANSWERS (int8)
    p_sad_vs_happy: np.ndarray  # each frame's own, float32


def read_table(path):
    """A video's table read back from its CSV file, row by row: a long video's summary and timeline
    are made from the file at the end, not from rows held all along."""
    with open(path, newline="") as file:
        for r in csv.DictReader(file):
            yield TableRow(int(r["face"]), float(r["time_s"]), tuple(float(r[c]) for c in SMOOTHED_COLUMNS), r["label"],
                           float(r["p_sad_vs_happy"]))


def face_series(rows) -> dict:
    """{face: FaceSeries} from rows (the table read back, or a video's Predictions), in time order;
    series already made are given back as they are, so a table read once serves the summary and the figure."""
    if isinstance(rows, dict):
        return rows
    columns = {}
    for row in rows:
        times, smoothed, label, binary = columns.setdefault(row.face, (array("d"), array("f"), array("b"), array("f")))
        times.append(row.time_s)
        smoothed.extend(row.smoothed)
        label.append(ANSWERS.index(row.label))
        binary.append(row.p_sad_vs_happy)
    return {face: FaceSeries(np.asarray(times), np.asarray(smoothed).reshape(-1, len(ANSWERS)),
                             np.asarray(label, dtype=np.int8), np.asarray(binary))
            for face, (times, smoothed, label, binary) in sorted(columns.items())}


def summarise(rows, frame_seconds) -> list:
    """Per face: when it was in view and for how long, and the seconds and share of that time it read
    each answer, counted frame by frame (each row the time to that face's next row, or, where the face
    was unseen in between, `frame_seconds`, the time between frames read); its mean smoothed
    probabilities; how often the
    label shown changed; the mean of its frames' own P(sad | happy or sad). The one summary behind a video's summary.csv and a study's study.csv."""
    summary = []
    for face, seen in face_series(rows).items():
        spans = np.diff(seen.times, append=seen.times[-1] + frame_seconds)
        spans[spans > 1.5 * frame_seconds] = frame_seconds  # the face unseen in between: its last frame counts once
        total = float(spans.sum())
        seconds = [float(spans[seen.label == index].sum()) for index in range(len(ANSWERS))]
        summary.append({"face": face, "first_s": round(float(seen.times[0]), 3), "last_s": round(float(seen.times[-1]), 3),
                        "seconds_in_view": round(total, 3),
                        **{f"{a}_s": round(s, 3) for a, s in zip(ANSWERS, seconds)},
                        **{f"{a}_share": round(s / total, 4) if total else 0.0 for a, s in zip(ANSWERS, seconds)},
                        **{f"mean_p_{a}_smoothed": round(float(m), 4) for a, m in zip(ANSWERS, seen.smoothed.mean(axis=0))},
                        "mean_p_sad_vs_happy": round(float(seen.p_sad_vs_happy.mean()), 4),
                        "label_changes": int(np.count_nonzero(np.diff(seen.label))), "frames": len(seen.times)})
    return summary


def summary_text(summary) -> str:
    if not summary:
        return "no face was found in the frames read"
    lines = ["face  seen    from     to       happy  sad    neither"]
    for face in summary:
        lines.append(f"{face['face']:<5} {face['seconds_in_view']:>5.1f} s {face['first_s']:>6.1f} s {face['last_s']:>6.1f} s "
                     f"{face['happy_share']:>6.0%} {face['sad_share']:>5.0%} {face['neither_share']:>7.0%}")
    return "\n".join(lines)


def write_summary(summary, path):
    with open(path, "w", newline="") as file:
        writer = csv.DictWriter(file, fieldnames=SUMMARY_COLUMNS)
        writer.writeheader()
        writer.writerows(summary)


def read_summary(path) -> list:
    """A summary.csv read back, each row a dict of strings as written."""
    with open(path, newline="") as file:
        return list(csv.DictReader(file))


def write_results(table_path, frame_seconds, title) -> list:
    """A finished video's summary (returned) and, beside its table, `<stem>.summary.csv` and
    `<stem>.timeline.png`, both from the table read back."""
    series = face_series(read_table(table_path))
    summary = summarise(series, frame_seconds)
    if series:
        stem = Path(table_path).with_suffix("")
        write_summary(summary, f"{stem}.summary.csv")
        plot_timeline(series, f"{stem}.timeline.png", title=title)
    return summary


def label_runs(times, label):
    """(start, end, answer index) for each stretch of frames showing one label: what the timeline shades."""
    changes = np.flatnonzero(np.diff(label.astype(np.int8))) + 1
    starts, ends = np.concatenate([[0], changes]), np.concatenate([changes, [len(times)]])
    step = float(np.median(np.diff(times))) if len(times) > 1 else 0.1
    return [(times[a] - step / 2, times[b - 1] + step / 2, int(label[a])) for a, b in zip(starts, ends)]


def thinned(values, points=TIMELINE_POINTS):
    """The mean of consecutive values in at most `points` groups: an hour of frames drawn as a line."""
    if len(values) <= points:
        return values
    return np.array([group.mean(axis=0) for group in np.array_split(values, points)])


def plot_timeline(rows, path=None, title=None):
    """Each face's smoothed answers over time, one row per face, shaded by the label shown."""
    import matplotlib
    if path:
        matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    from .annotate import LABEL_COLOURS

    series = face_series(rows)
    figure, axes = plt.subplots(len(series) or 1, 1, figsize=(9, 1.6 * max(1, len(series)) + 0.6), sharex=True,
                                squeeze=False)
    colours = {answer: np.array(LABEL_COLOURS[answer]) / 255 for answer in ANSWERS}
    for ax, (number, seen) in zip(axes[:, 0], series.items()):
        times, smoothed = thinned(seen.times), thinned(seen.smoothed)
        for index, answer in enumerate(ANSWERS):
            ax.plot(times, smoothed[:, index], color=colours[answer] * 0.8, linewidth=1.4, label=f"P({answer})")
        for start, end, index in label_runs(seen.times, seen.label):
            ax.axvspan(start, end, color=colours[ANSWERS[index]], alpha=0.25, linewidth=0)
        ax.set_ylim(0, 1)
        ax.set_ylabel(f"face {number}")
    if series:
        axes[0, 0].legend(loc="upper left", fontsize=8, frameon=False, ncol=3)
    else:
        axes[0, 0].text(0.5, 0.5, "no face found", ha="center", va="center", transform=axes[0, 0].transAxes)
    axes[-1, 0].set_xlabel("time (s)")
    figure.suptitle(title or "Each face over time (smoothed; shaded: the label shown, yellow happy, blue sad, "
                    "grey neither)", fontsize=10)
    figure.tight_layout()
    if path:
        figure.savefig(path, dpi=110)
        plt.close(figure)
    return figure
