#!/usr/bin/env bash
# test/install-deps.sh: install, from Debian 12's archive only, everything
# invstock needs to build, run and test (run as root or through sudo).
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
pkgs=(build-essential postgresql-15 postgresql-server-dev-15 postgresql-contrib
      postgresql-15-pgtap libtap-parser-sourcehandler-pgtap-perl libipc-run-perl
      postgresql-15-cron gnuplot-nox)
missing=()
for p in "${pkgs[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
echo "dependencies installed: ${pkgs[*]}"
