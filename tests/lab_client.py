"""A Jupyter server started from a command line, and a minimal client for its REST and kernel APIs.

The server listens on localhost and is given a token, as Jupyter does by default: the client
sends it with every request. Code is run in a kernel over the kernel's websocket, as JupyterLab
runs a cell, and the text it prints is returned.
"""
import asyncio
import json
import os
import secrets
import signal
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
import uuid


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class JupyterServer:
    def __init__(self, command, cwd, startup_seconds=120):
        self.port, self.token = free_port(), secrets.token_hex(16)
        self.command = [*command, f"--ServerApp.port={self.port}", "--ServerApp.port_retries=0",
                        f"--IdentityProvider.token={self.token}"]
        self.cwd, self.startup_seconds, self.process = cwd, startup_seconds, None

    def __enter__(self):
        self.log = tempfile.TemporaryFile("w+")
        self.process = subprocess.Popen(self.command, cwd=self.cwd, stdout=self.log, stderr=subprocess.STDOUT,
                                        start_new_session=True)
        deadline = time.monotonic() + self.startup_seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the Jupyter server exited with {self.process.returncode}")
            try:
                self.get("/api/status")
                return self
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.5)
        raise TimeoutError("the Jupyter server did not answer")

    def __exit__(self, *exc):
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
        self.log.close()

    def output(self) -> str:
        """What the server has printed so far (its log and the links it gives)."""
        self.log.flush()
        self.log.seek(0)
        return self.log.read()

    def _request(self, path, method="GET", body=None, token=True):
        request = urllib.request.Request(f"http://127.0.0.1:{self.port}{path}", method=method,
                                         data=None if body is None else json.dumps(body).encode())
        if token:
            request.add_header("Authorization", f"token {self.token}")
        return urllib.request.urlopen(request, timeout=30)

    def get(self, path):
        with self._request(path) as response:
            return json.loads(response.read())

    def get_status(self, path, token=True) -> int:
        try:
            with self._request(path, token=token) as response:
                return response.status
        except urllib.error.HTTPError as error:
            return error.code

    def start_kernel(self, name) -> str:
        with self._request("/api/kernels", "POST", {"name": name}) as response:
            return json.loads(response.read())["id"]

    def execute(self, kernel_id, code, timeout=240) -> str:
        """What `code` prints in the kernel; RuntimeError with the traceback if it raises."""
        return asyncio.run(self._execute(kernel_id, code, timeout))

    async def _execute(self, kernel_id, code, timeout):
        from tornado.websocket import websocket_connect

        url = f"ws://127.0.0.1:{self.port}/api/kernels/{kernel_id}/channels?token={self.token}"
        connection = await websocket_connect(url)
        message_id, printed = uuid.uuid4().hex, []
        connection.write_message(json.dumps({
            "header": {"msg_id": message_id, "msg_type": "execute_request", "username": "test",
                       "session": uuid.uuid4().hex, "version": "5.3"},
            "parent_header": {}, "metadata": {}, "channel": "shell", "buffers": [],
            "content": {"code": code, "silent": False, "store_history": False, "user_expressions": {},
                        "allow_stdin": False, "stop_on_error": True}}))
        deadline = time.monotonic() + timeout
        try:
            while time.monotonic() < deadline:
                raw = await asyncio.wait_for(connection.read_message(), deadline - time.monotonic())
                if raw is None:
                    raise RuntimeError("the kernel's websocket closed")
                message = json.loads(raw)
                if message.get("parent_header", {}).get("msg_id") != message_id:
                    continue
                kind, content = message["msg_type"], message["content"]
                if kind == "stream":
                    printed.append(content["text"])
                elif kind == "error":
                    raise RuntimeError("\n".join(content["traceback"]))
                elif kind == "status" and content["execution_state"] == "idle":
                    return "".join(printed)
            raise TimeoutError("the cell did not finish")
        finally:
            connection.close()
