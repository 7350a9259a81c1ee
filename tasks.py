"""Set up the environment and run the project.

    python tasks.py run [-p NAME VALUE ...]  train: run image_classification.ipynb top to bottom
    python tasks.py lab [JUPYTER ARGS]       open the notebook in JupyterLab, with the project's kernel
    python tasks.py import PATH...           import datasets you already have (folders or .zip files)
    python tasks.py test [PYTEST ARGS]       run the test suite
    python tasks.py bench NAME [ARGS]        run benchmarks/NAME.py, its extra packages installed first

Standard library only, so it works on a fresh Python 3.11 on Linux, macOS and Windows. Every
command first makes sure `.venv` exists beside this file with the requirements installed (redone
only when a requirements file changes), the `happysad` package installed in editable mode, and
a Jupyter kernel named `happysad` that runs the environment's Python. Then:

  run    fills happy/ and sad/ from Kaggle if they are empty, then executes the notebook in place,
         showing each cell's output and a progress bar for training as it runs. With papermill
         parameters (`-p EPOCHS 10`, the quick setting) it is a trial: the notebook, model and
         figures go to trial/ and the shipped ones stay as they are, unless the parameters name
         OUTPUT_DIR themselves.
  lab    starts JupyterLab on this folder with the notebook open (Jupyter's defaults: it listens
         on localhost only and asks for the token it prints; the link it prints opens the notebook).
         Arguments go to Jupyter: `--no-browser`, `--port 8890`, `--help`.

TensorFlow: on Linux x86_64 with an NVIDIA driver (`nvidia-smi` answers) the GPU build
(`requirements-gpu.txt`), elsewhere the CPU build (`requirements-cpu.txt`). Set
HAPPYSAD_TENSORFLOW=cpu or HAPPYSAD_TENSORFLOW=gpu to force either.
"""
import hashlib
import os
import platform
import shutil
import subprocess
import sys
import threading
import time
import venv
from pathlib import Path

from happysad.vision.inputs import IMAGE_SUFFIXES  # standard library only: read before anything is installed

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
REQUIREMENTS = ROOT / "requirements.txt"
BENCHMARKS = ROOT / "benchmarks"
NOTEBOOK = "image_classification.ipynb"
TRIAL_DIR = "trial"
KERNEL_NAME = "happysad"  # the notebook's kernelspec names it
# Read by every IPython kernel started from the venv (IPython looks in sys.prefix/etc/ipython).
KERNEL_CONFIG = VENV / "etc" / "ipython" / "ipython_kernel_config.py"
# The training loop writes its progress here when tasks.py asks (happysad.train.progress); `run` draws it.
PROGRESS_VARIABLE = "HAPPYSAD_PROGRESS_FILE"


def venv_python() -> Path:
    return VENV / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def nvidia_driver_answers() -> bool:
    nvidia_smi = shutil.which("nvidia-smi")
    if not nvidia_smi:
        return False
    try:
        return subprocess.run([nvidia_smi, "-L"], capture_output=True, timeout=20).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


def tensorflow_build(environ=os.environ, system=None, machine=None, has_nvidia_driver=nvidia_driver_answers) -> str:
    """"gpu" or "cpu": HAPPYSAD_TENSORFLOW when set, else gpu on Linux x86_64 with an NVIDIA driver."""
    forced = environ.get("HAPPYSAD_TENSORFLOW", "").strip().lower()
    if forced:
        if forced not in ("cpu", "gpu"):
            raise SystemExit(f"HAPPYSAD_TENSORFLOW={forced!r}: use cpu or gpu")
        return forced
    system, machine = system or platform.system(), (machine or platform.machine()).lower()
    if system == "Linux" and machine in ("x86_64", "amd64") and has_nvidia_driver():
        return "gpu"
    return "cpu"


def _stamp(*files: Path, extra: str = "") -> str:
    return hashlib.sha256(b"".join(f.read_bytes() for f in files) + extra.encode()).hexdigest()


def pip(python: Path, *arguments: str, quiet_build=False):
    """pip in the venv; with quiet_build, the build backend's notices are shown only if it fails."""
    command = [str(python), "-m", "pip", "--disable-pip-version-check", *arguments]
    if not quiet_build:
        subprocess.run(command, check=True)
        return
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode:
        sys.stderr.write(done.stdout + done.stderr)
        raise subprocess.CalledProcessError(done.returncode, command)


