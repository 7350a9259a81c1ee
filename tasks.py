"""Set up the environment and run the project: `python tasks.py run` or `python tasks.py test`.

Standard library only, so it works on a fresh Python 3.11 on Linux, macOS and
Windows. It creates `.venv` beside this file when missing, (re)installs
`requirements.txt` (and `requirements-no-deps.txt`, without dependencies) into it
when they changed, then:

  run   fills happy/ and sad/ from Kaggle if they are empty, then executes
        image_classification.ipynb top to bottom, in place, showing each cell's
        output (the training epochs among them) as it runs. With papermill
        parameters (`-p EPOCHS 20`, the quick setting) it is a trial: the notebook, model and figures
        go to trial/ and the shipped ones stay as they are, unless the parameters
        name OUTPUT_DIR themselves;
  test  runs the test suite (extra arguments go to pytest).
"""
import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
REQUIREMENTS = ROOT / "requirements.txt"
REQUIREMENTS_NO_DEPS = ROOT / "requirements-no-deps.txt"  # packages whose metadata asks for the wrong TensorFlow
NOTEBOOK = "image_classification.ipynb"
TRIAL_DIR = "trial"
# As in happysad.images: this file runs before anything is installed, so it cannot import that.
IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".bmp", ".gif", ".webp", ".tif", ".tiff"}
# Read by every IPython kernel started from the venv (IPython looks in sys.prefix/etc/ipython).
KERNEL_CONFIG = VENV / "etc" / "ipython" / "ipython_kernel_config.py"


def venv_python() -> Path:
    return VENV / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def ensure_environment() -> Path:
    """The venv's python, with requirements.txt installed (only redone when it changes)."""
    python = venv_python()
    if not python.exists():
        print(f"Creating the environment in {VENV} ...", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    stamp = VENV / "requirements.sha256"
    wanted = hashlib.sha256(REQUIREMENTS.read_bytes() + REQUIREMENTS_NO_DEPS.read_bytes()).hexdigest()
    if not stamp.exists() or stamp.read_text().strip() != wanted:
        print("Installing requirements.txt (first time: a few minutes) ...", flush=True)
        pip = [str(python), "-m", "pip", "--disable-pip-version-check"]
        subprocess.run(pip + ["install", "--quiet", "--upgrade", "pip"], check=True)
        subprocess.run(pip + ["install", "--quiet", "-r", str(REQUIREMENTS)], check=True)
        subprocess.run(pip + ["install", "--quiet", "--no-deps", "-r", str(REQUIREMENTS_NO_DEPS)], check=True)
        stamp.write_text(wanted)
    if not KERNEL_CONFIG.exists():
        # ipykernel 7 warns at every start that its sockets are not encrypted; papermill's kernel only
        # talks to localhost, so the kernel's own log is kept to errors (cells' outputs are untouched).
        KERNEL_CONFIG.parent.mkdir(parents=True, exist_ok=True)
        KERNEL_CONFIG.write_text('c.IPKernelApp.log_level = "ERROR"\n')
    return python


GLIBC_MALLOC_SETTINGS = {"MALLOC_MMAP_MAX_": "0", "MALLOC_TRIM_THRESHOLD_": str(10**11),
                         "MALLOC_TOP_PAD_": str(10**9)}


def child_environment() -> dict:
    # TensorFlow's log level is set by the happysad package; the kernel's debugger warns about
    # frozen modules on every start unless told not to check them.
    environment = dict(os.environ, PYTHONPATH=str(ROOT), PYDEVD_DISABLE_FILE_VALIDATION="1")
    # glibc hands TensorFlow's large tensors out as fresh mmap()s and unmaps them when freed, so every
    # training step page-faults and zeroes them again; on a 2-core AVX2 machine that cost half the
    # step time (55 -> 98 img/s with these, benchmarks/training_speed.py). Kept if the user set them.
    for name, value in GLIBC_MALLOC_SETTINGS.items():
        environment.setdefault(name, value)
    return environment


def has_images(folder: Path) -> bool:
    return folder.is_dir() and any(p.suffix.lower() in IMAGE_SUFFIXES for p in folder.iterdir())


def run(python: Path, args: list[str]) -> int:
    return subprocess.run([str(python), *args], cwd=ROOT, env=child_environment()).returncode


def notebook_command(parameters: list[str]) -> list[str]:
    """papermill's arguments: in place, or into trial/ when parameters change and OUTPUT_DIR is not given."""
    output = NOTEBOOK
    if parameters and "OUTPUT_DIR" not in parameters:
        output = f"{TRIAL_DIR}/{NOTEBOOK}"
        parameters = [*parameters, "-p", "OUTPUT_DIR", TRIAL_DIR]
    return ["-m", "papermill", "--cwd", str(ROOT), "--log-output", NOTEBOOK, output, *parameters]


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in ("run", "test"):
        print(__doc__.strip())
        return 2
    python = ensure_environment()
    if argv[0] == "test":
        return run(python, ["-m", "pytest", *argv[1:]])
    if not (has_images(ROOT / "happy") and has_images(ROOT / "sad")):
        print("happy/ and sad/ are empty: downloading the datasets first.", flush=True)
        status = run(python, ["-m", "happysad", "data", "download"])
        if status:
            return status
    command = notebook_command(argv[1:])
    if TRIAL_DIR in command:
        (ROOT / TRIAL_DIR).mkdir(exist_ok=True)
        print(f"Trial run: the notebook, model and figures go to {TRIAL_DIR}/; the shipped ones are not "
              "touched (add `-p OUTPUT_DIR .` to replace them).", flush=True)
    return run(python, command)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
