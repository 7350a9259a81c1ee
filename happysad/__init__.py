"""happysad: tell happy from sad faces with a small CNN trained in image_classification.ipynb.

Two rooms, and a little shared between them:

  answer/   classify faces; never imports TensorFlow, so a command answers at once
    images          decode any image file safely (ImageError on bad input); an image as model input
    faces           find faces in photos (BlazeFace on LiteRT) and crop them as the training faces are framed
    classifier      the saved model as it answers: its LiteRT file (or the Keras file when that is all there
                    is), one pass or ten copies of each face averaged
    prediction      classify every face in pictures
    predict_command the `predict` command line
    annotate        draw boxes and labels on photos and frames (Pillow only)
    frames          the frames of a clip or a camera, with their times
    tracking        follow each face from frame to frame (where it should be, how it looks); steady its answer
    video           find, follow and classify every face in every frame read; the notebook's clip helpers
    report          per face: time seen, share happy and sad; the timeline figure (matplotlib)
    video_command   the `video` command line: the table, the annotated copy, the live window
    study           a whole study: many videos in parallel, a table each, the study's tables, resumable

  train/    everything that needs TensorFlow; importing it imports TensorFlow, its start-up lines silenced
    data_import     import folders/zips into happy/, sad/, other_emotions/ and holdout/, deduplicated
    download        fetch the Kaggle datasets, then import them
    votes           FER+ votes: found by a face's pixels, soft targets, the faces people agree on
    resize_filters  training batches loaded with a resize filter drawn at random
    fitting         the learning-rate schedule, precision, reproducibility, several GPUs
    consistency     training pairs (a face and its moved mirror image) and a loss that makes them agree
    progress        a progress bar with the time left while training
    calibration     temperature scaling: fit it, apply it, log-loss
    export          trained network -> shipped files: happy vs sad, averaged copies, temperature, Keras and LiteRT files
    evaluation      accuracy, recalls, calibration error, confident mistakes, both yardsticks
    explain         Grad-CAM heatmaps
    plots           the notebook's figures
    notebook        run the notebook's training steps from Python (tests, benchmarks)

  shared: config (names, the shipped files), files (atomic writes), quiet (muted start-up
  notices), datafolder (the data folder's layout and tables).
"""
