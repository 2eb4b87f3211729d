#!/usr/bin/env bash
# Starts the services the scale-out tests use, on loopback only: nats-server with JetStream (-js) and a
# private PostgreSQL cluster. Installs Debian's nats-server / postgresql when missing. Idempotent and quick:
# a service already answering on its port is left alone.
#
# Prints `export OBI_NATS_URL=…` and `export OBI_PG_URL=…` on stdout (progress goes to stderr), so a caller
# can do:   eval "$(scripts/start-services.sh)"
#
# Environment (all optional):
#   OBI_SERVICES_DIR  where data, logs and pid files live      (default /tmp/obi-services)
#   OBI_NATS_PORT     NATS client port                          (default 14222)
#   OBI_PG_PORT       PostgreSQL port                           (default 15432)
#   OBI_PG_DB         database created for obi                  (default obi)
set -euo pipefail

DIR="${OBI_SERVICES_DIR:-/tmp/obi-services}"
NATS_PORT="${OBI_NATS_PORT:-14222}"
PG_PORT="${OBI_PG_PORT:-15432}"
PG_DB="${OBI_PG_DB:-obi}"
HOST=127.0.0.1

log() { echo "start-services: $*" >&2; }

# True when something accepts TCP connections on $HOST:$1.
listening() { (exec 3<>"/dev/tcp/$HOST/$1") 2>/dev/null; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null 2>&1; then sudo -n "$@"; else return 1; fi
}

APT_UPDATED=0
apt_install() {
  if [ "$APT_UPDATED" -eq 0 ]; then
    as_root apt-get update -qq >&2 || log "apt-get update failed; trying the install anyway"
    APT_UPDATED=1
  fi
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "$@" >&2
}

find_bin() {
  local name="$1"
  shift
  command -v "$name" 2>/dev/null && return 0
  for candidate in "$@"; do
    if [ -x "$candidate" ]; then
      echo "$candidate"
      return 0
    fi
  done
  return 1
}

wait_for_port() {
  local port="$1" what="$2"
  for _ in $(seq 1 100); do
    listening "$port" && return 0
    sleep 0.1
  done
  log "$what did not start listening on $HOST:$port (see $DIR)"
  return 1
}

mkdir -p "$DIR"
chmod 755 "$DIR"

# --- NATS with JetStream -------------------------------------------------------------------------------
if listening "$NATS_PORT"; then
  log "nats already listening on $HOST:$NATS_PORT"
else
  NATS_BIN="$(find_bin nats-server /usr/sbin/nats-server /usr/bin/nats-server || true)"
  if [ -z "$NATS_BIN" ]; then
    log "installing nats-server"
    apt_install nats-server
    NATS_BIN="$(find_bin nats-server /usr/sbin/nats-server /usr/bin/nats-server)"
  fi
  mkdir -p "$DIR/nats"
  log "starting $NATS_BIN -js on $HOST:$NATS_PORT"
  nohup "$NATS_BIN" -js -a "$HOST" -p "$NATS_PORT" -sd "$DIR/nats" -P "$DIR/nats.pid" -l "$DIR/nats.log" \
    >/dev/null 2>&1 </dev/null &
  wait_for_port "$NATS_PORT" nats-server
fi

# --- PostgreSQL: a private cluster, trust auth on loopback (test data only) ----------------------------
PG_BIN_DIR="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)"
if [ -z "$PG_BIN_DIR" ] && ! listening "$PG_PORT"; then
  log "installing postgresql"
  apt_install postgresql
  PG_BIN_DIR="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)"
fi

# PostgreSQL refuses to run as root: run it as `postgres` when we are root.
if [ "$(id -u)" -eq 0 ]; then
  PG_USER=postgres
  as_pg() { runuser -u postgres -- "$@"; }
else
  PG_USER="$(id -un)"
  as_pg() { "$@"; }
fi

PGDATA="$DIR/pg"
if listening "$PG_PORT"; then
  log "postgresql already listening on $HOST:$PG_PORT"
else
  if [ ! -s "$PGDATA/PG_VERSION" ]; then
    mkdir -p "$PGDATA"
    [ "$(id -u)" -eq 0 ] && chown "$PG_USER" "$PGDATA"
    log "initdb $PGDATA"
    as_pg "$PG_BIN_DIR/initdb" -D "$PGDATA" -U "$PG_USER" --auth=trust -E UTF8 --no-locale >/dev/null
  fi
  log "starting postgresql on $HOST:$PG_PORT"
  # fsync off: test data, and the tests should be quick. The socket lives in PGDATA, not /run/postgresql.
  as_pg "$PG_BIN_DIR/pg_ctl" -D "$PGDATA" -l "$PGDATA/server.log" -w -t 30 \
    -o "-h $HOST -p $PG_PORT -k $PGDATA -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
    start >/dev/null
fi
PSQL="$(find_bin psql "$PG_BIN_DIR/psql")"
if ! as_pg "$PSQL" -h "$HOST" -p "$PG_PORT" -U "$PG_USER" -d postgres -tAc \
  "SELECT 1 FROM pg_database WHERE datname = '$PG_DB'" | grep -q 1; then
  log "creating database $PG_DB"
  as_pg "$PSQL" -h "$HOST" -p "$PG_PORT" -U "$PG_USER" -d postgres -qc "CREATE DATABASE \"$PG_DB\"" >&2
fi

echo "export OBI_NATS_URL=nats://$HOST:$NATS_PORT"
echo "export OBI_PG_URL=postgres://$PG_USER@$HOST:$PG_PORT/$PG_DB"
