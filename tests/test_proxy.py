"""The trust boundary: only plain data comes back from the student's kernel."""

from __future__ import annotations

import json
import os
import pickle

import numpy as np
import pytest

from autograder import wire
from autograder.errors import CallTimeout, KernelDied, MissingFunction, NotData, StudentRaised
from tests.kernels import kernel, notebook, student

pytestmark = pytest.mark.slow

FUNCTIONS = """
import numpy as np
import os, pickle, time

def array():            return np.arange(6.0).reshape(2, 3)
def float32_array():    return np.ones((2, 2), dtype=np.float32)
def triple():           return (np.zeros(2), 1.5, {"W1": np.eye(2)})
def python_int():       return 28
def numpy_int():        return np.int64(28)
def nan():              return float("nan")
def object_array():     return np.array([{"a": 1}, None], dtype=object)
def a_pickle():         return pickle.dumps({"score": 100})
def generator():        return (i for i in range(3))

class FakeArray:
    shape = (2, 2)
    dtype = np.dtype("float64")
    def __array__(self, dtype=None, copy=None): return np.ones((2, 2))
    def __eq__(self, other): return True
def pretend():          return FakeArray()

class Liar(np.ndarray):
    def __eq__(self, other): return np.ones(self.shape, bool)
def subclass():         return np.zeros((2, 2)).view(Liar)

def raises():           raise ValueError("w_in must be >= 1")
def sleeps():           time.sleep(60)
def exits():            os._exit(0)
def echo(*args):        return args
def mutate(x):          x[...] = 0; return x
def huge():             return np.zeros((4096, 4096))
not_a_function = 3
"""


@pytest.fixture(scope="module")
def proxy(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("proxy")
    with kernel(tmp) as k:
        run = k.run_notebook(notebook(FUNCTIONS))
        assert run.errors() == []
        yield student(k, call_timeout_s=2.0, max_result_mb=64)


def test_plain_data_comes_back_with_its_type(proxy):
    a = proxy.array()
    assert type(a) is np.ndarray and a.dtype == np.float64 and a.shape == (2, 3)
    assert proxy.float32_array().dtype == np.float32
    x, y, d = proxy.triple()
    assert type(y) is float and set(d) == {"W1"} and np.array_equal(d["W1"], np.eye(2))
    assert type(proxy.python_int()) is int
    assert type(proxy.numpy_int()) is np.int64
    assert np.isnan(proxy.nan())


def test_arguments_arrive_as_data(proxy):
    x = np.arange(12.0).reshape(3, 4)
    got = proxy.echo(x, 2, (1, 2), {"k": np.int64(3)}, None, "s")
    assert np.array_equal(got[0], x) and got[1:3] == (2, (1, 2))
    assert got[3] == {"k": 3} and got[4] is None and got[5] == "s"


def test_changing_an_argument_in_the_kernel_never_touches_the_grader_copy(proxy):
    x = np.ones(3)
    proxy.mutate(x)
    assert np.array_equal(x, np.ones(3))


@pytest.mark.parametrize(
    "name, what",
    [
        ("object_array", "object"),
        ("a_pickle", "bytes"),
        ("generator", "generator"),
        ("pretend", "FakeArray"),
    ],
)
def test_anything_that_is_not_data_fails_and_says_what_came_back(proxy, name, what):
    with pytest.raises(NotData) as error:
        proxy.call(name)
    assert what in str(error.value) and name in str(error.value)


def test_an_ndarray_subclass_arrives_as_a_plain_array(proxy):
    got = proxy.subclass()
    assert type(got) is np.ndarray
    assert not np.array_equal(got, np.ones((2, 2)))


def test_the_students_exception_arrives_as_text(proxy):
    with pytest.raises(StudentRaised) as error:
        proxy.raises()
    assert error.value.is_a("ValueError") and error.value.is_a("Exception")
    assert "w_in must be >= 1" in str(error.value) and "raises()" in str(error.value)


def test_missing_and_non_callable_names(proxy):
    with pytest.raises(MissingFunction, match="does not define nowhere"):
        proxy.nowhere()
    with pytest.raises(MissingFunction, match="int, not a function"):
        proxy.not_a_function()


def test_a_slow_call_is_stopped_and_the_kernel_keeps_working(proxy):
    with pytest.raises(CallTimeout, match="did not finish within 2 s"):
        proxy.sleeps()
    assert proxy.python_int() == 28


def test_a_call_that_kills_the_kernel_is_reported_and_grading_goes_on(proxy):
    with pytest.raises(KernelDied, match="exited with status 0"):
        proxy.exits()
    assert proxy.python_int() == 28
    np.testing.assert_array_equal(proxy.array(), np.arange(6.0).reshape(2, 3))


def test_results_over_the_size_limit_are_refused(proxy):
    with pytest.raises(NotData, match="more than 64 MiB"):
        proxy.huge()


# -- the grader's reader, on files a hostile kernel might write ---------------------------


def _result(folder, payload, **arrays):
    folder.mkdir()
    (folder / "result.json").write_text(json.dumps(payload))
    for name, value in arrays.items():
        np.save(folder / name, value, allow_pickle=True)
    return folder


def test_the_reader_refuses_pickled_arrays(tmp_path):
    obj = np.array([os.system], dtype=object)
    folder = _result(tmp_path / "r", {"value": {"__ndarray__": "r0.npy"}}, **{"r0.npy": obj})
    with pytest.raises(wire.WireError, match="pickle"):
        wire.read_result(folder, max_bytes=2**20)


def test_the_reader_refuses_symlinks_and_strange_names(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("do not read")
    folder = _result(tmp_path / "r", {"value": {"__ndarray__": "../secret.txt"}})
    with pytest.raises(wire.WireError, match="may not"):
        wire.read_result(folder, max_bytes=2**20)
    os.remove(folder / "result.json")
    os.symlink(secret, folder / "result.json")
    with pytest.raises(wire.WireError) as error:
        wire.read_result(folder, max_bytes=2**20)
    assert "do not read" not in str(error.value)
    link = tmp_path / "link"
    os.symlink(folder, link)
    with pytest.raises(wire.WireError, match="no result"):
        wire.read_result(link, max_bytes=2**20)


def test_the_reader_refuses_oversized_files_before_reading_them(tmp_path):
    folder = _result(
        tmp_path / "r", {"value": {"__ndarray__": "r0.npy"}}, **{"r0.npy": np.zeros(10**5)}
    )
    with pytest.raises(wire.WireError, match="too large"):
        wire.read_result(folder, max_bytes=10**4)


def test_a_pickle_file_in_place_of_the_result_is_not_json(tmp_path):
    folder = tmp_path / "r"
    folder.mkdir()
    (folder / "result.json").write_bytes(pickle.dumps({"value": 100}))
    with pytest.raises(wire.WireError, match="not valid JSON"):
        wire.read_result(folder, max_bytes=2**20)
