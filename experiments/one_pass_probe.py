"""Can one network pass be as right and as steady as the ten averaged copies, and how lean can
the network get? Trains the notebook's recipe (its own cells) with a chosen width and, optionally,
mirror-and-shift consistency, then scores one pass on the notebook's validation split only.

    .venv/bin/python experiments/one_pass_probe.py --blocks 16,32,64,128 --dense 128 [--consistency 1.0]
        [--epochs 25] [--data-dir .] [--out /tmp/one_pass]
    .venv/bin/python experiments/one_pass_probe.py --shipped      # the shipped file's network, one pass
    .venv/bin/python experiments/one_pass_probe.py --half-resolution --consistency 1 --epochs 30 [--distil 0.5]
    .venv/bin/python experiments/one_pass_probe.py --half-resolution "16 then max pool" --consistency 1 ...
    .venv/bin/python experiments/one_pass_probe.py --half-resolution "16 then blurred pool" --consistency 4 --anchored ...
    .venv/bin/python experiments/one_pass_probe.py --convolutions 1 --consistency 4 --anchored ...  # one per block
    .venv/bin/python experiments/one_pass_probe.py --half-resolution "16 then blurred pool" --consistency 1 --teacher 0.8 ...
    .venv/bin/python experiments/one_pass_probe.py --score /tmp/one_pass/happy_vs_sad.keras --copies 10

Consistency (happysad.train.consistency): each training step sees 32
faces twice, as the notebook's augmented face and as its mirror image moved by up to two pixels;
the loss is the cross-entropy of both views against the votes plus `--consistency` times the
symmetric KL divergence between the two views' answers. Without it, steps of 64 faces each seen
once, as the notebook trained before. Written for the notebook of commit 239eeba's recipe cells
(it sets BATCH_SIZE and make_model's width itself).
--half-resolution: every block at half the resolution (a quarter of the multiply-adds): the face
blurred by a 2x2 average and read by the first convolution with stride 2 (29.4 MMAC at the
default widths), or first 16 filters at full resolution and 2x2 max pooling, plain or blurred (32.2 MMAC).
--anchored: the consistency term is KL(augmented face's answer, held fixed || its moved mirror
image's answer), so only the moved view is taught to follow; the symmetric term can also be
lowered by making both answers less sure.
--score MODEL --copies N: no training; score a model an earlier run saved, one pass or averaged
over copies as the shipped file averages (2: face and mirror image; 10: each also moved a pixel
four ways).
--distil ALPHA: each training face is taught (1 - ALPHA) x its votes + ALPHA x the shipped file's answer over its ten copies (the mean of its eight emotion logits over
the face and its mirror image, each as is and moved a pixel four ways, then softmax), computed
once on the face as loaded; validation keeps the votes, so the best epoch is chosen as before.
The shipped file is the teacher: the model of commit b81614e, trained on the same training split.
--teacher WEIGHT (with --consistency): the teacher asked in every training step, about each face
as augmented there: its target becomes (1 - WEIGHT) x its votes + WEIGHT x the shipped file's
ten-copy answer on that augmented face, for both of its views (the ten copies hold the mirror
image and the moves already). The teacher runs in the training policy (mixed_bfloat16 on AMX:
about 0.17 s of each 0.28 s training step there goes to its 320 copies).
Prints one line: FER2013 labels, web-photo crops, agreed faces, confident mistakes on them,
log-loss, answers moving >5 points for a one-pixel move (all / web crops), MMACs per face.

Backs docs/experiments.md, "A leaner network for `fer`'s speed".
"""
import argparse
import json
import time
from pathlib import Path

import numpy as np
from validation_slices import network_once, slices, validation_arrays

import happysad.train  # noqa: F401  (first: TensorFlow imported without its start-up lines)
import keras
from keras import layers
from happysad.train import calibration, evaluation
from consistency import PairedViews, moved, votes_and_agreement
from happysad.config import SHIPPED_MODEL
from happysad.answer.classifier import find_layer
from happysad.train.export import MOVES, happy_vs_sad, in_float32, with_averaged_copies
from happysad.train.notebook import run_steps
from happysad.train.export import load_keras_model
from happysad.data.votes import EMOTIONS

NUDGES = MOVES[1:]  # one pixel right, left, down, up


