#!/usr/bin/env bash
# Start a throw-away PostgreSQL on 127.0.0.1, the first free port of 55432-55436, for the store/poller tests'
# PostgreSQL variants.
# Prints "ADMIN_URL DATA_DIR" on success; on any failure prints nothing (those tests then skip with a reason).
set -uo pipefail
bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
if [[ -z $bindir ]]; then
  if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql; } >&2 || exit 0
    bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  fi
fi
[[ -n $bindir ]] || exit 0
run_as=()
if [[ $(id -u) -eq 0 ]]; then
  id postgres >/dev/null 2>&1 || exit 0
  run_as=(runuser -u postgres --)
fi
dir=$(mktemp -d /tmp/coverage-bot-pg.XXXXXX)
[[ ${#run_as[@]} -gt 0 ]] && chown postgres "$dir"
"${run_as[@]}" "$bindir/initdb" -D "$dir/data" -U postgres --auth=trust >&2 || exit 0
for port in 55432 55433 55434 55435 55436; do
  if "${run_as[@]}" "$bindir/pg_ctl" -D "$dir/data" -l "$dir/log" -w \
    -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off" start >&2; then
    echo "postgresql+asyncpg://postgres@127.0.0.1:$port/postgres $dir/data"
    exit 0
  fi
done
