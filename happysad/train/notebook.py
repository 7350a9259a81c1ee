"""Run the notebook's own cells from Python: tests and benchmarks train exactly what it trains.

The notebook is the one home of the training recipe: its cells that load the data, define
and compile the model and train it carry a tag naming their step. `run_steps` runs the
import cell, the parameters cell, the given overrides, then the cells of the steps asked
for, in the notebook's order and in one namespace, and returns that namespace.

STEPS is the notebook's interface: the names each step's cells must define, the ones tests,
benchmarks and experiments read. They are checked whenever a step runs, so a cell that stops
defining one fails there, by name, not later as a KeyError somewhere else; and reading any other
name a cell happens to define (beside the imports and parameters) fails at once, so a caller
cannot come to depend on a name the notebook never promised.
"""
import json
from pathlib import Path

NOTEBOOK = Path(__file__).resolve().parents[2] / "image_classification.ipynb"
STEPS = {
    "set_aside": ("set_aside",),  # files moved to rejected/
    "flows": ("faces", "train_datagen", "plain_datagen", "emotion_options", "train_flow", "validation_flow",
              "scored_flows"),
    "model": ("make_model", "blurred_max_pooling"),  # make_model(input_shape, classes) -> the untrained network
    "compile": ("channels", "schedule", "model"),
    "callbacks": ("checkpoint", "callbacks"),
    "fit": ("history", "model"),  # the model reloaded from its best epoch
}


class NotebookInterfaceError(RuntimeError):
    """The notebook's cells no longer define a name its interface (STEPS) promises."""


class Steps(dict):
    """The namespace the cells ran in. Read from outside, it gives the names STEPS declares and
    those of the imports and parameters cells; any other, or one no step that ran defined, is
    refused by name."""

    def __init__(self):
        super().__init__()
        self.given = set()  # the imports and parameters cells' names, and overrides
        self.checked = False  # off while cells run: they read their own names freely

    def __getitem__(self, name):
        if self.checked and name not in self.given and not any(name in names for names in STEPS.values()):
            raise KeyError(f"{name!r} is not part of the notebook's interface (happysad.train.notebook.STEPS "
                           "lists what each step defines; declare it there to read it)")
        return super().__getitem__(name)

    def __missing__(self, name):
        defined = sorted(n for names in STEPS.values() for n in names if n in self)
        raise KeyError(f"{name!r} is not defined by the notebook steps that ran (their names: {', '.join(defined)}; "
                       "happysad.train.notebook.STEPS lists what each step defines)")


def _tagged_cells(notebook):
    for index, cell in enumerate(json.loads(Path(notebook).read_text())["cells"]):
        if cell["cell_type"] == "code":
            yield index, set(cell["metadata"].get("tags", [])), "".join(cell["source"])


def run_steps(*steps, namespace=None, notebook=NOTEBOOK, **parameters) -> Steps:
    """Run the notebook's cells of `steps` (from STEPS) with `parameters` overriding its
    parameters cell; with `namespace` (one that run_steps returned), go on from it instead."""
    unknown = set(steps) - set(STEPS)
    if unknown:
        raise ValueError(f"no such notebook step: {', '.join(sorted(unknown))}; the steps are {', '.join(STEPS)}")
    cells = list(_tagged_cells(notebook))
    if namespace is None:
        namespace = Steps()
        for tag in ("imports", "parameters"):
            for index, tags, source in cells:
                if tag in tags:
                    exec(compile(source, f"<{Path(notebook).name} cell {index}: {tag}>", "exec"), namespace)
        namespace.given.update(namespace)
    namespace.checked = False
    namespace.update(parameters)
    namespace.given.update(parameters)
    for step in STEPS:
        if step not in steps:
            continue
        for index, tags, source in cells:
            if step in tags:
                exec(compile(source, f"<{Path(notebook).name} cell {index}: {step}>", "exec"), namespace)
        missing = [name for name in STEPS[step] if name not in namespace]
        if missing:
            raise NotebookInterfaceError(f"{Path(notebook).name}: the cells tagged {step!r} no longer define "
                                         f"{', '.join(missing)} (happysad.train.notebook.STEPS)")
    namespace.checked = True
    return namespace
