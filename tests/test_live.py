"""`python -m happysad serve`, tested as its users use it: a real server on the loopback, real
WebSocket and HTTP clients, the shared clip streamed frame by frame."""
import csv
import json
import threading
import time
import urllib.error
import urllib.request

import numpy as np
import pytest
from websockets.sync.client import connect

from conftest import REPO, face, needs_real_faces
from happysad.__main__ import main
from live_server import CLIP, clip_frames, serving, websocket_url

ANSWERS = ("happy", "sad", "neither")


@pytest.fixture(scope="module")
def server():
    with serving() as (url, _):
        yield url


def send_and_wait(socket, frames):
    """Each frame with its capture time, waiting for its answer before the next: nothing is dropped."""
    messages = []
    for time_s, data in frames:
        socket.send(json.dumps({"time_s": time_s}))
        socket.send(data)
        messages.append(json.loads(socket.recv(timeout=30)))
    return messages


@needs_real_faces
def test_a_clip_through_live_answers_as_video_does_on_every_frame(server, tmp_path):
    frames = clip_frames(limit=90)
    with connect(websocket_url(server, "/live"), max_size=None) as socket:
        messages = send_and_wait(socket, frames)
    assert [m["frame"] for m in messages] == list(range(len(frames))) and all(m["dropped"] == 0 for m in messages)
    assert all(m["received_s"] <= m["answered_s"] for m in messages)
    live = {(m["frame"], f["face"]): f for m in messages for f in m["faces"]}
    assert main(["video", str(CLIP), "--csv", str(tmp_path / "clip.csv")]) == 0
    with open(tmp_path / "clip.csv", newline="") as file:
        table = {(int(r["frame"]), int(r["face"])): r for r in csv.DictReader(file) if int(r["frame"]) < len(frames)}
    assert set(live) == set(table) and len(live) >= 80
    for key, row in table.items():
        for column in (*(f"p_{a}" for a in ANSWERS), *(f"p_{a}_smoothed" for a in ANSWERS), "p_sad_vs_happy"):
            assert abs(live[key][column] - float(row[column])) <= 1e-4, (key, column)
        assert live[key]["label"] == row["label"] and live[key]["box"][0] == int(row["x"])


@needs_real_faces
def test_only_the_latest_frame_waits_so_frames_sent_too_fast_are_dropped_in_order(server):
    frames = clip_frames(limit=60, encoding=".jpg")
    with connect(websocket_url(server, "/live"), max_size=None) as socket:
        for _, data in frames:  # as fast as the socket takes them, no capture times: the server's clock
            socket.send(data)
        messages = []
        while not messages or messages[-1]["frame"] < len(frames) - 1:
            messages.append(json.loads(socket.recv(timeout=30)))
    indices = [m["frame"] for m in messages]
    assert indices == sorted(set(indices)) and indices[-1] == len(frames) - 1
    assert len(messages) + sum(m["dropped"] for m in messages) == len(frames)
    assert sum(m["dropped"] for m in messages) > 0  # 60 frames at once: most never wait to be read


def test_a_bad_frame_gets_its_error_and_the_connection_goes_on(server, tmp_path):
    face("happy", 1, 160, "RGB").save(tmp_path / "one.png")
    good = (tmp_path / "one.png").read_bytes()
    with connect(websocket_url(server, "/live"), max_size=None) as socket:
        answers = []
        for data in (b"garbage, not a picture", good, b"\xff\xd8\xff" + b"\0" * 100, good):
            socket.send(data)
            answers.append(json.loads(socket.recv(timeout=30)))
        socket.send(b"\xff" * (8 * 1024 * 1024 + 1))  # over the size limit
        answers.append(json.loads(socket.recv(timeout=30)))
        socket.send(json.dumps({"time": "not what it takes"}))
        answers.append(json.loads(socket.recv(timeout=30)))
    assert [a["frame"] for a in answers[:5]] == [0, 1, 2, 3, 4]
    assert "frame 0" in answers[0]["error"] and "not an image" in answers[0]["error"]
    assert "faces" in answers[1] and "error" in answers[2] and "faces" in answers[3]
    assert "refused" in answers[4]["error"] and "bytes" in answers[4]["error"]
    assert "time_s" in answers[5]["error"]


