"""happysad: tell happy from sad faces with a small Keras CNN (trained in image_classification.ipynb).

Modules, one job each, from the bottom up:
  config          class names, the other emotions, the shipped model's file
  files           write files atomically (a crash never leaves half of one)
  quiet           TensorFlow imported without its start-up lines
  images          decode any image file safely (ImageError on bad input); an image as model input
  faces           find faces in photos (BlazeFace) and crop them as the training faces are framed
  votes           FER+ votes: found by a face's pixels, soft targets, the faces people agree on
  datafolder      the data folder: its layout, the tables read from it, unreadable files set aside
  data_import     import folders/zips into happy/, sad/, other_emotions/ and holdout/, deduplicated
  download        fetch the Kaggle datasets, then import them
  resize_filters  training batches loaded with a resize filter drawn at random
  training        the learning-rate schedule, reproducibility, several GPUs
  progress        a progress bar with the time left while training
  calibration     temperature scaling: fit it, apply it, log-loss
  export          trained network -> shipped file: happy vs sad, averaged copies, temperature, atomic save
  evaluation      accuracy, recalls, calibration error, confident mistakes, both yardsticks
  prediction      load the saved model and classify every face in pictures
  predict_command the `predict` command line
  annotate        draw boxes and labels on photos (Pillow only)
  explain         Grad-CAM heatmaps
  plots           the notebook's figures
  notebook        run the notebook's training steps from Python (tests, benchmarks)
"""
from .quiet import import_tensorflow_quietly, run_as_command

# Imported first, the package silences TensorFlow's start-up lines for whatever imports it next
# (the notebook, tests, benchmarks). `python -m happysad` itself imports TensorFlow only when a
# command needs it, so that `--help` answers at once.
if not run_as_command():
    import_tensorflow_quietly()
