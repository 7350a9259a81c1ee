"""Fetch the two Kaggle datasets the project cites and import their happy and sad classes."""
import socket
import threading

from .importer import import_sources

KAGGLE_DATASETS = (
    "saharnazyaghoobpoor/happy-and-sad-image",  # web photos, happy/ and sad/
    "ananthu017/emotion-detection-fer",  # FER2013, train|test/<emotion>/
)
KAGGLE_HOST = "www.kaggle.com"


class DownloadError(RuntimeError):
    """The datasets could not be fetched; the message says what to do instead."""


OFFLINE_ADVICE = (
    "Cannot reach Kaggle ({why}). Download the datasets "
    + " and ".join(KAGGLE_DATASETS)
    + " on a machine with internet, then run: python -m happysad data import PATH..."
)


def kaggle_reachable(timeout: float = 5.0) -> str | None:
    """None when Kaggle answers within `timeout` seconds, else why not."""
    outcome = {}

    def probe():  # in a thread: name resolution ignores socket timeouts
        try:
            socket.create_connection((KAGGLE_HOST, 443), timeout=timeout).close()
            outcome["ok"] = True
        except OSError as error:
            outcome["error"] = str(error) or type(error).__name__

    thread = threading.Thread(target=probe, daemon=True)
    thread.start()
    thread.join(timeout)
    if outcome.get("ok"):
        return None
    return outcome.get("error", f"no answer in {timeout:.0f} s")


def download_and_import(data_dir=".", progress=True):
    """Download both datasets with kagglehub and import them; raises DownloadError offline."""
    why = kaggle_reachable()
    if why:
        raise DownloadError(OFFLINE_ADVICE.format(why=why))
    import kagglehub

    paths = []
    for handle in KAGGLE_DATASETS:
        try:
            paths.append(kagglehub.dataset_download(handle))
        except Exception as error:  # kagglehub raises many types; one line is what the user needs
            raise DownloadError(OFFLINE_ADVICE.format(why=f"{handle}: {error}")) from None
    return import_sources(paths, data_dir, progress=progress)
