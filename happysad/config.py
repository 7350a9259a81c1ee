"""Names shared by the whole project."""
from pathlib import Path

CLASS_NAMES = ("happy", "sad")  # flow_from_directory's order: happy = 0, sad = 1
# FER2013's five other emotions (its Kaggle folder names): imported too, for training only
OTHER_EMOTIONS = ("angry", "disgusted", "fearful", "neutral", "surprised")
MODEL_FILENAME = "happy_sad_model.keras"
# The shipped model, beside the package (tasks.py installs the package in editable mode): found
# wherever a command runs.
SHIPPED_MODEL = Path(__file__).resolve().parents[1] / MODEL_FILENAME
# Views of each face whose logits are averaged (happysad.answer.classifier.copies_of): the face and
# each of MOVES (pixels right, down), and the mirror image of each.
MOVES = ((0, 0), (1, 0), (-1, 0), (0, 1), (0, -1))
STEADY = 2 * len(MOVES)  # ten copies: the Keras file's own answer, and `predict`'s
ONE_PASS = 1  # the network once: `video`'s default
COPY_CHOICES = (ONE_PASS, STEADY)
