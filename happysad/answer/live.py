"""Live answers: `python -m happysad serve`, an ASGI app (Starlette on uvicorn) that answers faces as
they happen, for a browser study, a robot and a lab's recorder. The protocol: docs/live.md.

    WebSocket /live      a client's own camera: each binary message one encoded picture (JPEG, PNG,
                         WebP); one JSON answer per frame read, in order. Only the latest frame
                         waits: frames that come faster than they are read are dropped, never
                         queued, so the delay cannot grow. A text message {"time_s": t} before a
                         frame gives that frame's capture time (seconds on the client's clock).
    WebSocket /answers   the answers to the server's own source (--camera N or --video FILE, a
                         file played at its real rate), for any number of subscribers
    POST /predict        one picture as the body: answered as `predict --json` answers it
    GET /health          {"status": "ok", ...}
    GET /                the page: the browser's camera, each face boxed and labelled

Each connection has its own FaceFollower (happysad.answer.video: face numbers kept through a brief
loss, each face's answers smoothed on the frames' own times), so a frame gets the answer `video`
would give it. Frames are answered one at a time across connections (one classifier, the CPU's
cores for its threads), in a worker thread, while the event loop goes on receiving.

On 127.0.0.1 (the default) only this machine can connect. On any other --host a token is made and
required on every request and connection (`?token=...`, printed in the URL, as Jupyter does).
"""
import asyncio
import json
import secrets
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from ..vision.images import ImageError, decode_image
from .frames import VideoError, VideoSource

MAX_FRAME_BYTES = 8 * 1024 * 1024  # a 4K JPEG is about 2 MB
MAX_FRAME_PIXELS = 4096 * 4096
LOOPBACK = ("127.0.0.1", "localhost", "::1")
PAGE = Path(__file__).resolve().parents[1] / "resources" / "live.html"


def decode_frame(data: bytes, name: str):
    """A frame or a posted picture, decoded within the server's limits; ImageError otherwise."""
    if len(data) > MAX_FRAME_BYTES:
        raise ImageError(name, f"refused: {len(data):,} bytes is more than {MAX_FRAME_BYTES:,}")
    return decode_image(data, name, max_pixels=MAX_FRAME_PIXELS)


def answer_message(frame: int, faces, received_s: float, answered_s: float, dropped: int, time_s: float) -> dict:
    """The JSON message for one frame read: its index, times, the faces' answers (as the video table
    has them) and the frames dropped since the last answer."""
    return {"frame": frame, "time_s": round(time_s, 4), "received_s": round(received_s, 4),
            "answered_s": round(answered_s, 4), "dropped": dropped,
            "faces": [{**face.row(), "box": list(face.box.as_tuple())} for face in faces]}


class Answerer:
    """The model, the detector and a lock: frames of every connection are answered one at a time."""

    def __init__(self, model_path, smoothing, copies):
        from .classifier import load_classifier

        self.classifier = load_classifier(model_path)
        self.smoothing, self.copies = smoothing, copies
        self.lock = threading.Lock()
        self.frames_answered = 0  # over every /live connection

    def follower(self):
        from .video import FaceFollower

        return FaceFollower(self.classifier, self.smoothing, copies=self.copies)

    def frame(self, follower, data: bytes, index: int, time_s: float):
        """[Prediction, ...] of one encoded frame; ImageError when it cannot be used."""
        image = decode_frame(data, f"frame {index}")
        with self.lock:
            faces = follower(image, index, time_s)
            self.frames_answered += 1
            return faces


@dataclass
class Waiting:
    """The one frame that waits to be read on a connection."""
    index: int
    data: bytes
    received_s: float
    time_s: float | None


