"""The data folder's layout, the check before training, and sample pictures for the demos.

    happy/, sad/                 training and validation faces (the notebook splits them 80/20)
    holdout/happy, holdout/sad   held-out faces: never trained on, never used for a choice
    holdout/photos/<label>/      the held-out photos whole, for photo-level evaluation
    rejected/                    files that could not be decoded, moved aside (never deleted)
"""
import os
import random
from pathlib import Path

from .config import CLASS_NAMES
from .images import IMAGE_SUFFIXES, ImageError, decode_image, read_bytes

HOLDOUT_DIR = "holdout"
PHOTOS_DIR = "photos"
REJECTED_DIR = "rejected"
KERAS_IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".ppm", ".tif", ".tiff")  # what flow_from_directory reads


def label_folder(data_dir, split: str, label: str) -> Path:
    """Where faces of `label` go: data_dir/<label> for training, data_dir/holdout/<label> held out."""
    return Path(data_dir, HOLDOUT_DIR, label) if split == "holdout" else Path(data_dir, label)


def holdout_photos_folder(data_dir, label: str) -> Path:
    return Path(data_dir, HOLDOUT_DIR, PHOTOS_DIR, label)


def stored_folders(data_dir):
    """(split, label, folder) for every image folder that exists, whole held-out photos included."""
    for label in CLASS_NAMES:
        for split, folder in (("train", label_folder(data_dir, "train", label)),
                              ("holdout", label_folder(data_dir, "holdout", label)),
                              ("holdout", holdout_photos_folder(data_dir, label))):
            if folder.is_dir():
                yield split, label, folder


def set_aside_unusable(data_dir=".") -> list:
    """Move images that cannot be decoded out of happy/, sad/ and holdout/ into rejected/.

    Run before training, so a bad file dropped into a folder after the import is
    reported up front instead of killing an epoch. Nothing is deleted.
    Returns [(original path, reason)].
    """
    moved = []
    for _, _, folder in stored_folders(data_dir):
        for path in sorted(folder.rglob("*")):
            if path.suffix.lower() not in KERAS_IMAGE_SUFFIXES or path.is_dir():
                continue  # flow_from_directory reads neither
            try:
                decode_image(read_bytes(path), path)
            except ImageError as error:
                target = Path(data_dir, REJECTED_DIR, path.relative_to(data_dir))
                target.parent.mkdir(parents=True, exist_ok=True)
                os.replace(path, target)
                moved.append((str(path), error.reason))
    return moved


def sample_pictures(data_dir=".", count=1, seed=None) -> list:
    """Random held-out photos (else held-out faces, else training faces), for the demo cells."""
    for split in ("photos", "holdout", "train"):
        folders = [holdout_photos_folder(data_dir, label) if split == "photos" else label_folder(data_dir, split, label)
                   for label in CLASS_NAMES]
        pictures = sorted(p for f in folders if f.is_dir() for p in f.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
        if pictures:
            return [str(p) for p in random.Random(seed).sample(pictures, min(count, len(pictures)))]
    raise FileNotFoundError(f"no images under {Path(data_dir).resolve()}: import some first")
