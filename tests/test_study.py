"""A whole study: many videos in, a table each and the study's tables out; resumable; failures
reported and passed over; results of other settings never mixed in."""
import csv

import pytest

from conftest import needs_real_faces, portraits
from happysad.__main__ import main
from happysad.answer import study as study_module
from happysad.answer.study import STUDY_TABLE, VIDEOS_TABLE
from test_video import placed, write_clip


def read(path):
    with open(path, newline="") as file:
        return list(csv.DictReader(file))


@pytest.fixture(scope="module")
def study(tmp_path_factory):
    """Two participants' sessions of the same name, a third clip beside them, and a broken file."""
    found = portraits(2, 200)
    if len(found) < 2:
        pytest.skip("not enough real portraits")
    root = tmp_path_factory.mktemp("study")
    for participant, portrait in (("P01", found[0]), ("P02", found[1])):
        (root / participant).mkdir()
        write_clip(root / participant / "session.mp4", [placed((portrait, 60 + 6 * i, 60, 200)) for i in range(20)])
    write_clip(root / "extra.mp4", [placed((found[0], 200, 60, 200), (found[1], 420, 100, 180))] * 15)
    (root / "P02" / "broken.mp4").write_text("not a video\n" * 40)
    return root


@needs_real_faces
def test_a_folder_of_videos_gives_a_table_each_and_the_study_s_tables(study, tmp_path, untrained_model_path, capsys):
    out = tmp_path / "results"
    status = main(["video", str(study), "--out-dir", str(out), "--jobs", "2", "--model", str(untrained_model_path)])
    err = capsys.readouterr().err
    assert status == 1 and "P02/broken" in err and "not a video OpenCV can read" in err  # the broken one said, the rest read
    for name in ("P01/session", "P02/session", "extra"):
        assert (out / f"{name}.csv").is_file() and (out / f"{name}.summary.csv").is_file()
    videos = {row["video"]: row for row in read(out / VIDEOS_TABLE)}
    assert videos["P02/broken"]["status"] == "failed" and "not a video" in videos["P02/broken"]["error"]
    assert {videos[v]["status"] for v in ("P01/session", "P02/session", "extra")} == {"done"}
    faces = read(out / STUDY_TABLE)
    assert {(row["video"], row["face"]) for row in faces} >= {("P01/session", "1"), ("P02/session", "1"),
                                                               ("extra", "1"), ("extra", "2")}
    for row in faces:
        assert abs(sum(float(row[f"{answer}_share"]) for answer in ("happy", "sad", "neither")) - 1) < 1e-3
        assert 0 < float(row["seconds_in_view"]) <= float(row["last_s"]) - float(row["first_s"]) + 0.05
    # The same table and the same summary `video --csv` writes for one clip: one per-face summary behind
    # summary.csv and study.csv, for every face.
    single = tmp_path / "single.csv"
    assert main(["video", str(study / "extra.mp4"), "--csv", str(single), "--model", str(untrained_model_path)]) == 0
    assert read(single) == read(out / "extra.csv")
    assert read(tmp_path / "single.summary.csv") == [{k: v for k, v in row.items() if k != "video"}
                                                     for row in faces if row["video"] == "extra"]


@needs_real_faces
def test_a_rerun_goes_on_where_it_stopped_and_never_mixes_in_other_settings(study, tmp_path, untrained_model_path,
                                                                              capsys):
    out = tmp_path / "results"
    arguments = ["video", str(study / "P01"), str(study / "P02" / "session.mp4"), "--out-dir", str(out),
                 "--jobs", "1", "--model", str(untrained_model_path)]
    assert main(arguments) == 0
    whole = {name: read(out / name) for name in ("session.csv", STUDY_TABLE, VIDEOS_TABLE)}
    capsys.readouterr()
    assert main(arguments) == 0 and "0 to read" in capsys.readouterr().err  # all done before: nothing redone
    (out / "session.done.json").unlink()  # as if stopped while reading it: its table unfinished
    (out / "session.csv").write_text((out / "session.csv").read_text()[:200])
    assert main(arguments) == 0 and "1 to read" in capsys.readouterr().err
    assert {name: read(out / name) for name in whole} == whole
    assert main([*arguments, "--every", "2"]) == 2
    assert "another model or other settings" in capsys.readouterr().err
    assert {name: read(out / name) for name in whole} == whole  # nothing touched


def test_a_study_needs_videos(tmp_path, capsys):
    (tmp_path / "empty").mkdir()
    assert main(["video", str(tmp_path / "empty"), "--out-dir", str(tmp_path / "out")]) == 2
    assert "no video files" in capsys.readouterr().err
    assert main(["video", str(tmp_path / "a.mp4"), str(tmp_path / "b.mp4")]) == 2
    assert "--out-dir" in capsys.readouterr().err


@pytest.mark.slow
@needs_real_faces
def test_ctrl_c_keeps_every_finished_video_and_a_rerun_gives_the_uninterrupted_tables(tmp_path, untrained_model_path):
    import signal
    import subprocess
    import sys
    import time

    found = portraits(1, 200)
    study = tmp_path / "study"
    for participant in ("P01", "P02", "P03"):
        (study / participant).mkdir(parents=True)
        write_clip(study / participant / "session.mp4", [placed((found[0], 60 + 2 * i, 60, 200)) for i in range(90)])
    command = [sys.executable, "-m", "happysad", "video", str(study), "--jobs", "1", "--model", str(untrained_model_path)]
    subprocess.run([*command, "--out-dir", str(tmp_path / "whole")], check=True, capture_output=True)
    stopped = tmp_path / "stopped"
    process = subprocess.Popen([*command, "--out-dir", str(stopped)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and not (stopped / "P01" / "session.done.json").exists():
        time.sleep(0.05)
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=60)
    assert process.returncode == 130 and "every video finished so far is kept" in err, err
    assert (stopped / "P01" / "session.done.json").exists() and not (stopped / "P03" / "session.done.json").exists()
    assert any(row["status"] == "not done" for row in read(stopped / VIDEOS_TABLE))
    subprocess.run([*command, "--out-dir", str(stopped)], check=True, capture_output=True)
    for name in (STUDY_TABLE, VIDEOS_TABLE, "P01/session.csv", "P02/session.csv", "P03/session.csv"):
        assert read(stopped / name) == read(tmp_path / "whole" / name), name


@pytest.mark.slow
@needs_real_faces
def test_a_dask_cluster_of_two_workers_gives_the_local_run_s_tables(study, tmp_path, untrained_model_path):
    from distributed import LocalCluster

    arguments = ["video", str(study / "P01"), str(study / "extra.mp4"), "--model", str(untrained_model_path)]
    assert main([*arguments, "--out-dir", str(tmp_path / "local"), "--jobs", "1"]) == 0
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        assert main([*arguments, "--out-dir", str(tmp_path / "cluster"), "--cluster", cluster.scheduler_address]) == 0
    for name in (STUDY_TABLE, VIDEOS_TABLE, "session.csv", "extra.csv"):
        assert read(tmp_path / "cluster" / name) == read(tmp_path / "local" / name), name


@pytest.mark.slow
def test_a_cluster_that_does_not_answer_is_said_in_one_line(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(study_module, "CONNECT_SECONDS", 2)
    clip = tmp_path / "a.mp4"
    write_clip(clip, [placed()] * 3)
    assert main(["video", str(clip), "--out-dir", str(tmp_path / "out"), "--cluster", "tcp://127.0.0.1:9"]) == 2
    err = capsys.readouterr().err
    assert "no Dask scheduler answers there" in err and "tcp://127.0.0.1:9" in err
