"""Video speed and coverage: `python -m happysad video` against real time, per stage, per mode.

    python tasks.py bench video [--clip ../shared/datasets/videos/woman2.mp4] [--data-dir .] [--model M]

Two clips, every frame read: the shared real clip (one face), and a clip made here of five unseen
faces (held-out photos from `data import`, holdout/photos) on a wall, a camera panning along
them, three of them always in view. For each, in both modes (one pass, video's default, and the
ten copies, predict's): the command itself, a new process writing the table and the annotated
copy as a user runs it, timed from start to exit against the clip's own length; then the same
pipeline in this process with a stopwatch on each stage (decode, detect: BlazeFace on LiteRT,
classify, track, write) and the label changes of the smoothed answers (how steady the table
reads). For the made clip, coverage: of the faces `predict`'s detector finds fully inside a
frame (each frame searched whole, in tiles, on its own), the share that `video` follows there.
Prints the CPU; writes benchmarks/RESULTS-video.md (with the CPU and the commit).
"""
import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image, ImageFilter

from happysad.vision.faces import FaceDetector
from happysad.answer.frames import VideoSource
from happysad.answer.classifier import load_classifier
from happysad.answer.video import follow_faces
from happysad.answer.report import TableWriter
from happysad.answer.video_command import AnnotatedWriter
from happysad.config import ONE_PASS, SHIPPED_MODEL, STEADY
from happysad.data.datafolder import held_out_photos
from portraits import portraits
from timing import STAGES, Stopwatch, cpu_name, provenance

CLIP = Path(__file__).resolve().parents[2] / "shared/datasets/videos/woman2.mp4"
RESULTS = Path(__file__).resolve().parent / "RESULTS-video.md"
FRAME = (640, 360)


def unseen_portraits(data_dir, count, side=220) -> list:
    """Held-out photos with one clear face, each cut to that face with its surroundings."""
    found = portraits(held_out_photos(data_dir)[0], count, side, min_face=120)
    if len(found) < count:
        raise SystemExit(f"fewer than {count} held-out photos with one clear face under {data_dir}: run `data import`")
    return found


def panning_clip(portraits, path, seconds=10.0, frames_per_second=25, spacing=215):
    """The portraits side by side on a wall, a 640x360 camera panning along it from end to end."""
    import cv2

    side = portraits[0].width
    wall = Image.fromarray(np.random.default_rng(0).integers(90, 150, (FRAME[1], spacing * len(portraits) + 10, 3),
                                                             dtype=np.uint8)).filter(ImageFilter.GaussianBlur(3))
    for index, portrait in enumerate(portraits):
        wall.paste(portrait, (10 + spacing * index, (FRAME[1] - side) // 2))
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), frames_per_second, FRAME)
    count = int(seconds * frames_per_second)
    for index in range(count):
        left = round((wall.width - FRAME[0]) * index / (count - 1))
        writer.write(np.asarray(wall.crop((left, 0, left + FRAME[0], FRAME[1])))[:, :, ::-1])
    writer.release()
    return path


def whole_command(clip, copies, model, folder) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "happysad", "video", str(clip), "--copies", str(copies), "--model",
                    str(model), "--csv", str(folder / "faces.csv"), "--out", str(folder / "annotated.mp4")],
                   check=True, capture_output=True)
    return time.perf_counter() - started


def pipeline(clip, copies, model, folder):
    """(frames, rows, seconds, seconds per stage, clip's frames/s, frames' pictures kept for coverage)."""
    source, stopwatch = VideoSource(clip), Stopwatch()
    table = TableWriter(folder / "staged.csv")
    annotated = AnnotatedWriter(folder / "staged.mp4", source.frames_per_second, source.frame_size())
    frames, rows, pictures = 0, [], {}
    started = time.perf_counter()
    for index, _, image, found in follow_faces(source, load_classifier(model), copies=copies, stopwatch=stopwatch):
        stopwatch.start("write")
        table.write(found)
        annotated.write(image, found)
        frames, rows = frames + 1, rows + found
        pictures[index] = image
    stopwatch.stop()
    elapsed = time.perf_counter() - started
    for opened in (table, annotated, source):
        opened.close()
    return frames, rows, elapsed, stopwatch.seconds, source.frames_per_second, pictures


def label_changes(rows) -> int:
    by_face = {}
    for row in rows:
        by_face.setdefault(row.face, []).append(row.label)
    return sum(sum(a != b for a, b in zip(labels, labels[1:])) for labels in by_face.values())


def coverage(rows, pictures) -> tuple[int, int]:
    """(faces predict's detector finds fully inside a frame, how many of them video followed there)."""
    detector, by_frame = FaceDetector(), {}
    for row in rows:
        by_frame.setdefault(row.frame, []).append(row.box)
    found = followed = 0
    for index, image in pictures.items():
        for box in detector.detect(image):
            if box.x < 0 or box.y < 0 or box.x + box.size > image.width or box.y + box.size > image.height:
                continue  # not fully in view
            found += 1
            followed += any(abs(b.x + b.size / 2 - box.x - box.size / 2) < box.size / 2
                            and abs(b.y + b.size / 2 - box.y - box.size / 2) < box.size / 2 for b in by_frame.get(index, []))
    return found, followed


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clip", default=CLIP, type=Path)
    parser.add_argument("--data-dir", default=".", type=Path)
    parser.add_argument("--model", default=SHIPPED_MODEL)
    args = parser.parse_args()
    if not args.clip.is_file():
        raise SystemExit(f"no clip at {args.clip}: give one with --clip")
    lines = [f"Video on {cpu_name()}, every frame read", "",
             "| clip | copies | frames | faces followed | whole command, x real time | pipeline frames/s | "
             + " | ".join(f"{stage} ms" for stage in STAGES) + " | label changes | found where predict finds a face |",
             "|---" * (8 + len(STAGES)) + "|"]
    print("\n".join(lines), flush=True)
    with tempfile.TemporaryDirectory() as made:
        clips = [args.clip, panning_clip(unseen_portraits(args.data_dir, 5), Path(made, "wall_pan.mp4"))]
        for clip in clips:
            for copies in (ONE_PASS, STEADY):
                with tempfile.TemporaryDirectory() as folder:
                    folder = Path(folder)
                    frames, rows, elapsed, seconds, rate, pictures = pipeline(clip, copies, args.model, folder)
                    whole = whole_command(clip, copies, args.model, folder)
                per_frame = " | ".join(f"{seconds[stage] / frames * 1000:.1f}" for stage in STAGES)
                found, followed = coverage(rows, pictures) if clip != args.clip else (0, 0)
                share = f"{followed / found:.1%} of {found}" if found else "-"
                lines.append(f"| {clip.name} | {copies} | {frames} | {len({r.face for r in rows})} | "
                             f"{frames / rate / whole:.2f} ({whole:.1f} s for {frames / rate:.1f} s) | "
                             f"{frames / elapsed:.1f} | {per_frame} | {label_changes(rows)} | {share} |")
                print(lines[-1], flush=True)
    RESULTS.write_text(f"# Benchmark: video\n\nWritten by `python tasks.py bench video`. {provenance()}\n\n"
                       + "\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
