#!/bin/sh
# Install the system packages the test suite needs: Debian's chromium, its chromedriver (the
# browser tests drive it through Selenium) and a font, for the headless-browser tests of
# `kg viz` and `kg serve` (tests/test_viz.py, tests/test_site_browser.py). Idempotent;
# non-interactive.
# Run as root (or with sudo) on Debian/Ubuntu.
set -eu

if [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]; then
    echo "chromium already installed: $(/usr/bin/chromium --version 2>/dev/null || true)"
    echo "chromedriver already installed: $(/usr/bin/chromedriver --version 2>/dev/null || true)"
    exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then
        SUDO="sudo"
    else
        echo "ci-system-deps.sh: need root (or sudo) to apt-get install chromium chromium-driver" >&2
        exit 1
    fi
fi
if ! command -v apt-get >/dev/null 2>&1; then
    echo "ci-system-deps.sh: no apt-get; install chromium and chromedriver with your package manager" >&2
    exit 1
fi

export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update
# chromium-driver: /usr/bin/chromedriver, of the same version as chromium (Selenium is
# given its path, so Selenium Manager never downloads a driver)
# fonts-dejavu-core: a font for the labels (fontconfig pulls one in too; be explicit)
$SUDO apt-get install -y --no-install-recommends chromium chromium-driver fonts-dejavu-core
/usr/bin/chromium --version
/usr/bin/chromedriver --version
