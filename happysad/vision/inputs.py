"""What a command was given, expanded: files as given, folders walked, glob patterns matched; and the
file suffixes that say a file is a picture or a video. Standard library only (tasks.py reads it
before the environment exists).
"""
import glob
from dataclasses import dataclass
from pathlib import Path

IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".bmp", ".gif", ".webp", ".tif", ".tiff")
KERAS_IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".ppm", ".tif", ".tiff")  # what flow_from_directory reads
VIDEO_SUFFIXES = (".mp4", ".mov", ".m4v", ".avi", ".mkv", ".webm", ".mpg", ".mpeg", ".wmv", ".3gp")


@dataclass(frozen=True)
class Input:
    path: Path
    base: Path  # the folder it was found under: the folder walked, a pattern's fixed part, a file's own folder


@dataclass
class Expanded:
    """The inputs found, the problems (argument, reason) of arguments that gave none, and the files in
    walked folders left out for their suffix."""
    found: list
    problems: list
    skipped: list


def expand_inputs(arguments, suffixes, kind: str) -> Expanded:
    """Every file the arguments name: a folder gives each file under it with one of `suffixes` (the
    others skipped), a pattern that names no existing file gives the files it matches, anything
    else is taken as given (a missing file is said where it is read). `kind` ("image", "video")
    words the problems."""
    expanded = Expanded([], [], [])
    for argument in map(str, arguments):
        path = Path(argument)
        if path.is_dir():
            files = sorted(p for p in path.rglob("*") if p.is_file())
            wanted = [p for p in files if p.suffix.lower() in suffixes]
            others = [p for p in files if p.suffix.lower() not in suffixes]
            if wanted:
                expanded.found += [Input(p, path) for p in wanted]
                expanded.skipped += others
            else:
                expanded.problems.append((argument, f"no {kind} files in this folder"
                                          + (f" (only {len(others)} other files)" if others else "")))
        elif path.exists() or path.is_symlink() or not glob.has_magic(argument):
            expanded.found.append(Input(path, path.parent))
        else:
            matches = sorted(Path(p) for p in glob.glob(argument, recursive=True) if Path(p).is_file())
            if not matches:
                expanded.problems.append((argument, "no file matches this pattern"))
            base = Path(argument.split("*")[0].split("?")[0].split("[")[0] or ".")
            expanded.found += [Input(p, base if base.is_dir() else base.parent) for p in matches]
    return expanded
