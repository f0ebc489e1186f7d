"""The grader uses jupyter_client and nbclient only through their documented interfaces.

A private method of jupyter_client that the grader once overrode changed upstream
and broke kernel start on every fresh install; these checks keep that from coming
back: no private attribute of either library is overridden, read, called or
patched anywhere in ``autograder/``.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "autograder"
LIBRARIES = ("jupyter_client", "nbclient")


def _private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def _library_private_names() -> set[str]:
    """Every private name defined by a module or class of jupyter_client and nbclient."""
    names: set[str] = set()
    for library in LIBRARIES:
        root = importlib.import_module(library)
        modules = [root]
        for info in pkgutil.walk_packages(root.__path__, prefix=f"{library}."):
            try:
                modules.append(importlib.import_module(info.name))
            except Exception:  # noqa: BLE001 - optional parts (e.g. Windows-only modules)
                continue
        for module in modules:
            names.update(n for n in vars(module) if _private(n))
            for _, cls in inspect.getmembers(module, inspect.isclass):
                if cls.__module__.startswith(library):
                    for klass in cls.__mro__:
                        names.update(n for n in vars(klass) if _private(n))
    return names


def _sources() -> list[tuple[Path, ast.Module]]:
    return [(p, ast.parse(p.read_text(encoding="utf-8"))) for p in sorted(PACKAGE.rglob("*.py"))]


def _library_bindings(tree: ast.Module) -> set[str]:
    """Names a module binds to jupyter_client/nbclient modules or classes."""
    bound: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] in LIBRARIES:
                    bound.add((alias.asname or alias.name).split(".")[0])
        elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] in LIBRARIES:
            bound.update(alias.asname or alias.name for alias in node.names)
    return bound


def _violations() -> list[str]:
    private = _library_private_names()
    found = []
    for path, tree in _sources():
        where = path.relative_to(PACKAGE.parent)
        library = _library_bindings(tree)
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef):
                bases = {b.id for b in node.bases if isinstance(b, ast.Name)}
                if bases & library:
                    # a subclass of a library class keeps no private state and overrides
                    # no private method: any such name may collide with the library's own
                    for item in ast.walk(node):
                        name = None
                        if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)):
                            name = item.name
                        elif isinstance(item, ast.Attribute):
                            name = item.attr
                        if name and _private(name):
                            found.append(f"{where}:{item.lineno}: {node.name} uses {name}")
            elif isinstance(node, ast.Attribute) and _private(node.attr):
                owner = node.value
                mine = isinstance(owner, ast.Name) and owner.id in ("self", "cls")
                if not mine and node.attr in private:
                    found.append(f"{where}:{node.lineno}: reaches into .{node.attr}")
            elif isinstance(node, (ast.Assign, ast.AugAssign)):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                for target in targets:
                    if (
                        isinstance(target, ast.Attribute)
                        and isinstance(target.value, ast.Name)
                        and target.value.id in library
                    ):
                        found.append(f"{where}:{node.lineno}: patches {target.value.id}")
    return found


def test_no_private_attribute_of_jupyter_client_or_nbclient_is_used():
    assert _violations() == []


def test_the_check_sees_a_private_override(tmp_path, monkeypatch):
    """The check itself can fail: a subclass overriding a private method is found."""
    bad = PACKAGE / "_seam_probe_for_tests.py"
    bad.write_text(
        "from jupyter_client.asynchronous import AsyncKernelClient\n"
        "class Probe(AsyncKernelClient):\n"
        "    async def _async_is_alive(self):\n"
        "        return True\n"
        "def f(executor):\n"
        "    executor._display_id_map = {}\n",
        encoding="utf-8",
    )
    try:
        found = _violations()
    finally:
        bad.unlink()
    assert any("Probe uses _async_is_alive" in v for v in found)
    assert any("reaches into ._display_id_map" in v for v in found)


@pytest.mark.parametrize("name", ["reset_execution_trackers", "km = None", "_async_"])
def test_no_known_workaround_is_back(name):
    hits = [
        f"{p.relative_to(PACKAGE.parent)}"
        for p in PACKAGE.rglob("*.py")
        if name in p.read_text(encoding="utf-8")
    ]
    assert hits == []


def test_the_sandbox_provisioner_is_registered():
    """jupyter_client finds the provisioner through its entry point, as it finds any other."""
    from jupyter_client.provisioning import KernelProvisionerFactory

    from autograder.sandbox.provisioner import PROVISIONER, SandboxProvisioner

    entries = KernelProvisionerFactory.instance().get_provisioner_entries()
    assert entries.get(PROVISIONER) == f"{SandboxProvisioner.__module__}:SandboxProvisioner"