def macs_per_face(network) -> float:
    """Multiply-accumulates of the convolutions and Dense layers for one face, in millions."""
    total = 0
    for layer in network.layers:
        if isinstance(layer, keras.layers.SeparableConv2D):
            height, width, filters = layer.output.shape[1:]
            inputs = layer.depthwise_kernel.shape[2]
            total += height * width * inputs * (np.prod(layer.depthwise_kernel.shape[:2]) + filters)
        elif isinstance(layer, keras.layers.Conv2D):
            height, width, filters = layer.output.shape[1:]
            total += height * width * filters * np.prod(layer.kernel.shape[:3])
        elif isinstance(layer, keras.layers.Dense):
            total += np.prod(layer.kernel.shape)
    return total / 1e6


STEMS = ("blurred stride", "16 then max pool", "16 then blurred pool")


def half_resolution(blurred_max_pooling, blocks, dense_units, stem="blurred stride", dropout=0.5):
    """The notebook's make_model (commit b81614e) with its blocks at half resolution: after a 2x2 blur,
    the first convolution strided ("blurred stride"), or after 16 filters at full resolution and
    2x2 max pooling ("16 then max pool") or blurred max pooling ("16 then blurred pool")."""
    def make_model(input_shape, classes):
        inputs = keras.Input(input_shape, name="image")
        if stem == "blurred stride":
            x = layers.AveragePooling2D(2, strides=1, padding="same", name="blur")(inputs)
        else:
            x = layers.Conv2D(16, 3, padding="same", use_bias=False)(inputs)
            x = layers.ReLU()(layers.BatchNormalization()(x))
            x = layers.MaxPooling2D(2)(x) if stem == "16 then max pool" else blurred_max_pooling(x)
        for index, (filters, convolutions) in enumerate(blocks):
            for position in range(convolutions):
                stride = 2 if index == position == 0 and stem == "blurred stride" else 1
                x = layers.Conv2D(filters, 3, strides=stride, padding="same", use_bias=False)(x)
                x = layers.BatchNormalization()(x)
                x = layers.ReLU()(x)
            if index < len(blocks) - 1:
                x = blurred_max_pooling(x)
        x = layers.GlobalAveragePooling2D()(x)
        x = layers.Dropout(dropout)(layers.Dense(dense_units, activation="relu")(x))
        logits = layers.Dense(classes, name="emotion_logits")(x)
        return keras.Model(inputs, layers.Softmax(name="emotions", dtype="float32")(logits), name="emotion_cnn")
    return make_model


def emotion_logits_of(network):
    """The network's eight emotion logits (before its softmax)."""
    return keras.Model(network.input, network.get_layer("emotion_logits").output)


def shipped_emotion_logits():
    """The teacher: the shipped file's network, to its eight emotion logits."""
    return emotion_logits_of(find_layer(load_keras_model(SHIPPED_MODEL), "logit")[0])


