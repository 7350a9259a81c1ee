"""Command line: python -m happysad data download | data import PATH... | predict IMAGE..."""
import argparse
import os
import sys

os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from .config import MODEL_FILENAME  # noqa: E402


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m happysad", description="Happy-vs-sad face classifier.")
    commands = parser.add_subparsers(dest="command", required=True)
    data = commands.add_parser("data", help="get training images").add_subparsers(dest="action", required=True)
    download = data.add_parser("download", help="download the two Kaggle datasets and import them")
    download.add_argument("--data-dir", default=".", help="where happy/, sad/ and holdout/ go (default: .)")
    importer = data.add_parser("import", help="import local folders or .zip files")
    importer.add_argument("paths", nargs="+", metavar="PATH")
    importer.add_argument("--data-dir", default=".", help="where happy/, sad/ and holdout/ go (default: .)")
    predict = commands.add_parser("predict", help="classify image files with the saved model")
    predict.add_argument("images", nargs="+", metavar="IMAGE")
    predict.add_argument("--model", default=MODEL_FILENAME, help=f"model file (default: {MODEL_FILENAME})")
    args = parser.parse_args(argv)

    if args.command == "predict":
        return _predict(args.images, args.model)
    if args.action == "download":
        from .download import DownloadError, download_and_import
        try:
            summary = download_and_import(args.data_dir)
        except DownloadError as error:
            print(f"error: {error}", file=sys.stderr)
            return 2
    else:
        from .data_import import DataImportError, import_sources
        try:
            summary = import_sources(args.paths, args.data_dir)
        except DataImportError as error:
            print(f"error: {error}", file=sys.stderr)
            return 2
    print(summary.report())
    return 0


def _predict(images, model_path) -> int:
    from .prediction import ModelError, classify_images, load_classifier
    try:
        model = load_classifier(model_path)
    except ModelError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    predictions, errors = classify_images(model, images)
    for prediction in predictions:
        print(f"{prediction.path}: {prediction}")
    for error in errors:
        print(f"error: {error}", file=sys.stderr)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
