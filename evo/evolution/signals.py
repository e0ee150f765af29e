"""SIGINT and SIGTERM stop a run between generations, never in the middle of one."""

import signal
import threading


class StopSignal:
    """Context manager: while active, SIGINT/SIGTERM only record that a stop was asked for.

    The generational loop checks `received` after each checkpoint, so a stopped run always
    ends on a whole generation. A second signal of the same kind is not special: the
    current generation is short, and finishing it is what keeps the files consistent.
    """

    SIGNALS = (signal.SIGINT, signal.SIGTERM)

    def __init__(self):
        self.received: int | None = None
        self._previous = {}
        self._callback = None

    def on_signal(self, callback) -> None:
        """Also call `callback(signum)` from the handler when a signal comes (None: stop)."""
        self._callback = callback
        if callback is not None and self.received is not None:
            callback(self.received)  # it came before the callback was set

    def _handle(self, signum, frame):
        self.received = signum
        if self._callback is not None:
            self._callback(signum)

    def __enter__(self) -> "StopSignal":
        # Handlers can only be installed from the main thread (a sweep worker may not be).
        if threading.current_thread() is threading.main_thread():
            for signum in self.SIGNALS:
                self._previous[signum] = signal.signal(signum, self._handle)
        return self

    def __exit__(self, *exc) -> None:
        for signum, handler in self._previous.items():
            signal.signal(signum, handler)
