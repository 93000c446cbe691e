#!/usr/bin/env bash
# libFuzzer over the C ABI (fuzz/capi_fuzzer.cc: decode, group order,
# reorder), built with clang, ASan and UBSan into build/fuzz-capi against the
# shared library. Seeds: the JPEG XL files of libjxl-testdata.
#   FUZZ_SECONDS=60   how long;  FUZZ_ARGS="..."  extra libFuzzer flags
# Exits 1 when it finds something; the input is saved in fuzz/artifacts/capi/.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${FUZZ_SECONDS:-60}
build=build/fuzz-capi
corpus=fuzz/corpus/capi
artifacts=fuzz/artifacts/capi
[ -x .venv/bin/python ] || bash scripts/setup.sh  # the Python that prepares the model
command -v clang++ >/dev/null || apt-get install -y -q clang

cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++ \
  -DATTENTION_JXL_FUZZ=ON -DATTENTION_JXL_SANITIZE=ON \
  -DPython_EXECUTABLE="$PWD/.venv/bin/python" >/dev/null
cmake --build "$build" --target fuzz_capi -j "$(nproc)" >/dev/null

mkdir -p "$corpus" "$artifacts"
# Seed: each test file behind the two bytes that choose mode and center.
find /usr/share/libjxl-testdata -name '*.jxl' -size -64k | sort | head -200 |
  while read -r file; do
    { printf '\x00\x35'; cat "$file"; } >"$corpus/$(basename "$file")"
  done

export ASAN_OPTIONS="detect_leaks=1:allocator_may_return_null=1${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
log=fuzz/artifacts/capi.log
status=0
# shellcheck disable=SC2086
"$build/fuzz_capi" "$corpus" -max_len=65538 -timeout=30 -rss_limit_mb=4096 \
  -max_total_time="$seconds" -print_final_stats=1 -artifact_prefix="$artifacts/" \
  ${FUZZ_ARGS:-} >"$log" 2>&1 || status=$?
runs=$(grep -o 'stat::number_of_executed_units: [0-9]*' "$log" | grep -o '[0-9]*$' || echo "?")
if [ "$status" -ne 0 ]; then
  tail -40 "$log"
  echo "capi: $runs executions, FOUND (exit $status), see $log"
  exit 1
fi
echo "capi: $runs executions in ${seconds}s, nothing found"
