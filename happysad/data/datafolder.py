"""The data folder's layout, the check before training, and sample pictures for the demos.

    happy/, sad/                 training and validation faces (the notebook splits them 80/20)
    other_emotions/<emotion>/    FER2013's other training faces (angry, neutral, ...): taught, never scored
    ferplus_votes.csv            FER+ votes of the FER2013 faces stored here (happysad.data.votes)
    holdout/happy, holdout/sad   held-out faces: never trained on, never used for a choice
    holdout/<emotion>/           FER2013's other held-out faces: scored three ways (happy, sad, neither)
    holdout/photos/<label>/      the held-out photos whole, for photo-level evaluation
    rejected/                    files that could not be decoded, moved aside (never deleted)
"""
import os
import random
from pathlib import Path

from ..config import CLASS_NAMES, OTHER_EMOTIONS
from ..vision.images import ImageError, decode_image, read_bytes
from ..vision.inputs import IMAGE_SUFFIXES, KERAS_IMAGE_SUFFIXES
from .votes import VOTE_COLUMNS, read_votes

HOLDOUT_DIR = "holdout"
OTHER_EMOTIONS_DIR = "other_emotions"
PHOTOS_DIR = "photos"
REJECTED_DIR = "rejected"


def label_folder(data_dir, split: str, label: str) -> Path:
    """Where faces of `label` go: data_dir/<label> for training, data_dir/holdout/<label> held out;
    the other emotions' training faces in data_dir/other_emotions/<label>."""
    if split == "holdout":
        return Path(data_dir, HOLDOUT_DIR, label)
    return Path(data_dir, OTHER_EMOTIONS_DIR, label) if label in OTHER_EMOTIONS else Path(data_dir, label)


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
    for label in OTHER_EMOTIONS:
        for split in ("train", "holdout"):
            if label_folder(data_dir, split, label).is_dir():
                yield split, label, label_folder(data_dir, split, label)


def held_out_photos(data_dir=".") -> tuple[list, list]:
    """(paths, labels) of the held-out photos kept whole, for photo-level scores (0 happy, 1 sad)."""
    paths, labels = [], []
    for label_index, label in enumerate(CLASS_NAMES):
        for path in sorted(holdout_photos_folder(data_dir, label).glob("*")):
            paths.append(path)
            labels.append(label_index)
    return paths, labels


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


def training_faces(data_dir="."):
    """The training pool as a table, one row per image of happy/, sad/ and other_emotions/*/:
    `filename` (absolute), `emotion` (its folder) and the ten FER+ vote columns (NaN without votes).

    Rows are sorted by file name, which `data import` makes a content hash: a shuffled order that
    never changes, so the notebook's 80/20 split (the last 80% of rows train) is the same every run.
    """
    import pandas as pd

    rows = [(str(path.resolve()), label) for split, label, folder in stored_folders(data_dir) if split == "train"
            for path in folder.iterdir() if path.suffix.lower() in KERAS_IMAGE_SUFFIXES]
    faces = pd.DataFrame(rows, columns=["filename", "emotion"])
    faces = faces.iloc[sorted(range(len(faces)), key=lambda i: Path(faces.filename[i]).name)].reset_index(drop=True)
    votes = read_votes(data_dir).reindex(faces.filename)
    faces[list(VOTE_COLUMNS)] = votes[list(VOTE_COLUMNS)].to_numpy(dtype=float)
    return faces