def test_a_client_that_goes_mid_frame_never_harms_another(server, tmp_path):
    face("sad", 2, 160, "RGB").save(tmp_path / "two.png")
    data = (tmp_path / "two.png").read_bytes()
    with connect(websocket_url(server, "/live"), max_size=None) as steady:
        for _ in range(3):
            rude = connect(websocket_url(server, "/live"), max_size=None)
            rude.send(data)
            rude.close()  # gone before its answer
        answers = send_and_wait(steady, [(i / 30, data) for i in range(5)])
    assert [a["frame"] for a in answers] == list(range(5)) and all("faces" in a for a in answers)


def test_predict_over_http_answers_as_the_command_does(server, tmp_path, capsys):
    face("happy", 3, 200, "RGB").save(tmp_path / "three.jpg")
    request = urllib.request.Request(server.split("?")[0] + "predict", data=(tmp_path / "three.jpg").read_bytes(),
                                     method="POST")
    with urllib.request.urlopen(request, timeout=30) as answer:
        served = json.load(answer)
    assert main(["predict", str(tmp_path / "three.jpg"), "--json"]) == 0
    local = json.loads(capsys.readouterr().out)
    assert [{k: v for k, v in row.items() if k != "file"} for row in served] == \
        [{k: v for k, v in row.items() if k != "file"} for row in local]
    bad = urllib.request.Request(server.split("?")[0] + "predict", data=b"not a picture", method="POST")
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(bad, timeout=30)
    assert refused.value.code == 400 and "not an image" in json.load(refused.value)["error"]
    with urllib.request.urlopen(server.split("?")[0] + "health", timeout=30) as answer:
        assert json.load(answer)["status"] == "ok"


def test_another_address_than_127_0_0_1_needs_the_token_everywhere(tmp_path):
    face("happy", 4, 160, "RGB").save(tmp_path / "four.png")
    with serving(host="127.0.0.2") as (url, _):  # loopback too, but not the default address: a token
        base, _, query = url.partition("?")
        assert query.startswith("token=") and len(query) > 20
        for path in ("health", ""):
            with pytest.raises(urllib.error.HTTPError) as refused:
                urllib.request.urlopen(base + path, timeout=30)
            assert refused.value.code == 403
            with pytest.raises(urllib.error.HTTPError):
                urllib.request.urlopen(f"{base}{path}?token=wrong", timeout=30)
            with urllib.request.urlopen(f"{base}{path}?{query}", timeout=30) as answer:
                assert answer.status == 200
        with pytest.raises(Exception):
            with connect(websocket_url(base, "/live"), max_size=None) as socket:
                socket.send((tmp_path / "four.png").read_bytes())
                socket.recv(timeout=10)
        with connect(websocket_url(url, "/live"), max_size=None) as socket:
            socket.send((tmp_path / "four.png").read_bytes())
            assert "faces" in json.loads(socket.recv(timeout=30))


@pytest.mark.slow
@needs_real_faces
def test_subscribers_get_the_answers_to_the_server_s_own_video(tmp_path):
    with serving("--video", CLIP) as (url, _):
        received = [[], []]

        def listen(into):
            with connect(websocket_url(url, "/answers"), max_size=None) as socket:
                while len(into) < 20:
                    into.append(json.loads(socket.recv(timeout=30)))

        listeners = [threading.Thread(target=listen, args=(into,)) for into in received]
        for listener in listeners:
            listener.start()
        for listener in listeners:
            listener.join(timeout=60)
    for answers in received:
        frames = [a["frame"] for a in answers]
        assert len(answers) == 20 and frames == sorted(frames) and any(a["faces"] for a in answers)
        assert all(face["label"] in ANSWERS for a in answers for face in a["faces"])


