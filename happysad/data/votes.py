"""FER+ votes: what 10 annotators said about each FER2013 face, found by the face's pixels.

FER2013's labels come from one annotator each; Microsoft's FER+ had every FER2013 face
labelled again by 10 (resources/ferplus_votes.csv.gz, MIT licence, see
resources/FERPLUS_LICENSE.txt). The table is keyed by `pixel_key`, the md5 of the 48x48
grayscale pixels row by row, so a renamed or losslessly re-encoded copy still finds its votes.

`data import` writes VOTES_FILE into the data folder: one row per stored image that has votes
(its path relative to the data folder and the ten counts). The notebook and the benchmarks
read it with `read_votes`; a data folder without it (web photos, a user's own faces) works,
with no second yardstick.

The second yardstick: a face is *agreed* when the annotators' plurality (a strict maximum
over all ten columns, so ties, `unknown` and not-a-face never count) is happiness or sadness;
its label is then that plurality, whatever folder FER2013 put it in.
"""
import csv
import gzip
import hashlib
from functools import lru_cache
from pathlib import Path

import numpy as np

from ..config import EMOTIONS
from ..files import atomic_path

VOTE_COLUMNS = (*EMOTIONS, "unknown", "NF")  # the eight FER+ emotions, then "unknown" and not a face
TARGETS = tuple(f"target_{emotion}" for emotion in EMOTIONS)  # columns of the training targets
# FER2013's folder names (the Kaggle layout) as FER+ emotions
FOLDER_EMOTIONS = {"neutral": "neutral", "happy": "happiness", "surprised": "surprise", "sad": "sadness",
                   "angry": "anger", "disgusted": "disgust", "fearful": "fear"}
TABLE = Path(__file__).resolve().parents[1] / "resources" / "ferplus_votes.csv.gz"
VOTES_FILE = "ferplus_votes.csv"  # written into the data folder by `data import`
FER_SIZE = 48


def pixel_key(image):
    """md5 of the 48x48 grayscale pixels (a PIL image), or None for any other size."""
    if image.size != (FER_SIZE, FER_SIZE):
        return None
    return hashlib.md5(image.convert("L").tobytes()).hexdigest()


@lru_cache(maxsize=1)
def votes_table() -> dict:
    """pixel key -> the ten vote counts (a tuple of ints), for every FER2013 face."""
    with gzip.open(TABLE, "rt", newline="") as handle:
        rows = csv.reader(handle)
        header = next(rows)
        assert tuple(header[1:]) == VOTE_COLUMNS, f"{TABLE}: unexpected columns {header}"
        return {row[0]: tuple(int(v) for v in row[1:]) for row in rows}


def write_votes(data_dir, images) -> int:
    """Write VOTES_FILE for `images` [(path, PIL image)]: the votes of those found in the table.

    Returns how many have votes. With none, any old VOTES_FILE is removed (it would be stale).
    """
    table, data_dir = votes_table(), Path(data_dir)
    rows = []
    for path, image in images:
        votes = table.get(pixel_key(image))
        if votes:
            rows.append([Path(path).relative_to(data_dir).as_posix(), *votes])
    target = data_dir / VOTES_FILE
    if not rows:
        target.unlink(missing_ok=True)
        return 0
    with atomic_path(target) as temporary, open(temporary, "w", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["file", *VOTE_COLUMNS])
        writer.writerows(sorted(rows))
    return len(rows)


def read_votes(data_dir):
    """The data folder's votes as a DataFrame indexed by absolute file path (empty when none)."""
    import pandas as pd

    path = Path(data_dir, VOTES_FILE)
    if not path.is_file():
        return pd.DataFrame(columns=VOTE_COLUMNS, dtype=float)
    votes = pd.read_csv(path)
    votes.index = [str(Path(data_dir, name).resolve()) for name in votes.pop("file")]
    return votes


def _counts(votes) -> np.ndarray:
    """Rows of the ten vote counts as an (n, 10) float array; a face without votes (NaN) has zeros."""
    return np.nan_to_num(np.asarray(votes, dtype=float), nan=0.0).reshape(-1, len(VOTE_COLUMNS))


def plurality(votes) -> np.ndarray:
    """The annotators' choice for each row: a VOTE_COLUMNS name, 'tie', or 'no votes'."""
    counts = _counts(votes)
    top = counts.max(axis=1, keepdims=True)
    names = np.array(VOTE_COLUMNS, dtype=object)[counts.argmax(axis=1)]
    names[(counts == top).sum(axis=1) > 1] = "tie"
    names[top[:, 0] == 0] = "no votes"
    return names


def agreed_labels(votes) -> np.ndarray:
    """For rows of vote counts (n, 10): 0 where the strict plurality is happiness, 1 where it is
    sadness, -1 elsewhere (another emotion, a tie, unknown, not a face, or no votes: NaN)."""
    choice = plurality(votes)
    return np.select([choice == "happiness", choice == "sadness"], [0, 1], default=-1)


def three_way_labels(votes) -> np.ndarray:
    """For rows of vote counts (n, 10): the three answers' index (happysad.config.ANSWERS) of the
    strict plurality, 0 happiness, 1 sadness, 2 any other of the eight emotions (neither); -1 for a
    tie, unknown, not a face, or no votes."""
    choice = plurality(votes)
    others = np.isin(choice, [e for e in EMOTIONS if e not in ("happiness", "sadness")])
    return np.select([choice == "happiness", choice == "sadness", others], [0, 1, 2], default=-1)


def not_a_face(votes) -> np.ndarray:
    """True where the annotators' plurality (ties included) is NF: not a face."""
    counts = _counts(votes)
    nf = counts[:, VOTE_COLUMNS.index("NF")]
    return (nf > 0) & (nf == counts.max(axis=1))


def soft_targets(votes, folder_emotion, original_label_votes=1.0) -> np.ndarray:
    """Training targets over EMOTIONS: the annotators' votes for the eight emotions plus
    `original_label_votes` for FER2013's own label (its folder), normalised to sum to 1.
    A face without votes (NaN) gets its folder's emotion alone."""
    targets = _counts(votes)[:, :len(EMOTIONS)]
    no_votes = targets.sum(axis=1) == 0
    columns = np.array([EMOTIONS.index(FOLDER_EMOTIONS[e]) for e in folder_emotion])
    rows = np.arange(len(targets))
    targets[rows, columns] += np.where(no_votes, 1.0, original_label_votes)
    return targets / targets.sum(axis=1, keepdims=True)


def votes_for(votes, paths):
    """The rows of `votes` (from read_votes) for these image paths, NaN where a file has none."""
    return votes.reindex([str(Path(path).resolve()) for path in paths])[list(VOTE_COLUMNS)]