class Connection:
    """One /live connection: the latest frame waits, older ones are dropped; one answer per frame read."""

    def __init__(self, websocket, answerer: Answerer, executor, clock):
        self.websocket, self.answerer, self.executor, self.clock = websocket, answerer, executor, clock
        self.follower = answerer.follower()
        self.waiting: Waiting | None = None
        self.dropped, self.sent, self.capture_time = 0, 0, None
        self.arrived = asyncio.Event()
        self.started = clock()
        self.last_time = -1.0

    async def receive(self):
        """Read messages until the client goes; each frame replaces the one waiting (which is dropped)."""
        from starlette.websockets import WebSocketDisconnect

        try:
            while True:
                message = await self.websocket.receive()
                if message["type"] == "websocket.disconnect":
                    return
                if message.get("text") is not None:
                    try:
                        self.capture_time = float(json.loads(message["text"])["time_s"])
                    except (ValueError, KeyError, TypeError):
                        await self.websocket.send_json({"error": "a text message is {\"time_s\": seconds}, "
                                                                 "the next frame's capture time"})
                    continue
                if self.waiting is not None:
                    self.dropped += 1
                self.waiting = Waiting(self.sent, message.get("bytes") or b"", self.clock() - self.started,
                                       self.capture_time)
                self.sent, self.capture_time = self.sent + 1, None
                self.arrived.set()
        except WebSocketDisconnect:
            return

    async def answer(self):
        """Answer the waiting frame, again and again, until cancelled or the client has gone."""
        try:
            await self._answer()
        except Exception:  # the client went while an answer was on its way (cancelling is not an Exception)
            return

    async def _answer(self):
        loop = asyncio.get_running_loop()
        while True:
            await self.arrived.wait()
            self.arrived.clear()
            frame, self.waiting = self.waiting, None
            if frame is None:
                continue
            dropped, self.dropped = self.dropped, 0
            # the tracker and the smoothing need time to move forward: a client's clock that does not is
            # replaced by the server's
            time_s = frame.time_s if frame.time_s is not None and frame.time_s > self.last_time else frame.received_s
            time_s = max(time_s, self.last_time + 1e-3)
            try:
                faces = await loop.run_in_executor(self.executor, self.answerer.frame, self.follower, frame.data,
                                                   frame.index, time_s)
            except ImageError as error:
                await self.websocket.send_json({"frame": frame.index, "error": str(error), "dropped": dropped})
                continue
            self.last_time = time_s
            await self.websocket.send_json(answer_message(frame.index, faces, frame.received_s,
                                                          self.clock() - self.started, dropped, time_s))


class ServerSource:
    """The server's own camera or video file, read in a thread of its own (a file at its real rate);
    each frame's answer goes to every subscriber of /answers (a slow one misses answers, never
    delays the others) and to the LSL outlet when there is one."""

    def __init__(self, answerer: Answerer, path=None, camera=None, outlet=None, loop_video=False):
        self.source = VideoSource(path, camera)
        self.answerer, self.outlet, self.loop_video, self.path = answerer, outlet, loop_video, path
        self.subscribers: set = set()
        self.stop = threading.Event()
        self.loop = None
        self.frames_answered = 0

    def start(self, loop):
        self.loop = loop
        self.thread = threading.Thread(target=self.run, name="source", daemon=True)
        self.thread.start()

    def run(self):
        from PIL import Image

        follower, started = self.answerer.follower(), time.monotonic()
        while not self.stop.is_set():
            for index, time_s, pixels in self.source.frames(ahead=0):
                if self.stop.is_set():
                    return
                if self.source.camera is None:  # a file plays at its own rate
                    time.sleep(max(0.0, started + time_s - time.monotonic()))
                captured = time.monotonic()
                with self.answerer.lock:
                    faces = follower(Image.fromarray(pixels), index, time_s)
                message = answer_message(index, faces, captured - started, time.monotonic() - started, 0, time_s)
                self.frames_answered += 1
                if self.outlet:
                    self.outlet.push(faces, captured)
                for queue in list(self.subscribers):
                    self.loop.call_soon_threadsafe(_offer, queue, message)
            if not self.loop_video or self.source.camera is not None:
                return
            self.source.close()
            self.source, follower, started = VideoSource(self.path), self.answerer.follower(), time.monotonic()

    def close(self):
        self.stop.set()
        self.source.close()


def _offer(queue: asyncio.Queue, message):
    if queue.full():  # a subscriber that falls behind gets the newest answers
        queue.get_nowait()
    queue.put_nowait(message)


