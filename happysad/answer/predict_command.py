"""`python -m happysad predict`: expand paths, classify every face, print a table, JSON or CSV."""
import csv
import json
import sys
from pathlib import Path

from ..vision.images import ImageError, read_image
from ..vision.inputs import IMAGE_SUFFIXES, expand_inputs
from .classifier import ModelError, load_classifier
from .prediction import classify_photos

COLUMNS = ("file", "face", "label", "confidence", "happy", "sad", "neither")


def run_predict(args) -> int:
    expanded = expand_inputs(args.paths, IMAGE_SUFFIXES, "image")
    paths, skipped = [found.path for found in expanded.found], expanded.skipped
    errors = [ImageError(argument, reason) for argument, reason in expanded.problems]
    saw_folder = any(Path(argument).is_dir() for argument in args.paths)
    if not any(Path(path).is_file() for path in paths):  # nothing to read: said before any model loads
        for path in paths:
            try:
                read_image(path)
            except ImageError as error:
                errors.append(error)
        for error in errors:
            print(f"error: {error}", file=sys.stderr)
        return 1
    try:
        model = load_classifier(args.model)
    except ModelError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    predictions, read_errors = classify_photos(model, paths, find_faces=not args.whole_picture,
                                               progress=saw_folder and len(paths) > 1, copies=args.copies)
    errors += read_errors
    if predictions:
        print_predictions(predictions, "json" if args.json else "csv" if args.csv else "table", args.emotions)
    if args.annotate:
        errors += write_annotated(predictions, Path(args.annotate))
    for error in errors:
        print(f"error: {error}", file=sys.stderr)
    if skipped:
        noun = "file" if len(skipped) == 1 else "files"
        hint = ":" if args.list_skipped else " (--list-skipped names them)"
        print(f"skipped {len(skipped)} {noun} in the folders that are not images{hint}", file=sys.stderr)
        for path in skipped if args.list_skipped else []:
            print(f"  {path}", file=sys.stderr)
    if not predictions and not errors:
        print("error: nothing could be classified", file=sys.stderr)
    return 1 if errors or not predictions else 0


def print_predictions(predictions, form, with_emotions=False):
    rows = [p.as_dict(with_emotions) for p in predictions]
    if form == "json":
        print(json.dumps(rows, indent=2))
    elif form == "csv":  # booleans spelled as in the JSON, so both parse the same
        writer = csv.DictWriter(sys.stdout, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows({k: str(v).lower() if isinstance(v, bool) else v for k, v in row.items()} for row in rows)
    else:
        print_table(predictions, with_emotions)


def print_table(predictions, with_emotions=False):
    from ..config import EMOTIONS

    columns = COLUMNS + (EMOTIONS if with_emotions else ())
    rows = [(p.path, p.where, p.label, *(f"{v:.0%}" for v in (p.confidence, *p.answer.probabilities)),
             *((f"{v:.0%}" for v in p.answer.emotions) if with_emotions else ())) for p in predictions]
    widths = [max([len(c)] + [len(r[i]) for r in rows]) for i, c in enumerate(columns)]
    for row in [columns, *rows]:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip())


def write_annotated(predictions, folder: Path):
    """Write <name>.annotated.jpg for each classified picture; returns errors."""
    from .annotate import draw_predictions

    by_file = {}
    for prediction in predictions:
        by_file.setdefault(prediction.path, []).append(prediction)
    errors, used = [], {}
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        return [ImageError(folder, f"cannot create the annotation folder ({error.strerror})")]
    for path, faces in by_file.items():
        name = Path(path).stem
        target = folder / f"{name}.annotated.jpg"
        for n in range(2, len(by_file) + 2):  # two pictures with one name do not overwrite each other
            if target not in used:
                break
            target = folder / f"{name}-{n}.annotated.jpg"
        if target.name != f"{name}.annotated.jpg":
            print(f"note: {path} is annotated as {target} ({folder / f'{name}.annotated.jpg'} is "
                  f"{used[folder / f'{name}.annotated.jpg']})", file=sys.stderr)
        used[target] = path
        try:
            draw_predictions(read_image(path), faces).save(target, quality=90)
        except OSError as error:
            errors.append(ImageError(target, f"cannot write ({error.strerror or error})"))
    return errors
