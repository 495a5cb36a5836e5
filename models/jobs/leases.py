"""Keeping a lease alive while long work runs (a match run, later an import or an export)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager


class Heartbeat:
    """Calls ``renew`` every ``every`` seconds on a daemon thread until stopped.

    ``lost`` turns true when ``renew`` answers False: someone else took the work over (our
    lease ran out), so the caller must not store its result.
    """

    def __init__(self, renew: Callable[[], bool], every: float) -> None:
        self._renew = renew
        self._every = every
        self._stop = threading.Event()
        self.lost = False
        self._thread = threading.Thread(target=self._loop, daemon=True, name="lease-heartbeat")

    def _loop(self) -> None:
        while not self._stop.wait(self._every):
            try:
                if not self._renew():
                    self.lost = True
                    return
            except Exception:  # noqa: BLE001 - a database hiccup: try again at the next beat
                continue

    def start(self) -> Heartbeat:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=5)


@contextmanager
def heartbeat(renew: Callable[[], bool], every: float) -> Iterator[Heartbeat]:
    beat = Heartbeat(renew, every).start()
    try:
        yield beat
    finally:
        beat.stop()
