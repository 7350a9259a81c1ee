"""Writing files so that a crash, a kill or a full disk never leaves half of one."""
import contextlib
import os
import tempfile
from pathlib import Path


@contextlib.contextmanager
def atomic_path(path):
    """A temporary path beside `path` to write to; renamed onto `path` only when the block succeeds,
    removed otherwise. Until then the old file at `path`, if any, stays whole."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.stem}-", suffix=f".tmp{path.suffix}", dir=path.parent)
    os.close(handle)
    try:
        os.chmod(temporary, 0o644)  # mkstemp makes it private; what we write are ordinary files
        yield Path(temporary)
        os.replace(temporary, path)
    finally:
        if os.path.exists(temporary):
            os.remove(temporary)


def write_atomically(path, data: bytes):
    with atomic_path(path) as temporary:
        temporary.write_bytes(data)
