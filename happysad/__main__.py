"""Command line: python -m happysad predict IMAGE... | video CLIP | serve | export MODEL | data download | data import PATH...

Parsing the arguments imports nothing heavy: each command imports what it needs when it runs."""
import argparse
import sys

from .config import COPY_CHOICES, ONE_PASS, SHIPPED_MODEL, STEADY


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m happysad", description="Happy-vs-sad face classifier.")
    commands = parser.add_subparsers(dest="command", required=True)
    data = commands.add_parser("data", help="get training images").add_subparsers(dest="action", required=True)
    download = data.add_parser("download", help="download the two Kaggle datasets and import them")
    download.add_argument("--data-dir", default=".", help="where happy/, sad/ and holdout/ go (default: .)")
    importer = data.add_parser("import", help="import local folders or .zip files")
    importer.add_argument("paths", nargs="+", metavar="PATH")
    importer.add_argument("--data-dir", default=".", help="where happy/, sad/ and holdout/ go (default: .)")
    importer.add_argument("--drop-faceless", action="store_true",
                          help="leave out photos in which no face is found (default: keep their centred square)")
    predict = commands.add_parser("predict", help="classify every face in pictures with the saved model")
    predict.add_argument("paths", nargs="+", metavar="PATH", help="image files, folders or glob patterns")
    predict.add_argument("--model", default=SHIPPED_MODEL, help=f"model file (default: the shipped {SHIPPED_MODEL})")
    output = predict.add_mutually_exclusive_group()
    output.add_argument("--json", action="store_true", help="print JSON instead of a table")
    output.add_argument("--csv", action="store_true", help="print CSV instead of a table")
    predict.add_argument("--annotate", metavar="DIR", help="write copies with a box and label on each face here")
    predict.add_argument("--list-skipped", action="store_true",
                         help="name each file in the folders given that was skipped as not an image")
    predict.add_argument("--emotions", action="store_true",
                         help="add the eight FER+ emotions' probabilities (neither's six are summed in P(neither))")
    predict.add_argument("--whole-picture", action="store_true",
                         help="classify each picture as a whole, without looking for faces")
    predict.add_argument("--copies", type=int, choices=COPY_CHOICES, default=STEADY,
                         help=f"views of each face averaged: {STEADY} (default: the face and its mirror image, each "
                              f"also moved a pixel four ways; steadier) or {ONE_PASS} (one pass, 10x less work)")
    video = commands.add_parser("video", help="follow and classify every face in a video file or a camera")
    video.add_argument("path", nargs="*", metavar="VIDEO",
                       help="a video file (or give --camera); with --out-dir, any number of video files, folders "
                            "and glob patterns: a whole study")
    video.add_argument("--camera", type=int, metavar="N", help="read camera N (0 is the first) until q, Esc or Ctrl-C")
    video.add_argument("--csv", metavar="FILE", help="write the table here, row by row; its summary and timeline "
                                                    "figure go beside it")
    video.add_argument("--out", metavar="FILE.mp4", help="write a copy with every face boxed, numbered and labelled")
    video.add_argument("--out-dir", metavar="DIR",
                       help="a whole study: each video's table, summary and timeline here, under its path, and the "
                            "study's tables study.csv (a row per video per face) and videos.csv; a rerun goes on "
                            "where it stopped")
    video.add_argument("--jobs", type=int, metavar="N", help="with --out-dir: videos read at once (default: one per core)")
    video.add_argument("--cluster", metavar="ADDRESS",
                       help="with --out-dir: read the videos on the Dask cluster whose scheduler is at ADDRESS "
                            "(e.g. tcp://10.0.0.5:8786; docs/study.md shows SLURM)")
    video.add_argument("--every", type=int, default=1, metavar="N", help="read every Nth frame (default: every one)")
    video.add_argument("--smoothing", type=float, default=0.5, metavar="SECONDS",
                       help="time constant of each face's smoothed answer (default: 0.5 s; 0: none)")
    video.add_argument("--no-window", action="store_true", help="with --camera: no live window even where a screen exists")
    video.add_argument("--copies", type=int, choices=COPY_CHOICES, default=ONE_PASS,
                       help=f"views of each face averaged: {ONE_PASS} (default: one pass; the smoothing over frames "
                            f"averages many views as the face moves) or {STEADY} (the face, mirrored and moved; 10x the work)")
    video.add_argument("--model", default=SHIPPED_MODEL, help=f"model file (default: the shipped {SHIPPED_MODEL})")
    serve = commands.add_parser("serve", help="answer faces live: a browser's camera over a WebSocket, the server's "
                                              "own camera or video for robots and recorders (docs/live.md)")
    serve.add_argument("--host", default="127.0.0.1",
                       help="address to listen on (default 127.0.0.1: this machine only; any other needs the token it "
                            "prints)")
    serve.add_argument("--port", type=int, default=8765, help="port (default 8765)")
    own = serve.add_mutually_exclusive_group()
    own.add_argument("--camera", type=int, metavar="N", help="answer camera N on the server, for /answers and --lsl")
    own.add_argument("--video", metavar="FILE", help="answer a video file played at its real rate, for /answers and --lsl")
    serve.add_argument("--loop", action="store_true", help="with --video: play it again and again")
    serve.add_argument("--lsl", action="store_true", help="send the server's own source's answers to an LSL outlet")
    serve.add_argument("--lsl-faces", type=int, default=4, metavar="N", help="faces per LSL sample (default 4)")
    serve.add_argument("--smoothing", type=float, default=0.5, metavar="SECONDS",
                       help="time constant of each face's smoothed answers (default: 0.5 s)")
    serve.add_argument("--copies", type=int, choices=COPY_CHOICES, default=ONE_PASS,
                       help=f"views of each face averaged (default {ONE_PASS}, as `video` reads a face)")
    serve.add_argument("--model", default=SHIPPED_MODEL, help=f"model file (default: the shipped {SHIPPED_MODEL})")
    export = commands.add_parser("export", help="write the LiteRT file that answers for a Keras model file "
                                                "(needs TensorFlow; the notebook does it when it saves)")
    export.add_argument("model", nargs="?", default=SHIPPED_MODEL, help="the .keras file (default: the shipped one)")
    args = parser.parse_args(argv)

    if args.command == "predict":
        from .answer.predict_command import run_predict
        return run_predict(args)
    if args.command == "video":
        if args.every < 1:
            print("error: --every takes a whole number of frames, 1 or more", file=sys.stderr)
            return 2
        if args.out_dir and args.path and args.camera is None and not (args.csv or args.out):
            from .answer.study import run_study
            return run_study(args)
        from .answer.video_command import run_video
        return run_video(args)
    if args.command == "serve":
        if args.lsl and args.camera is None and args.video is None:
            parser.error("--lsl sends the answers of the server's own source: give --camera N or --video FILE")
        from .answer.live import run_serve
        return run_serve(args)
    if args.command == "export":
        return run_export(args.model)
    if args.action == "download":
        from .data.download import DownloadError, download_and_import
        try:
            summary = download_and_import(args.data_dir)
        except DownloadError as error:
            print(f"error: {error}", file=sys.stderr)
            return 2
    else:
        from .data.importer import DataImportError, import_sources
        try:
            summary = import_sources(args.paths, args.data_dir, keep_faceless=not args.drop_faceless)
        except DataImportError as error:
            print(f"error: {error}", file=sys.stderr)
            return 2
    print(summary.report())
    return 0


def run_export(path) -> int:
    from .answer.classifier import ModelError, load_classifier
    from .train.export import SaveError, export_litert, load_keras_model

    try:
        load_classifier(path, note=None)  # one clear line for a missing or unusable file
        fast = export_litert(load_keras_model(path), path)
    except (ModelError, SaveError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(f"wrote {fast}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
