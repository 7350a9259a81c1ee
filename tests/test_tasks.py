"""tasks.py: a run with changed parameters is a trial that leaves the shipped notebook and model alone."""
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
