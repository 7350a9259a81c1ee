"""A real `python -m happysad serve` on the loopback for the live tests and `bench live`, and the
shared clip's frames to send it."""
import contextlib
import json
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CLIP = REPO.parent / "shared" / "datasets" / "videos" / "woman2.mp4"


def free_port(host="127.0.0.1") -> int:
    with socket.socket() as probe:
        probe.bind((host, 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def serving(*arguments, host="127.0.0.1", timeout=90):
    """(base URL, process) of a server started with `arguments`, stopped afterwards; the URL carries
    the token when the server printed one."""
    port = free_port(host)
    process = subprocess.Popen([sys.executable, "-m", "happysad", "serve", "--host", host, "--port", str(port),
                                *map(str, arguments)], cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True)
    try:
        line = process.stdout.readline()  # printed once the model is loaded, before it listens
        if "serving on" not in line:
            raise RuntimeError(f"the server did not start: {line}{process.stderr.read()}")
        url = line.split("serving on ", 1)[1].strip()
        base, _, query = url.partition("?")
        deadline = time.monotonic() + timeout
        while True:
            try:
                with urllib.request.urlopen(f"{base}health{'?' + query if query else ''}", timeout=5) as answer:
                    json.load(answer)
                break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError(f"the server does not answer: {process.stderr.read() if process.poll() else ''}")
                time.sleep(0.2)
        yield url, process
    finally:
        stop(process)


def stop(process):
    """Ask a process to end; kill it if it has not within 10 s."""
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()


def websocket_url(url: str, path: str) -> str:
    base, _, query = url.partition("?")
    return base.replace("http://", "ws://").rstrip("/") + path + (f"?{query}" if query else "")


def clip_frames(path=CLIP, limit=None, encoding=".png"):
    """[(time_s, encoded frame), ...] of the clip, as `video` reads it (the file's own timestamps)."""
    import cv2

    from happysad.answer.frames import VideoSource

    source = VideoSource(path)
    try:
        frames = []
        for _, time_s, pixels in source.frames(ahead=0):
            ok, data = cv2.imencode(encoding, cv2.cvtColor(pixels, cv2.COLOR_RGB2BGR))
            frames.append((time_s, data.tobytes()))
            if limit and len(frames) >= limit:
                break
        return frames
    finally:
        source.close()
