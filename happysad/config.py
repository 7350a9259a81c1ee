"""Names shared by the whole project."""
import site
import sys
from pathlib import Path

CLASS_NAMES = ("happy", "sad")  # flow_from_directory's order: happy = 0, sad = 1
# The network's eight outputs, in its order: the FER+ emotions (happysad.data.votes reads their votes)
EMOTIONS = ("neutral", "happiness", "surprise", "sadness", "anger", "disgust", "fear", "contempt")
# The three answers every command gives: happy, sad, or neither (any of the other six FER+ emotions)
ANSWERS = (*CLASS_NAMES, "neither")
# FER2013's five other emotions (its Kaggle folder names): imported too, for training only
OTHER_EMOTIONS = ("angry", "disgusted", "fearful", "neutral", "surprised")
MODEL_FILENAME = "happy_sad_model.keras"
# The shipped model: beside the package in a clone (tasks.py installs the package in editable mode),
# found wherever a command runs; after `pip install .` (not editable), its LiteRT file, which
# pyproject.toml installs under <prefix>/share/happysad.
BESIDE_PACKAGE = Path(__file__).resolve().parents[1] / MODEL_FILENAME
INSTALLED = [Path(base, "share", "happysad", "happy_sad_model.tflite") for base in (sys.prefix, site.USER_BASE or sys.prefix)]
SHIPPED_MODEL = next((path for path in INSTALLED if path.is_file() and not BESIDE_PACKAGE.is_file()), BESIDE_PACKAGE)
# Views of each face whose logits are averaged (happysad.answer.classifier.copies_of): the face and
# each of MOVES (pixels right, down), and the mirror image of each.
MOVES = ((0, 0), (1, 0), (-1, 0), (0, 1), (0, -1))
STEADY = 2 * len(MOVES)  # ten copies: the Keras file's own answer, and `predict`'s
ONE_PASS = 1  # the network once: `video`'s default
COPY_CHOICES = (ONE_PASS, STEADY)
