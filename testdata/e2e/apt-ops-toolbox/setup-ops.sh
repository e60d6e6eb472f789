#!/bin/bash
# Per-user setup for the ops account: aliases, sqlite and jq defaults, a welcome line.
set -euo pipefail
user=${1:?usage: setup-ops.sh USER}
home=$(getent passwd "$user" | cut -d: -f6)

cat >> "$home/.bashrc" <<'RC'
alias ll='ls -la'
alias q='sqlite3 -box'
export LESS=-R
RC
printf '.mode box\n.headers on\n' > "$home/.sqliterc"
mkdir -p "$home/.config/ops"
echo "toolbox prepared for $user on $(date -u +%Y-%m-%d)" > "$home/.config/ops/setup.log"
chown -R "$user:$user" "$home"
