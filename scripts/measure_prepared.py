"""Times the original and the prepared models on one thread and measures memory per copy.

    python scripts/measure_prepared.py [--model center.tflite] [--runs 15]

For each model (original, exact, fast) and runtime (the LiteRT Python Interpreter
and CompiledModel), a fresh process loads the model, runs it twice to warm up and
reports the median of `--runs` invocations, then the growth of its resident set
for creating one more copy and running it once.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import types
from pathlib import Path

import numpy as np

PROJECT = Path(__file__).resolve().parents[1]
REFERENCE = PROJECT.parent / "shared" / "reference" / "model_inputs.npz"


def _rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def _interpreter(path: str, image: np.ndarray):
    from ai_edge_litert.interpreter import Interpreter

    interpreter = Interpreter(model_path=path, num_threads=1)
    interpreter.allocate_tensors()
    for detail in interpreter.get_input_details():
        value = image if detail["dtype"] == np.float32 else np.array(b"")
        interpreter.set_tensor(detail["index"], value)
    interpreter.invoke()
    return interpreter, interpreter.invoke


def _compiled(path: str, image: np.ndarray):
    from ai_edge_litert.compiled_model import CompiledModel

    model = CompiledModel.from_file(path)
    inputs, outputs = model.create_input_buffers(0), model.create_output_buffers(0)
    inputs[0].write(image)

    def run() -> None:
        model.run_by_index(0, inputs, outputs)

    run()
    return (model, inputs, outputs), run


def _measure(path: str, runtime: str, runs: int) -> dict[str, float]:
    """Runs in the child process: timing, then memory for one more copy."""
    image = np.load(REFERENCE)["flower.png"][None]
    create = _interpreter if runtime == "interpreter" else _compiled
    first, run = create(path, image)
    run()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    before = _rss_mb()
    second, _ = create(path, image)
    grown = _rss_mb() - before
    del first, second
    return {"median_ms": float(np.median(times) * 1000), "copy_mb": grown}


def _prepare(model: Path, folder: Path) -> dict[str, Path]:
    try:
        import attention_jxl  # noqa: F401
    except ImportError:  # the compiled core is not built; the preparation does not need it
        package = types.ModuleType("attention_jxl")
        package.__path__ = [str(PROJECT / "python" / "attention_jxl")]
        sys.modules["attention_jxl"] = package
    from attention_jxl._prepare import prepare_model

    return {
        "original": model,
        "exact": prepare_model(model, folder / "exact.tflite", exact=True),
        "fast": prepare_model(model, folder / "fast.tflite"),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, default=Path(os.environ.get(
        "ATTENTION_JXL_MODEL", PROJECT.parent / "shared" / "models" / "center.tflite")))
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(_measure(args.child[0], args.child[1], args.runs)))
        return
    with tempfile.TemporaryDirectory() as folder:
        models = _prepare(args.model, Path(folder))
        results: dict[str, dict[str, object]] = {}
        for runtime in ("interpreter", "compiled"):
            for kind, path in models.items():
                child = subprocess.run(
                    [sys.executable, __file__, "--runs", str(args.runs), "--child", str(path),
                     runtime], capture_output=True, text=True)
                lines = child.stdout.strip().splitlines()
                if child.returncode == 0 and lines:
                    results.setdefault(runtime, {})[kind] = json.loads(lines[-1])
                else:
                    error = (child.stderr.strip().splitlines() or ["failed"])[-1]
                    results.setdefault(runtime, {})[kind] = {"error": error[:200]}
    for runtime, kinds in results.items():
        base = kinds.get("original", {}).get("median_ms")  # type: ignore[union-attr]
        for kind, numbers in kinds.items():
            if "error" in numbers:  # type: ignore[operator]
                print(f"{runtime:12s} {kind:9s} {numbers['error']}")  # type: ignore[index]
                continue
            ms, mb = numbers["median_ms"], numbers["copy_mb"]  # type: ignore[index]
            ratio = f"{ms / base:.2f}x" if base else "-"
            print(f"{runtime:12s} {kind:9s} {ms:8.1f} ms {ratio:>6s}  {mb:6.1f} MB per copy")


if __name__ == "__main__":
    main()
