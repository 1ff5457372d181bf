"""A start line for the probes that several processes run at once (claim_probe, activity_probe).

No Django here: a probe calls it once its connections are open, so that what the
test races is the work itself, not the processes' start-up.
"""

from __future__ import annotations

import time
from pathlib import Path


def start_together(folder: Path, me: int, processes: int) -> None:
    """Say process `me` is ready (a file in `folder`), then wait until all `processes` are."""
    (folder / f"ready-{me}").touch()
    deadline = time.monotonic() + 60
    while len(list(folder.glob("ready-*"))) < processes:
        if time.monotonic() > deadline:
            raise SystemExit("the other processes never got ready")
        time.sleep(0.005)  # a wait on the condition above: files are the processes' only channel
