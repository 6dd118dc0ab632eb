#!/usr/bin/env bash
# Runs lint, type check and the whole suite. Services the tests need are started here.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
$BIN/ruff check src tests bench
$BIN/ruff format --check src tests bench
$BIN/mypy
$BIN/python -m pytest "$@"
