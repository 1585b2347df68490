#!/usr/bin/env bash
# Private database servers for the tests that stop, restart, fail over or fill
# a server (issue 10). They never touch the shared 127.0.0.1:5432/3306 servers.
#
#   PostgreSQL 127.0.0.1:55432  primary   (data /tmp/pooled-pg-primary)
#   PostgreSQL 127.0.0.1:55433  streaming standby of 55432, made with pg_basebackup
#   PostgreSQL 127.0.0.1:55434  "small": max_connections=30, for headroom and load tests
#   MariaDB    127.0.0.1:33307  (data /tmp/pooled-my-private)
# All trust loopback, database "test", users postgres / root (empty password).
#
# Usage: private-servers.sh COMMAND [ARG]
#   up              create and start what is missing (idempotent; rebuilds the
#                   primary/standby pair if a failover left it broken)
#   down            stop everything and remove the data directories
#   status          one line per server
#   pg-stop PORT [fast|immediate]   pg-start PORT   pg-restart PORT
#   pg-promote PORT promote a standby (waits until it accepts writes)
#   pair-reset      remove and recreate the primary/standby pair
#   my-restart      restart the private MariaDB
#   my-stop / my-start
# Runs as root (the servers run as the postgres / mysql OS users). Only
# loopback addresses are used. scripts/test.sh runs `up` before Maven and
# `down` afterwards; the integration tests call `up` themselves (a no-op when
# running) so that a narrow Maven run works too.
set -euo pipefail

PRIMARY_PORT=55432
STANDBY_PORT=55433
SMALL_PORT=55434
SMALL_MAX_CONNECTIONS=30
MY_PORT=33307
BASE=${POOLED_PRIVATE_DIR:-/tmp}
PG_PRIMARY=$BASE/pooled-pg-primary
PG_STANDBY=$BASE/pooled-pg-standby
PG_SMALL=$BASE/pooled-pg-small
PG_SOCK=$BASE/pooled-pg-sock
PG_LOGS=$BASE/pooled-pg-logs
MY_DATA=$BASE/pooled-my-private
MY_SOCK=$BASE/pooled-my-private.sock
MY_PID=$BASE/pooled-my-private.pid
MY_LOG=$BASE/pooled-my-private.log

log() { printf '==> private-servers: %s\n' "$*" >&2; }
die() { printf 'ERROR: private-servers: %s\n' "$*" >&2; exit 1; }

[[ $(id -u) -eq 0 ]] || die "needs root (the servers run as the postgres and mysql OS users)"

PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[[ -n $PG_BIN && -x $PG_BIN/initdb ]] || die "no PostgreSQL server binaries under /usr/lib/postgresql (apt-get install postgresql)"

as_pg() { (cd / && runuser -u postgres -- "$@"); }
pg_ctl_() { as_pg "$PG_BIN/pg_ctl" "$@"; }
pg_dir() {
  case $1 in
    "$PRIMARY_PORT") echo "$PG_PRIMARY" ;;
    "$STANDBY_PORT") echo "$PG_STANDBY" ;;
    "$SMALL_PORT") echo "$PG_SMALL" ;;
    *) die "unknown PostgreSQL port $1 (known: $PRIMARY_PORT $STANDBY_PORT $SMALL_PORT)" ;;
  esac
}
pg_ready() { "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$1" -t 1; }
pg_running() { [[ -f $1/postmaster.pid ]] && pg_ctl_ -D "$1" status >/dev/null 2>&1; }
psql_() { PGCONNECT_TIMEOUT=3 "$PG_BIN/psql" -X -w -q -A -t -v ON_ERROR_STOP=1 -h 127.0.0.1 -U postgres "$@"; }
wait_for() { # wait_for WHAT SECONDS CMD...
  local what=$1 secs=$2; shift 2
  local deadline=$((SECONDS + secs))
  until "$@" >/dev/null 2>&1; do
    ((SECONDS < deadline)) || die "timed out after ${secs}s waiting for $what"
    sleep 0.2
  done
}

pg_conf() { # pg_conf DIR PORT [extra lines...]
  local dir=$1 port=$2; shift 2
  {
    echo "# pooled-jdbc private test server"
    echo "port = $port"
    echo "listen_addresses = '127.0.0.1'"
    echo "unix_socket_directories = '$PG_SOCK'"
    echo "fsync = off"
    echo "synchronous_commit = off"
    echo "full_page_writes = off"
    echo "shared_buffers = 32MB"
    echo "wal_level = replica"
    echo "max_wal_senders = 4"
    echo "wal_keep_size = 64MB"
    echo "hot_standby = on"
    echo "logging_collector = off"
    printf '%s\n' "$@"
  } >"$dir/pooled.conf"
  grep -q "^include_if_exists = 'pooled.conf'" "$dir/postgresql.conf" \
    || echo "include_if_exists = 'pooled.conf'" >>"$dir/postgresql.conf"
  chown postgres:postgres "$dir/pooled.conf"
}

