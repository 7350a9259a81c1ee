import socket
import time

from happysad.data import download
from happysad.__main__ import main


def test_offline_download_stops_fast_with_one_line(monkeypatch, tmp_path, capsys):
    def no_network(*args, **kwargs):
        raise OSError("Network is unreachable")
    monkeypatch.setattr(socket, "create_connection", no_network)
    started = time.monotonic()
    status = main(["data", "download", "--data-dir", str(tmp_path)])
    err = capsys.readouterr().err
    assert status == 2 and time.monotonic() - started < 5
    assert err.count("\n") == 1 and "data import" in err and "Traceback" not in err


def test_reachability_probe_answers_within_its_timeout():
    started = time.monotonic()
    download.kaggle_reachable(timeout=2)
    assert time.monotonic() - started < 3
