"""A whole study's recordings: every video under the inputs, a table each, and the study's tables.

    python -m happysad video STUDY/ "more/*.mp4" one.mov --out-dir RESULTS/ [--jobs N]

Each video's results go to RESULTS/<its path under the input>: `.csv` (the table `video --csv`
writes: a row per face per frame read), `.summary.csv`, `.timeline.png`, and `.done.json`
(written last: how it ended, and the fingerprint of the model and settings that made it). So
`P01/session2.mp4` and `P02/session2.mp4` never collide. A rerun skips the videos done with the
same model and settings and redoes the unfinished ones; a folder holding results of another
model or other settings is refused, never mixed in. A video that cannot be read gets its reason
and the others go on.

The study's tables are rebuilt from the per-video ones at the end of every run, so they never
disagree with them: RESULTS/study.csv, a row per video per face, each video's summary.csv rows
(when it was seen, for how long, the seconds and share of that time it read happy, sad and
neither, its mean smoothed answers, its label changes: happysad.answer.report.summarise) and
RESULTS/videos.csv, a row per video (its length, frames read, faces, how it ended). Videos run
in parallel worker processes (`--jobs`, by default one per core), each with its share of the
cores for LiteRT's threads.
"""
import csv
import hashlib
import json
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import asdict, dataclass
from pathlib import Path

from ..files import atomic_path
from ..vision.inputs import VIDEO_SUFFIXES, expand_inputs
from .report import SUMMARY_COLUMNS

STUDY_TABLE, VIDEOS_TABLE = "study.csv", "videos.csv"
FACE_COLUMNS = ("video", *SUMMARY_COLUMNS)
VIDEO_COLUMNS = ("video", "duration_s", "frames_read", "faces", "status", "error")
DONE_SUFFIX = ".done.json"
CONNECT_SECONDS = 30  # how long to wait for a cluster's scheduler to answer


class StudyError(RuntimeError):
    """The study cannot start (no videos, a results folder of other settings); str() says why."""


@dataclass(frozen=True)
class Recording:
    path: Path
    name: str  # its path under the input it was found in, without the suffix: where its results go


@dataclass
class Outcome:
    video: str
    status: str  # "done", "cut short" or "failed"
    duration_s: float = 0.0
    frames_read: int = 0
    faces: int = 0
    error: str = ""
    fingerprint: str = ""


def find_recordings(inputs) -> list:
    """Every video under the inputs (folders walked, glob patterns expanded, files as given), each
    named by its path under its input; raises StudyError when an input holds none."""
    expanded = expand_inputs(inputs, VIDEO_SUFFIXES, "video")
    if expanded.problems:
        raise StudyError("; ".join(f"{argument}: {reason}" for argument, reason in expanded.problems))
    found, names = [], set()
    for video in expanded.found:
        name = video.path.relative_to(video.base).with_suffix("").as_posix()
        unique, copy = name, 2
        while unique in names:
            unique, copy = f"{name}-{copy}", copy + 1
        names.add(unique)
        found.append(Recording(video.path, unique))
    return found


def fingerprint(model_path, settings: dict) -> str:
    """What made a video's results: the model file's content and the settings, as one short hash."""
    from .classifier import file_sha256, fast_file

    parts = {"model": file_sha256(model_path), **settings}
    if fast_file(model_path).is_file():
        parts["fast"] = file_sha256(fast_file(model_path))
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()[:16]


def results_of(out_dir: Path, recording: Recording) -> Path:
    """RESULTS/<name>: add `.csv`, `.summary.csv`, `.timeline.png`, DONE_SUFFIX."""
    return out_dir / recording.name


def read_done(out_dir: Path, recording: Recording) -> dict | None:
    done = Path(f"{results_of(out_dir, recording)}{DONE_SUFFIX}")
    try:
        return json.loads(done.read_text())
    except (OSError, ValueError):
        return None


def analyse(recording: Recording, out_dir: Path, model_path, settings: dict, mark: str, threads: int) -> Outcome:
    """One video, start to end, in a worker: its table, summary, timeline (happysad.answer.video.read_video,
    as `video FILE --csv` reads one), and `.done.json` last."""
    from ..vision.faces import FaceDetector
    from .classifier import ModelError, load_classifier
    from .frames import VideoError, VideoSource
    from .report import TableWriter, write_results
    from .video import read_video

    stem = results_of(out_dir, recording)
    stem.parent.mkdir(parents=True, exist_ok=True)
    outcome, run, source, table = Outcome(recording.name, "failed", fingerprint=mark), None, None, None
    try:
        source = VideoSource(recording.path)
        model = load_classifier(model_path, note=False, threads=threads)
        table = TableWriter(f"{stem}.csv")
        run = read_video(source, model, table, settings["every"], settings["smoothing"], settings["copies"],
                         detector=FaceDetector(threads=threads))
        if run.interrupted:
            raise KeyboardInterrupt
        outcome.status, outcome.error = ("cut short", run.fault) if run.fault else ("done", "")
    except (VideoError, ModelError, OSError) as error:
        outcome.error = str(error)
    finally:
        for opened in (table, source):
            if opened:
                opened.close()
    if source is not None:
        outcome.frames_read = source.frames_read
        outcome.duration_s = max(run.last_s if run else 0.0, source.frames_read / source.frames_per_second) \
            if outcome.frames_read else 0.0
    outcome.faces = len(run.faces) if run else 0
    if run and run.faces:
        write_results(f"{stem}.csv", run.frame_seconds(settings["every"] / source.frames_per_second),
                      title=f"{recording.name}: each face over time")
    Path(f"{stem}{DONE_SUFFIX}").write_text(json.dumps(asdict(outcome), indent=1))
    return outcome


