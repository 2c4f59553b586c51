"""The tests run with room on CPython's frame stack (tests/datastack.py)."""

import sys

import datastack


def inside_run(test):
    """Whether datastack.run is among the callers up to the test's own frame (the test itself
    runs inside it: tests/conftest.py)."""
    frame = sys._getframe(1)
    while frame is not None and frame is not test:
        if frame.f_code is datastack.run.__code__:
            return True
        frame = frame.f_back
    return False


def test_run_calls_the_function_with_its_arguments_and_returns_its_result():
    test = sys._getframe()
    assert datastack.run(lambda a, b=0: (a, b, inside_run(test)), 1, b=2) == (1, 2, True)
    assert not inside_run(test)


def test_its_frame_is_larger_than_a_stack_chunk_by_far():
    # CPython maps 16 KiB chunks; the frame must take one of 512 KiB with room left below.
    assert datastack.run.__code__.co_nlocals * 8 > 256 * 1024


def test_every_test_runs_inside_it():
    assert inside_run(test=None)
