"""Backward in several threads at once: every pass into shared parameters adds up, as in PyTorch."""

from __future__ import annotations

import sys
import threading

from autograd import Value, sum_values, trace

PASSES = 100
WEIGHTS = range(1, 41)  # d loss / d w = 1 + 2 + … + 40 = 820 in every pass, exactly


def run_in_threads(work, count: int = 4) -> None:
    """work() in count threads at once, with the interpreter switching threads as often as it can."""
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    start = threading.Barrier(count)
    errors: list[BaseException] = []

    def run() -> None:
        start.wait()
        try:
            work()
        except BaseException as error:  # reported by the test thread
            errors.append(error)

    try:
        threads = [threading.Thread(target=run) for _ in range(count)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        sys.setswitchinterval(interval)
    assert not errors, errors


def test_concurrent_backward_passes_into_shared_parameters_all_add_up():
    params = [Value(0.5, f"w{k}") for k in range(8)]

    def work() -> None:
        loss = sum_values([p * float(c) for p in params for c in WEIGHTS])  # each thread's own graph
        for _ in range(PASSES):
            loss.backward()

    run_in_threads(work)
    assert [p.grad for p in params] == [4 * PASSES * 820.0] * len(params)


def test_concurrent_program_backward_calls_all_add_up():
    params = [Value(0.5, f"w{k}") for k in range(8)]
    program = trace(lambda x: sum_values([p * (x * float(c)) for p in params for c in WEIGHTS]), 1.0)

    def work() -> None:
        for _ in range(PASSES):
            program.backward(1.0)

    run_in_threads(work)
    assert [p.grad for p in params] == [4 * PASSES * 820.0] * len(params)
