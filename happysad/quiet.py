"""TensorFlow's start-up lines, silenced once for every entry point (notebook, CLI, tests, benchmarks).

Nothing is turned off: oneDNN stays on (it is what makes TensorFlow fast on a CPU; docs/speed.md).
TF_CPP_MIN_LOG_LEVEL quiets the C++ log and absl the Python one, but the oneDNN notice (and
TensorFlow Lite's XNNPACK notice) are written straight to the process's stderr before either
is read: those moments run with that file descriptor muted. `happysad.train` calls
`import_tensorflow_quietly` before any of its modules imports TensorFlow; the answering side
never imports it, and mutes LiteRT's XNNPACK notice the same way.
"""
import contextlib
import os
import sys


@contextlib.contextmanager
def muted_stderr():
    """Send file descriptor 2 to the null device for the duration (Python exceptions still propagate)."""
    try:
        saved, muted = os.dup(2), os.open(os.devnull, os.O_WRONLY)
    except OSError:  # no stderr to mute
        yield
        return
    try:
        sys.stderr.flush()
        os.dup2(muted, 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(muted)


def import_tensorflow_quietly():
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    if "tensorflow" in sys.modules:
        return
    with muted_stderr():
        import tensorflow  # noqa: F401
    from absl import logging as absl_logging
    absl_logging.set_verbosity(absl_logging.ERROR)

