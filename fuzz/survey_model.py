"""Loads many randomly edited copies of center.tflite and records every crash.

libFuzzer stops at the first crash; this survey keeps going, so one run
shows every kind of damage that still crashes the loader. It uses the model
fuzz target's structure-aware edits (tflite_layout.decode_program, 1-3
records each) on the installed package (no instrumentation needed) and loads
each model in a worker process, restarted whenever it dies. Each crash is
written to OUT as one JSON line: the exit status, the (offset, byte) patches
and the program.

    python fuzz/survey_model.py --seconds 600 --out /tmp/crashes.jsonl
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import tflite_layout  # noqa: E402
from _harness import model_path  # noqa: E402

# Reads model paths, one a line; answers "loaded", "rejected: <reason>" or
# nothing (it died).
WORKER = """
import sys
import attention_jxl
for line in sys.stdin:
    try:
        attention_jxl.Model(line.strip(), threads=1)
        print("loaded", flush=True)
    except (ValueError, TypeError, FileNotFoundError, RuntimeError) as error:
        print("rejected:", str(error).replace("\\n", " "), flush=True)
"""


class Worker:
    """A child interpreter that loads the models it is given."""

    def __init__(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-c", WORKER], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL, text=True)

    def load(self, path: str) -> str | None:
        """The worker's answer, or None when loading killed it."""
        assert self.process.stdin and self.process.stdout
        self.process.stdin.write(path + "\n")
        self.process.stdin.flush()
        return self.process.stdout.readline().strip() or None

    def exit_status(self) -> int:
        return self.process.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=300)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, required=True, help="JSON lines, one per crash")
    args = parser.parse_args()

    original = model_path().read_bytes()
    layout = tflite_layout.layout(original)
    rng = random.Random(args.seed)
    counts = {"models": 0, "loaded": 0, "rejected": 0, "crashed": 0}
    deadline = time.monotonic() + args.seconds
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "edited.tflite")
        worker = Worker()
        while time.monotonic() < deadline:
            program = rng.randbytes(8 * rng.randint(1, 3))
            patches = tflite_layout.decode_program(program, original, layout)
            Path(path).write_bytes(tflite_layout.apply(original, patches))
            answer = worker.load(path)
            counts["models"] += 1
            if answer is None:
                counts["crashed"] += 1
                record = {"exit": worker.exit_status(), "patches": patches,
                          "program": program.hex()}
                with args.out.open("a") as out:
                    out.write(json.dumps(record) + "\n")
                worker = Worker()
            else:
                counts["loaded" if answer == "loaded" else "rejected"] += 1
        worker.process.stdin.close()  # type: ignore[union-attr]
        worker.exit_status()
    print(json.dumps(counts))
    sys.exit(1 if counts["crashed"] else 0)


if __name__ == "__main__":
    main()
