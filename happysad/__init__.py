"""happysad: tell happy from sad faces with a small Keras CNN (trained in image_classification.ipynb).

Modules, one job each:
  config          class names, image size, model file name
  datafolder      the data folder's layout; unreadable files set aside before training
  images          decode any image file safely (ImageError on bad input)
  faces           find faces in photos (BlazeFace) and crop them as the training faces are framed
  data_import     import folders/zips into happy/, sad/ and holdout/, deduplicated
  download        fetch the Kaggle datasets, then import them
  generators      training batches loaded with a resize filter drawn at random
  model           the learning-rate schedule; flip averaging for the saved model
  notebook        run the notebook's training steps from Python (tests, benchmarks)
  training        class weights, reproducibility, several GPUs; atomic save
  calibration     temperature scaling folded into the model
  evaluation      accuracy, macro-F1, sad recall, calibration error, confusion matrix
  prediction      load the saved model and classify image files
  predict_command the `predict` command line
  annotate        draw boxes and labels on photos (Pillow only)
  explain         Grad-CAM heatmaps
  plots           the notebook's figures
  quiet           TensorFlow imported without its start-up lines
"""
from .quiet import import_tensorflow_quietly

import_tensorflow_quietly()
