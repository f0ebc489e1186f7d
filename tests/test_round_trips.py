"""A check's calls go to the kernel in one request, and each still gets exactly what it would
get on its own: its seed, its time limit, its error, its inputs kept from the others.

Every test runs a real sandboxed kernel; the only thing added is a spy that counts the
requests the proxy sends (it passes each one on to the real kernel).
"""

from __future__ import annotations

import os

import numpy as np
import pytest

from autograder.checking import Case, Mismatch
from autograder.errors import CallTimeout, KernelDied, StudentRaised
from autograder.questions import Question
from tests.kernels import kernel, notebook, student

pytestmark = pytest.mark.slow

FUNCTIONS = """
import os, time
import numpy as np

def noise(n):         return np.random.rand(n)
def double(x):        return 2 * x
def picky(x):
    if x.sum() < 0:
        raise ValueError(f"negative sum {x.sum():.3f}")
    return 2 * x
def hangs_on_big(x):
    while x.size > 4:
        pass
    return 2 * x
def slow_then(x):
    if x.size == 1:
        time.sleep(0.5)
    while x.size > 4:
        pass
    return 2 * x
def dies_on_big(x):
    if x.size > 4:
        os._exit(0)
    return 2 * x
def large(n):         return np.zeros(n)
def peek(folder):     return sorted(os.listdir(folder))
"""


@pytest.fixture(scope="module")
def kern(tmp_path_factory):
    with kernel(tmp_path_factory.mktemp("trips")) as k:
        assert k.run_notebook(notebook(FUNCTIONS)).errors() == []
        yield k


class Spy:
    """Counts the requests that reach the kernel (each passed on to the real one)."""

    def __init__(self, k):
        self.k, self.count = k, 0
        self._execute = k.execute

    def __enter__(self):
        def execute(code, **kwargs):
            self.count += 1
            return self._execute(code, **kwargs)

        self.k.execute = execute
        return self

    def __exit__(self, *exc):
        del self.k.execute


def fresh(k, **limits):
    s = student(k, call_timeout_s=1.0, **limits)
    s.install()
    s.begin_check(7, None)
    return s


def values(replies):
    return [r.get() for r in replies]


def test_the_calls_of_a_check_are_one_request_and_seeded_as_if_called_alone(kern):
    s = fresh(kern)
    with Spy(kern) as spy:
        batched = values(s.call_each("noise", [((3,), {})] * 3))
    assert spy.count == 1
    s.begin_check(7, None)  # the same check again, its calls one by one
    with Spy(kern) as spy:
        alone = [s.noise(3) for _ in range(3)]
    assert spy.count == 3
    for a, b in zip(batched, alone, strict=True):
        np.testing.assert_array_equal(a, b)
    assert not np.array_equal(batched[0], batched[1])  # each call has a seed of its own


def test_a_call_that_raises_is_reported_alone_and_the_others_are_graded(kern):
    s = fresh(kern)
    calls = [((np.ones(2),), {}), ((-np.ones(2),), {}), ((np.ones(3),), {})]
    with Spy(kern) as spy:
        replies = s.call_each("picky", calls)
        np.testing.assert_array_equal(replies[0].get(), 2 * np.ones(2))
        with pytest.raises(StudentRaised, match="negative sum -2.000") as raised:
            replies[1].get()
        # the error names that call, with its own input, and where the student's code failed
        assert "picky(array float64 (2,) (min -1, max -1))" in str(raised.value)
        assert "at line 8 of picky" in str(raised.value)
        # the kernel stopped at the error; the call after it is sent on its own when asked
        np.testing.assert_array_equal(replies[2].get(), 2 * np.ones(3))
    assert spy.count == 2


def test_a_call_that_hangs_is_stopped_charged_and_the_others_still_graded(kern):
    s = fresh(kern, max_timeouts_per_function=2)
    calls = [((np.ones(2),), {}), ((np.ones(9),), {}), ((np.ones(3),), {})]
    replies = s.call_each("hangs_on_big", calls)
    np.testing.assert_array_equal(replies[0].get(), 2 * np.ones(2))
    with pytest.raises(CallTimeout, match="did not finish within 1 s"):
        replies[1].get()
    np.testing.assert_array_equal(replies[2].get(), 2 * np.ones(3))
    assert s.double(np.ones(1))[0] == 2.0  # the kernel keeps working
    # after a request that ran out of time, that function's calls go one by one
    with Spy(kern) as spy:
        values(s.call_each("hangs_on_big", calls[:1] + calls[2:]))
    assert spy.count == 2


