"""tasks.py: the environment it builds (TensorFlow build, kernel, editable package), the notebook
runs it starts (in place, or a trial into trial/), the progress line it draws, and JupyterLab."""
import io
import json
import os
import platform
import subprocess
import sys

import nbformat
import pytest

import tasks
from conftest import REPO, face


def test_plain_run_executes_the_notebook_in_place():
    command = tasks.notebook_command([])
    assert command[-2:] == [tasks.NOTEBOOK, tasks.NOTEBOOK] and "--log-output" in command


def test_run_with_parameters_writes_into_the_trial_folder():
    command = tasks.notebook_command(["-p", "EPOCHS", "2"])
    assert f"{tasks.TRIAL_DIR}/{tasks.NOTEBOOK}" in command
    assert command[-6:] == ["-p", "EPOCHS", "2", "-p", "OUTPUT_DIR", tasks.TRIAL_DIR]


def test_run_that_names_its_output_folder_goes_there():
    command = tasks.notebook_command(["-p", "EPOCHS", "2", "-p", "OUTPUT_DIR", "."])
    assert command.count("OUTPUT_DIR") == 1 and command[-8:-6] == [tasks.NOTEBOOK, tasks.NOTEBOOK]


@pytest.mark.parametrize("system, machine, driver, forced, build", [
    ("Linux", "x86_64", True, "", "gpu"),
    ("Linux", "x86_64", False, "", "cpu"),
    ("Linux", "aarch64", True, "", "cpu"),     # no tensorflow[and-cuda] wheel there
    ("Darwin", "arm64", False, "", "cpu"),
    ("Windows", "AMD64", True, "", "cpu"),     # TensorFlow's GPU build is Linux-only
    ("Linux", "x86_64", True, "cpu", "cpu"),   # HAPPYSAD_TENSORFLOW forces either
    ("Linux", "x86_64", False, "gpu", "gpu"),
])
def test_tensorflow_build_follows_the_machine_unless_forced(system, machine, driver, forced, build):
    environ = {"HAPPYSAD_TENSORFLOW": forced} if forced else {}
    assert tasks.tensorflow_build(environ, system, machine, lambda: driver) == build


def stand_in_nvidia_smi(folder, answers=True):
    """An `nvidia-smi` that lists one GPU (or fails, as on a machine whose driver is broken)."""
    script = folder / "nvidia-smi"
    script.write_text("#!/bin/sh\n" + ("echo 'GPU 0: NVIDIA H200 (UUID: GPU-0)'\n" if answers else "exit 9\n"))
    script.chmod(0o755)
    return folder


@pytest.mark.skipif(platform.system() != "Linux" or platform.machine() != "x86_64",
                    reason="the GPU build is for Linux x86_64")
@pytest.mark.parametrize("answers, build", [(True, "gpu"), (False, "cpu")])
def test_the_build_follows_whether_nvidia_smi_answers_here(tmp_path, monkeypatch, answers, build):
    monkeypatch.setenv("PATH", f"{stand_in_nvidia_smi(tmp_path, answers)}{os.pathsep}{os.environ['PATH']}")
    assert tasks.tensorflow_build({}) == build
    assert tasks.tensorflow_build({"HAPPYSAD_TENSORFLOW": "cpu"}) == "cpu"  # forced, whatever the machine


def test_this_machine_gets_the_build_its_driver_asks_for_and_a_bad_switch_is_refused():
    # Whatever this machine is: the GPU build exactly where an NVIDIA driver answers on Linux x86_64.
    gpu_here = platform.system() == "Linux" and platform.machine() == "x86_64" and tasks.nvidia_driver_answers()
    assert tasks.tensorflow_build({}) == ("gpu" if gpu_here else "cpu")
    with pytest.raises(SystemExit, match="HAPPYSAD_TENSORFLOW"):
        tasks.tensorflow_build({"HAPPYSAD_TENSORFLOW": "tpu"})