def write_study_tables(out_dir: Path, recordings) -> tuple[Path, Path]:
    """study.csv and videos.csv, rebuilt from every finished video's own files: study.csv is each
    video's summary.csv, row for row, with the video's name in front."""
    from .report import read_summary

    faces, videos = [], []
    for recording in recordings:
        done = read_done(out_dir, recording)
        if done is None:
            videos.append({"video": recording.name, "status": "not done", "duration_s": "", "frames_read": "",
                           "faces": "", "error": ""})
            continue
        videos.append({column: done.get(column, "") for column in VIDEO_COLUMNS})
        summary = Path(f"{results_of(out_dir, recording)}.summary.csv")
        if summary.is_file() and done.get("faces"):
            faces += [{"video": recording.name, **row} for row in read_summary(summary)]
    paths = out_dir / STUDY_TABLE, out_dir / VIDEOS_TABLE
    for path, columns, rows in zip(paths, (FACE_COLUMNS, VIDEO_COLUMNS), (faces, videos)):
        with atomic_path(path) as temporary, open(temporary, "w", newline="") as file:
            writer = csv.DictWriter(file, fieldnames=columns)
            writer.writeheader()
            writer.writerows(rows)
    return paths


def default_jobs() -> int:
    return max(1, os.cpu_count() or 1)


def run_study(args) -> int:
    """`python -m happysad video INPUT... --out-dir RESULTS`: exit 0 when every video was read whole,
    1 when some failed or were cut short (their reasons in videos.csv), 2 when nothing could start,
    130 on Ctrl-C (every finished video kept)."""
    from .classifier import ModelError, load_classifier

    out_dir = Path(args.out_dir)
    settings = {"every": args.every, "smoothing": args.smoothing, "copies": args.copies}
    args.cluster = getattr(args, "cluster", None)
    try:
        recordings = find_recordings(args.path)
        load_classifier(args.model, note=False)  # a missing or broken model said once, up front
        mark = fingerprint(args.model, settings)
        others = sorted({done["fingerprint"] for r in recordings if (done := read_done(out_dir, r))} - {mark})
        if others:
            raise StudyError(f"{out_dir}: holds results made with another model or other settings; give another "
                             "--out-dir, or move them away first")
    except (StudyError, ModelError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    pending = [r for r in recordings if (read_done(out_dir, r) or {}).get("fingerprint") != mark]
    jobs = max(1, min(args.jobs or default_jobs(), len(pending) or 1))
    threads = max(1, default_jobs() // jobs)
    where = f"on the Dask cluster at {args.cluster}" if args.cluster else f"{jobs} at a time"
    print(f"{len(recordings)} videos, {len(recordings) - len(pending)} done before; {len(pending)} to read, "
          f"{where}", file=sys.stderr)
    outcomes, started, status = [], time.monotonic(), 0
    try:
        if args.cluster:
            for outcome in on_cluster(args.cluster, pending, out_dir, args.model, settings, mark):
                outcomes.append(outcome)
                progress(outcome, len(outcomes), len(pending), started)
        elif jobs == 1:
            for recording in pending:
                outcomes.append(analyse(recording, out_dir, args.model, settings, mark, threads))
                progress(outcomes[-1], len(outcomes), len(pending), started)
        else:
            pool = ProcessPoolExecutor(jobs)
            futures = [pool.submit(analyse, r, out_dir, args.model, settings, mark, threads) for r in pending]
            try:
                for future in as_completed(futures):
                    outcomes.append(future.result())
                    progress(outcomes[-1], len(outcomes), len(pending), started)
            finally:  # on Ctrl-C the workers get it too (one process group); videos not started never are
                pool.shutdown(wait=False, cancel_futures=True)
    except KeyboardInterrupt:
        status = 130
        print("\nstopped: every video finished so far is kept; run the same command again to go on", file=sys.stderr)
    except StudyError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    study, videos = write_study_tables(out_dir, recordings)
    print(f"wrote {study} and {videos}")
    if status:
        return status
    failed = [o for o in outcomes if o.status != "done"]
    for outcome in failed:
        print(f"error: {outcome.video}: {outcome.error}", file=sys.stderr)
    return 1 if failed else 0


def on_cluster(address, pending, out_dir, model_path, settings, mark):
    """The videos read by the workers of the Dask cluster at `address` (a scheduler started by hand,
    or by dask-jobqueue on SLURM or PBS: docs/study.md), as each finishes. Every worker must see the
    videos, the model and the results folder at the same paths (a shared file system); each reads
    with the threads its own machine has."""
    try:
        from distributed import Client, as_completed as in_turn
    except ImportError:
        raise StudyError("--cluster needs Dask's `distributed` package (pip install distributed)") from None
    try:
        client = Client(address, timeout=CONNECT_SECONDS)
    except OSError as error:
        raise StudyError(f"{address}: no Dask scheduler answers there within {CONNECT_SECONDS} s ({error})") from None
    try:
        absolute = [Recording(r.path.resolve(), r.name) for r in pending]
        futures = client.map(analyse, absolute, out_dir=Path(out_dir).resolve(), model_path=Path(model_path).resolve(),
                             settings=settings, mark=mark, threads=None, pure=False)
        try:
            for future in in_turn(futures):
                yield future.result()
        finally:
            client.cancel(futures)
    finally:
        client.close()


def progress(outcome: Outcome, done: int, total: int, started: float):
    elapsed = time.monotonic() - started
    left = elapsed / done * (total - done)
    print(f"[{done}/{total}] {outcome.video}: {outcome.status}, {outcome.duration_s:.1f} s of video, "
          f"{outcome.faces} face{'' if outcome.faces == 1 else 's'}; {total - done} left, about {left / 60:.1f} min",
          file=sys.stderr, flush=True)
