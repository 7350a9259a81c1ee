"""Names and sizes shared by the whole project."""

CLASS_NAMES = ("happy", "sad")  # flow_from_directory's order: happy = 0, sad = 1
IMAGE_SIZE = 64
MODEL_FILENAME = "happy_sad_model.keras"
