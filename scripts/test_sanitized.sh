#!/usr/bin/env bash
# Builds the extension with AddressSanitizer + UndefinedBehaviorSanitizer into
# .venv-sanitized (build tree build/sanitized; .venv and its build are left
# alone) and runs the whole test suite under it. Fails on a failing test and
# on any sanitizer report, from pytest itself or from any process it starts.
# Arguments go to pytest instead of the default "tests".
set -euo pipefail
cd "$(dirname "$0")/.."

venv=.venv-sanitized
build=build/sanitized
reports="$PWD/$build/reports"

# The system packages (libjxl, its tools and test data, libpng, libjpeg, Highway).
if ! { command -v cjxl && command -v djxl && pkg-config --exists libjxl libpng libjpeg libhwy &&
       [ -d /usr/share/libjxl-testdata ]; } >/dev/null; then
  bash scripts/setup.sh
fi

if [ ! -x "$venv/bin/python" ]; then
  "${PYTHON:-python3}" -m venv "$venv"
  echo '*' >"$venv/.gitignore"  # keeps the venv out of git status
  "$venv/bin/python" -m pip install -q --upgrade pip
fi
# No build isolation, so the cached build tree keeps pointing at this venv's
# LiteRT library and rebuilds are incremental (pyproject.toml's build requires).
mapfile -t build_requires < <("$venv/bin/python" -c 'import tomllib
print("\n".join(tomllib.load(open("pyproject.toml", "rb"))["build-system"]["requires"]))')
"$venv/bin/python" -m pip install -q "${build_requires[@]}"
# With debug info and unstripped (pybind11 strips Release modules), so
# reports name our functions, files and lines.
"$venv/bin/python" -m pip install -q --no-build-isolation \
  -Ccmake.define.ATTENTION_JXL_SANITIZE=ON -Cbuild-dir="$build" \
  -Ccmake.build-type=RelWithDebInfo -Cinstall.strip=false ".[test]"

# Found without importing it: it cannot load before the runtime is preloaded.
site=$("$venv/bin/python" -c "import sysconfig; print(sysconfig.get_paths()['platlib'])")
extension=$(echo "$site"/attention_jxl/_core*.so)
if ! readelf -d "$extension" | grep -q 'libasan'; then
  echo "error: $extension is not built with AddressSanitizer" >&2
  exit 1
fi

# Python is not instrumented, so the ASan runtime must be loaded before it.
# The variables are inherited by every subprocess the tests start (the CLI,
# cjxl/djxl, cmake and the compiler): uninstrumented programs run fine with
# the runtime preloaded, and any report they produce counts too.
runtime() {
  local path
  path=$("${CXX:-c++}" -print-file-name="$1")
  [ -f "$path" ] || { echo "error: ${CXX:-c++} has no $1" >&2; exit 1; }
  readlink -f "$path"
}
asan=$(runtime libasan.so)
ubsan=$(runtime libubsan.so)
export LD_PRELOAD="$asan $ubsan"
rm -rf "$reports" && mkdir -p "$reports"
# Reports go to one file per process, so a child process whose stderr a test
# captures cannot hide one; exitcode=86 tells a sanitizer exit apart from the
# status 1 some tests expect from the CLI. GCC's UBSan prints to stderr only
# (its log_path call binds to ASan's runtime, hence the same path in both), so
# it aborts and ASan's handle_abort writes the stack, with the failed check's
# __ubsan_handle_* frame, to the log.
# No leak checking: CPython leaves memory unreachable at exit and every stack
# of ours runs under Python frames, so no suppression could spare only ours
# (tests/test_memory.py checks for leaks instead).
log="log_path=$reports/report:exitcode=86"
export ASAN_OPTIONS="$log:halt_on_error=1:handle_abort=1:detect_leaks=0:detect_stack_use_after_return=1:check_initialization_order=1:strict_init_order=1"
export UBSAN_OPTIONS="$log:halt_on_error=1:abort_on_error=1:print_stacktrace=1"
# Python objects through malloc, so ASan sees every buffer the binding touches.
export PYTHONMALLOC=malloc
# tests/test_sdk.py builds and installs the SDK with CMake: instrument it too.
export CXXFLAGS="-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer -g"
export LDFLAGS="-fsanitize=address,undefined"

start=$SECONDS
status=0
# ai_edge_litert's own Python CompiledModel dlopens its vendor plugins with
# RTLD_DEEPBIND, which the sanitizer runtime cannot run (the core never loads
# them): that one test of the preparation is left out here.
(($#)) || set -- tests --deselect tests/test_prepare.py::test_compiled_model_loads_prepared
"$venv/bin/python" -m pytest -p no:cacheprovider "$@" 2>&1 |
  tee "$reports/pytest.log" || status=$?
echo "wall time: $((SECONDS - start)) s"

# A report anywhere (a log file or pytest's own output) fails the run.
found=$(grep -rl -e 'ERROR: AddressSanitizer' -e 'runtime error:' "$reports" || true)
if [ -n "$found" ]; then
  for file in $found; do echo "== $file"; grep -v '^$' "$file" | head -40; done
  echo "sanitizer reports found: $(echo "$found" | wc -l) file(s) in $reports" >&2
  exit 1
fi
echo "0 sanitizer reports"
exit "$status"
