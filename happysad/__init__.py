"""happysad: tell happy from sad faces with a small Keras CNN.

Modules, one job each:
  images       decode any image file safely (ImageError on bad input)
  data_import  import folders/zips into happy/, sad/ and holdout/, deduplicated
  download     fetch the Kaggle datasets, then import them
  generators   ImageDataGenerator flows (80/20 split, augmentation on training only)
  model        make_model: the CNN
  training     fit with the best validation epoch kept; atomic save
  evaluation   accuracy, macro-F1, sad recall, calibration error, confusion matrix
  prediction   load the saved model and classify image files
  plots        the notebook's figures
"""