@pytest.mark.slow
@needs_real_faces
@pytest.mark.skipif(not __import__("browser").CHROMIUM, reason="no Chromium (Debian's `chromium`; .ci/run installs it)")
def test_the_page_in_real_chromium_shows_the_face_s_label_and_the_server_answers_its_frames(tmp_path):
    from browser import chromium_page, screenshot, write_y4m

    camera = write_y4m(CLIP, tmp_path / "camera.y4m")
    with serving() as (url, _):
        with chromium_page(f"{url}?autostart", camera) as page:
            deadline, shown = time.monotonic() + 90, ""
            while time.monotonic() < deadline:
                shown = page.evaluate("document.body.dataset.answered + '|' + document.getElementById('answers').textContent")
                if shown and int(shown.split("|")[0]) >= 10 and "face 1:" in shown:
                    break
                time.sleep(0.5)
            screenshot(page, tmp_path / "page.png")
            note = page.evaluate("document.querySelector('.note').textContent")
        with urllib.request.urlopen(url.split("?")[0] + "health", timeout=30) as answer:
            answered = json.load(answer)["live"]["frames_answered"]
    count, text = shown.split("|", 1)
    assert int(count) >= 10 and answered >= int(count), (shown, answered)
    assert any(f"face 1: {label}" in text for label in ANSWERS), text
    assert "go only to this server" in note and (tmp_path / "page.png").stat().st_size > 10_000


def lsl_namespace_missing() -> str:
    """Why the LSL test cannot run in a network namespace of its own ('' when it can)."""
    import os
    import shutil

    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        return "making a network namespace needs root"
    if not shutil.which("unshare") or not shutil.which("ip"):
        return "needs unshare and ip (util-linux, iproute2)"
    try:
        import pylsl  # noqa: F401
    except (ImportError, RuntimeError) as error:
        return f"pylsl does not load ({error})"
    return ""


@pytest.mark.slow
@needs_real_faces
@pytest.mark.skipif(bool(lsl_namespace_missing()), reason=lsl_namespace_missing() or "ok")
def test_the_lsl_outlet_sends_each_frame_stamped_and_its_channels_named():
    """In a network namespace with only the loopback (LSL's discovery multicasts and broadcasts, so
    nothing can leave the machine): the server's stream resolves, its channels are named, and its
    samples come stamped on LSL's clock."""
    import subprocess
    import sys

    probe = f"ip link set lo up && {sys.executable} {REPO / 'tests' / 'lsl_probe.py'} {CLIP}"
    done = subprocess.run(["unshare", "-n", "sh", "-c", probe], capture_output=True, text=True, timeout=240,
                          cwd=REPO / "tests")
    assert done.returncode == 0, done.stderr[-2000:]
    found = json.loads(done.stdout.strip().splitlines()[-1])
    assert found["type"] == "FacialExpression" and found["channels"] == 2 * 11 == len(found["labels"])
    assert found["labels"][:5] == ["face1_face", "face1_p_happy_smoothed", "face1_p_sad_smoothed",
                                   "face1_p_neither_smoothed", "face1_label"] and found["labels"][11] == "face2_face"
    assert "label: 0 happy, 1 sad, 2 neither" in found["layout"]
    stamps = [stamp for stamp, _ in found["samples"]]
    assert len(stamps) == 20 and stamps == sorted(stamps) and found["now"] - 30 < stamps[0] <= found["now"]
    with_face = [sample for _, sample in found["samples"] if sample[0] == 1]
    assert with_face and all(abs(sum(s[1:4]) - 1) < 1e-3 and s[4] in (0, 1, 2) for s in with_face)
    assert all(np.isnan(s[12]) for _, s in found["samples"])  # one face in the clip: the second slot empty
