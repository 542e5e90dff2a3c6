#!/usr/bin/env bash
# test/demo.sh: set up and run invstock on a fresh Debian 12 machine.
# Installs the packages, builds, installs, starts a throwaway PostgreSQL 15
# (pg_virtualenv), creates the extension, plays the seed scenarios and prints
# the levels and the ledger.  Run as root or through sudo.
set -euo pipefail
cd "$(dirname "$0")/.."
bash test/install-deps.sh
make -s
make -s install
pg_virtualenv -t -c "-p $(bash test/free-port.sh)" -v 15 psql -X -q -f test/demo.sql
