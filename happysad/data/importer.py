"""Import happy and sad images from folders or .zip files into happy/, sad/ and holdout/.

Accepted layouts, under any number of wrapping folders:
  .../happy/*, .../sad/*                      (the web-photo dataset)
  .../train/<emotion>/*, .../test/<emotion>/* (FER2013 in folders)
Happy and sad go to happy/, sad/ and holdout/. FER2013's five other emotions (angry,
disgusted, fearful, neutral, surprised) go to other_emotions/<emotion>/ for training, and their
test split to holdout/<emotion>/, where the three answers (happy, sad, neither) are scored.

Cleaning, all by content hash (SHA-256 of the decoded, upright pixels, so the
same picture saved twice counts once):
  - exact duplicates are kept once;
  - content found under both labels is dropped everywhere (label conflict);
  - a source's own test split goes to holdout/<label>/, which training never
    reads; a source without one has a deterministic 15% held out, chosen by hash;
  - a held-out image whose content is also in the training pool is dropped
    from the held-out side (leakage);
  - unreadable and non-image files are skipped and listed with the reason.
Photos (pictures larger than FACE_CROP_ABOVE pixels; FER2013's 48x48 faces are
not) are cut into face crops framed like the FER2013 faces, one file per main
face, as `predict` does; a photo where no face is found is kept whole (its
centred square) unless keep_faceless=False. Then every stored FER2013 face gets its FER+
votes, found by its pixels (happysad.data.votes, written to ferplus_votes.csv in the data folder).
Files are named by content hash:
<hash>.png (grayscale) or <hash>.jpg (colour) for pictures stored as they are,
<hash>-face<n>.jpg for face crops, <hash>-whole.jpg for a faceless photo's
centred square; at most MAX_SIDE pixels. Running an import twice adds nothing.
"""
import hashlib
import io
import os
import zipfile
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Callable, NamedTuple

from PIL import Image
from tqdm import tqdm

from ..config import CLASS_NAMES, OTHER_EMOTIONS
from ..files import write_atomically
from ..vision.boxes import centre_box, crop
from ..vision.faces import FaceDetector
from ..vision.images import ImageError, decode_image, read_bytes, read_image
from .datafolder import holdout_photos_folder, label_folder, stored_folders
from .votes import FER_SIZE, write_votes


TEST_SPLIT_NAMES = {"test", "testing"}
PHOTO_SIDE = 1024
HOLDOUT_FRACTION = 0.15
MAX_SIDE = 512  # enough for display and face detection; keeps training I/O cheap
HASH_CHARS = 20
FACE_CROP_ABOVE = 128  # pixels on the longer side: smaller pictures are face crops already
MAIN_FACE_SHARE = 0.5  # faces at least half the size of the biggest are the photo's subjects
JUNK_NAMES = {"__MACOSX", ".DS_Store", "Thumbs.db", "desktop.ini"}


@dataclass
class Candidate:
    """One file found in a source, before it is decoded."""
    source: str
    name: str  # path shown to the user
    label: str
    in_test_split: bool
    read: Callable[[], bytes]
    source_has_test_split: bool = False  # then in_test_split decides; else a hash-chosen share is held out


class EncodedPicture(NamedTuple):
    """One file to write for a source picture: the picture itself, a face cut from it, or its centre."""
    suffix: str  # "" for the picture as it is, "-face<n>" for a face crop, "-whole" for a faceless photo's centre
    data: bytes
    extension: str


class Copy(NamedTuple):
    """One occurrence of some content in the sources (the same content may occur several times)."""
    split: str  # "train" or "holdout"
    label: str
    pictures: list  # [EncodedPicture], shared by every copy of the same content
    photo: tuple | None  # (bytes, extension) of a held-out photo kept whole, else None


