"""``Work``: the handle of one collective, and the timeout every wait is bounded by.

A rank that dies, raises or stalls must not leave the others waiting forever. Every op, blocking
or not, is started as a non-blocking transport call (``MPI_Iallreduce``, a CUDA event after an
NCCL call, ...); ``wait()`` polls it against the process group's deadline and raises
``RuntimeError`` naming the op and the timeout once the deadline has passed. A blocking op is a
``Work`` waited on at once.

Example:
    >>> from datetime import timedelta
    >>> work = Work(lambda: True, "all_reduce", 0, timedelta(seconds=1))
    >>> work.wait(), work.is_completed()
    (True, True)
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import timedelta

__all__ = ["Work", "timeout_message"]


def timeout_message(name: str, rank: int, timeout: timedelta) -> str:
    return (
        f"[rank{rank}] {name} timed out after {timeout} (the process group's timeout): "
        "another rank failed, exited or never joined the operation"
    )


class Work:
    """The handle of an asynchronous op, as torch's ``Work``: ``wait()`` and ``is_completed()``.

    ``test`` polls the transport once (true when done; transport errors propagate as
    ``RuntimeError``); ``then`` finishes the op on this rank (copying a staging buffer back into
    the tensor, dividing for AVG) and runs once, after completion; its value is ``result``.
    """

    __slots__ = ("_test", "_name", "_rank", "_timeout", "_deadline", "_then", "_done", "result")

    def __init__(
        self,
        test: Callable[[], bool],
        name: str,
        rank: int,
        timeout: timedelta,
        then: Callable[[], object] | None = None,
    ) -> None:
        self._test, self._name, self._rank, self._timeout = test, name, rank, timeout
        self._deadline = time.monotonic() + timeout.total_seconds()
        self._then, self._done, self.result = then, False, None

    def _poll(self) -> bool:
        try:
            return self._test()
        except Exception as exc:  # the transport's own error (MPI.Exception, CUDA errors)
            raise RuntimeError(f"[rank{self._rank}] {self._name} failed: {exc}") from exc

    def _finish(self) -> None:
        self._done = True
        if self._then is not None:
            self.result = self._then()

    def is_completed(self) -> bool:
        """Whether the op has finished (polls the transport once; never blocks)."""
        if not self._done and self._poll():
            self._finish()
        return self._done

    def is_success(self) -> bool:
        return self.is_completed()

    def wait(self, timeout: timedelta | None = None) -> bool:
        """Block until the op has finished; ``RuntimeError`` once the timeout has passed."""
        if self._done:
            return True
        deadline = self._deadline
        if timeout is not None:
            deadline = time.monotonic() + timeout.total_seconds()
        test, clock = self._test, time.monotonic
        # NOTE: a busy loop, as MPI's own blocking calls spin: MPI makes progress on
        # non-blocking collectives only inside Test, so sleeping here would slow the op itself.
        try:
            while not test():
                if clock() > deadline:
                    raise TimeoutError
        except TimeoutError:
            raise RuntimeError(
                timeout_message(self._name, self._rank, timeout or self._timeout)
            ) from None
        except Exception as exc:
            raise RuntimeError(f"[rank{self._rank}] {self._name} failed: {exc}") from exc
        self._finish()
        return True

    def __repr__(self) -> str:
        return f"<Work {self._name} completed={self._done}>"
