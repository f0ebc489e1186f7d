"""The grader's helper inside the student's kernel (sent there as source text).

It runs in the submission's process, so it trusts nothing it finds there and
the grader trusts nothing it writes: it only moves data. For request number n it
reads ``<inbox>/n/call.json`` (the calls of one check: arguments as JSON plus
``.npy`` files) and, for each call i in turn, seeds the random generators with
that call's seed, runs the student's function by name (or a snippet the grader
wrote) and writes ``<outbox>/n/i/result.json`` (plus ``.npy`` files): the value
as plain data, or the exception as text, and the seconds the call took. It stops
at the first call that does not return a value (the check has its verdict), and
once the results written reach the size limit (the rest are sent again, one by one).

It is installed before the notebook runs and keeps its own references to every
function it uses (``open``, ``json.dump``, ``numpy.frombuffer``, ...), and it
writes and reads ``.npy`` files itself, so a notebook that replaces
``numpy.save``, ``json.dump`` or ``builtins.open`` changes nothing here.
Standard library and NumPy only.
"""


def _autograder_install(inbox, outbox, max_bytes):  # noqa: C901 - one closure on purpose
    import ast
    import builtins
    import json
    import os
    import random
    import sys
    import time
    import traceback

    import numpy

    namespace = get_ipython().user_ns  # noqa: F821 - defined by IPython in the kernel
    _open, _isinstance, _type, _len, _str = (
        builtins.open,
        builtins.isinstance,
        builtins.type,
        builtins.len,
        builtins.str,
    )
    _int, _float, _bool, _tuple, _list, _dict = int, float, bool, tuple, list, dict
    _complex, _all, _range = complex, all, builtins.range
    _callable, _repr, _exec, _compile = (
        builtins.callable,
        builtins.repr,
        builtins.exec,
        builtins.compile,
    )
    # JSON is written by our own encoder from captured functions: the json module's classes
    # (JSONEncoder.iterencode, say) can be patched by the notebook, and every method of a
    # JSONEncoder instance is looked up on its class at call time
    _escape = getattr(json.encoder, "c_encode_basestring_ascii", None) or (
        json.encoder.py_encode_basestring_ascii
    )
    _float_repr, _int_repr = float.__repr__, int.__repr__
    _decode_json = json.JSONDecoder().decode
    _join, _mkdir, _rename = os.path.join, os.mkdir, os.rename
    _clock = time.perf_counter
    _literal = ast.literal_eval
    _extract_tb = traceback.extract_tb
    _seed, _np_seed = random.seed, numpy.random.seed
    _ndarray, _generic, _dtype, _frombuffer = (
        numpy.ndarray,
        numpy.generic,
        numpy.dtype,
        numpy.frombuffer,
    )
    _asarray = numpy.asarray
    _modules = sys.modules
    kinds = "biufc"

    class TooLarge(Exception):
        pass

    class Missing(LookupError):
        pass

    class Names:
        """The notebook's names, for grader-written snippets: ``student["f"]``."""

        def __getitem__(self, name):
            if name not in namespace:
                raise Missing(name)
            return namespace[name]

        def get(self, name, default=None):
            return namespace.get(name, default)

        def __contains__(self, name):
            return name in namespace

    def seed_all(seed):
        _seed(seed)
        _np_seed(seed % 2**32)
        torch = _modules.get("torch")
        if torch is not None:
            torch.manual_seed(seed)

    def read_npy(path):
        with _open(path, "rb") as f:
            data = f.read()
        if data[:6] != b"\x93NUMPY":
            raise ValueError("not an .npy file")
        if data[6] == 1:
            size, start = _int.from_bytes(data[8:10], "little"), 10
        else:
            size, start = _int.from_bytes(data[8:12], "little"), 12
        header = _literal(data[start : start + size].decode("latin1"))
        dtype = _dtype(header["descr"])
        flat = _frombuffer(data, dtype=dtype, offset=start + size)
        order = "F" if header["fortran_order"] else "C"
        return flat.reshape(header["shape"], order=order).copy()

    def write_npy(path, array):
        header = "{'descr': %s, 'fortran_order': False, 'shape': %s, }" % (
            _repr(array.dtype.str),
            _repr(_tuple(array.shape)),
        )
        pad = 64 - (10 + _len(header) + 1) % 64
        header = (header + " " * pad + "\n").encode("latin1")
        with _open(path, "wb") as f:
            f.write(b"\x93NUMPY\x01\x00" + _len(header).to_bytes(2, "little") + header)
            f.write(array.tobytes(order="C"))

    def decode(node, folder):
        if _isinstance(node, _list):
            return [decode(x, folder) for x in node]
        if _isinstance(node, _dict):
            if "__ndarray__" in node:
                return read_npy(_join(folder, node["__ndarray__"]))
            if "__tuple__" in node:
                return _tuple(decode(x, folder) for x in node["__tuple__"])
            if "__dict__" in node:
                return {k: decode(v, folder) for k, v in node["__dict__"].items()}
            if "__scalar__" in node:
                return _dtype(node["__scalar__"]).type(node["value"])
            raise ValueError("unknown node")
        return node

    def encode(value, folder, state, depth=0):
        if depth > 32:
            return {"__unsupported__": "nesting deeper than 32 levels"}
        if value is None or _isinstance(value, (_bool, _str)):
            if _isinstance(value, _str) and _len(value) > 100000:
                value = value[:100000]
            return value
        if _isinstance(value, _generic):
            if value.dtype.kind not in kinds:
                return {"__unsupported__": _type(value).__module__ + "." + _type(value).__name__}
            item = value.item()
            if _isinstance(item, _complex):
                item = [item.real, item.imag]
            return {"__scalar__": value.dtype.str, "value": item}
        if _isinstance(value, _int):
            return _int(value)
        if _isinstance(value, _float):
            return _float(value)
        if _isinstance(value, _tuple):
            return {"__tuple__": [encode(v, folder, state, depth + 1) for v in value]}
        if _isinstance(value, _list):
            if _len(value) > 100000:
                raise TooLarge()
            return [encode(v, folder, state, depth + 1) for v in value]
        if _isinstance(value, _dict):
            if not _all(_type(k) is _str for k in value):
                return {"__unsupported__": "dict with keys that are not strings"}
            return {"__dict__": {k: encode(v, folder, state, depth + 1) for k, v in value.items()}}
        torch = _modules.get("torch")
        origin = _type(value).__module__ + "." + _type(value).__qualname__
        if torch is not None and _isinstance(value, torch.Tensor):
            tensor = value.detach().cpu()
            if tensor.dtype in (torch.bfloat16, torch.float16):
                tensor = tensor.float()
            node = save(tensor.numpy(), folder, state)
            node.update(cls="torch.Tensor", device=_str(value.device))
            node["requires_grad"] = _bool(value.requires_grad)
            return node
        if _isinstance(value, _ndarray):
            if value.dtype.kind not in kinds or value.dtype.fields:
                return {"__unsupported__": "numpy.ndarray of dtype " + _str(value.dtype)}
            node = save(value.view(_ndarray), folder, state)
            node["cls"] = origin
            return node
        return {"__unsupported__": origin}

    def save(array, folder, state):
        state["bytes"] += array.nbytes
        if state["bytes"] > max_bytes:
            raise TooLarge()
        name = "r%d.npy" % state["count"]
        state["count"] += 1
        write_npy(_join(folder, name), array)
        return {"__ndarray__": name}

    def describe(error):
        frames = _extract_tb(error.__traceback__)
        codes, tb = [], error.__traceback__
        while tb is not None:
            codes.append(tb.tb_frame.f_code)
            tb = tb.tb_next
        helper = one.__code__  # the helper's own frame is not where the student's code failed
        mine = [
            frames[i]
            for i in _range(_len(frames))
            if codes[i] is not helper and frames[i].filename != "<autograder>"
        ]
        where = ""
        if mine:
            last = mine[-1]
            where = "at line %d of %s: %s" % (last.lineno, last.name, (last.line or "").strip())
        return {
            "type": _type(error).__name__,
            "mro": [c.__name__ for c in _type(error).__mro__],
            "message": _str(error)[:2000],
            "where": where[:500],
        }

    def dumps(node, depth=0):
        if depth > 64:
            raise TooLarge()
        if node is None:
            return "null"
        if node is True:
            return "true"
        if node is False:
            return "false"
        kind = _type(node)
        if kind is _str:
            return _escape(node)
        if kind is _int:
            return _int_repr(node)
        if kind is _float:
            if node != node:
                return "NaN"
            if node in (float("inf"), float("-inf")):
                return "Infinity" if node > 0 else "-Infinity"
            return _float_repr(node)
        if kind is _list or kind is _tuple:
            return "[" + ",".join([dumps(x, depth + 1) for x in node]) + "]"
        if kind is _dict:
            items = [_escape(_str(k)) + ":" + dumps(v, depth + 1) for k, v in node.items()]
            return "{" + ",".join(items) + "}"
        return dumps({"__unsupported__": "a value the helper cannot write"}, depth + 1)

    def finish(dst, payload):
        tmp = _join(dst, "result.tmp")
        try:
            text = dumps(payload)
        except TooLarge:
            text = dumps({"too_large": True})
        with _open(tmp, "w") as f:
            f.write(text)
        _rename(tmp, _join(dst, "result.json"))

    def run(n):
        src = _join(inbox, _str(n))
        dst = _join(outbox, _str(n))
        _mkdir(dst)
        with _open(_join(src, "call.json")) as f:
            calls = _decode_json(f.read())["calls"]
        used = 0
        for i in _range(_len(calls)):
            here = _join(dst, _str(i))
            _mkdir(here)
            started = _clock()
            payload, size = one(calls[i], src, here)
            payload["seconds"] = _clock() - started
            finish(here, payload)
            used += size
            if "value" not in payload or used >= max_bytes:
                return

    def one(spec, src, dst):
        """One call: its payload, and the bytes of the arrays it wrote."""
        try:
            seed_all(spec["seed"])
            args = decode(spec["args"], src)
            kwargs = decode(spec["kwargs"], src)
        except KeyboardInterrupt:  # the request's time was up before this call began
            return {"interrupted": True}, 0
        except BaseException as error:  # noqa: BLE001
            return {"helper_error": _repr(error)[:500]}, 0
        state = {"bytes": 0, "count": 0}
        try:
            if spec["mode"] == "call":
                fn = namespace.get(spec["name"])
                if fn is None:
                    payload = {"missing": True}
                elif not _callable(fn):
                    payload = {"not_callable": _type(fn).__name__}
                else:
                    passed = _tuple(args)  # immutable: the call cannot swap what is sent back
                    value = fn(*passed, **kwargs)
                    payload = {"value": encode(value, dst, state)}
                    if spec.get("echo_args"):
                        # the arguments as the call left them: the grader compares them with
                        # what it sent (a function must not change its inputs)
                        payload["args_after"] = encode(_list(passed), dst, state)
            else:
                scope = {"student": Names(), "inputs": kwargs, "__name__": "__autograder__"}
                _exec(_compile(spec["code"], "<autograder>", "exec"), scope)
                payload = {"value": encode(scope.get("result"), dst, state)}
        except TooLarge:
            payload = {"too_large": True}
        except Missing as missing:
            payload = {"missing": True, "name": _str(missing.args[0])[:100]}
        except KeyboardInterrupt:
            payload = {"interrupted": True}
        except BaseException as error:  # noqa: BLE001 - SystemExit from student code too
            payload = {"raised": describe(error)}
        return payload, state["bytes"]

    return run
