"""documents.pdf_safety run on an uploaded file in a child process of its own, bounded in CPU time,
memory and wall-clock time, so that no file can hold a web worker for long or take it down.

The child is a fresh interpreter (`python -m proteacher.documents.pdf_sandbox`): it inherits no
database connection, no thread and no open file of the web process, so it works alike under
gunicorn's sync workers, the threaded development server and the tests. It sets its own limits
before it reads a byte of the file, then writes back the rewritten PDF or the reason it refused.
A fresh interpreter costs about 0.1 s (Python and pikepdf start); a fork of the web process
would be faster but copies its database sockets and, under a threaded server, its locks.

The bounds (a teacher's 1 to 30 scanned pages need well under a tenth of each):
- CPU_SECONDS of processor time (RLIMIT_CPU; the kernel stops the child past it);
- MEMORY_BYTES of address space beyond what the interpreter holds once started (RLIMIT_AS);
- WALL_SECONDS of elapsed time, after which the parent kills the child (a busy machine may give
  the child less than a core, so this is longer than the CPU bound).
"""

import logging
import os
import resource
import subprocess  # nosec B404 # runs only this module, see clean()
import sys
import traceback
from pathlib import Path

from proteacher.documents import pdf_caps

CPU_SECONDS = 3
MEMORY_BYTES = 512 * 1024 * 1024
WALL_SECONDS = 10

OK = b"K"
REFUSED = b"R"
# The project root, so the child imports this very copy of the package.
ROOT = Path(__file__).resolve().parents[2]

logger = logging.getLogger(__name__)


def clean(data: bytes) -> bytes:
    """pdf_safety.clean(data) in the bounded child: the rewritten PDF, or pdf_caps.Refused
    (TOO_COMPLEX when the child ran out of time or memory)."""
    env = {"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(ROOT), "LC_ALL": "C.UTF-8"}
    try:
        done = subprocess.run(  # nosec B603 # a fixed argument list (this interpreter, this module), no shell
            [sys.executable, "-m", __name__, str(CPU_SECONDS), str(MEMORY_BYTES)],
            input=data,
            capture_output=True,
            timeout=WALL_SECONDS,
            cwd=ROOT,
            env=env,
            check=False,
        )
    except subprocess.TimeoutExpired as error:
        raise pdf_caps.Refused(pdf_caps.TOO_COMPLEX) from error
    if done.returncode < 0:
        # Stopped by a signal: SIGXCPU past the CPU bound, or SIGKILL past the hard one.
        raise pdf_caps.Refused(pdf_caps.TOO_COMPLEX)
    kind, body = done.stdout[:1], done.stdout[1:]
    if done.returncode != 0 or kind not in (OK, REFUSED):
        # The child failed without judging the file: the installation, not the file, is at fault.
        raise RuntimeError(f"the PDF check failed (exit {done.returncode}): {_tail(done.stderr)}")
    if kind == REFUSED:
        reason = body.decode("ascii")
        logger.info("PDF refused as %s%s", reason, f": {_tail(done.stderr)}" if done.stderr else "")
        raise pdf_caps.Refused(reason)
    return body


def _tail(stderr: bytes) -> str:
    return stderr[-2000:].decode("utf-8", "replace")


def _limit_self(cpu_seconds: int, memory_bytes: int) -> None:
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 1))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    resource.setrlimit(resource.RLIMIT_AS, (_address_space() + memory_bytes,) * 2)


def _address_space() -> int:
    """The bytes of address space this process holds now (Linux; elsewhere 0 would be too tight,
    so the memory bound is then that of a generous 1 GiB)."""
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[0]) * resource.getpagesize()
    except OSError:
        return 1024 * 1024 * 1024


def main(cpu_seconds: str, memory_bytes: str) -> int:
    """The child: the PDF library loaded, then the limits, then the file from standard input; the
    answer goes to standard output."""
    from proteacher.documents import pdf_safety  # pikepdf is loaded here, in the child only

    # qpdf reports each repair it makes; a damaged file can make thousands.
    logging.getLogger("pikepdf").setLevel(logging.ERROR)
    _limit_self(int(cpu_seconds), int(memory_bytes))
    try:
        body = OK + pdf_safety.clean(sys.stdin.buffer.read())
    except pdf_caps.Refused as refusal:
        body = REFUSED + refusal.reason.encode("ascii")
    except MemoryError:
        body = REFUSED + pdf_caps.TOO_COMPLEX.encode("ascii")
    except Exception:  # a file that trips the reader in a way no rule names is a file it cannot read
        traceback.print_exc()
        body = REFUSED + pdf_caps.BROKEN.encode("ascii")
    sys.stdout.buffer.write(body)
    sys.stdout.buffer.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