def test_a_time_out_no_check_looked_at_is_not_charged(kern):
    s = fresh(kern, max_timeouts_per_function=1)
    replies = s.call_each("hangs_on_big", [((np.ones(2),), {}), ((np.ones(9),), {})])
    replies[0].get()  # the check stops here (say, a wrong value): the hang counts for nothing
    assert s.hangs_on_big(np.ones(3))[0] == 2.0  # not refused: no strike was counted


def test_a_call_stopped_before_its_whole_limit_is_sent_again_with_its_own(kern):
    s = fresh(kern, max_timeouts_per_function=3)
    with Spy(kern) as spy:
        replies = s.call_each("slow_then", [((np.ones(1),), {}), ((np.ones(9),), {})])
        assert replies[0].get()[0] == 2.0
        # the first call took 0.5 s of the request's 1.1 s: the second had 0.6 s, not its
        # whole limit, so it runs again alone, for a whole second, before it is charged
        with pytest.raises(CallTimeout, match="did not finish within 1 s"):
            replies[1].get()
    assert spy.count == 2


def test_a_call_that_kills_the_kernel_is_reported_and_the_others_graded(kern):
    s = fresh(kern)
    calls = [((np.ones(2),), {}), ((np.ones(9),), {}), ((np.ones(3),), {})]
    replies = s.call_each("dies_on_big", calls)
    np.testing.assert_array_equal(replies[0].get(), 2 * np.ones(2))
    with pytest.raises(KernelDied, match="exited with status 0.*it was restarted"):
        replies[1].get()
    np.testing.assert_array_equal(replies[2].get(), 2 * np.ones(3))


def test_a_request_holds_no_more_data_than_one_call_may_return(kern):
    s = fresh(kern, max_result_mb=2)
    n = 150_000  # 1.2 MB each: the kernel stops after the second and the third comes alone
    with Spy(kern) as spy:
        got = values(s.call_each("large", [((n,), {})] * 3))
    assert [g.shape for g in got] == [(n,)] * 3
    assert spy.count == 2


def test_no_file_of_another_request_is_there_while_a_call_runs(kern):
    s = fresh(kern)
    inbox = str(kern.box.inbox)
    first = s.call_each("peek", [((inbox,), {}), ((inbox,), {})])
    seen = values(first)
    assert len(seen[0]) == 1 and seen[0] == seen[1]  # only this request's own folder
    s.begin_check(8, None)
    assert s.peek(inbox) != seen[0] and len(s.peek(inbox)) == 1
    assert os.listdir(inbox) == []  # and nothing is left once a request is back


def truth(reference, x):
    CALLED.append(x.shape)
    return 2 * x


CALLED: list[tuple[int, ...]] = []
twice = Question("double", truth)


def test_a_question_sends_one_request_per_check_and_computes_its_truth_once(kern):
    s = fresh(kern)
    cases = [Case((np.arange(float(n)),), f"{n} numbers") for n in (2, 3, 5)]
    with Spy(kern) as spy:
        twice.check(s, None, cases)
    assert spy.count == 1 and len(CALLED) == 3
    twice.check(s, None, cases)  # the next student: same inputs, the truth is remembered
    assert len(CALLED) == 3
    with pytest.raises(Mismatch, match="smallest failing input"):
        twice.check(s, None, cases, truth=lambda x: 3 * x)  # a truth of its own is used


def bumping(reference, x):
    BUMPED.append(1)
    x += 1  # the student gets the changed input, as it always did
    return 2 * x


BUMPED: list[int] = []


def test_a_truth_that_changes_its_inputs_or_has_a_closure_is_not_remembered(kern):
    seen = []

    def counting(reference, x):
        seen.append(1)
        return 2 * x

    s = fresh(kern)
    for _ in range(2):
        Question("double", bumping).check(s, None, [Case((np.ones(2),))])
        Question("double", counting).check(s, None, [Case((np.ones(2),))])
    assert len(BUMPED) == 2 and len(seen) == 2