pg_init() { # pg_init DIR PORT [conf lines...]
  local dir=$1 port=$2; shift 2
  rm -rf "$dir"
  install -d -o postgres -g postgres -m 0700 "$dir"
  as_pg "$PG_BIN/initdb" -D "$dir" -A trust -U postgres --no-sync -E UTF8 >/dev/null
  pg_conf "$dir" "$port" "$@"
}

pg_start_dir() { # pg_start_dir DIR PORT
  install -d -o postgres -g postgres -m 0755 "$PG_SOCK" "$PG_LOGS"
  pg_running "$1" || pg_ctl_ -D "$1" -l "$PG_LOGS/$(basename "$1").log" -w -t 60 start >/dev/null
  wait_for "PostgreSQL on 127.0.0.1:$2" 60 pg_ready "$2"
}

pg_ensure_test_db() {
  [[ $(psql_ -p "$1" -d postgres -c "select count(*) from pg_database where datname = 'test'") == 1 ]] \
    || psql_ -p "$1" -d postgres -c 'create database test' >/dev/null
}

pair_healthy() {
  pg_running "$PG_PRIMARY" && pg_running "$PG_STANDBY" && pg_ready "$PRIMARY_PORT" && pg_ready "$STANDBY_PORT" \
    && [[ $(psql_ -p "$PRIMARY_PORT" -d postgres -c 'select pg_is_in_recovery()') == f ]] \
    && [[ $(psql_ -p "$STANDBY_PORT" -d postgres -c 'select pg_is_in_recovery()') == t ]]
}

pair_remove() {
  local d
  for d in "$PG_PRIMARY" "$PG_STANDBY"; do
    if [[ -f $d/postmaster.pid ]]; then pg_ctl_ -D "$d" -m immediate -w -t 30 stop >/dev/null 2>&1 || true; fi
    rm -rf "$d" "$PG_LOGS/$(basename "$d").log"
  done
}

pair_up() {
  if pair_healthy; then
    return 0
  fi
  if [[ -d $PG_PRIMARY || -d $PG_STANDBY ]]; then
    log "primary/standby pair is not primary+standby (a failover ran?): rebuilding it"
    pair_remove
  fi
  log "PostgreSQL primary on 127.0.0.1:$PRIMARY_PORT"
  pg_init "$PG_PRIMARY" "$PRIMARY_PORT" "max_connections = 100"
  pg_start_dir "$PG_PRIMARY" "$PRIMARY_PORT"
  pg_ensure_test_db "$PRIMARY_PORT"
  log "PostgreSQL standby on 127.0.0.1:$STANDBY_PORT (pg_basebackup of the primary)"
  rm -rf "$PG_STANDBY"
  install -d -o postgres -g postgres -m 0700 "$PG_STANDBY"
  as_pg "$PG_BIN/pg_basebackup" -h 127.0.0.1 -p "$PRIMARY_PORT" -U postgres -D "$PG_STANDBY" -R -X stream -c fast \
    --no-sync >/dev/null
  pg_conf "$PG_STANDBY" "$STANDBY_PORT" "max_connections = 100"
  pg_start_dir "$PG_STANDBY" "$STANDBY_PORT"
  wait_for "the standby to stream from the primary" 30 \
    bash -c "[[ \$(PGCONNECT_TIMEOUT=3 '$PG_BIN/psql' -X -w -q -A -t -h 127.0.0.1 -p $PRIMARY_PORT -U postgres -d postgres \
      -c \"select count(*) from pg_stat_replication where state = 'streaming'\") -ge 1 ]]"
}

small_up() {
  if pg_running "$PG_SMALL" && pg_ready "$SMALL_PORT"; then
    return 0
  fi
  if [[ ! -f $PG_SMALL/PG_VERSION ]]; then
    log "PostgreSQL small (max_connections=$SMALL_MAX_CONNECTIONS) on 127.0.0.1:$SMALL_PORT"
    pg_init "$PG_SMALL" "$SMALL_PORT" "max_connections = $SMALL_MAX_CONNECTIONS" "superuser_reserved_connections = 3"
  fi
  pg_start_dir "$PG_SMALL" "$SMALL_PORT"
  pg_ensure_test_db "$SMALL_PORT"
}

# --- MariaDB ---------------------------------------------------------------------
MARIADBD=/usr/sbin/mariadbd
my_admin() { mariadb --no-defaults --socket="$MY_SOCK" -u root -N -B "$@"; }
my_ready() { mysqladmin --no-defaults --protocol=TCP -h 127.0.0.1 -P "$MY_PORT" -u root --connect-timeout=2 ping; }
my_running() { [[ -f $MY_PID ]] && kill -0 "$(cat "$MY_PID")" 2>/dev/null; }

