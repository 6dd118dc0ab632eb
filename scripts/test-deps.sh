#!/usr/bin/env bash
# Installs what the test suite needs beyond Python packages. Idempotent; safe to run often.
# One function per need; main() at the bottom calls them in order.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_UPDATED=0

apt_install() {
    # apt_install PKG... : install the Debian packages that are missing (apt-get update once).
    local missing=()
    for pkg in "$@"; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" \
            || missing+=("$pkg")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    if [ "$(id -u)" -ne 0 ]; then
        echo "test-deps: need root to install: ${missing[*]}" >&2
        return 1
    fi
    if [ "$APT_UPDATED" -eq 0 ]; then
        DEBIAN_FRONTEND=noninteractive apt-get update -qq
        APT_UPDATED=1
    fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

install_browser() {
    # Debian's Chromium for the Playwright browser tests (never `playwright install`).
    apt_install chromium fonts-dejavu-core
}

install_e2e_node() {
    # axe-core (accessibility checks in the browser tests), pinned by tests/e2e/node/package-lock.json.
    command -v npm >/dev/null || apt_install nodejs npm
    if [ ! -f tests/e2e/node/node_modules/axe-core/axe.min.js ]; then
        (cd tests/e2e/node && npm ci --silent --no-audit --no-fund)
    fi
}

main() {
    install_browser
    install_e2e_node
}

main "$@"
