#!/usr/bin/env bash
# Fuzzes the native entry points with atheris, one target after the other,
# and reports executions and findings per target. Exits 1 when any target
# found something (a crash, a sanitizer report, a hang, a memory blow-up or
# an undocumented exception); its input is saved in fuzz/artifacts/<target>/.
#
# The extension is built with clang into .venv-fuzz (build tree build/fuzz)
# with libFuzzer coverage hooks plus AddressSanitizer and UBSan, and run with
# atheris' ASan+libFuzzer runtime preloaded, so libFuzzer steers by the C++
# core's coverage as well as the Python code's.
#
# Settings (environment):
#   FUZZ_SECONDS=60        time per target
#   FUZZ_TARGETS="..."     subset of: decode group_order transcode_jpeg encode
#                          reorder
#   FUZZ_INSTRUMENT=1      0: plain build (default compiler, no sanitizers, no
#                          native coverage; Python coverage only)
#   FUZZ_SKIP_BUILD=1      reuse the installed build as it is
#   FUZZ_ARGS="..."        extra libFuzzer flags for every target
#   ATTENTION_JXL_MODEL    the model (default ../shared/models/center.tflite)
# Replay one input:  bash fuzz/run.sh --replay TARGET FILE
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${FUZZ_SECONDS:-60}
targets=${FUZZ_TARGETS:-"decode group_order transcode_jpeg encode reorder"}
instrument=${FUZZ_INSTRUMENT:-1}
venv=.venv-fuzz
build=build/fuzz
corpus=fuzz/corpus
artifacts=fuzz/artifacts

if [ -z "${ATTENTION_JXL_MODEL:-}" ] && [ -f ../shared/models/center.tflite ]; then
  export ATTENTION_JXL_MODEL="$PWD/../shared/models/center.tflite"
fi

setup() {
  if ! pkg-config --exists libjxl libpng || ! dpkg -s libjpeg-dev >/dev/null 2>&1; then
    bash scripts/setup.sh
  fi
  if [ "$instrument" = 1 ] && ! command -v clang++ >/dev/null; then
    apt-get install -y -q clang
  fi
  [ -x "$venv/bin/python" ] || "${PYTHON:-python3}" -m venv "$venv"
  echo '*' >"$venv/.gitignore"
  # The build requirements come from pyproject.toml (no build isolation below).
  local build_requires
  mapfile -t build_requires < <("$venv/bin/python" -c 'import tomllib
print("\n".join(tomllib.load(open("pyproject.toml", "rb"))["build-system"]["requires"]))')
  "$venv/bin/python" -m pip install -q "atheris==2.3.0" numpy pillow "${build_requires[@]}"
  local flags=()
  if [ "$instrument" = 1 ]; then
    # vptr and function checks need UBSan's C++ runtime, which atheris'
    # preloadable runtime lacks; every other UBSan check is on.
    export CC=clang CXX=clang++
    flags=(-Ccmake.define.ATTENTION_JXL_FUZZ=ON -Ccmake.define.ATTENTION_JXL_SANITIZE=OFF
           "-Ccmake.define.CMAKE_CXX_FLAGS=-fsanitize=address,undefined -fno-sanitize=vptr,function -fno-sanitize-recover=undefined -fno-omit-frame-pointer"
           -Ccmake.build-type=RelWithDebInfo -Cbuild-dir="$build")
  else
    flags=(-Ccmake.define.ATTENTION_JXL_FUZZ=OFF -Ccmake.define.ATTENTION_JXL_SANITIZE=OFF
           "-Ccmake.define.CMAKE_CXX_FLAGS=" -Cbuild-dir="$build-plain")
  fi
  "$venv/bin/python" -m pip install -q --no-build-isolation --no-deps --force-reinstall \
    "${flags[@]}" .
}

environment() {
  local extension
  # Located without importing it: an instrumented build only loads with the
  # runtime preloaded.
  extension=$("$venv/bin/python" -c "import importlib.util as u, pathlib; \
print(next(pathlib.Path(u.find_spec('attention_jxl').origin).parent.glob('_core*.so')))")
  if nm -D "$extension" | grep __sanitizer_cov_8bit_counters_init >/dev/null; then
    mode="instrumented (libFuzzer coverage + ASan + UBSan)"
    # Python is not instrumented: the sanitizer runtime, with libFuzzer linked
    # in so coverage reaches it rather than ASan's weak stubs, loads first.
    LD_PRELOAD="$("$venv/bin/python" -c 'import atheris; print(atheris.path())')/asan_with_fuzzer.so"
    export LD_PRELOAD
    export ASAN_OPTIONS="detect_leaks=0:handle_abort=1:allocator_may_return_null=0${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
    export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}"
  else
    mode="not instrumented (Python coverage only, no sanitizers)"
  fi
}

# Per-target libFuzzer flags: input size, time and memory per execution.
target_flags() {
  case $1 in
    decode | group_order) echo "-max_len=65536 -timeout=30 -rss_limit_mb=4096" ;;
    transcode_jpeg) echo "-max_len=32768 -timeout=30 -rss_limit_mb=4096" ;;
    encode) echo "-max_len=4096 -timeout=30 -rss_limit_mb=4096" ;;
    reorder) echo "-max_len=65540 -timeout=30 -rss_limit_mb=4096" ;;  # 4-byte center + file
    *) echo "unknown target $1" >&2; exit 2 ;;
  esac
}

if [ "${1:-}" = "--replay" ]; then
  [ $# -eq 3 ] || { echo "usage: $0 --replay TARGET FILE" >&2; exit 2; }
  environment
  # shellcheck disable=SC2046
  exec "$venv/bin/python" "fuzz/fuzz_$2.py" $(target_flags "$2") -runs=1 "$3"
fi

[ "${FUZZ_SKIP_BUILD:-0}" = 1 ] || setup
environment
echo "build: $mode"
"$venv/bin/python" fuzz/make_corpus.py "$corpus"

found=0
summary=()
for target in $targets; do
  mkdir -p "$artifacts/$target"
  log="$artifacts/$target.log"
  echo "== $target: ${seconds}s"
  touch "$artifacts/$target/.start"
  status=0
  # shellcheck disable=SC2046,SC2086
  "$venv/bin/python" "fuzz/fuzz_$target.py" "$corpus/$target" $(target_flags "$target") \
    -max_total_time="$seconds" -print_final_stats=1 -artifact_prefix="$artifacts/$target/" \
    ${FUZZ_ARGS:-} >"$log" 2>&1 || status=$?
  runs=$(grep -o 'stat::number_of_executed_units: [0-9]*' "$log" | tail -1 | grep -o '[0-9]*$' ||
         true)
  # Without final statistics (a crash that ended the process): the last status line.
  [ -n "$runs" ] || runs=$(grep -o '^#[0-9]*' "$log" | tail -1 | tr -d '#' || true)
  inputs=$(find "$artifacts/$target" -maxdepth 1 -type f \
           \( -name 'crash-*' -o -name 'leak-*' -o -name 'timeout-*' -o -name 'oom-*' \) \
           -newer "$artifacts/$target/.start" 2>/dev/null || true)
  if [ "$status" -ne 0 ]; then
    found=1
    summary+=("$target: ${runs:-?} executions, FOUND (exit $status), see $log ${inputs//$'\n'/ }")
    tail -40 "$log"
  else
    summary+=("$target: ${runs:-?} executions, nothing found")
  fi
done

echo
echo "build: $mode"
printf '%s\n' "${summary[@]}"
exit "$found"