my_start() {
  my_running && return 0
  [[ -x $MARIADBD ]] || die "no $MARIADBD (apt-get install mariadb-server)"
  install -d -o mysql -g mysql -m 0755 "$(dirname "$MY_SOCK")"
  start-stop-daemon --start --background --pidfile "$MY_PID" --output "$MY_LOG" --exec "$MARIADBD" -- --no-defaults --user=mysql \
    --datadir="$MY_DATA" --socket="$MY_SOCK" --pid-file="$MY_PID" --port="$MY_PORT" --bind-address=127.0.0.1 \
    --skip-name-resolve --max-connections=100 --innodb-buffer-pool-size=32M --innodb-log-file-size=16M \
    --innodb-flush-log-at-trx-commit=0 --skip-log-bin
  wait_for "MariaDB on 127.0.0.1:$MY_PORT (log: $MY_LOG)" 60 my_ready
}

my_stop() {
  if my_running; then
    local pid
    pid=$(cat "$MY_PID")
    kill "$pid" 2>/dev/null || true
    local deadline=$((SECONDS + 60))
    while kill -0 "$pid" 2>/dev/null; do
      ((SECONDS < deadline)) || { kill -9 "$pid" 2>/dev/null || true; break; }
      sleep 0.2
    done
  fi
}

my_up() {
  if my_running && my_ready >/dev/null 2>&1; then
    return 0
  fi
  if [[ ! -d $MY_DATA/mysql ]]; then
    log "MariaDB on 127.0.0.1:$MY_PORT (data $MY_DATA)"
    rm -rf "$MY_DATA"
    install -d -o mysql -g mysql -m 0750 "$MY_DATA"
    mariadb-install-db --no-defaults --user=mysql --datadir="$MY_DATA" --auth-root-authentication-method=normal \
      --skip-test-db >"$MY_LOG.install" 2>&1 || die "mariadb-install-db failed (see $MY_LOG.install)"
  fi
  my_start
  my_admin -e "CREATE USER IF NOT EXISTS 'root'@'127.0.0.1' IDENTIFIED BY '';
               GRANT ALL PRIVILEGES ON *.* TO 'root'@'127.0.0.1' WITH GRANT OPTION;
               CREATE DATABASE IF NOT EXISTS test"
}

status() {
  local p
  for p in $PRIMARY_PORT $STANDBY_PORT $SMALL_PORT; do
    if pg_ready "$p"; then
      echo "postgresql 127.0.0.1:$p up, in recovery: $(psql_ -p "$p" -d postgres -c 'select pg_is_in_recovery()')"
    else
      echo "postgresql 127.0.0.1:$p down"
    fi
  done
  if my_ready >/dev/null 2>&1; then echo "mariadb 127.0.0.1:$MY_PORT up"; else echo "mariadb 127.0.0.1:$MY_PORT down"; fi
}

cmd=${1:-}
case $cmd in
  up)
    pair_up
    small_up
    my_up
    ;;
  down)
    pair_remove
    if [[ -f $PG_SMALL/postmaster.pid ]]; then pg_ctl_ -D "$PG_SMALL" -m immediate -w -t 30 stop >/dev/null 2>&1 || true; fi
    rm -rf "$PG_SMALL" "$PG_SOCK" "$PG_LOGS"
    my_stop
    rm -rf "$MY_DATA" "$MY_LOG" "$MY_LOG.install" "$MY_PID"
    ;;
  status) status ;;
  pg-stop)
    pg_ctl_ -D "$(pg_dir "${2:?port}")" -m "${3:-fast}" -w -t 60 stop >/dev/null
    ;;
  pg-start)
    pg_start_dir "$(pg_dir "${2:?port}")" "$2"
    ;;
  pg-restart)
    d=$(pg_dir "${2:?port}")
    pg_ctl_ -D "$d" -m "${3:-fast}" -w -t 60 stop >/dev/null
    pg_start_dir "$d" "$2"
    ;;
  pg-promote)
    pg_ctl_ -D "$(pg_dir "${2:?port}")" -w -t 60 promote >/dev/null
    wait_for "127.0.0.1:$2 to leave recovery" 30 \
      bash -c "[[ \$(PGCONNECT_TIMEOUT=3 '$PG_BIN/psql' -X -w -q -A -t -h 127.0.0.1 -p $2 -U postgres -d postgres \
        -c 'select pg_is_in_recovery()') == f ]]"
    ;;
  pair-reset)
    pair_remove
    pair_up
    ;;
  my-stop) my_stop ;;
  my-start) my_start ;;
  my-restart)
    my_stop
    my_start
    ;;
  *)
    sed -n '2,25p' "$0" >&2
    exit 2
    ;;
esac
