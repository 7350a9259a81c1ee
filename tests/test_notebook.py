"""The notebook itself, run top to bottom on a tiny dataset for one epoch, into a temporary folder."""
import json

import nbformat
import papermill
import pytest

from conftest import REPO, make_dataset
from happysad.train.notebook import NotebookInterfaceError, run_steps

NOTEBOOK = REPO / "image_classification.ipynb"
FIGURES = {"class_counts.png", "samples.png", "augmentation.png", "learning_curves.png",
           "confusion_validation_original.png", "confusion_held-out_original.png", "grad_cam.png", "photos.png"}


# What TensorFlow, absl and the Jupyter kernel print at start-up or on first use
LOG_MARKERS = ("oneDNN", "tensorflow/", "cuda", "I0000 ", "W0000 ", "E0000 ", "absl::", "Debugger warning",
               "PYDEVD", "frozen modules")
LOG_PREFIXES = ("INFO:", "WARNING:", "ERROR:")  # Python's logging, e.g. the LiteRT converter's "INFO:tensorflow:..."


def log_lines(notebook) -> list:
    """Lines of any cell's output that look like library or kernel logging."""
    return [line for cell in notebook.cells for output in cell.get("outputs", [])
            for line in output.get("text", "").splitlines()
            if any(marker in line for marker in LOG_MARKERS) or line.startswith(LOG_PREFIXES)]


def test_log_lines_are_caught_wherever_they_come_from():
    for line in ("INFO:tensorflow:Assets written to: /tmp/x/assets", "2026-12-01 I0000 00:00 cpu_feature_guard",
                 "oneDNN custom operations are on"):
        cell = nbformat.v4.new_code_cell(outputs=[nbformat.v4.new_output("stream", name="stderr", text=line + "\n")])
        assert log_lines(nbformat.v4.new_notebook(cells=[cell])) == [line]


def test_the_committed_notebook_carries_no_log_lines():
    assert log_lines(nbformat.read(NOTEBOOK, as_version=4)) == []


def repo_model_state():
    path = REPO / "happy_sad_model.keras"
    return path.stat().st_mtime_ns if path.exists() else None


def code_cell_with(notebook, text):
    """The one code cell whose source holds `text` (the predict cell: "IMAGE_PATH = None")."""
    cells = [cell for cell in notebook.cells if cell.cell_type == "code" and text in cell.source]
    assert len(cells) == 1, text
    return cells[0]


def cell_text(cell) -> str:
    return "".join(o.get("text", "") for o in cell.get("outputs", []) if o.get("output_type") == "stream")


@pytest.fixture(scope="module")
def executed(tmp_path_factory):
    work = tmp_path_factory.mktemp("notebook")
    make_dataset(work, per_class=40, holdout_per_class=8)
    before = repo_model_state()
    output = papermill.execute_notebook(
        str(NOTEBOOK), str(work / "executed.ipynb"), cwd=str(REPO), kernel_name="python3", progress_bar=False,
        parameters=dict(DATA_DIR=str(work), OUTPUT_DIR=str(work), EPOCHS=1, BATCH_SIZE=16, SEED=7))
    assert repo_model_state() == before, "the test run must not touch the repo's model"
    return work, output


def test_notebook_has_kernelspec_and_tagged_parameters():
    notebook = json.loads(NOTEBOOK.read_text())
    assert notebook["metadata"]["kernelspec"]["name"] == "happysad"  # the kernel tasks.py registers
    assert notebook["metadata"]["kernelspec"]["language"] == "python"
    tagged = [c for c in notebook["cells"] if "parameters" in c["metadata"].get("tags", [])]
    assert len(tagged) == 1
    for name in ("DATA_DIR", "EPOCHS", "SEED", "OUTPUT_DIR"):
        assert f"{name} = " in "".join(tagged[0]["source"])


def test_committed_notebook_holds_one_default_run_top_to_bottom():
    """The shipped outputs come from one uninterrupted run of the notebook as it stands, with its defaults."""
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert [cell.execution_count for cell in code] == list(range(1, len(code) + 1))
    assert not any("injected-parameters" in cell.metadata.get("tags", []) for cell in code)
    assert [output for cell in code for output in cell.outputs if output.output_type == "error"] == []