@dataclass
class ImportSummary:
    found: int = 0
    imported: Counter = field(default_factory=Counter)  # (split, label) -> files written
    already_present: int = 0
    duplicates: int = 0
    label_conflicts: int = 0  # files dropped because their content has both labels
    holdout_leaks: int = 0  # held-out files dropped because their content is in training
    photos_with_faces: int = 0
    photos_without_faces: int = 0  # kept whole, or dropped with keep_faceless=False
    with_votes: int = 0  # stored faces that have FER+ votes (all imports so far)
    skipped: list = field(default_factory=list)  # (file, reason)

    def report(self) -> str:
        lines = [f"Found {self.found} image files."]
        for split in ("train", "holdout"):
            counts = ", ".join(f"{self.imported[split, label]} {label}" for label in CLASS_NAMES)
            lines.append(f"  imported into {'happy/, sad/' if split == 'train' else 'holdout/'}: {counts}")
        others = ", ".join(f"{self.imported['train', label]} {label}" for label in OTHER_EMOTIONS
                           if self.imported["train", label])
        if others:
            lines.append(f"  imported into other_emotions/ (training only): {others}")
        lines += [
            f"  already imported before:    {self.already_present}",
            f"  exact duplicates dropped:   {self.duplicates}",
            f"  label conflicts dropped:    {self.label_conflicts}",
            f"  held-out leaks dropped:     {self.holdout_leaks}",
            f"  photos cut into face crops: {self.photos_with_faces}",
            f"  photos with no face found:  {self.photos_without_faces}",
            f"  unusable files skipped:     {len(self.skipped)}",
            f"  faces with FER+ votes:      {self.with_votes} (all imports so far)",
        ]
        lines += [f"    skipped {name}: {reason}" for name, reason in self.skipped]
        return "\n".join(lines)


def import_sources(sources, data_dir=".", holdout_fraction=HOLDOUT_FRACTION, progress=True,
                   crop_faces=True, keep_faceless=True, detector=None) -> ImportSummary:
    """Import every source (folder or .zip) into data_dir; return what happened."""
    summary = ImportSummary()
    candidates = []
    for source in sources:
        found, skipped = find_candidates(Path(source))
        has_test_split = any(c.in_test_split for c in found)
        for candidate in found:
            candidate.source_has_test_split = has_test_split
        candidates += found
        summary.skipped += skipped
    summary.found = len(candidates) + len(summary.skipped)

    detector = (detector or FaceDetector()) if crop_faces else None
    existing = existing_images(Path(data_dir))
    by_hash = defaultdict(list)  # content hash -> [Copy]
    # no time-left estimate: a photo (faces searched) costs a hundred times a 48x48 face, so the
    # first files' pace says nothing about the rest
    for candidate in tqdm(candidates, desc="Reading images", unit="img", disable=not progress,
                          bar_format="{desc}: {percentage:3.0f}%|{bar}| {n_fmt}/{total_fmt} [{elapsed}, {rate_fmt}]"):
        try:
            image = gray_as_grayscale(decode_image(candidate.read(), candidate.name))
        except ImageError as error:
            summary.skipped.append((candidate.name, error.reason))
            continue
        digest = content_hash(image)
        if candidate.source_has_test_split:
            held_out = candidate.in_test_split
        else:
            held_out = int(digest[:8], 16) / 16**8 < holdout_fraction
        split = "holdout" if held_out else "train"
        if candidate.label in OTHER_EMOTIONS and held_out and not candidate.in_test_split:
            continue  # another emotion is held out only where its source says so (FER2013's test split)
        if digest in existing or digest in by_hash:  # seen: no need to detect and encode it again
            first = by_hash[digest][0] if digest in by_hash else Copy(split, candidate.label, [], None)
            by_hash[digest].append(Copy(split, candidate.label, first.pictures, first.photo))
            continue
        pictures = [("", image)]  # (name suffix, picture)
        if detector and max(image.size) > FACE_CROP_ABOVE:
            faces = main_faces(image, detector)
            if not faces and not keep_faceless:
                summary.photos_without_faces += 1  # dropped here; kept photos are counted when stored
                continue
            pictures = [(f"-face{n}", face) for n, face in enumerate(faces, start=1)] or \
                [("-whole", crop(image, centre_box(image)))]
        photo = _encode(image, PHOTO_SIDE) if held_out and pictures[0][0] else None
        encoded = [EncodedPicture(suffix, *_encode(picture)) for suffix, picture in pictures]
        by_hash[digest].append(Copy(split, candidate.label, encoded, photo))

    _store(by_hash, existing, Path(data_dir), summary)
    summary.with_votes = attach_votes(Path(data_dir))
    return summary


