"""`python -m worker.supervise COMMAND...`: run a worker and start it again
whenever it dies (SIGKILL, out of memory, a hard time limit), so that under
`make run` a crashed worker is replaced while the API keeps answering.

It does not restart a worker that exited cleanly or could not load its model
(status 3): the next try would fail the same way. SIGTERM and SIGINT are passed
on to the worker as a warm shutdown, and then the supervisor exits with the worker's status.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time

# The exit status of a worker whose model cannot be loaded (worker.signals)
# or whose settings were refused (recipes_api.settings.refuse): the next
# try would fail the same way, so it is not restarted.
EXIT_MODEL_LOAD = 3
# A worker that lived this long was healthy: its next restart is immediate.
HEALTHY_SECONDS = 60.0
MAX_BACKOFF_SECONDS = 30.0


def say(message: str) -> None:
    print(f"platepilot supervisor: {message}", file=sys.stderr, flush=True)


def supervise(command: list[str]) -> int:
    stopping = False
    child: subprocess.Popen | None = None

    def forward(signum, frame):
        # Always a warm shutdown (SIGTERM): the worker often got the same
        # signal already (honcho and a terminal signal the whole group), and
        # a second SIGINT would make Celery abandon the running job.
        nonlocal stopping
        stopping = True
        if child is not None and child.poll() is None:
            child.send_signal(signal.SIGTERM)

    signal.signal(signal.SIGTERM, forward)
    signal.signal(signal.SIGINT, forward)
    backoff = 1.0
    while True:
        started = time.monotonic()
        child = subprocess.Popen(command)
        status = child.wait()
        if stopping or status in (0, EXIT_MODEL_LOAD):
            return status
        if time.monotonic() - started > HEALTHY_SECONDS:
            backoff = 1.0
        reason = f"signal {-status}" if status < 0 else f"status {status}"
        say(f"the worker died ({reason}); starting a new one in {backoff:.0f}s")
        time.sleep(backoff)
        if stopping:
            return status
        backoff = min(backoff * 2, MAX_BACKOFF_SECONDS)


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit("usage: python -m worker.supervise COMMAND [ARG...]")
    sys.exit(supervise(sys.argv[1:]))