def create_app(model_path, smoothing=0.5, copies=1, token=None, source_options=None, outlet=None):
    """The ASGI app. `token`: required on every request and connection when given; `source_options`:
    {"path": FILE} or {"camera": N} for the server's own source."""
    from starlette.applications import Starlette
    from starlette.responses import FileResponse, JSONResponse
    from starlette.routing import Route, WebSocketRoute

    from .prediction import classify_image

    answerer = Answerer(model_path, smoothing, copies)
    executor = ThreadPoolExecutor(max_workers=4, thread_name_prefix="answer")
    # opened now, so a missing camera or a bad file is said before the server starts
    state = {"source": ServerSource(answerer, outlet=outlet, **source_options) if source_options else None}

    def allowed(connection) -> bool:
        return token is None or secrets.compare_digest(connection.query_params.get("token", ""), token)

    def guarded(handler):
        """The HTTP handler, behind the token."""
        async def checked(request):
            if not allowed(request):
                return JSONResponse({"error": "a token is needed: ?token=..."}, status_code=403)
            return await handler(request)
        return checked

    @guarded
    async def page(request):
        return FileResponse(PAGE, media_type="text/html")

    @guarded
    async def health(request):
        source = state["source"]
        return JSONResponse({"status": "ok", "model": str(model_path), "runtime": answerer.classifier.runtime,
                             "live": {"frames_answered": answerer.frames_answered},
                             "source": None if source is None else {"frames_answered": source.frames_answered}})

    @guarded
    async def predict(request):
        data = await request.body()
        try:
            image = decode_frame(data, "body")
        except ImageError as error:
            return JSONResponse({"error": str(error)}, status_code=400)

        def classify():
            with answerer.lock:
                return [p.as_dict() for p in classify_image(answerer.classifier, image, "body")]

        return JSONResponse(await asyncio.get_running_loop().run_in_executor(executor, classify))

    async def live(websocket):
        if not allowed(websocket):
            await websocket.close(code=1008, reason="a token is needed: ?token=...")
            return
        await websocket.accept()
        connection = Connection(websocket, answerer, executor, time.monotonic)
        answering = asyncio.create_task(connection.answer())
        try:
            await connection.receive()
        finally:
            answering.cancel()

    async def answers(websocket):
        if not allowed(websocket):
            await websocket.close(code=1008, reason="a token is needed: ?token=...")
            return
        source = state["source"]
        if source is None:
            await websocket.close(code=1011, reason="this server has no source of its own (--camera or --video)")
            return
        await websocket.accept()
        queue = asyncio.Queue(maxsize=30)
        source.subscribers.add(queue)
        try:
            waiting = asyncio.create_task(_until_closed(websocket))
            while not waiting.done():
                getting = asyncio.create_task(queue.get())
                done, _ = await asyncio.wait({getting, waiting}, return_when=asyncio.FIRST_COMPLETED)
                if getting in done:
                    await websocket.send_json(getting.result())
                else:
                    getting.cancel()
        finally:
            source.subscribers.discard(queue)

    async def lifespan(app):
        if state["source"]:
            state["source"].start(asyncio.get_running_loop())
        try:
            yield
        finally:
            if state["source"]:
                state["source"].close()
            executor.shutdown(wait=False, cancel_futures=True)

    return Starlette(routes=[Route("/", page), Route("/health", health), Route("/predict", predict, methods=["POST"]),
                             WebSocketRoute("/live", live), WebSocketRoute("/answers", answers)], lifespan=lifespan)


async def _until_closed(websocket):
    from starlette.websockets import WebSocketDisconnect

    try:
        while (await websocket.receive())["type"] != "websocket.disconnect":
            pass
    except WebSocketDisconnect:
        pass


def run_serve(args) -> int:
    """`python -m happysad serve`: exit 0 when stopped, 2 when it cannot start."""
    from .classifier import ModelError

    try:
        import uvicorn
    except ImportError:
        print("error: `serve` needs the live extra: pip install .[live] (Starlette, uvicorn)", file=sys.stderr)
        return 2
    token = None if args.host in LOOPBACK else secrets.token_urlsafe(18)
    source = {"path": args.video, "loop_video": args.loop} if args.video else \
        {"camera": args.camera} if args.camera is not None else None
    outlet = None
    try:
        if args.lsl:
            from .lsl import AnswerOutlet
            outlet = AnswerOutlet(args.lsl_faces)
        app = create_app(args.model, args.smoothing, args.copies, token, source, outlet)
    except (ModelError, VideoError, RuntimeError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    host = f"[{args.host}]" if ":" in args.host else args.host
    print(f"happysad serving on http://{host}:{args.port}/" + (f"?token={token}" if token else ""), flush=True)
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning", ws_max_size=4 * MAX_FRAME_BYTES)  # a larger frame is refused by itself
    return 0
