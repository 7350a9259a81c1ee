"""What a video comes to: per face, how long it was seen and how much of that time it read happy and
sad (a table, printed and saved), and a timeline figure of each face's answer over time.

matplotlib is imported only to draw the figure.
"""
import csv
from typing import NamedTuple

import numpy as np

SUMMARY_COLUMNS = ("face", "seconds_seen", "first_s", "last_s", "happy_share", "sad_share", "mean_p_sad")


class TableRow(NamedTuple):
    """A row of a video's table as read back: what the summary and the timeline need."""
    face: int
    time_s: float
    p_sad: float
    p_sad_smoothed: float
    label: str


def read_table(path) -> list:
    """A video's table (happysad.answer.video.COLUMNS) read back from its CSV file: so a long video's
    summary and timeline are made from the file at the end, not from rows held all along."""
    with open(path, newline="") as file:
        return [TableRow(int(r["face"]), float(r["time_s"]), float(r["p_sad"]), float(r["p_sad_smoothed"]), r["label"])
                for r in csv.DictReader(file)]


def summarise(rows, seconds_per_frame) -> list:
    """Per face: seconds seen, first and last time, the share of its frames labelled happy and sad."""
    faces = {}
    for row in rows:
        faces.setdefault(row.face, []).append(row)
    summary = []
    for number, seen in sorted(faces.items()):
        sad = sum(row.label == "sad" for row in seen) / len(seen)
        summary.append({"face": number, "seconds_seen": round(len(seen) * seconds_per_frame, 2),
                        "first_s": round(seen[0].time_s, 2), "last_s": round(seen[-1].time_s, 2),
                        "happy_share": round(1 - sad, 3), "sad_share": round(sad, 3),
                        "mean_p_sad": round(float(np.mean([row.p_sad for row in seen])), 3)})
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


def plot_timeline(rows, path=None, title=None):
    """Each face's smoothed P(happy) over time, one row per face, shaded by the label shown."""
    import matplotlib
    if path:
        matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    from .annotate import LABEL_COLOURS

    faces = sorted({row.face for row in rows})
    figure, axes = plt.subplots(len(faces) or 1, 1, figsize=(9, 1.6 * max(1, len(faces)) + 0.6), sharex=True,
                                squeeze=False)
    for ax, number in zip(axes[:, 0], faces):
        seen = [row for row in rows if row.face == number]
        times = np.array([row.time_s for row in seen])
        ax.plot(times, [1 - row.p_sad for row in seen], color="0.75", linewidth=0.8, label="each frame")
        ax.plot(times, [1 - row.p_sad_smoothed for row in seen], color="black", linewidth=1.6, label="smoothed")
        step = np.median(np.diff(times)) if len(times) > 1 else 0.1
        for row, start in zip(seen, times):
            ax.axvspan(start - step / 2, start + step / 2, color=np.array(LABEL_COLOURS[row.label]) / 255,
                       alpha=0.25, linewidth=0)
        ax.set_ylim(0, 1)
        ax.set_ylabel(f"face {number}\nP(happy)")
        ax.axhline(0.5, color="0.5", linewidth=0.5, linestyle=":")
    if faces:
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
