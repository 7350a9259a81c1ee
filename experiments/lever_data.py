"""Pack the notebook's training and validation split, and FER2013's other five emotions, into one
.npz for `lever_probe.py` (which trains on a GPU machine that has PyTorch but not this project).

    .venv/bin/python benchmarks/lever_data.py OUT.npz [--data-dir .]
        [--fer-train ../shared/datasets/fer2013/train]

Images are stored as the notebook's model sees them: resized to 64x64 (bilinear, and nearest for
validation), then area-averaged to 48x48. The other emotions (angry, disgusted, fearful, neutral,
surprised) come from FER2013's training split only; any whose content is in validation, in
holdout/ or among the happy/sad training images is left out (same content hash as `data import`).
They are stored as JPEG (quality 93) to keep the file under the device machine's 64 MiB.
"""
import argparse
import io
from pathlib import Path

import numpy as np


import happysad.train  # noqa: F401  (first: TensorFlow imported without its start-up lines)
from PIL import Image
from tensorflow.keras.preprocessing.image import ImageDataGenerator

from happysad.config import CLASS_NAMES

IMAGE_SIZE = 64  # the input size of the models this study measured
from happysad.train.data_import import content_hash, existing_images
from happysad.answer.images import read_image

OTHER_EMOTIONS = ("angry", "disgusted", "fearful", "neutral", "surprised")
MODEL_SIDE = 48  # make_model's internal_size


def as_model_sees(image, resample):
    image = image.convert("L").resize((IMAGE_SIZE, IMAGE_SIZE), resample)
    return np.asarray(image.resize((MODEL_SIDE, MODEL_SIDE), Image.BOX))


def notebook_flow(data_dir, subset, **options):
    """An unshuffled flow over the notebook's training or validation subset (its 80/20 split)."""
    return ImageDataGenerator(rescale=1 / 255, validation_split=0.2).flow_from_directory(
        data_dir, subset=subset, shuffle=False, classes=list(CLASS_NAMES), class_mode="binary", **options)


def notebook_split(data_dir, subset):
    """The file paths and labels of the notebook's training or validation subset."""
    flow = notebook_flow(data_dir, subset)
    return flow.filepaths, flow.classes


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--data-dir", default=".", type=Path)
    parser.add_argument("--fer-train", type=Path,
                        default=Path(__file__).resolve().parents[2] / "shared/datasets/fer2013/train")
    args = parser.parse_args()
    arrays = {}
    for subset, name in (("training", "train"), ("validation", "val")):
        paths, labels = notebook_split(args.data_dir, subset)
        images = [read_image(path) for path in paths]
        arrays[f"{name}_x"] = np.stack([as_model_sees(image, Image.BILINEAR) for image in images])
        arrays[f"{name}_y"] = labels.astype(np.int8)
        arrays[f"{name}_fer"] = np.array([Path(path).suffix == ".png" for path in paths])  # FER2013 faces
        if name == "val":
            arrays["val_xn"] = np.stack([as_model_sees(image, Image.NEAREST) for image in images])
    known = set(existing_images(args.data_dir))  # happy/sad training, validation and held-out content
    jpegs, labels, left_out = [], [], 0
    for index, emotion in enumerate(OTHER_EMOTIONS):
        for path in sorted((args.fer_train / emotion).iterdir()):
            image = read_image(path)
            digest = content_hash(image)
            if digest in known:
                left_out += 1
                continue
            known.add(digest)
            buffer = io.BytesIO()
            Image.fromarray(as_model_sees(image, Image.BILINEAR)).save(buffer, "JPEG", quality=93)
            jpegs.append(buffer.getvalue())
            labels.append(index)
    arrays["other_jpeg"] = np.frombuffer(b"".join(jpegs), np.uint8)
    arrays["other_len"] = np.array([len(j) for j in jpegs])
    arrays["other_y"] = np.array(labels, np.int8)
    np.savez_compressed(args.out, **arrays)
    print(f"training {len(arrays['train_y'])}, validation {len(arrays['val_y'])}, other emotions {len(labels)} "
          f"({left_out} left out as copies of happy/sad or held-out content) -> {args.out}")


if __name__ == "__main__":
    main()
