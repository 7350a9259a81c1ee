"""The training side: import data, train, calibrate, evaluate, export. It needs TensorFlow,
imported here first with its start-up lines silenced (happysad.quiet)."""
from ..quiet import import_tensorflow_quietly

import_tensorflow_quietly()
