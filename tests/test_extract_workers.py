"""`kg extract` with worker processes: a worker that cannot load the model stops the run
with a clear error (exit 1); before, the pool started new workers forever."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

KG = Path(sys.executable).with_name("kg")


def _papers(path: Path, n: int) -> Path:
    path.write_text(
        "".join(
            json.dumps({"id": f"p{i}", "abstract": f"We train zorb model {i} on blip data."}) + "\n"
            for i in range(n)
        )
    )
    return path


def test_workers_that_cannot_load_the_model_stop_the_run(tmp_path):
    env = {**os.environ, "KG_ENTITY_MODEL": str(tmp_path / "no-model")}
    res = subprocess.run(
        [str(KG), "extract", "--jobs", "2", str(_papers(tmp_path / "p.jsonl", 4))],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert res.returncode == 1, res.stderr[-2000:]
    assert res.stderr.startswith("Error:") and "scripts/train.py" in res.stderr
