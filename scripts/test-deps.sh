#!/usr/bin/env bash
# Installs what the test suite needs beyond Python packages. Idempotent; safe to run often.
#
# Run as root (CI does). One function per need; main() at the bottom calls them in order:
# add a new need as its own function and one line in main(), so helpers do not collide.
#
#   install_postgres       Debian's PostgreSQL server (scripts/run-tests.sh starts a throwaway cluster)
#   install_node           Node.js + npm (Debian's, only if no node is installed at all)
#   install_node_packages  `npm ci` in tests/conformance/node (the npm `akismet-api` client)
#   configure_test_hosts   /etc/hosts names for the key-in-Host Akismet client (docs/akismet.md)
#   install_php            php-cli, to run the WordPress must-use plugin of docs/akismet.md
#   install_browser        Debian's Chromium for the Playwright browser tests
#   install_e2e_node       axe-core for the browser tests (tests/e2e/node)
#   install_wordpress      Debian's wordpress + theme, mariadb-server, php-mysql (a real WordPress)
set -euo pipefail
cd "$(dirname "$0")/.."

APT_UPDATED=0
NODE_DIR=tests/conformance/node

# The npm `akismet-api` client sends comment calls to http://<key>.<host>/..., so the conformance
# test needs these names to resolve to the loopback address. The key is a fixed test key that the
# test imports with `rejoinder keys create --key`; it is never valid outside a throwaway test server.
TEST_API_HOST=akismet.test
TEST_NODE_KEYS=(nodetestkey1 nodebadkey00)

log() { echo "test-deps: $*"; }

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

postgres_bindir() {
    # Newest installed server's bin dir, or nothing.
    local dir
    dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
    if [ -n "$dir" ] && [ -x "$dir/initdb" ] && [ -x "$dir/postgres" ]; then echo "$dir"; fi
}

install_postgres() {
    if [ -n "$(postgres_bindir)" ]; then
        log "PostgreSQL server present ($(postgres_bindir))"
        return
    fi
    log "installing PostgreSQL server"
    # Only the binaries are needed; the package's own cluster is not used by the tests.
    apt_install postgresql
}

install_node() {
    if command -v node >/dev/null && command -v npm >/dev/null; then
        log "node $(node --version), npm $(npm --version) present"
        return
    fi
    log "installing Node.js and npm"
    apt_install nodejs npm
}

install_node_packages() {
    # `npm ci` only when node_modules is missing or older than the lock file.
    local stamp=$NODE_DIR/node_modules/.rejoinder-installed
    if [ -f "$stamp" ] && [ "$stamp" -nt "$NODE_DIR/package-lock.json" ]; then
        log "npm packages in $NODE_DIR up to date"
        return
    fi
    log "npm ci in $NODE_DIR"
    (cd "$NODE_DIR" && npm ci --no-audit --no-fund --loglevel=error)
    touch "$stamp"
}

configure_test_hosts() {
    local name names=("$TEST_API_HOST")
    for name in "${TEST_NODE_KEYS[@]}"; do names+=("$name.$TEST_API_HOST"); done
    for name in "${names[@]}"; do
        if awk -v n="$name" '$1 == "127.0.0.1" { for (i = 2; i <= NF; i++) if ($i == n) f = 1 }
                END { exit !f }' /etc/hosts; then
            continue
        fi
        if [ ! -w /etc/hosts ]; then
            echo "test-deps: need root to add '127.0.0.1 $name' to /etc/hosts" >&2
            return 1
        fi
        log "adding '127.0.0.1 $name' to /etc/hosts"
        echo "127.0.0.1 $name" >>/etc/hosts
    done
}

install_php() {
    if command -v php >/dev/null; then
        log "$(php --version | head -n 1 | cut -d' ' -f1-2) present"
        return
    fi
    log "installing php-cli"
    apt_install php-cli
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

install_openssl() {
    # openssl: tests/notify makes a throwaway certificate to test SMTP with STARTTLS.
    command -v openssl >/dev/null || apt_install openssl
}

install_wordpress() {
    # A real WordPress for tests/conformance/test_wordpress_real.py: Debian's wordpress (6.1.9 with
    # the Akismet plugin 5.0.2), a theme for its comment form, MariaDB and PHP's mysqli. The test
    # copies WordPress to a temp dir and starts its own MariaDB and PHP server; the services the
    # packages install (apache2, mariadb) are not used.
    apt_install wordpress wordpress-theme-twentytwentythree mariadb-server php-mysql php-cli
}

main() {
    install_postgres
    install_node
    install_node_packages
    configure_test_hosts
    install_php
    install_browser
    install_e2e_node
    install_openssl
    install_wordpress
    log "done"
}

main "$@"
