"""What a video comes to: per face, how long it was seen and how much of that time it read happy and
sad (a table, printed and saved), and a timeline figure of each face's answer over time.

matplotlib is imported only to draw the figure.
"""
import csv
from array import array
from typing import NamedTuple

import numpy as np

SUMMARY_COLUMNS = ("face", "seconds_seen", "first_s", "last_s", "happy_share", "sad_share", "mean_p_sad")
TIMELINE_POINTS = 2000  # a face's line in the timeline: more frames than this are averaged in groups


class TableRow(NamedTuple):
    """A row of a video's table as read back: what the summary and the timeline need."""
    face: int
    time_s: float
    p_sad: float
    p_sad_smoothed: float
    label: str


class FaceSeries(NamedTuple):
    """One face's answers over the video, as arrays: 25 bytes a frame, so an hour of a face is 2.7 MB."""
    times: np.ndarray
    p_sad: np.ndarray
    p_sad_smoothed: np.ndarray
    sad: np.ndarray  # the label shown was sad


def read_table(path):
    """A video's table (happysad.answer.video.COLUMNS) read back from its CSV file, row by row: a
    long video's summary and timeline are made from the file at the end, not from rows held all along."""
    with open(path, newline="") as file:
        for r in csv.DictReader(file):
            yield TableRow(int(r["face"]), float(r["time_s"]), float(r["p_sad"]), float(r["p_sad_smoothed"]), r["label"])


def face_series(rows) -> dict:
    """{face: FaceSeries} from rows (the table read back, or the rows of a clip), in time order;
    series already made are given back as they are, so a table read once serves the summary and the figure."""
    if isinstance(rows, dict):
        return rows
    columns = {}
    for row in rows:
        times, p_sad, smoothed, sad = columns.setdefault(row.face, (array("d"), array("d"), array("d"), array("b")))
        times.append(row.time_s)
        p_sad.append(row.p_sad)
        smoothed.append(row.p_sad_smoothed)
        sad.append(row.label == "sad")
    return {face: FaceSeries(*(np.asarray(c) for c in values[:3]), np.asarray(values[3], dtype=bool))
            for face, values in sorted(columns.items())}


def summarise(rows, seconds_per_frame) -> list:
    """Per face: seconds seen, first and last time, the share of its frames labelled happy and sad."""
    summary = []
    for number, seen in face_series(rows).items():
        sad = float(seen.sad.mean())
        summary.append({"face": number, "seconds_seen": round(len(seen.times) * seconds_per_frame, 2),
                        "first_s": round(float(seen.times[0]), 2), "last_s": round(float(seen.times[-1]), 2),
                        "happy_share": round(1 - sad, 3), "sad_share": round(sad, 3),
                        "mean_p_sad": round(float(seen.p_sad.mean()), 3)})
    return summary


def summary_text(summary) -> str:
    if not summary:
        return "no face was found in the frames read"
    lines = ["face  seen    from     to       happy  sad"]
    for face in summary:
        lines.append(f"{face['face']:<5} {face['seconds_seen']:>5.1f} s {face['first_s']:>6.1f} s {face['last_s']:>6.1f} s "
                     f"{face['happy_share']:>6.0%} {face['sad_share']:>4.0%}")
    return "\n".join(lines)


def write_summary(summary, path):
    with open(path, "w", newline="") as file:
        writer = csv.DictWriter(file, fieldnames=SUMMARY_COLUMNS)
        writer.writeheader()
        writer.writerows(summary)


def label_runs(times, sad):
    """(start, end, sad) for each stretch of frames showing one label: what the timeline shades."""
    changes = np.flatnonzero(np.diff(sad.astype(np.int8))) + 1
    starts, ends = np.concatenate([[0], changes]), np.concatenate([changes, [len(times)]])
    step = float(np.median(np.diff(times))) if len(times) > 1 else 0.1
    return [(times[a] - step / 2, times[b - 1] + step / 2, bool(sad[a])) for a, b in zip(starts, ends)]


def thinned(values, points=TIMELINE_POINTS):
    """The mean of consecutive values in at most `points` groups: an hour of frames drawn as a line."""
    if len(values) <= points:
        return values
    return np.array([group.mean() for group in np.array_split(values, points)])


def plot_timeline(rows, path=None, title=None):
    """Each face's smoothed P(happy) over time, one row per face, shaded by the label shown."""
    import matplotlib
    if path:
        matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    from .annotate import LABEL_COLOURS

    series = face_series(rows)
    figure, axes = plt.subplots(len(series) or 1, 1, figsize=(9, 1.6 * max(1, len(series)) + 0.6), sharex=True,
                                squeeze=False)
    for ax, (number, seen) in zip(axes[:, 0], series.items()):
        times = thinned(seen.times)
        ax.plot(times, 1 - thinned(seen.p_sad), color="0.75", linewidth=0.8, label="each frame")
        ax.plot(times, 1 - thinned(seen.p_sad_smoothed), color="black", linewidth=1.6, label="smoothed")
        for start, end, sad in label_runs(seen.times, seen.sad):
            ax.axvspan(start, end, color=np.array(LABEL_COLOURS["sad" if sad else "happy"]) / 255, alpha=0.25,
                       linewidth=0)
        ax.set_ylim(0, 1)
        ax.set_ylabel(f"face {number}\nP(happy)")
        ax.axhline(0.5, color="0.5", linewidth=0.5, linestyle=":")
    if series:
        axes[0, 0].legend(loc="lower left", fontsize=8, frameon=False)
    else:
        axes[0, 0].text(0.5, 0.5, "no face found", ha="center", va="center", transform=axes[0, 0].transAxes)
    axes[-1, 0].set_xlabel("time (s)")
    figure.suptitle(title or "Each face over time (shaded: the label shown, yellow happy, blue sad)", fontsize=10)
    figure.tight_layout()
    if path:
        figure.savefig(path, dpi=110)
        plt.close(figure)
    return figure