def attach_votes(data_dir: Path) -> int:
    """Write the FER+ votes of every stored FER2013-sized face into the data folder; how many."""
    def faces():
        for _, _, folder in stored_folders(data_dir):
            for path in sorted(folder.glob("*.png")):
                try:
                    with Image.open(path) as header:  # the size without decoding: only 48x48 faces have votes
                        if header.size != (FER_SIZE, FER_SIZE):
                            continue
                    image = read_image(path)
                except (ImageError, OSError):
                    continue  # set aside before training; it has no votes to give
                yield path, image

    return write_votes(data_dir, faces())


def main_faces(image, detector) -> list:
    """Crops of the photo's main faces (biggest first); [] when none is found."""
    boxes = detector.detect(image)
    return [crop(image, box) for box in boxes if box.size >= MAIN_FACE_SHARE * boxes[0].size]


def find_candidates(source: Path):
    """(candidates, skipped) for one folder or .zip file."""
    if not source.exists():
        return [], [(str(source), "no such file or folder")]
    if source.is_file():
        if not zipfile.is_zipfile(source):
            return [], [(str(source), "not a folder or a .zip file")]
        try:
            return _zip_candidates(source)
        except (zipfile.BadZipFile, OSError) as error:
            return [], [(str(source), f"damaged .zip file ({error})")]
    return _folder_candidates(source)


def _folder_candidates(source: Path):
    candidates, skipped = [], []

    def note_error(error: OSError):
        skipped.append((error.filename, f"cannot be read ({error.strerror})"))

    for folder, subfolders, files in os.walk(source, onerror=note_error):
        subfolders[:] = sorted(d for d in subfolders if d not in JUNK_NAMES)
        parts = Path(folder).relative_to(source.parent).parts
        label, in_test = _classify_parts(parts)
        if label is None:
            continue
        for name in sorted(files):
            if name in JUNK_NAMES or name.startswith("._"):
                continue
            path = Path(folder, name)
            candidates.append(Candidate(str(source), str(path), label, in_test, partial(read_bytes, path)))
    return candidates, skipped


def _zip_candidates(source: Path):
    candidates = []
    archive = zipfile.ZipFile(source)
    for info in sorted(archive.infolist(), key=lambda i: i.filename):
        parts = info.filename.rstrip("/").split("/")
        if info.is_dir() or any(p in JUNK_NAMES or p.startswith("._") for p in parts):
            continue
        label, in_test = _classify_parts(parts[:-1])
        if label is not None:
            name = f"{source}:{info.filename}"
            candidates.append(Candidate(str(source), name, label, in_test, partial(_read_member, archive, info, name)))
    return candidates, []


def _read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, name: str) -> bytes:
    try:
        return archive.read(info)
    except Exception as error:  # zipfile and zlib raise several types for a damaged member
        raise ImageError(name, f"cannot be read from the zip ({error})") from None


def _classify_parts(folder_parts):
    """(label, in_test_split) from a file's folder names; label None when not an emotion we read."""
    lowered = [p.lower() for p in folder_parts]
    label = next((p for p in reversed(lowered) if p in CLASS_NAMES or p in OTHER_EMOTIONS), None)
    return label, any(p in TEST_SPLIT_NAMES for p in lowered)


def gray_as_grayscale(image: Image.Image) -> Image.Image:
    """A colour picture whose three channels are equal (a grayscale face saved as RGB) as grayscale:
    stored losslessly as PNG, found by the same content hash and FER+ votes as its grayscale copy."""
    if image.mode == "RGB":
        red, green, blue = image.split()
        if red.tobytes() == green.tobytes() == blue.tobytes():
            return red
    return image


