"""Reading and writing single files of CIFAR-10's python format, safely.

CIFAR-10's batch files are Python 2 pickles of a dict (``data``, ``labels``,
...). A pickle can name any callable and run it while loading, so these files
are read with ``_RestrictedUnpickler``, which resolves only the few NumPy
constructors an array needs and refuses everything else with
``UnsafePickle``. Files are written by ``_Py2Pickler`` in the same shape as
the real ones: protocol 2, every string a Python 2 ``str`` (the
SHORT_BINSTRING/BINSTRING opcodes), so unpickling with ``encoding="bytes"``
gives bytes keys (the CIFAR website's recipe) and with ``encoding="latin1"``
str keys (torchvision's way).
"""

from __future__ import annotations

import codecs
import importlib
import io
import pickle
import struct
from collections.abc import Callable
from pathlib import Path
from typing import Any, BinaryIO, ClassVar

import numpy as np

from autograder.data.errors import DatasetCorrupt, UnsafePickle

__all__ = ["batch_bytes", "dump_batch", "read_batch", "text"]


def _numpy_attr(module: str, name: str) -> Any:
    """``numpy._core.<module>.<name>`` (NumPy 2), or ``numpy.core.<module>.<name>`` (NumPy 1)."""
    try:
        return getattr(importlib.import_module(f"numpy._core.{module}"), name)
    except ImportError:  # NumPy 1.x has no numpy._core
        return getattr(importlib.import_module(f"numpy.core.{module}"), name)


def _allowed() -> dict[tuple[str, str], Any]:
    """The globals a pickled CIFAR batch may name, mapped to the objects they stand for."""
    reconstruct = _numpy_attr("multiarray", "_reconstruct")
    scalar = _numpy_attr("multiarray", "scalar")
    frombuffer = _numpy_attr("numeric", "_frombuffer")
    table: dict[tuple[str, str], Any] = {
        ("numpy", "ndarray"): np.ndarray,
        ("numpy", "dtype"): np.dtype,
        ("_codecs", "encode"): codecs.encode,  # how Python 3 writes bytes at protocol 2
    }
    for prefix in ("numpy.core", "numpy._core"):  # files written under NumPy 1 and NumPy 2
        table[(f"{prefix}.multiarray", "_reconstruct")] = reconstruct
        table[(f"{prefix}.multiarray", "scalar")] = scalar
        table[(f"{prefix}.numeric", "_frombuffer")] = frombuffer
    return table


_ALLOWED = _allowed()


class _RestrictedUnpickler(pickle.Unpickler):
    """An unpickler that builds NumPy arrays and plain containers, and nothing else."""

    def find_class(self, module: str, name: str) -> Any:
        """The allowed object for ``module.name``; ``UnsafePickle`` for anything else."""
        try:
            return _ALLOWED[(module, name)]
        except KeyError:
            raise UnsafePickle(
                f"the file asks to load {module}.{name}, which a CIFAR batch never needs, "
                "so it was refused"
            ) from None


def read_batch(path: Path) -> dict[str, Any]:
    """Load one CIFAR batch or meta file as a dict with ``str`` keys.

    Python 2 files (bytes keys) and Python 3 files (str keys) are both accepted;
    nested dict keys are decoded too. Values are left as loaded (strings inside
    lists may be ``bytes``; see ``text``).

    Raises:
        UnsafePickle: the file names a global outside the NumPy array constructors.
        DatasetCorrupt: the file cannot be read or does not hold a dict.
    """
    try:
        with open(path, "rb") as f:
            obj = _RestrictedUnpickler(f, encoding="bytes").load()
    except UnsafePickle as refused:
        raise UnsafePickle(f"{path} was not loaded: {refused}.") from None
    except OSError as error:
        raise DatasetCorrupt(f"{path} could not be read ({error.strerror or error}).") from None
    except Exception as error:  # any unpickling failure means a broken file
        raise DatasetCorrupt(
            f"{path} is not a CIFAR-10 python batch file ({type(error).__name__}: {error})."
        ) from None
    if not isinstance(obj, dict):
        raise DatasetCorrupt(
            f"{path} is not a CIFAR-10 python batch file "
            f"(it holds a {type(obj).__name__}, not a dict)."
        )
    return _str_keys(obj)


def _str_keys(obj: dict[Any, Any]) -> dict[str, Any]:
    return {text(k): (_str_keys(v) if isinstance(v, dict) else v) for k, v in obj.items()}


def text(value: Any) -> str:
    """A pickled Python 2 string as ``str`` (bytes are decoded as Latin-1, as torchvision does)."""
    if isinstance(value, bytes):
        return value.decode("latin-1")
    return str(value)


class _Py2Pickler(pickle._Pickler):  # the pure-Python pickler lets us replace single opcodes
    """A protocol-2 pickler that writes ``str`` and ``bytes`` as Python 2 strings."""

    dispatch: ClassVar[dict[type, Callable[..., None]]] = dict(pickle._Pickler.dispatch)
    # the pure-Python pickler's own methods, which typeshed does not list
    write: Callable[[bytes], Any]
    memoize: Callable[[Any], None]

    def save_py2_string(self, obj: str | bytes) -> None:
        """Write ``obj`` with SHORT_BINSTRING or BINSTRING, as Python 2's pickle did for ``str``."""
        data = obj.encode("latin-1") if isinstance(obj, str) else obj
        if len(data) < 256:
            self.write(pickle.SHORT_BINSTRING + bytes([len(data)]) + data)
        else:
            self.write(pickle.BINSTRING + struct.pack("<i", len(data)) + data)
        self.memoize(obj)

    dispatch[str] = save_py2_string
    dispatch[bytes] = save_py2_string

    def save_global(self, obj: Any, name: str | None = None) -> None:
        """Write NumPy 2's ``numpy._core`` globals as ``numpy.core`` ones, like the real files.

        Both NumPy 1 and NumPy 2 resolve ``numpy.core.multiarray._reconstruct``,
        while ``numpy._core`` exists only in NumPy 2.
        """
        module = getattr(obj, "__module__", None) or ""
        if not module.startswith("numpy._core."):
            super().save_global(obj, name)  # type: ignore[misc]
            return
        module = "numpy.core." + module.removeprefix("numpy._core.")
        self.write(pickle.GLOBAL + f"{module}\n{name or obj.__qualname__}\n".encode("ascii"))
        self.memoize(obj)


def dump_batch(obj: dict[str, Any], f: BinaryIO) -> None:
    """Pickle ``obj`` to ``f`` like CIFAR-10's own files (protocol 2, Python 2 strings)."""
    _Py2Pickler(f, protocol=2).dump(obj)


def batch_bytes(obj: dict[str, Any]) -> bytes:
    """``dump_batch`` into memory: the exact bytes of the file."""
    buffer = io.BytesIO()
    dump_batch(obj, buffer)
    return buffer.getvalue()
