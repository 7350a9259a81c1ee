"""Run the notebook's own cells from Python: tests and benchmarks train exactly what it trains.

The notebook is the one home of the training recipe: its cells that load the data, define
and compile the model and train it carry a tag naming their step. `run_steps` runs the
import cell, the parameters cell, the given overrides, then the cells of the steps asked
for, in the notebook's order and in one namespace, and returns that namespace.
"""
import json
from pathlib import Path

NOTEBOOK = Path(__file__).resolve().parents[2] / "image_classification.ipynb"
STEPS = ("set_aside", "flows", "model", "compile", "callbacks", "fit")


def _tagged_cells(notebook):
    for index, cell in enumerate(json.loads(Path(notebook).read_text())["cells"]):
        if cell["cell_type"] == "code":
            yield index, set(cell["metadata"].get("tags", [])), "".join(cell["source"])


def run_steps(*steps, namespace=None, notebook=NOTEBOOK, **parameters) -> dict:
    """Run the notebook's cells of `steps` (from STEPS) with `parameters` overriding its
    parameters cell; with `namespace` (one that run_steps returned), go on from it instead."""
    unknown = set(steps) - set(STEPS)
    if unknown:
        raise ValueError(f"no such notebook step: {', '.join(sorted(unknown))}; the steps are {', '.join(STEPS)}")
    cells = list(_tagged_cells(notebook))
    if namespace is None:
        namespace = {}
        for tag in ("imports", "parameters"):
            for index, tags, source in cells:
                if tag in tags:
                    exec(compile(source, f"<{Path(notebook).name} cell {index}: {tag}>", "exec"), namespace)
    namespace.update(parameters)
    for index, tags, source in cells:
        if tags & set(steps):
            exec(compile(source, f"<{Path(notebook).name} cell {index}: {', '.join(sorted(tags))}>", "exec"), namespace)
    return namespace
