"""This project's model against the `fer` package's FER2013 model, on the same held-out images.

    python tasks.py bench compare_models [--data-dir .] [--model happy_sad_model.keras]

FER2013 held-out: the happy and sad FER2013 faces `data import` held out (holdout/happy and
holdout/sad, the 48x48 ones: FER2013's test split with duplicates kept once and label conflicts
and copies of training faces dropped, the same faces the notebook's held-out cell scores), each
resized from 48x48 to the
model's input size (48 for this project's model, 64 for fer's) twice: bilinear (what the
project's flows and `predict` use) and nearest (Keras' default). Two yardsticks: FER2013's
original labels, and the faces people agree on (FER+ strict plurality happiness or sadness,
scored against that plurality; happysad.data.votes). Looking down: the same faces bent forward
and lit by a screen (happysad.data.looking_down), bilinear; its gap to the same faces unchanged
on the agreed yardstick is printed for each model. Web held-out: the photos `data import` held out
(holdout/photos), through the whole predict path (faces found and cropped; a photo's answer is
its biggest face's), original labels only. Three ways: the held-out
faces of all seven FER2013 test folders whose FER+ votes have one plurality, read happy, sad or
neither (happysad.answer.emotions; fer's seven emotions mapped the same way) against that
plurality: accuracy, recall and precision per answer, sad F1, the ECE of the answer's probability,
the share of faces >= 6 of 10 votes neutral read neither, and eight ways (fer: seven) beside the
FER+ paper. Then every target of the three answers checked, with `predict`'s whole time for one
photo. Prints the tables and writes them to
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
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np


from PIL import Image

from happysad.config import CLASS_NAMES, EMOTIONS, MODEL_FILENAME, ONE_PASS, OTHER_EMOTIONS, STEADY
from happysad.data.datafolder import held_out_photos, label_folder
from happysad.train.evaluation import CONFIDENT, evaluate, evaluate_both, evaluate_three_way
from happysad.vision.images import read_image, to_model_input
from happysad.answer.classifier import emotion_network, load_classifier
from happysad.answer.emotions import emotion_probabilities, three_way
from happysad.train.export import load_keras_model
from happysad.answer.prediction import classify_photos, input_size_and_channels, predict_arrays
from happysad.data.looking_down import looking_down
from happysad.data.votes import FER_SIZE, VOTE_COLUMNS, agreed_labels, pixel_key, plurality, three_way_labels, votes_table
from fer_reference import EMOTIONS as FER_EMOTIONS, FerAsHappySad
from timing import cpu_name, images_per_second, milliseconds_for_one_face, provenance

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"
# bilinear: what the project's flows and `predict` use; nearest: Keras' flow_from_directory default
RESIZE_FILTERS = {"bilinear": Image.BILINEAR, "nearest": Image.NEAREST}


FER_PAPER = "FER+ paper (Barsoum et al., 2016), VGG13: 83.9-85.0% eight ways on PrivateTest, by the voting scheme"
PHOTO_SECONDS_RUNS = 3


def photo_answers(predictions, paths) -> tuple[list, int]:
    """(P(sad | happy or sad) of each photo: its biggest face's, or the whole picture's; how many had a face)."""
    biggest = {}
    for prediction in predictions:
        if prediction.path not in biggest or prediction.box.size > biggest[prediction.path].box.size:
            biggest[prediction.path] = prediction
    return [biggest[str(p)].p_sad_vs_happy for p in paths], sum(p.face_found for p in biggest.values())


def fer_held_out(data_dir: Path, folders=CLASS_NAMES):
    """(images, folder index of each, FER+ vote rows) of the FER2013 faces held out in holdout/<folder>/
    (48x48 PNGs; the web-photo crops beside them are scored as photos)."""
    images, labels, votes = [], [], []
    for label_index, label in enumerate(folders):
        for path in sorted(label_folder(data_dir, "holdout", label).glob("*.png")):
            image = read_image(path)
            if image.size == (FER_SIZE, FER_SIZE):
                images.append(image)
                labels.append(label_index)
                votes.append(votes_table().get(pixel_key(image), [float("nan")] * len(VOTE_COLUMNS)))
    return images, labels, np.array(votes, dtype=float)


def three_way_scores(labels, probabilities, emotion_names, emotion_p, pluralities, neutral) -> dict:
    """The three answers' scores, the share of neutral faces read neither, and the emotions' own accuracy."""
    scores = evaluate_three_way(labels, probabilities)
    scores["neutral_read_neither"] = float((probabilities[neutral].argmax(axis=1) == 2).mean())
    scores["emotions"] = float((np.array(emotion_names)[emotion_p.argmax(axis=1)] == pluralities).mean())
    return scores


def seconds_for_one_photo(photo) -> tuple[float, bool]:
    """(`python -m happysad predict PHOTO`'s whole time in seconds, median of a few runs; whether it
    imported TensorFlow)."""
    times = []
    check = ("import runpy, sys\nsys.argv = ['happysad', 'predict', sys.argv[1]]\ntry:\n"
             "    runpy.run_module('happysad', run_name='__main__')\nexcept SystemExit:\n    pass\n"
             "print('tensorflow' in sys.modules, file=sys.stderr)")
    for _ in range(PHOTO_SECONDS_RUNS):
        started = time.perf_counter()
        done = subprocess.run([sys.executable, "-m", "happysad", "predict", str(photo)], capture_output=True, text=True)
        times.append(time.perf_counter() - started)
        if done.returncode:
            raise SystemExit(f"predict failed on {photo}: {done.stderr}")
    imported = subprocess.run([sys.executable, "-c", check, str(photo)], capture_output=True, text=True)
    return statistics.median(times), imported.stderr.strip().splitlines()[-1] == "True"


def target(line, met) -> str:
    return f"- {line}: {'met' if met else '**not met**'}"


class AsAnswered:
    """The saved model as one of the commands answers: `copies` of each face averaged."""

    def __init__(self, classifier, copies):
        self.classifier, self.copies = classifier, copies
        self.input_shape, self.runtime = classifier.input_shape, f"{classifier.runtime}, {copies} cop{'y' if copies == 1 else 'ies'}"

    def __call__(self, batch, training=False):
        return self.classifier(batch, copies=self.copies)

    def answer(self, batch):
        return self.classifier.answer(batch, copies=self.copies)


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
    args = parser.parse_args()
    classifier = load_classifier(args.model)
    models = {"happysad, ten copies (predict)": AsAnswered(classifier, STEADY),
              "happysad, one pass (video)": AsAnswered(classifier, ONE_PASS), "fer (pip package)": FerAsHappySad()}
    fer_images, fer_labels, fer_votes = fer_held_out(args.data_dir)
    agreed = agreed_labels(fer_votes)
    photos, photo_labels = held_out_photos(args.data_dir)
    lines = [f"FER2013 held-out: {len(fer_labels)} images ({fer_labels.count(1)} sad), of which people agree on "
             f"{(agreed >= 0).sum()} ({(agreed == 1).sum()} sad); web held-out: {len(photos)} photos "
             f"({photo_labels.count(1)} sad)", "",
             f"| model | data | yardstick | accuracy | macro-F1 | happy recall | sad recall | wrong at >={CONFIDENT:.0%} "
             "| ECE |",
             "|---|---|---|---|---|---|---|---|---|"]
    speeds, latencies, gaps, all_scores = {}, {}, {}, {}
    for name, model in models.items():
        scores, (size, channels) = {}, input_size_and_channels(model)
        all_scores[name] = scores
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
    every_face, _, every_vote = fer_held_out(args.data_dir, (*CLASS_NAMES, *OTHER_EMOTIONS))
    answer_of = three_way_labels(every_vote)
    on_one = np.flatnonzero(answer_of >= 0)
    faces = [every_face[i] for i in on_one]
    labels, pluralities = answer_of[on_one], plurality(every_vote[on_one])
    neutral = every_vote[on_one, VOTE_COLUMNS.index("neutral")] >= 6
    three = {}
    for name, model in models.items():
        arrays = np.stack([to_model_input(image, *input_size_and_channels(model)) for image in faces])
        if isinstance(model, AsAnswered):
            emotion_p = emotion_probabilities(np.concatenate([model.classifier.emotion_logits(
                arrays[i:i + 256], model.copies) for i in range(0, len(arrays), 256)]))
            three[name] = three_way_scores(labels, three_way(emotion_p), EMOTIONS, emotion_p, pluralities, neutral)
        else:
            emotion_p = np.concatenate([model.emotions(arrays[i:i + 256]) for i in range(0, len(arrays), 256)])
            fer_three = np.concatenate([model.three_way(arrays[i:i + 256]) for i in range(0, len(arrays), 256)])
            three[name] = three_way_scores(labels, fer_three, FER_EMOTIONS, emotion_p, pluralities, neutral)
    counts = np.bincount(labels, minlength=3)
    lines += ["", f"Three ways: {len(labels)} held-out faces of the seven FER2013 test folders (byte copies of training "
              f"faces left out) whose FER+ votes have one plurality: {counts[0]} happy, {counts[1]} sad, {counts[2]} "
              f"neither (any other emotion); {neutral.sum()} of them >= 6 of 10 votes neutral. Scored against the "
              "plurality; fer's seven emotions mapped the same way (neither: the other five).", "",
              "| model | three ways | happy recall / precision | sad recall / precision | sad F1 | neither recall / "
              "precision | ECE | neutral faces read neither | eight ways (fer: seven) |", "|---|---|---|---|---|---|---|---|---|"]
    for name, t in three.items():
        lines.append(f"| {name} | {t['accuracy']:.2%} | {t['happy_recall']:.3f} / {t['happy_precision']:.3f} | "
                     f"{t['sad_recall']:.3f} / {t['sad_precision']:.3f} | {t['sad_f1']:.3f} | {t['neither_recall']:.3f} / "
                     f"{t['neither_precision']:.3f} | {t['ece']:.3f} | {t['neutral_read_neither']:.1%} | {t['emotions']:.2%} |")
    lines += ["", f"Beside it: {FER_PAPER}."]
    ours, predicted = three["happysad, ten copies (predict)"], all_scores["happysad, ten copies (predict)"]
    predict_binary = {filter_name: predicted[f"FER2013 held-out, {filter_name} 48->48", "agreed faces"]
                      for filter_name in RESIZE_FILTERS}
    bilinear = predict_binary["bilinear"]
    labels_score = predicted["FER2013 held-out, bilinear 48->48", "original labels"]
    web = predicted.get(("web photos held-out", "original labels"))
    photo = (photos or [None])[0]
    photo_seconds, imported_tensorflow = seconds_for_one_photo(photo) if photo else (float("nan"), False)
    fer_accuracy = three["fer (pip package)"]["accuracy"]
    lines += ["", "Targets, through `predict`'s defaults (ten copies):", "",
              target(f"three ways {ours['accuracy']:.2%} >= 90%, ahead of fer ({fer_accuracy:.2%}) by "
                     f"{(ours['accuracy'] - fer_accuracy) * 100:.1f} >= 10 points",
                     ours["accuracy"] >= 0.90 and ours["accuracy"] - fer_accuracy >= 0.10),
              target(f"neutral faces (>= 6 of 10 votes) read neither {ours['neutral_read_neither']:.1%} >= 90%",
                     ours["neutral_read_neither"] >= 0.90),
              target(f"sad F1 {ours['sad_f1']:.3f} >= 0.70", ours["sad_f1"] >= 0.70),
              target(f"happy recall {ours['happy_recall']:.3f} >= 0.94 and precision {ours['happy_precision']:.3f} >= 0.93",
                     ours["happy_recall"] >= 0.94 and ours["happy_precision"] >= 0.93),
              target(f"ECE of the three probabilities {ours['ece']:.3f} <= 0.03", ours["ece"] <= 0.03),
              target("binary answer, agreed faces " + " and ".join(f"{s['accuracy']:.2%} ({f})" for f, s in
                     predict_binary.items()) + " >= 98.1% under both filters",
                     all(s["accuracy"] >= 0.981 for s in predict_binary.values())),
              target(f"binary answer, {bilinear['confident_mistakes']} wrong at >=90% <= 7, happy/sad recall "
                     f"{bilinear['happy_recall']:.3f}/{bilinear['sad_recall']:.3f} >= .99/.95",
                     bilinear["confident_mistakes"] <= 7 and bilinear["happy_recall"] >= 0.99 - 5e-4
                     and bilinear["sad_recall"] >= 0.95 - 5e-4),
              target(f"binary answer, FER2013 labels {labels_score['accuracy']:.2%} >= 94.3%", labels_score["accuracy"] >= 0.943),
              target(f"binary answer, web photos {web['accuracy']:.2%} >= 85%" if web else "web photos: none held out",
                     bool(web) and web["accuracy"] >= 0.85),
              target(f"`predict` one photo {photo_seconds:.2f} s whole process <= 0.5 s, TensorFlow "
                     f"{'imported' if imported_tensorflow else 'not imported'}",
                     photo_seconds <= 0.5 and not imported_tensorflow)]
    network_macs = multiply_accumulates(emotion_network(load_keras_model(args.model))[0])
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
                       f"Written by `python tasks.py bench compare_models`. {provenance()}\n\n" + "\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
