#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the tests (and for trying devteam's shared store locally):
#   scripts/pg-cluster.sh start DIR   initdb into DIR, start on a free loopback port, create the
#                                     database `devteam`; prints its URL (password auth)
#   scripts/pg-cluster.sh stop DIR    stops it (DIR can then be deleted)
# As root it runs the server as the `postgres` user (the server refuses to run as root).
# Installs Debian's postgresql package when no server binaries are found.
set -euo pipefail
cmd=${1:?usage: pg-cluster.sh start|stop DIR}
dir=${2:?usage: pg-cluster.sh start|stop DIR}

bindir() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }
as_server() {
    if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

case "$cmd" in
start)
    if [ -z "$(bindir)" ]; then
        apt-get update >&2
        DEBIAN_FRONTEND=noninteractive apt-get install -y postgresql >&2
    fi
    bin=$(bindir)
    mkdir -p "$dir"
    [ "$(id -u)" = 0 ] && chown postgres "$dir"
    password=devteam-test
    as_server sh -c "printf '%s\n' '$password' > '$dir/pw'"
    as_server "$bin/initdb" -D "$dir/data" -U devteam --auth=scram-sha-256 --pwfile="$dir/pw" \
        --no-sync -E UTF8 >"$dir/initdb.log"
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    # fsync off: a test server holds nothing worth keeping across a power cut.
    as_server "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
        -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=off -c max_connections=300" start >&2
    PGPASSWORD=$password "$bin/createdb" -h 127.0.0.1 -p "$port" -U devteam devteam
    echo "$port" >"$dir/port"
    echo "postgres://devteam:$password@127.0.0.1:$port/devteam"
    ;;
stop)
    bin=$(bindir)
    [ -d "$dir/data" ] && as_server "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >&2 || true
    ;;
*)
    echo "usage: pg-cluster.sh start|stop DIR" >&2
    exit 2
    ;;
esac
