"""The package's three rooms on their ground floor: vision, data and answer never import TensorFlow,
no import runs back against the flow (vision imports no room; data and answer only vision), and no
module imports itself round a circle."""
import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "happysad"
ROOMS = ("vision", "data", "train", "answer")


def modules(room):
    return sorted(f"happysad.{room}.{path.stem}" for path in (PACKAGE / room).glob("*.py") if path.stem != "__init__")


def imported_rooms(path: Path) -> set:
    """The package rooms a module imports from, relative or absolute, at any depth of its code."""
    rooms = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            name = node.module or ""
            if node.level == 2 or name.startswith("happysad."):
                rooms.add(name.removeprefix("happysad.").split(".")[0])
            elif node.level == 1 and path.parent == PACKAGE:
                rooms.add(name.split(".")[0])
        elif isinstance(node, ast.Import):
            rooms.update(alias.name.split(".")[1] for alias in node.names if alias.name.startswith("happysad."))
    return rooms & set(ROOMS)


@pytest.mark.parametrize("room, allowed", [("vision", set()), ("answer", {"vision"}), ("data", {"vision"}),
                                           ("train", {"vision", "data", "answer"})])
def test_imports_never_run_back_against_the_flow(room, allowed):
    for path in (PACKAGE / room).glob("*.py"):
        assert imported_rooms(path) <= allowed, f"{path.name} imports from {imported_rooms(path) - allowed}"


@pytest.mark.slow
def test_only_the_training_room_imports_tensorflow():
    checked = modules("vision") + modules("data") + modules("answer") + ["happysad.__main__", "happysad.config",
                                                                         "happysad.files"]
    code = ("import importlib, sys\n"
            f"for name in {checked!r}:\n"
            "    importlib.import_module(name)\n"
            "print(sorted(m for m in ('tensorflow', 'keras') if m in sys.modules))")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert run.stdout.strip() == "[]"
    run = subprocess.run([sys.executable, "-c", "import sys, happysad.train; print('tensorflow' in sys.modules)"],
                         capture_output=True, text=True, check=True)
    assert run.stdout.strip() == "True"


def test_the_data_command_starts_without_tensorflow(tmp_path):
    """`data import` of an empty folder runs its whole path (argument parsing, the importer, votes)."""
    (tmp_path / "empty").mkdir()
    code = ("import runpy, sys\n"
            f"sys.argv = ['happysad', 'data', 'import', {str(tmp_path / 'empty')!r}, '--data-dir', {str(tmp_path / 'data')!r}]\n"
            "try:\n    runpy.run_module('happysad', run_name='__main__')\nexcept SystemExit:\n    pass\n"
            "print('tensorflow' in sys.modules, file=sys.stderr)")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert run.stderr.strip().splitlines()[-1] == "False", run.stderr


@pytest.mark.parametrize("room", ROOMS)
def test_the_package_docstring_lists_every_module_of_each_room(room):
    import re

    import happysad
    block = happysad.__doc__.split(f"\n  {room}/")[1].split("\n\n")[0].split("\n", 1)[1]  # below the room's line
    listed = set(re.findall(r"^    (\w+) ", block, re.M))
    assert listed == {name.rsplit(".", 1)[1] for name in modules(room)}


def module_imports() -> dict:
    """{module: the package's modules it imports, at any depth of its code}."""
    names = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        names[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    graph = {}
    for name, path in names.items():
        package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
        found = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom):
                base = ".".join(package.split(".")[:len(package.split(".")) - node.level + 1]) if node.level else ""
                target = ".".join(part for part in (base, node.module) if part)
                found.update(f"{target}.{a.name}" if f"{target}.{a.name}" in names else target for a in node.names)
            elif isinstance(node, ast.Import):
                found.update(alias.name for alias in node.names)
        graph[name] = {module for module in found if module in names and module != name}
    return graph


def test_no_module_imports_itself_round_a_circle():
    graph, done, circles = module_imports(), set(), []

    def visit(module, path):
        for imported in sorted(graph[module]):
            if imported in path:
                circles.append(" -> ".join(path[path.index(imported):] + [imported]))
            elif imported not in done:
                visit(imported, path + [imported])
        done.add(module)

    for module in sorted(graph):
        visit(module, [module])
    assert "happysad.vision.faces" in graph and graph["happysad.answer.video"], "the import graph was read"
    assert not circles, circles


def test_pip_install_installs_every_room():
    import tomllib

    listed = set(tomllib.loads((PACKAGE.parent / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    found = {".".join(path.parent.relative_to(PACKAGE.parent).parts) for path in PACKAGE.rglob("__init__.py")}
    assert found <= listed, f"pyproject.toml leaves out {found - listed}"