def test_gpu_and_cpu_requirements_pin_the_same_tensorflow():
    version = lambda name: {line.split("==")[1].split(";")[0].strip()  # noqa: E731
                            for line in (REPO / name).read_text().splitlines() if "==" in line and "tensorflow" in line}
    assert version("requirements-cpu.txt") == version("requirements-gpu.txt") == {"2.21.0"}


@pytest.mark.slow
def test_kernel_runs_the_venv_python_with_the_malloc_settings(tmp_path):
    tasks.ensure_kernel(tasks.venv_python())  # what every command does after installing (no pip here)
    spec = json.loads((tasks.VENV / "share/jupyter/kernels" / tasks.KERNEL_NAME / "kernel.json").read_text())
    assert spec["argv"][0] == str(tasks.venv_python()) and spec["display_name"] == "Python 3 (happysad)"
    assert json.loads((REPO / tasks.NOTEBOOK).read_text())["metadata"]["kernelspec"]["name"] == tasks.KERNEL_NAME
    names = list(tasks.GLIBC_MALLOC_SETTINGS)
    notebook_cell = f"import os; print('hello', [os.environ.get(name) for name in {names!r}])"
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(notebook_cell)])
    notebook.metadata["kernelspec"] = {"name": tasks.KERNEL_NAME, "language": "python", "display_name": "x"}
    nbformat.write(notebook, tmp_path / "hello.ipynb")
    environment = {k: v for k, v in tasks.child_environment().items() if not k.startswith("MALLOC_")}
    run = subprocess.run([str(tasks.venv_python()), "-m", "papermill", "--log-output", "hello.ipynb", "out.ipynb"],
                         cwd=tmp_path, env=environment, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    # papermill's --log-output echoes the cell's output: the kernel spec itself carries the malloc settings
    assert f"hello {list(tasks.GLIBC_MALLOC_SETTINGS.values())}" in run.stderr + run.stdout
    assert [line for line in run.stderr.splitlines() if "WARNING" in line or "Debugger warning" in line] == []


def test_malloc_settings_the_user_chose_are_kept(monkeypatch):
    monkeypatch.delenv("MALLOC_TRIM_THRESHOLD_", raising=False)  # importing distributed (the study's tests) sets it
    monkeypatch.setenv("MALLOC_MMAP_MAX_", "65536")
    environment = tasks.child_environment()
    assert environment["MALLOC_MMAP_MAX_"] == "65536"
    assert environment["MALLOC_TRIM_THRESHOLD_"] == tasks.GLIBC_MALLOC_SETTINGS["MALLOC_TRIM_THRESHOLD_"]


def test_progress_line_is_drawn_between_output_lines_and_cleared_before_each(tmp_path):
    progress, out = tmp_path / ".progress", io.StringIO()
    line = tasks.ProgressLine(progress, out)
    progress.write_text("training: epoch 1/2 [#.........] 10/368 steps")
    line.done.set()
    line.done.clear()
    import threading
    watcher = threading.Thread(target=line.watch, kwargs={"interval": 0.01}, daemon=True)
    watcher.start()
    for _ in range(2000):  # up to 20 s: a loaded 2-core machine may be slow to start the thread
        if line.shown:
            break
        threading.Event().wait(0.01)
    line.print_line("Epoch 2/2\n")
    line.done.set()
    watcher.join()
    text = out.getvalue()
    assert text.startswith("\rtraining: epoch 1/2") and text.endswith("\rEpoch 2/2\n")
    assert not progress.exists()  # a line printed over it: drawn again only when the kernel writes anew


def test_no_tracked_file_is_one_git_ignores():
    """What setup and runs write (.venv, the egg-info, trial/, checkpoints/) is ignored and never
    tracked, so a fresh clone stays clean (.ci/run checks `git status` after the suite)."""
    tracked_but_ignored = subprocess.run(["git", "ls-files", "--cached", "--ignored", "--exclude-standard"],
                                         cwd=REPO, capture_output=True, text=True, check=True).stdout
    assert tracked_but_ignored == ""
    ignored = subprocess.run(["git", "check-ignore", "happysad.egg-info/PKG-INFO", ".venv/x", "trial/x",
                              "checkpoints/x"], cwd=REPO, capture_output=True, text=True).stdout.split()
    assert len(ignored) == 4


def test_run_help_is_help_and_starts_nothing(capsys):
    assert tasks.main(["run", "--help"]) == 0
    printed = capsys.readouterr().out
    assert "-p NAME VALUE" in printed and "Trial run" not in printed


def test_import_and_bench_need_their_arguments(capsys):
    assert tasks.main(["import"]) == 2 and "PATH" in capsys.readouterr().out
    assert tasks.main(["bench"]) == 2


def test_python_m_happysad_works_from_another_folder_and_answers_help_at_once(tmp_path):
    face("happy", 3, 96, "RGB").save(tmp_path / "face.png")
    python = str(tasks.venv_python())
    helped = subprocess.run([python, "-X", "importtime", "-m", "happysad", "--help"], cwd=tmp_path,
                            capture_output=True, text=True, timeout=60)
    assert helped.returncode == 0 and "predict" in helped.stdout
    assert "tensorflow" not in helped.stderr  # -X importtime lists every module imported: no TensorFlow
    run = subprocess.run([python, "-m", "happysad", "predict", "face.png", "--json"], cwd=tmp_path,
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr  # the shipped model is found beside the package
    assert json.loads(run.stdout)[0]["file"] == "face.png"
    assert run.stderr == ""


@pytest.mark.slow
def test_jupyterlab_started_as_lab_starts_it_runs_the_predict_cell_in_the_project_kernel(tmp_path):
    from lab_client import JupyterServer
    picture = tmp_path / "face.png"
    face("sad", 4, 96, "RGB").save(picture)
    cell = next("".join(c["source"]) for c in json.loads((REPO / tasks.NOTEBOOK).read_text())["cells"]
                if c["cell_type"] == "code" and "IMAGE_PATH = None" in "".join(c["source"]))
    cell = cell.replace("IMAGE_PATH = None", f"IMAGE_PATH = {str(picture)!r}")
    outside = f"import os, happysad; os.chdir({str(tmp_path)!r}); import happysad.data.votes; print('from', os.getcwd())"
    with JupyterServer([sys.executable, "tasks.py", "lab", "--no-browser"], cwd=REPO) as server:  # as a user starts it
        assert f"/lab/tree/{tasks.NOTEBOOK}?token=" in server.output()  # the printed link opens the notebook
        assert server.get(f"/api/contents/{tasks.NOTEBOOK}")["type"] == "notebook"
        assert tasks.KERNEL_NAME in server.get("/api/kernelspecs")["kernelspecs"]
        assert server.get_status("/api/status", token=None) == 403  # no token, no entry
        kernel = server.start_kernel(tasks.KERNEL_NAME)
        printed = server.execute(kernel, cell)
        assert f"{picture}: sad, " in printed or f"{picture}: happy, " in printed
        assert "% confident" in printed
        assert server.execute(kernel, "import sys; print(sys.executable)").strip() == str(tasks.venv_python())
        assert server.execute(kernel, outside).strip() == f"from {tmp_path}"
        assert "not trusted" not in server.output()


@pytest.mark.slow
def test_lab_passes_its_arguments_to_jupyter():
    run = subprocess.run([sys.executable, "tasks.py", "lab", "--help"], cwd=REPO, capture_output=True, text=True,
                         timeout=300)
    assert run.returncode == 0 and "--no-browser" in run.stdout  # Jupyter's own help, no server started
    assert tasks.lab_command(tasks.venv_python(), "--port=8890")[-1] == "--port=8890"