def content_hash(image: Image.Image) -> str:
    digest = hashlib.sha256(f"{image.mode}{image.size}".encode())
    digest.update(image.tobytes())
    return digest.hexdigest()[:HASH_CHARS]


def _encode(image: Image.Image, max_side=MAX_SIDE):
    """(bytes, extension): lossless PNG for grayscale, high-quality JPEG for colour."""
    image = image.copy()
    image.thumbnail((max_side, max_side), Image.LANCZOS)
    buffer = io.BytesIO()
    if image.mode == "L":
        image.save(buffer, "PNG", optimize=True)
        return buffer.getvalue(), ".png"
    image.save(buffer, "JPEG", quality=95)
    return buffer.getvalue(), ".jpg"


class Stored(NamedTuple):
    """Content already in the data folder: where it is and under which label."""
    split: str
    label: str
    paths: list  # its face crops, or the picture, and a held-out photo kept whole


def existing_images(data_dir: Path) -> dict:
    """content hash -> Stored, for everything already imported into data_dir."""
    found = {}
    for split, label, folder in stored_folders(data_dir):
        for path in folder.iterdir():
            found.setdefault(path.stem.split("-")[0], Stored(split, label, [])).paths.append(path)
    return found


def _store(by_hash, existing, data_dir: Path, summary: ImportSummary):
    for digest, copies in by_hash.items():
        old = existing.get(digest)
        in_training = (old and old.split == "train") or any(copy.split == "train" for copy in copies)
        if in_training and any(_other_held_out(copy) for copy in copies):  # a leak, whatever its label
            summary.holdout_leaks += sum(map(_other_held_out, copies))
            copies = [copy for copy in copies if not _other_held_out(copy)]
            if not copies:
                continue
        labels = {copy.label for copy in copies} | ({old.label} if old else set())
        if len(labels) > 1:
            summary.label_conflicts += len(copies)
            if old:  # an earlier import kept it; now it is known to be ambiguous
                for path in old.paths:
                    path.unlink()
                summary.label_conflicts += 1
            continue
        splits = [copy.split for copy in copies]
        if old:
            summary.already_present += len(copies)
            if old.split == "holdout" and "train" in splits:  # now in training: the held-out copy leaks
                for path in old.paths:
                    if path.parent == holdout_photos_folder(data_dir, old.label):
                        path.unlink()
                    else:
                        path.replace(label_folder(data_dir, "train", old.label) / path.name)
                summary.holdout_leaks += 1
            continue
        keep_split = "train" if "train" in splits else "holdout"
        summary.holdout_leaks += splits.count("holdout") if keep_split == "train" else 0
        summary.duplicates += splits.count(keep_split) - 1
        kept = next(copy for copy in copies if copy.split == keep_split)
        folder = label_folder(data_dir, keep_split, kept.label)
        for picture in kept.pictures:
            _write_atomically(folder / f"{digest}{picture.suffix}{picture.extension}", picture.data)
            summary.imported[keep_split, kept.label] += 1
        if kept.pictures[0].suffix.startswith("-face"):
            summary.photos_with_faces += 1
        elif kept.pictures[0].suffix == "-whole":
            summary.photos_without_faces += 1
        if kept.photo and keep_split == "holdout":
            data, extension = kept.photo
            _write_atomically(holdout_photos_folder(data_dir, kept.label) / f"{digest}{extension}", data)


def _other_held_out(copy) -> bool:
    """A held-out face of another emotion: dropped when its content is in training, never a label conflict
    that would take a training face with it."""
    return copy.split == "holdout" and copy.label in OTHER_EMOTIONS


class DataImportError(OSError):
    """The import could not write into the data folder; what was imported before is intact."""


def _write_atomically(path: Path, data: bytes):
    """Write via a temporary file and a rename: a full disk or a kill never leaves half an image."""
    try:
        write_atomically(path, data)
    except OSError as error:
        raise DataImportError(f"cannot write {path}: {error.strerror or error}; "
                              "images imported before are intact, run the import again once fixed") from None
