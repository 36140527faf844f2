"""Run the real ``sanad serve`` as a child process on loopback: start it, find its URL, watch its memory, stop it.

Does not talk to the app; the load driver and the tests use gradio_client or a browser for that.
"""

from __future__ import annotations

import contextlib
import re
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from eval.reliability.proc import sanad

_URL = re.compile(r"Sanad web chat: (http://\S+)")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def rss_bytes(pid: int) -> int:
    """Resident memory of a process (Linux ``/proc``), 0 once it is gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


@dataclass
class Server:
    """A running ``sanad serve``: its process, URL and everything it logged."""

    process: subprocess.Popen[str]
    url: str
    log: list[str] = field(default_factory=list)

    @property
    def pid(self) -> int:
        return self.process.pid

    def kill(self) -> None:
        """SIGKILL: no clean-up at all, as a crash or the OOM killer would stop it."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=60)

    def stop(self) -> int:
        """Ctrl-C, as a user stops it; returns the exit code."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=30)
        return int(self.process.returncode)


def start_server(index_dir: Path, corpus: Path, *extra: str, timeout: float = 600) -> Server:
    """Start ``sanad serve`` on a free loopback port and wait until it prints its URL."""
    argv = ["serve", "--host", "127.0.0.1", "--port", str(free_port()), "--index-dir", str(index_dir),
            "--corpus", str(corpus), *extra]
    process = sanad(*argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    log: list[str] = []
    found = threading.Event()

    def read() -> None:
        assert process.stderr is not None
        for line in process.stderr:
            log.append(line)
            if _URL.search(line):
                found.set()

    threading.Thread(target=read, daemon=True).start()
    deadline = time.monotonic() + timeout
    while not found.wait(0.2):
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise RuntimeError("sanad serve did not start:\n" + "".join(log[-30:]))
    url = next(m.group(1) for line in log if (m := _URL.search(line)))
    return Server(process, url, log)


@contextlib.contextmanager
def serving(index_dir: Path, corpus: Path, *extra: str) -> Iterator[Server]:
    server = start_server(index_dir, corpus, *extra)
    try:
        yield server
    finally:
        server.stop()
