"""Headless Chromium driven over the DevTools protocol, with a fake camera playing a clip: the
live page tested as a person uses it. Chromium is Debian's (`.ci/run` installs it)."""
import contextlib
import json
import shutil
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

from websockets.sync.client import connect

from live_server import free_port, stop

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def write_y4m(video, path, limit=150):
    """The first `limit` frames of a video as raw I420 after a YUV4MPEG2 header: Chromium's fake camera."""
    import cv2

    capture = cv2.VideoCapture(str(video))
    with open(path, "wb") as out:
        for index in range(limit):
            ok, frame = capture.read()
            if not ok:
                break
            height, width = frame.shape[:2]
            if index == 0:
                out.write(f"YUV4MPEG2 W{width} H{height} F30:1 Ip A1:1 C420jpeg\n".encode())
            out.write(b"FRAME\n" + cv2.cvtColor(frame, cv2.COLOR_BGR2YUV_I420).tobytes())
    capture.release()
    return path


class Page:
    """One page in the browser, evaluated over the DevTools protocol."""

    def __init__(self, socket):
        self.socket, self.next_id = socket, 0

    def call(self, method, **params):
        self.next_id += 1
        self.socket.send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        while True:
            message = json.loads(self.socket.recv(timeout=60))
            if message.get("id") == self.next_id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message["result"]

    def evaluate(self, expression):
        return self.call("Runtime.evaluate", expression=expression, returnByValue=True)["result"].get("value")


@contextlib.contextmanager
def chromium_page(url, camera_clip):
    """A Page showing `url` in headless Chromium whose camera plays `camera_clip` (a .y4m file)."""
    port = free_port()
    profile = tempfile.mkdtemp(prefix="happysad-chromium-")
    process = subprocess.Popen(
        [CHROMIUM, "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-default-apps", f"--user-data-dir={profile}", f"--remote-debugging-port={port}",
         "--remote-debugging-address=127.0.0.1", "--use-fake-ui-for-media-stream",
         "--use-fake-device-for-media-stream", f"--use-file-for-fake-video-capture={camera_clip}",
         "--window-size=1000,900", url], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/json", timeout=5) as answer:
                    pages = [p for p in json.load(answer) if p.get("type") == "page"]
                if pages:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("Chromium's DevTools did not answer")
            time.sleep(0.3)
        with connect(pages[0]["webSocketDebuggerUrl"], max_size=None) as socket:
            yield Page(socket)
    finally:
        stop(process)
        shutil.rmtree(profile, ignore_errors=True)


def screenshot(page, path):
    import base64

    Path(path).write_bytes(base64.b64decode(page.call("Page.captureScreenshot", format="png")["data"]))