def test_a_step_that_stops_defining_a_name_it_promises_fails_by_that_name(tmp_path):
    notebook = json.loads(NOTEBOOK.read_text())
    for cell in notebook["cells"]:
        if "model" in cell["metadata"].get("tags", []):
            cell["source"] = ["def build_network(input_shape, classes):\n", "    return None\n"]
    (tmp_path / "renamed.ipynb").write_text(json.dumps(notebook))
    with pytest.raises(NotebookInterfaceError, match="'model' no longer define make_model"):
        run_steps("model", notebook=tmp_path / "renamed.ipynb")
    steps = run_steps("model")
    with pytest.raises(KeyError, match="'train_flow' is not defined .* make_model"):
        steps["train_flow"]  # declared by the flows step, which did not run


def test_a_name_the_notebook_never_promised_cannot_be_read(dataset):
    steps = run_steps("flows", DATA_DIR=str(dataset), BATCH_SIZE=16)
    assert steps["emotion_options"]["class_mode"] == "raw" and steps["BATCH_SIZE"] == 16  # declared; a parameter
    with pytest.raises(KeyError, match="'load_options' is not part of the notebook's interface"):
        steps["load_options"]  # defined by the flows cell, but not in STEPS


@pytest.mark.slow
def test_run_writes_model_and_figures(executed):  # and the LiteRT file the answering side runs
    work, _ = executed
    assert (work / "happy_sad_model.keras").is_file() and (work / "happy_sad_model.tflite").is_file()
    assert FIGURES <= {p.name for p in (work / "figures").iterdir()}


@pytest.mark.slow
def test_no_cell_output_carries_log_lines(executed):
    _, output = executed
    assert log_lines(output) == []  # the LiteRT export's Python log lines too


@pytest.mark.slow
def test_data_without_votes_is_scored_on_its_labels_and_says_so(executed):
    _, output = executed
    printed = "".join(cell_text(cell) for cell in output.cells)
    assert "no FER+ votes found" in printed  # the toy faces are not FER2013's
    assert "held-out, original labels: " in printed and "held-out, agreed faces: no FER+ votes" in printed


@pytest.mark.slow
def test_the_litert_file_the_run_writes_answers_as_its_keras_model(executed):
    _, output = executed
    printed = cell_text(code_cell_with(output, "export_litert(model, MODEL_PATH)"))
    difference = float(printed.split("is within ")[1].split()[0])
    assert "(LiteRT)" in printed and difference <= 0.005, printed


@pytest.mark.slow
def test_predict_cell_prints_a_label(executed):
    _, output = executed
    printed = cell_text(code_cell_with(output, "IMAGE_PATH = None"))
    assert any(f"{answer}, " in printed for answer in ("happy", "sad", "neither")) and "% confident" in printed
    assert "neither " in printed  # the three answers' probabilities


@pytest.mark.slow
def test_the_study_cells_read_two_sessions_into_one_table(executed):
    _, output = executed
    printed = cell_text(code_cell_with(output, "STUDY_DIR = None"))
    assert "2 videos, 0 done before" in printed and "[2/2]" in printed and "study.csv" in printed
    figure = cell_text(code_cell_with(output, "sns.catplot("))
    assert figure == "" or "no face was found" in figure  # a figure, or the toy faces found no face


@pytest.mark.slow
def test_the_answering_cells_work_alone_in_a_fresh_kernel_without_tensorflow(executed, monkeypatch):
    work, output = executed
    cells = [code_cell_with(output, "IMAGE_PATH = None"), code_cell_with(output, "VIDEO_PATH = None"),
             nbformat.v4.new_code_cell("import sys; print('TensorFlow imported:', 'tensorflow' in sys.modules)")]
    alone = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(cell.source) for cell in cells],
                                     metadata=output.metadata)
    monkeypatch.setenv("PYTHONPATH", str(REPO))
    ran = papermill.execute_notebook(alone, str(work / "alone.ipynb"), cwd=str(work), kernel_name="python3",
                                     progress_bar=False)  # in the data folder: its pictures are the defaults
    assert "% confident" in cell_text(ran.cells[0])
    assert "face  seen" in cell_text(ran.cells[1]) or "no face was found" in cell_text(ran.cells[1])
    assert "TensorFlow imported: False" in cell_text(ran.cells[-1])
    assert log_lines(ran) == []
