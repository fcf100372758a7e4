"""Tests of tests/support/concurrency.py: the functions really run at the same time."""

import threading

from tests.support.concurrency import all_at_once


def test_all_at_once_runs_the_functions_together_and_keeps_their_order():
    # Each function waits for all the others: run one after another, none would return.
    together = threading.Barrier(4, timeout=10)

    def waits(n):
        return lambda: (together.wait(), n)[1]

    assert all_at_once([waits(n) for n in range(4)]) == [0, 1, 2, 3]