def ensure_environment(build: str | None = None) -> Path:
    """The venv's python, with the requirements, the project (editable) and its kernel installed."""
    python = venv_python()
    if not python.exists():
        print(f"Creating the environment in {VENV} ...", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    build = build or tensorflow_build()
    tensorflow = ROOT / f"requirements-{build}.txt"
    stamp = VENV / "requirements.sha256"
    wanted = _stamp(*sorted(ROOT.glob("requirements*.txt")), ROOT / "pyproject.toml", extra=build)
    if not stamp.exists() or stamp.read_text().strip() != wanted:
        print(f"Installing the requirements, TensorFlow's {build.upper()} build (first time: a few minutes) ...",
              flush=True)
        pip(python, "install", "--quiet", "--upgrade", "pip")
        installed = VENV / "tensorflow-build"  # absent in environments made before the GPU build existed: cpu
        if (installed.read_text().strip() if installed.exists() else "cpu") != build:
            # tensorflow-cpu and tensorflow install the same module: switching builds removes the other
            pip(python, "uninstall", "--quiet", "--yes", "tensorflow", "tensorflow-cpu")
        pip(python, "install", "--quiet", "-r", str(REQUIREMENTS), "-r", str(tensorflow))
        installed.write_text(build)
        pip(python, "install", "--quiet", "--no-deps", "--editable", str(ROOT), quiet_build=True)
        stamp.write_text(wanted)
    ensure_kernel(python)
    return python


GLIBC_MALLOC_SETTINGS = {"MALLOC_MMAP_MAX_": "0", "MALLOC_TRIM_THRESHOLD_": str(10**11),
                         "MALLOC_TOP_PAD_": str(10**9)}
# The kernel's debugger warns about frozen modules on every start unless told not to check them.
KERNEL_ENVIRONMENT = {"PYDEVD_DISABLE_FILE_VALIDATION": "1", **GLIBC_MALLOC_SETTINGS}


def ensure_kernel(python: Path):
    """The `happysad` kernel (this venv's Python), registered in the venv for Jupyter and papermill."""
    spec = VENV / "share" / "jupyter" / "kernels" / KERNEL_NAME / "kernel.json"
    if not spec.exists():
        environment = [a for name, value in KERNEL_ENVIRONMENT.items() for a in ("--env", name, value)]
        subprocess.run([str(python), "-m", "ipykernel", "install", "--sys-prefix", "--name", KERNEL_NAME,
                        "--display-name", "Python 3 (happysad)", *environment], check=True, capture_output=True)
    if not KERNEL_CONFIG.exists():
        # ipykernel 7 warns at every start that its sockets are not encrypted; the kernel only
        # talks to localhost, so its own log is kept to errors (cells' outputs are untouched).
        KERNEL_CONFIG.parent.mkdir(parents=True, exist_ok=True)
        KERNEL_CONFIG.write_text('c.IPKernelApp.log_level = "ERROR"\n')


def child_environment() -> dict:
    # TensorFlow's log level is set by the happysad package. glibc hands TensorFlow's large tensors
    # out as fresh mmap()s and unmaps them when freed, so every training step page-faults and zeroes
    # them again; on a 2-core AVX2 machine that cost half the step time (55 -> 98 img/s with these,
    # benchmarks/training_speed.py). The `happysad` kernel gets them too. Kept if the user set them.
    environment = dict(os.environ)
    for name, value in KERNEL_ENVIRONMENT.items():
        environment.setdefault(name, value)
    return environment


def has_images(folder: Path) -> bool:
    return folder.is_dir() and any(p.suffix.lower() in IMAGE_SUFFIXES for p in folder.iterdir())


def run(python: Path, args: list[str], environment=None) -> int:
    return subprocess.run([str(python), *args], cwd=ROOT, env=environment or child_environment()).returncode


def notebook_command(parameters: list[str]) -> list[str]:
    """papermill's arguments: in place, or into trial/ when parameters change and OUTPUT_DIR is not given."""
    output = NOTEBOOK
    if parameters and "OUTPUT_DIR" not in parameters:
        output = f"{TRIAL_DIR}/{NOTEBOOK}"
        parameters = [*parameters, "-p", "OUTPUT_DIR", TRIAL_DIR]
    return ["-m", "papermill", "--cwd", str(ROOT), "--log-output", NOTEBOOK, output, *parameters]


def lab_command(python: Path, *options: str) -> list[str]:
    """JupyterLab at the repo root with the notebook open; Jupyter's own defaults keep others out
    (localhost only, a token). The link it prints is the notebook's (its default URL), not the
    Launcher's. Jupyter refuses to start as root unless told it may."""
    as_root = ["--allow-root"] if hasattr(os, "geteuid") and os.geteuid() == 0 else []
    return [str(python), "-m", "jupyter", "lab", NOTEBOOK, f"--ServerApp.root_dir={ROOT}",
            f"--LabApp.default_url=/lab/tree/{NOTEBOOK}", *as_root, *options]


def trust_notebook(python: Path):
    """Sign the notebook as trusted for this user: it is the project's own, and Jupyter would
    otherwise log that it is not trusted each time it opens."""
    subprocess.run([str(python), "-m", "jupyter", "trust", NOTEBOOK], cwd=ROOT, capture_output=True)


class ProgressLine:
    """Draws the training progress that the notebook's kernel writes to a file, on one terminal line,
    between the lines of papermill's own output (which this process passes through)."""

    def __init__(self, path: Path, out=sys.stdout):
        self.path, self.out, self.shown, self.lock = path, out, "", threading.Lock()
        self.done = threading.Event()

    def watch(self, interval=0.5):
        while not self.done.wait(interval):
            with self.lock:  # read under the lock: a line printed meanwhile removes the file it read
                try:
                    text = self.path.read_text().strip()
                except OSError:
                    continue
                if text and text != self.shown:
                    self.out.write("\r" + text.ljust(len(self.shown)))
                    self.out.flush()
                    self.shown = text

    def print_line(self, line: str):
        with self.lock:
            if self.shown:
                self.out.write("\r" + " " * len(self.shown) + "\r")
                self.shown = ""
                self.path.unlink(missing_ok=True)  # shown again only when the kernel writes anew
            self.out.write(line)
            self.out.flush()


def run_notebook(python: Path, parameters: list[str]) -> int:
    """papermill with its cell output streamed through, and the training progress drawn under it."""
    progress = ROOT / TRIAL_DIR / ".progress" if parameters else ROOT / "checkpoints" / ".progress"
    progress.parent.mkdir(parents=True, exist_ok=True)
    progress.unlink(missing_ok=True)
    environment = dict(child_environment(), **{PROGRESS_VARIABLE: str(progress)})
    process = subprocess.Popen([str(python), *notebook_command(parameters)], cwd=ROOT, env=environment,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1)
    line = ProgressLine(progress)
    watcher = threading.Thread(target=line.watch, daemon=True)
    watcher.start()
    for output in process.stdout:
        line.print_line(output)
    line.done.set()
    watcher.join()
    progress.unlink(missing_ok=True)
    return process.wait()


def install_benchmark_requirements(python: Path):
    files = [BENCHMARKS / "requirements.txt", BENCHMARKS / "requirements-no-deps.txt"]
    stamp = VENV / "benchmarks.sha256"
    if not stamp.exists() or stamp.read_text().strip() != _stamp(*files):
        print("Installing the benchmarks' extra packages ...", flush=True)
        pip(python, "install", "--quiet", "-r", str(files[0]))
        pip(python, "install", "--quiet", "--no-deps", "-r", str(files[1]))
        stamp.write_text(_stamp(*files))


COMMANDS = ("run", "lab", "import", "test", "bench")


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in COMMANDS:
        print(__doc__.strip())
        return 2
    command, arguments = argv[0], argv[1:]
    if command == "run" and {"-h", "--help"} & set(arguments):
        print(__doc__.split("TensorFlow:")[0].strip())
        return 0
    if command in ("import", "bench") and not arguments:
        print(f"usage: python tasks.py {command} {'PATH...' if command == 'import' else 'NAME [ARGS]'}")
        return 2
    python = ensure_environment()
    if command == "test":
        return run(python, ["-m", "pytest", *arguments])
    if command == "import":
        return run(python, ["-m", "happysad", "data", "import", *arguments])
    if command == "bench":
        script = BENCHMARKS / f"{Path(arguments[0]).stem}.py"
        if not script.is_file():
            names = ", ".join(sorted(p.stem for p in BENCHMARKS.glob("*.py") if not p.stem.startswith("_")))
            print(f"no benchmark {arguments[0]!r}; the benchmarks are: {names}")
            return 2
        install_benchmark_requirements(python)
        return run(python, [str(script), *arguments[1:]])
    if command == "lab":
        trust_notebook(python)
        return subprocess.run(lab_command(python, *arguments), cwd=ROOT, env=child_environment()).returncode
    if not (has_images(ROOT / "happy") and has_images(ROOT / "sad")):
        print("happy/ and sad/ are empty: downloading the datasets first.", flush=True)
        status = run(python, ["-m", "happysad", "data", "download"])
        if status:
            return status
    if arguments and "OUTPUT_DIR" not in arguments:
        (ROOT / TRIAL_DIR).mkdir(exist_ok=True)
        print(f"Trial run: the notebook, model and figures go to {TRIAL_DIR}/; the shipped ones are not "
              "touched (add `-p OUTPUT_DIR .` to replace them).", flush=True)
    started = time.monotonic()
    status = run_notebook(python, arguments)
    print(f"The notebook ran for {(time.monotonic() - started) / 60:.1f} min.", flush=True)
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
