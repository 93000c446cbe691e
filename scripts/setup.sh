#!/usr/bin/env bash
# Installs everything attention_jxl needs on Debian 12 or 13 and builds it into .venv.
# Safe to run again: installed packages are kept, the package is rebuilt.
set -euo pipefail
cd "$(dirname "$0")/.."

apt_packages=(build-essential cmake pkg-config python3-dev python3-venv
              libjxl-dev libjxl-tools libjxl-testdata
              libjpeg62-turbo-dev libjpeg-turbo-progs libpng-dev libhwy-dev
              chromium mate-backgrounds)  # the browser tests: a JPEG XL browser, a photo
missing=()
for package in "${apt_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" ||
    missing+=("$package")
done
if ((${#missing[@]})); then
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi

[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q ".[test]"
