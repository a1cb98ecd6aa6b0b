#!/bin/sh
# Install the system packages the test suite needs: Debian's chromium (and a font), for the
# headless-browser tests of `kg viz` (tests/test_viz.py). Idempotent; non-interactive.
# Run as root (or with sudo) on Debian/Ubuntu.
set -eu

if [ -x /usr/bin/chromium ]; then
    echo "chromium already installed: $(/usr/bin/chromium --version 2>/dev/null || true)"
    exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then
        SUDO="sudo"
    else
        echo "ci-system-deps.sh: need root (or sudo) to apt-get install chromium" >&2
        exit 1
    fi
fi
if ! command -v apt-get >/dev/null 2>&1; then
    echo "ci-system-deps.sh: no apt-get; install chromium with your package manager" >&2
    exit 1
fi

export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update
# fonts-dejavu-core: a font for the labels (fontconfig pulls one in too; be explicit)
$SUDO apt-get install -y --no-install-recommends chromium fonts-dejavu-core
/usr/bin/chromium --version
