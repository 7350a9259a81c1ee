"""Can one network pass be as right and as steady as the ten averaged copies, and how lean can
the network get? Trains the notebook's recipe (its own cells) with a chosen width and, optionally,
mirror-and-shift consistency, then scores one pass on the notebook's validation split only.

    .venv/bin/python experiments/one_pass_probe.py --blocks 16,32,64,128 --dense 128 [--consistency 1.0]
        [--epochs 25] [--data-dir .] [--out /tmp/one_pass]
    .venv/bin/python experiments/one_pass_probe.py --shipped      # the shipped file's network, one pass

Consistency (happysad.train.consistency, as the notebook now trains): each training step sees 32
faces twice, as the notebook's augmented face and as its mirror image moved by up to two pixels;
the loss is the cross-entropy of both views against the votes plus `--consistency` times the
symmetric KL divergence between the two views' answers. Without it, steps of 64 faces each seen
once, as the notebook trained before. Written for the notebook of commit 239eeba's recipe cells
(it sets BATCH_SIZE and make_model's width itself).
Prints one line: FER2013 labels, web-photo crops, agreed faces, confident mistakes on them,
log-loss, answers moving >5 points for a one-pixel move (all / web crops), MMACs per face.
"""
import argparse
import json
import time
from pathlib import Path

import numpy as np
from validation_slices import slices, validation_arrays

import happysad.train  # noqa: F401  (first: TensorFlow imported without its start-up lines)
import keras
from happysad.train import calibration, evaluation
from happysad.train.consistency import PairedViews, moved, votes_and_agreement
from happysad.config import SHIPPED_MODEL
from happysad.train.explain import convolutional_network
from happysad.train.export import happy_vs_sad, in_float32
from happysad.train.notebook import run_steps
from happysad.train.export import load_keras_model
from happysad.train.votes import EMOTIONS

NUDGES = ((1, 0), (-1, 0), (0, 1), (0, -1))


def macs_per_face(network) -> float:
    """Multiply-accumulates of the Conv2D and Dense layers for one face, in millions."""
    total = 0
    for layer in network.layers:
        if isinstance(layer, keras.layers.Conv2D):
            height, width, filters = layer.output.shape[1:]
            total += height * width * filters * np.prod(layer.kernel.shape[:3])
        elif isinstance(layer, keras.layers.Dense):
            total += np.prod(layer.kernel.shape)
    return total / 1e6


def train(args):
    started = time.perf_counter()
    output = Path(args.out)
    steps = run_steps("set_aside", "flows", "model", DATA_DIR=args.data_dir, OUTPUT_DIR=str(output),
                      EPOCHS=args.epochs, BATCH_SIZE=32 if args.consistency else 64)
    blocks = tuple((int(width), 2) for width in args.blocks.split(","))
    original = steps["make_model"]
    steps["make_model"] = lambda input_shape, classes: original(input_shape, classes, blocks=blocks, dense_units=args.dense)
    steps = run_steps("compile", "callbacks", namespace=steps)
    model = steps["model"]
    train_data, validation_data = steps["train_flow"], steps["validation_flow"]
    loss = keras.losses.CategoricalCrossentropy()
    if args.consistency:
        train_data, validation_data = PairedViews(train_data), PairedViews(validation_data, max_move=0)
        loss = votes_and_agreement(args.consistency)
    model.compile(optimizer=keras.optimizers.Adam(steps["schedule"], weight_decay=steps["WEIGHT_DECAY"]), loss=loss,
                  metrics=["accuracy"])
    model.fit(train_data, validation_data=validation_data, epochs=args.epochs, callbacks=steps["callbacks"], verbose=2)
    network = keras.models.load_model(steps["checkpoint"], compile=False)
    return happy_vs_sad(network, EMOTIONS), (time.perf_counter() - started) / 60


def score(model, data_dir):
    network = keras.Model(model.inputs, model.get_layer("logit").output)
    images, labels, agreed, has_votes = validation_arrays(data_dir)

    def logits(batch):
        return np.concatenate([np.asarray(network(batch[i:i + 512], training=False)).ravel()
                               for i in range(0, len(batch), 512)])

    z = logits(images)
    temperature = calibration.fit_temperature(labels, 1 / (1 + np.exp(-z)))
    p = 1 / (1 + np.exp(-z / temperature))
    moves = np.max([np.abs(1 / (1 + np.exp(-logits(moved(images, dx, dy)) / temperature)) - p)
                    for dx, dy in NUDGES], axis=0)
    fer, web, on_agreed = (evaluation.evaluate(*part) for part in slices(labels, agreed, has_votes, p).values())
    return {"fer2013_labels": round(fer["accuracy"], 4), "web_crops": round(web["accuracy"], 4),
            "agreed": round(on_agreed["accuracy"], 4), "agreed_confident_wrong": on_agreed["confident_mistakes"],
            "log_loss": round(calibration.log_loss(labels, p), 4), "temperature": round(temperature, 3),
            "moves_all": round(float((moves > 0.05).mean()), 4),
            "moves_web": round(float((moves[~has_votes] > 0.05).mean()), 4)}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--blocks", default="32,64,128,256")
    parser.add_argument("--dense", type=int, default=256)
    parser.add_argument("--consistency", type=float, default=0.0)
    parser.add_argument("--epochs", type=int, default=25)
    parser.add_argument("--data-dir", default=".")
    parser.add_argument("--out", default="/tmp/one_pass")
    parser.add_argument("--shipped", action="store_true", help="score the shipped file's network, one pass")
    args = parser.parse_args()
    if args.shipped:
        inner, minutes = convolutional_network(load_keras_model(SHIPPED_MODEL)), 0.0
        model = keras.Model(inner.inputs, keras.layers.Activation("sigmoid")(inner.get_layer("logit").output))
        name = "shipped network, one pass"
    else:
        model, minutes = train(args)
        model = in_float32(model)
        model.save(Path(args.out) / "happy_vs_sad.keras")
        name = f"blocks {args.blocks}, dense {args.dense}, consistency {args.consistency}, {args.epochs} epochs"
    result = {"recipe": name, "train_minutes": round(minutes, 1), "mmacs": round(macs_per_face(model), 1),
              "parameters": model.count_params(), **score(model, args.data_dir)}
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
