"""happysad: tell happy from sad faces with a small Keras CNN.

Modules, one job each:
  config          class names, image size, model file name
  images          decode any image file safely (ImageError on bad input)
  faces           find faces in photos (MTCNN) and crop them as the training faces are framed
  data_import     import folders/zips into happy/, sad/ and holdout/, deduplicated
  download        fetch the Kaggle datasets, then import them
  generators      ImageDataGenerator flows (80/20 split, augmentation on training only)
  model           make_model: the CNN; flip averaging for the saved model
  training        fit with the best validation epoch kept; atomic save
  calibration     temperature scaling folded into the model
  evaluation      accuracy, macro-F1, sad recall, calibration error, confusion matrix
  prediction      load the saved model and classify image files
  predict_command the `predict` command line
  annotate        draw boxes and labels on photos (Pillow only)
  explain         Grad-CAM heatmaps
  plots           the notebook's figures
"""
import os as _os
import sys as _sys

# TensorFlow's start-up lines, silenced once here for every entry point (notebook, CLI,
# tests, benchmarks), before anything imports TensorFlow. Nothing is turned off: oneDNN
# stays on (it makes training about 4x faster on a CPU). TF_CPP_MIN_LOG_LEVEL quiets the
# C++ log, absl the Python one; the oneDNN notice is written to the process's stderr before
# either is read, so TensorFlow is imported here with that file descriptor muted.
_os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def _import_tensorflow_quietly():
    if "tensorflow" in _sys.modules:
        return
    try:
        saved, muted = _os.dup(2), _os.open(_os.devnull, _os.O_WRONLY)
    except OSError:  # no stderr to mute
        saved = None
    try:
        if saved is not None:
            _sys.stderr.flush()
            _os.dup2(muted, 2)
        import tensorflow  # noqa: F401
    finally:
        if saved is not None:
            _os.dup2(saved, 2)
            _os.close(saved)
            _os.close(muted)
    from absl import logging as absl_logging
    absl_logging.set_verbosity(absl_logging.ERROR)


_import_tensorflow_quietly()
