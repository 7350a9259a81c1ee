"""The training side: the notebook's model, its training, calibration, evaluation and export. It
needs TensorFlow, imported here first with its start-up lines silenced (happysad.quiet)."""
from ..quiet import import_tensorflow_quietly

import_tensorflow_quietly()
