"""happysad: tell happy from sad faces with a small Keras CNN.

Modules, one job each:
  config          class names, image size, model file name
  images          decode any image file safely (ImageError on bad input)
  faces           find faces in photos (BlazeFace) and crop them as the training faces are framed
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
  quiet           TensorFlow imported without its start-up lines
"""
from .quiet import import_tensorflow_quietly

import_tensorflow_quietly()
