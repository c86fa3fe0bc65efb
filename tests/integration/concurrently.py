"""Run one piece of work from many threads at the same instant, each on its own connection."""

import threading
from collections.abc import Callable
from dataclasses import dataclass

from django.db import connection


@dataclass
class Outcome:
    """What each thread returned or raised, by thread index."""

    results: list
    errors: list[BaseException | None]

    @property
    def successes(self) -> list:
        return [result for result, error in zip(self.results, self.errors, strict=True) if error is None]

    def raised(self, kind: type[BaseException] = BaseException) -> list[BaseException]:
        return [error for error in self.errors if isinstance(error, kind)]

    def unexpected(self, *expected: type[BaseException]) -> list[BaseException]:
        """Errors that are none of `expected` (with their tracebacks kept for the report)."""
        return [error for error in self.errors if error is not None and not isinstance(error, expected)]


def run_together(count: int, work: Callable[[int], object], *, prepare=None, timeout: float = 60) -> Outcome:
    """Call `work(i)` for i in range(count), each in its own thread, released by one barrier.

    Every thread connects to the database (and runs `prepare(i)`, whose value is passed
    to `work` instead of `i` when given) *before* the barrier, so that connection set-up
    does not spread the start; each closes its connection at the end, because Django
    keeps one per thread and would otherwise leak them into the next round.
    """
    barrier = threading.Barrier(count)
    results: list = [None] * count
    errors: list[BaseException | None] = [None] * count
    setup_errors: list[BaseException] = []

    def run(index: int) -> None:
        try:
            try:
                connection.ensure_connection()
                argument = prepare(index) if prepare else index
                barrier.wait(timeout=timeout)
            except threading.BrokenBarrierError:
                return  # another thread failed to get ready; its error is the one reported
            except BaseException as error:
                setup_errors.append(error)
                barrier.abort()  # a thread that failed before the start must not hang the rest
                return
            results[index] = work(argument)
        except BaseException as error:  # reported by the test, never swallowed
            errors[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(index,), name=f"together-{index}") for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
    stuck = [thread.name for thread in threads if thread.is_alive()]
    assert not stuck, f"threads still running after {timeout}s: {stuck}"
    if setup_errors:
        raise AssertionError(f"a thread failed before the start: {setup_errors[0]!r}") from setup_errors[0]
    return Outcome(results, errors)
