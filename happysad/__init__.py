"""happysad: tell happy from sad faces with a small CNN trained in image_classification.ipynb.

Three rooms on a ground floor. Work flows data -> train -> answer: the data folder trains the
network, training exports the files that answer. All three build on vision/ (pictures, boxes,
faces, LiteRT), which imports none of them. Imports never run back against the flow and never
make a cycle (tests check both): data/ imports from vision/ only; answer/ from vision/ only;
train/ from all three (the notebook's classifier, the three answers, the figures). Only train/
imports TensorFlow (a test checks every module; vision/ falls back on TensorFlow's own LiteRT only
where ai-edge-litert has no wheel).

  vision/   the ground floor; no TensorFlow
    images          decode any image file safely (ImageError on bad input); an image as model input
    boxes           a face's square, the one overlap function, crops
    faces           find faces (BlazeFace on LiteRT) and box them as the training faces are framed
    litert          LiteRT's interpreter with the threads given; the project's metadata in a LiteRT file
    inputs          arguments expanded into files (folders, patterns); image and video suffixes

  data/     the data folder: what goes in it and how it is read; no TensorFlow
    datafolder      the folder's layout, the check before training, the training pool as a table, sample pictures
    importer        import folders/zips into happy/, sad/, other_emotions/ and holdout/, deduplicated
    download        fetch the Kaggle datasets, then import them
    votes           FER+ votes: found by a face's pixels, soft targets, the faces people agree on
    looking_down    the looking-down yardstick: faces bent forward and lit by a screen, the same on every run

  train/    the notebook's side; importing it imports TensorFlow, its start-up lines silenced
    resize_filters  training batches loaded with a resize filter drawn at random
    fitting         the learning-rate schedule, precision, reproducibility, several GPUs
    progress        a progress bar with the time left while training
    calibration     temperature scaling: fit it, apply it, log-loss
    export          trained network -> shipped files: happy vs sad, temperature, Keras and LiteRT files
    evaluation      accuracy, recalls, calibration error, confident mistakes, both yardsticks
    explain         Grad-CAM heatmaps
    plots           the notebook's figures
    notebook        run the notebook's training steps from Python (tests, benchmarks, experiments)

  answer/   classify faces as happy, sad or neither; never imports TensorFlow, so a command answers at once
    emotions        a face's answer: the eight FER+ emotion logits read as happy, sad or neither
    classifier      the saved model as it answers: its LiteRT file (or the Keras file when that is all there
                    is), one pass or ten copies of each face averaged
    prediction      classify every face in pictures; Prediction, a classified face (a photo's or a frame's)
    predict_command the `predict` command line
    annotate        draw boxes and labels on photos and frames (Pillow only)
    frames          the frames of a clip or a camera, with their times
    tracking        follow each face from frame to frame (where it should be, how it looks); steady its answer
    video           find, follow and classify every face in every frame read; one video's run; the notebook's clips
    report          a video's table, and per face: time in view, seconds and share of each answer; the timeline
    video_command   the `video` command line: the table, the annotated copy, the live window
    study           a whole study: many videos in parallel, a table each, the study's tables, resumable
    live            `serve`: answers as they happen, over WebSockets and HTTP (Starlette), and the page
    lsl             the answers as an LSL stream, for a lab's recorder

  shared: config (names, the shipped files), files (atomic writes), quiet (muted start-up notices).
"""
