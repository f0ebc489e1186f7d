"""The grader's helper inside the student's kernel (sent there as source text).

It runs in the submission's process, so it trusts nothing it finds there and
the grader trusts nothing it writes: it only moves data. For call number n it
reads ``<inbox>/n/call.json`` (arguments as JSON plus ``.npy`` files), runs the
student's function by name, or a snippet the grader wrote, and writes
``<outbox>/n/result.json`` (plus ``.npy`` files): the value as plain data, or
the exception as text. Standard library and NumPy only.
"""


def _autograder_install(inbox, outbox, max_bytes):  # noqa: C901 - one closure on purpose
    import json
    import os
    import random
    import sys
    import traceback

    import numpy

    namespace = get_ipython().user_ns  # noqa: F821 - defined by IPython in the kernel
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
        random.seed(seed)
        numpy.random.seed(seed % 2**32)
        torch = sys.modules.get("torch")
        if torch is not None:
            torch.manual_seed(seed)

    def decode(node, folder):
        if isinstance(node, list):
            return [decode(x, folder) for x in node]
        if isinstance(node, dict):
            if "__ndarray__" in node:
                return numpy.load(os.path.join(folder, node["__ndarray__"]), allow_pickle=False)
            if "__tuple__" in node:
                return tuple(decode(x, folder) for x in node["__tuple__"])
            if "__dict__" in node:
                return {k: decode(v, folder) for k, v in node["__dict__"].items()}
            if "__scalar__" in node:
                return numpy.dtype(node["__scalar__"]).type(node["value"])
            if "__torch__" in node:
                import torch

                return torch.from_numpy(decode(node["__torch__"], folder))
            raise ValueError("unknown node")
        return node

    def encode(value, folder, state, depth=0):
        if depth > 32:
            return {"__unsupported__": "nesting deeper than 32 levels"}
        if value is None or isinstance(value, (bool, str)):
            if isinstance(value, str) and len(value) > 100000:
                value = value[:100000]
            return value
        if isinstance(value, int):
            return int(value)
        if isinstance(value, float) and not isinstance(value, numpy.generic):
            return float(value)
        if isinstance(value, numpy.generic):
            if value.dtype.kind not in kinds:
                return {"__unsupported__": type(value).__module__ + "." + type(value).__name__}
            item = value.item()
            if isinstance(item, complex):
                item = [item.real, item.imag]
            return {"__scalar__": value.dtype.str, "value": item}
        if isinstance(value, tuple):
            return {"__tuple__": [encode(v, folder, state, depth + 1) for v in value]}
        if isinstance(value, list):
            if len(value) > 100000:
                raise TooLarge()
            return [encode(v, folder, state, depth + 1) for v in value]
        if isinstance(value, dict):
            if not all(type(k) is str for k in value):
                return {"__unsupported__": "dict with keys that are not strings"}
            return {"__dict__": {k: encode(v, folder, state, depth + 1) for k, v in value.items()}}
        torch = sys.modules.get("torch")
        origin = type(value).__module__ + "." + type(value).__qualname__
        if torch is not None and isinstance(value, torch.Tensor):
            tensor = value.detach().cpu()
            if tensor.dtype in (torch.bfloat16, torch.float16):
                tensor = tensor.float()
            array = tensor.numpy()
            node = save(array, folder, state)
            node.update(cls="torch.Tensor", device=str(value.device))
            node["requires_grad"] = bool(value.requires_grad)
            return node
        if isinstance(value, numpy.ndarray):
            if value.dtype.kind not in kinds:
                return {"__unsupported__": "numpy.ndarray of dtype " + str(value.dtype)}
            node = save(numpy.asarray(value), folder, state)
            node["cls"] = origin
            return node
        return {"__unsupported__": origin}

    def save(array, folder, state):
        state["bytes"] += array.nbytes
        if state["bytes"] > max_bytes:
            raise TooLarge()
        name = "r%d.npy" % state["count"]
        state["count"] += 1
        numpy.save(os.path.join(folder, name), numpy.ascontiguousarray(array), allow_pickle=False)
        return {"__ndarray__": name}

    def describe(error):
        frames = traceback.extract_tb(error.__traceback__)
        mine = [f for f in frames if f.filename != "<autograder>" and f.name != "run"]
        where = ""
        if mine:
            last = mine[-1]
            where = "at line %d of %s: %s" % (last.lineno, last.name, (last.line or "").strip())
        return {
            "type": type(error).__name__,
            "mro": [c.__name__ for c in type(error).__mro__],
            "message": str(error)[:2000],
            "where": where[:500],
        }

    def run(n):
        src = os.path.join(inbox, str(n))
        dst = os.path.join(outbox, str(n))
        os.mkdir(dst)
        with open(os.path.join(src, "call.json")) as f:
            spec = json.load(f)
        seed_all(spec["seed"])
        state = {"bytes": 0, "count": 0}
        try:
            args = decode(spec["args"], src)
            kwargs = decode(spec["kwargs"], src)
        except BaseException as error:  # noqa: BLE001
            finish(dst, {"helper_error": repr(error)[:500]})
            return
        try:
            if spec["mode"] == "call":
                fn = namespace.get(spec["name"])
                if fn is None:
                    payload = {"missing": True}
                elif not callable(fn):
                    payload = {"not_callable": type(fn).__name__}
                else:
                    value = fn(*args, **kwargs)
                    payload = {"value": encode(value, dst, state)}
            else:
                scope = {"student": Names(), "inputs": kwargs, "__name__": "__autograder__"}
                exec(compile(spec["code"], "<autograder>", "exec"), scope)
                payload = {"value": encode(scope.get("result"), dst, state)}
        except TooLarge:
            payload = {"too_large": True}
        except Missing as missing:
            payload = {"missing": True, "name": str(missing.args[0])[:100]}
        except KeyboardInterrupt:
            payload = {"interrupted": True}
        except BaseException as error:  # noqa: BLE001 - SystemExit from student code too
            payload = {"raised": describe(error)}
        finish(dst, payload)

    def finish(dst, payload):
        tmp = os.path.join(dst, "result.tmp")
        with open(tmp, "w") as f:
            json.dump(payload, f)
        os.rename(tmp, os.path.join(dst, "result.json"))

    return run
