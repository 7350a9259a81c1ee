"""tasks.py: a run with changed parameters is a trial that leaves the shipped notebook and model alone."""
import subprocess

import nbformat

import tasks


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


def test_a_notebook_run_prints_no_kernel_warnings_and_its_kernel_gets_the_malloc_settings(tmp_path):
    tasks.ensure_environment()  # what `run` does first: it writes the kernel's log setting
    names = list(tasks.GLIBC_MALLOC_SETTINGS)
    notebook_cell = f"import os; print('hello', [os.environ.get(name) for name in {names!r}])"
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(notebook_cell)])
    notebook.metadata["kernelspec"] = {"name": "python3", "language": "python", "display_name": "Python 3"}
    nbformat.write(notebook, tmp_path / "hello.ipynb")
    command = ["-m", "papermill", "--log-output", "hello.ipynb", "out.ipynb"]
    environment = tasks.child_environment()
    run = subprocess.run([str(tasks.venv_python()), *command], cwd=tmp_path, env=environment,
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    # papermill's --log-output echoes the cell's output: the kernel runs with the malloc settings
    assert f"hello {[environment[name] for name in names]}" in run.stderr + run.stdout
    assert [line for line in run.stderr.splitlines() if "WARNING" in line or "Debugger warning" in line] == []


def test_malloc_settings_the_user_chose_are_kept(monkeypatch):
    monkeypatch.setenv("MALLOC_MMAP_MAX_", "65536")
    environment = tasks.child_environment()
    assert environment["MALLOC_MMAP_MAX_"] == "65536"
    assert environment["MALLOC_TRIM_THRESHOLD_"] == tasks.GLIBC_MALLOC_SETTINGS["MALLOC_TRIM_THRESHOLD_"]