def ten_copy_answer(emotion_logits, faces):
    """Eight-emotion answers averaged as the shipped file averages: the softmax of the mean logits
    over each face and its mirror image, each as is and moved a pixel four ways."""
    copies = np.concatenate([moved(picture, dx, dy) for picture in (faces, faces[:, :, ::-1]) for dx, dy in MOVES])
    logits = np.asarray(emotion_logits.predict_on_batch(copies), dtype="float32")
    return np.asarray(keras.ops.softmax(logits.reshape(len(copies) // len(faces), len(faces), -1).mean(axis=0)))


def ten_copy_answers(flow, size):
    """The shipped file's eight-emotion answer, averaged over ten copies, for every face of `flow`, in its order."""
    import pandas as pd
    from tensorflow.keras.preprocessing.image import ImageDataGenerator
    files = pd.DataFrame({"filename": flow.filepaths})
    faces = ImageDataGenerator(rescale=1 / 255).flow_from_dataframe(
        files, x_col="filename", y_col=None, class_mode=None, target_size=(size, size), color_mode="grayscale",
        batch_size=256, shuffle=False, interpolation="bilinear")
    emotion_logits = shipped_emotion_logits()
    return np.concatenate([ten_copy_answer(emotion_logits, faces[index]) for index in range(len(faces))]).astype("float32")


def shipped_teacher(notebook_make_model, input_shape, classes):
    """The shipped file's network rebuilt by the notebook's make_model in the global policy
    (mixed_bfloat16 where the CPU computes it: the teacher answers in every training step)."""
    teacher = emotion_logits_of(notebook_make_model(input_shape, classes))
    teacher.set_weights(shipped_emotion_logits().get_weights())
    return teacher


class TaughtViews(keras.utils.PyDataset):
    """PairedViews' batches with every face taught (1 - weight) x its votes + weight x the teacher's
    ten-copy answer on the face as augmented in this step; its moved mirror image gets the same
    target (the ten copies already hold mirror images and moves)."""

    def __init__(self, paired, teacher, weight):
        super().__init__()
        self.paired, self.teacher, self.weight = paired, teacher, weight

    def __len__(self):
        return len(self.paired)

    def __getitem__(self, index):
        views, votes = self.paired[index]
        taught = ten_copy_answer(self.teacher, views[:len(views) // 2])
        return views, (1 - self.weight) * votes + self.weight * np.concatenate([taught, taught])

    def on_epoch_end(self):
        self.paired.on_epoch_end()


def votes_and_following(weight: float):
    """votes_and_agreement with the augmented view's answer held fixed (no gradient): only the moved
    mirror image is taught to follow it, so agreeing cannot be bought by both answers going flat."""

    def loss(targets, predicted):
        cross_entropy = keras.losses.categorical_crossentropy(targets, predicted)
        first, second = keras.ops.split(keras.ops.clip(predicted, 1e-7, 1.0), 2, axis=0)
        first = keras.ops.stop_gradient(first)
        divergence = keras.ops.sum(first * (keras.ops.log(first) - keras.ops.log(second)), axis=-1)
        return cross_entropy + weight * keras.ops.concatenate([keras.ops.zeros_like(divergence), divergence])

    loss.__name__ = "votes_and_following"
    return loss


def train(args):
    started = time.perf_counter()
    output = Path(args.out)
    steps = run_steps("set_aside", "flows", "model", DATA_DIR=args.data_dir, OUTPUT_DIR=str(output),
                      EPOCHS=args.epochs, BATCH_SIZE=32 if args.consistency else 64)
    blocks = tuple((int(width), args.convolutions) for width in args.blocks.split(","))
    notebook_make_model = steps["make_model"]
    if args.half_resolution:
        steps["make_model"] = half_resolution(steps["blurred_max_pooling"], blocks, args.dense, args.half_resolution)
    else:
        steps["make_model"] = lambda input_shape, classes: notebook_make_model(input_shape, classes, blocks=blocks,
                                                                              dense_units=args.dense)
    steps = run_steps("compile", "callbacks", namespace=steps)
    model = steps["model"]
    train_data, validation_data = steps["train_flow"], steps["validation_flow"]
    if args.distil:
        # the flow's targets (class_mode="raw") are its table's rows, in filepaths' order
        votes = np.asarray(train_data._targets, dtype="float32")
        train_data._targets = (1 - args.distil) * votes + args.distil * ten_copy_answers(train_data, steps["IMAGE_SIZE"])
    loss = keras.losses.CategoricalCrossentropy()
    if args.consistency:
        train_data, validation_data = PairedViews(train_data), PairedViews(validation_data, max_move=0)
        loss = (votes_and_following if args.anchored else votes_and_agreement)(args.consistency)
    if args.teacher:
        teacher = shipped_teacher(notebook_make_model, model.input_shape[1:], model.output_shape[-1])
        train_data = TaughtViews(train_data, teacher, args.teacher)
    model.compile(optimizer=keras.optimizers.Adam(steps["schedule"], weight_decay=steps["WEIGHT_DECAY"]), loss=loss,
                  metrics=["accuracy"])
    model.fit(train_data, validation_data=validation_data, epochs=args.epochs, callbacks=steps["callbacks"], verbose=2)
    network = keras.models.load_model(steps["checkpoint"], compile=False)
    return happy_vs_sad(network, EMOTIONS), (time.perf_counter() - started) / 60


def score(model, data_dir, copies=1):
    """One pass of `model` (a happy/sad model with a `logit` layer), or the mean logit over its
    face and mirror image (copies=2) or over those each moved a pixel four ways (copies=10)."""
    if copies == 1:
        network = keras.Model(model.inputs, model.get_layer("logit").output)
    else:
        averaged = with_averaged_copies(model, moves=MOVES if copies == 10 else ((0, 0),))
        network = keras.Model(averaged.inputs, averaged.get_layer("mean_logit").output)
    images, labels, agreed, has_votes = validation_arrays(data_dir)

    def logits(batch):
        return np.concatenate([np.asarray(network(batch[i:i + 512], training=False)).ravel()
                               for i in range(0, len(batch), 512)])

    z = logits(images)
    temperature = calibration.fit_temperature(labels, 1 / (1 + np.exp(-z)))
    p = 1 / (1 + np.exp(-z / temperature))
    moves = np.max([np.abs(1 / (1 + np.exp(-logits(moved(images, dx, dy)) / temperature)) - p)
                    for dx, dy in NUDGES], axis=0)
    # a slice a small data folder lacks (no web crops in its validation split) is scored as None
    fer, web, on_agreed = (evaluation.evaluate(*part) if len(part[0]) else None
                           for part in slices(labels, agreed, has_votes, p).values())
    accuracy = lambda result: round(result["accuracy"], 4) if result else None  # noqa: E731
    return {"fer2013_labels": accuracy(fer), "web_crops": accuracy(web), "agreed": accuracy(on_agreed),
            "agreed_confident_wrong": on_agreed["confident_mistakes"] if on_agreed else None,
            "log_loss": round(calibration.log_loss(labels, p), 4), "temperature": round(temperature, 3),
            "moves_all": round(float((moves > 0.05).mean()), 4),
            "moves_web": round(float((moves[~has_votes] > 0.05).mean()), 4) if web else None}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--blocks", default="32,64,128,256")
    parser.add_argument("--dense", type=int, default=256)
    parser.add_argument("--convolutions", type=int, default=2, help="convolutions in each block")
    parser.add_argument("--consistency", type=float, default=0.0)
    parser.add_argument("--epochs", type=int, default=25)
    parser.add_argument("--half-resolution", nargs="?", const="blurred stride", choices=STEMS,
                        help="the blocks at half resolution, after this stem (default: blur, then a stride-2 first convolution)")
    parser.add_argument("--anchored", action="store_true",
                        help="consistency pulls only the moved mirror image towards the augmented face's answer (held fixed)")
    parser.add_argument("--distil", type=float, default=0.0, help="weight of the shipped file's ten-copy answer")
    parser.add_argument("--teacher", type=float, default=0.0,
                        help="with --consistency: weight of the shipped file's ten-copy answer on each augmented face, every step")
    parser.add_argument("--data-dir", default=".")
    parser.add_argument("--out", default="/tmp/one_pass")
    parser.add_argument("--shipped", action="store_true", help="score the shipped file's network, one pass")
    parser.add_argument("--score", metavar="MODEL", help="score a model an earlier run saved (its --out/happy_vs_sad.keras)")
    parser.add_argument("--copies", type=int, choices=(1, 2, 10), default=1,
                        help="with --shipped or --score: answer the mean logit over the face and its mirror image (2), "
                             "each also moved a pixel four ways (10)")
    args = parser.parse_args()
    if args.teacher and not args.consistency:
        parser.error("--teacher needs --consistency: it teaches both views of each face that PairedViews makes")
    if args.shipped or args.score:
        model, minutes = network_once(load_keras_model(args.score or SHIPPED_MODEL)), 0.0
        name = f"{args.score or 'shipped network'}, {args.copies} cop{'y' if args.copies == 1 else 'ies'}"
    else:
        model, minutes = train(args)
        model = in_float32(model)
        model.save(Path(args.out) / "happy_vs_sad.keras")
        name = (f"blocks {args.blocks} x{args.convolutions}, dense {args.dense}{f', half resolution ({args.half_resolution})' if args.half_resolution else ''}, "
                f"consistency {args.consistency}{' anchored' if args.anchored else ''}, distil {args.distil}, teacher {args.teacher}, {args.epochs} epochs")
    result = {"recipe": name, "train_minutes": round(minutes, 1), "mmacs": round(macs_per_face(model) * args.copies, 1),
              "parameters": model.count_params(), **score(model, args.data_dir, args.copies)}
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
