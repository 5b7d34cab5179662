"""Document steps that misbehave on purpose, for the batch tests.

Workers are spawned processes: they import this module by name (the tests folder is on the
path the parent hands them), so these classes live here and not in a test file.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from pipeline.process import DocumentJobs


@dataclass(frozen=True)
class MisbehavingJobs(DocumentJobs):
    """Hangs on a file named `hang*.pdf` (or, read in ranges, on the rest of `slow*.pdf`),
    grabs memory on `hog*.pdf`, works on the others."""

    def start(self, path: str, sha256: str) -> dict[str, Any]:
        name = path.rsplit("/", 1)[-1]
        if name.startswith("hang"):
            time.sleep(600)
        if name.startswith("hog"):
            hoard = [bytearray(256 * 1024**2) for _ in range(64)]  # 16 GiB, far past the limit
            return {"shard": {"passages": [], "figures": [], "errors": [], "held": len(hoard)}}
        return super().start(path, sha256)

    def rest(self, path: str, sha256: str, batch: Any) -> dict[str, Any]:
        if path.rsplit("/", 1)[-1].startswith("slow"):
            time.sleep(600)
        return super().rest(path, sha256, batch)
