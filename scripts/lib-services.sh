# shellcheck shell=bash disable=SC2034  # *_SUMMARY are read by scripts/test.sh
# Helpers for scripts/test.sh: install (apt) and start the local services that
# the test suite needs -- PostgreSQL, MariaDB and etcd -- plus a JDK.
#
# Sourced, not run. Every function is idempotent: it checks first and only
# installs, starts or reconfigures what is missing. Only loopback addresses are
# ever contacted, and no service other than these three is touched.

# --- settings (fixed: the tests' URLs point here) ---------------------------
PG_HOST=127.0.0.1
PG_PORT=5432
PG_CLUSTER=main
PG_VER=                     # set by pg_detect_version
PG_TRUST_LINE='host all all 127.0.0.1/32 trust'

MY_HOST=127.0.0.1
MY_PORT=3306
MARIADBD=/usr/sbin/mariadbd
MARIADBD_ARGS=(--user=mysql)
MARIADB_SOCKET_OPTS=()      # extra client options for the unix-socket admin connection
MARIADB_LOG=${TMPDIR:-/tmp}/pooled-mariadb.log

ETCD_ENDPOINT=http://127.0.0.1:2379
ETCD_PEER_URL=http://127.0.0.1:2380
ETCD_NAME=pooled-test

MIN_CONNECTIONS=200         # tests open many connections
SET_CONNECTIONS=300
SERVICE_WAIT_SECONDS=60

APT_UPDATED=0

# One-line results, filled in by the ensure_* functions for scripts/test.sh.
PG_SUMMARY='' MY_SUMMARY='' ETCD_SUMMARY='' JAVA_SUMMARY=''

# --- generic helpers ----------------------------------------------------------
log()  { printf '==> %s\n' "$*"; }
die()  { printf 'ERROR: %s\n' "$*" >&2; exit 1; }

need_root() {
  [[ $(id -u) -eq 0 ]] || die "$1 needs root (run scripts/test.sh as root)"
}

# wait_until SERVICE WHAT CMD...: retry CMD once a second, for at most
# SERVICE_WAIT_SECONDS; die naming the service on timeout.
wait_until() {
  local service=$1 what=$2; shift 2
  local deadline=$((SECONDS + SERVICE_WAIT_SECONDS))
  until "$@" >/dev/null 2>&1; do
    if ((SECONDS >= deadline)); then
      die "$service: timed out after ${SERVICE_WAIT_SECONDS}s waiting for $what"
    fi
    sleep 1
  done
}

# port_open PORT: is something listening on 127.0.0.1:PORT?
port_open() {
  timeout 3 bash -c "exec 3<>/dev/tcp/127.0.0.1/$1" 2>/dev/null
}

# --- apt ------------------------------------------------------------------------
# Create a policy-rc.d that forbids maintainer scripts from starting services
# while we install (the etcd-server package would otherwise start its packaged
# service on machines without one); this script starts what it needs itself.
# Removed again afterwards if we created it.
_POLICY_RC_D=/usr/sbin/policy-rc.d
_POLICY_RC_D_CREATED=0
_policy_rc_d_cleanup() {
  if ((_POLICY_RC_D_CREATED)); then
    rm -f "$_POLICY_RC_D"
    _POLICY_RC_D_CREATED=0
  fi
}

apt_install() {
  (($#)) || return 0
  need_root "installing $*"
  command -v apt-get >/dev/null || die "apt-get not found; install these yourself: $*"
  export DEBIAN_FRONTEND=noninteractive
  if ((!APT_UPDATED)); then
    log "apt-get update"
    apt-get -q -o DPkg::Lock::Timeout=120 update
    APT_UPDATED=1
  fi
  if [[ ! -e $_POLICY_RC_D ]]; then
    printf '#!/bin/sh\n# temporary, from pooled-jdbc scripts/test.sh\nexit 101\n' >"$_POLICY_RC_D"
    chmod 755 "$_POLICY_RC_D"
    _POLICY_RC_D_CREATED=1
    trap _policy_rc_d_cleanup EXIT
  fi
  log "apt-get install $*"
  local rc=0
  apt-get -q -y -o DPkg::Lock::Timeout=120 install --no-install-recommends "$@" || rc=$?
  _policy_rc_d_cleanup
  trap - EXIT
  ((rc == 0)) || die "apt-get install $* failed (status $rc)"
}

# detect_javac: set JAVAC_MAJOR to the major version of the javac on PATH
# (empty if there is none). Cached per javac path: starting javac takes ~0.4 s.
JAVAC_MAJOR='' _JAVAC_SEEN=''
detect_javac() {
  local path v
  if ! path=$(command -v javac); then
    JAVAC_MAJOR='' _JAVAC_SEEN=''
    return 0
  fi
  if [[ $path != "$_JAVAC_SEEN" ]]; then
    v=$(javac -version 2>&1 | awk '/^javac/ {print $2; exit}')
    v=${v%%.*}
    [[ $v =~ ^[0-9]+$ ]] || v=0
    JAVAC_MAJOR=$v _JAVAC_SEEN=$path
  fi
}

# ensure_packages: one apt-get update + install for everything missing.
ensure_packages() {
  local pkgs=()
  detect_javac
  if [[ -z $JAVAC_MAJOR ]]; then
    pkgs+=(openjdk-17-jdk-headless)
  elif ((JAVAC_MAJOR < 17)) && [[ ! -x /usr/lib/jvm/java-17-openjdk-$(dpkg --print-architecture)/bin/javac ]]; then
    pkgs+=(openjdk-17-jdk-headless)
  fi
  if [[ ! -x /usr/bin/pg_ctlcluster || ! -x /usr/bin/psql || ! -x /usr/bin/pg_isready ]] \
     || ! compgen -G '/usr/lib/postgresql/*/bin/postgres' >/dev/null; then
    pkgs+=(postgresql)
  fi
  if [[ ! -x $MARIADBD ]] || ! command -v mariadb >/dev/null || ! command -v mysqladmin >/dev/null; then
    pkgs+=(mariadb-server)
  fi
  [[ -x /usr/bin/etcd ]] || pkgs+=(etcd-server)
  command -v etcdctl >/dev/null || pkgs+=(etcd-client)
  # The etcd TLS test (SecureEtcdIT) makes its certificates with openssl.
  command -v openssl >/dev/null || pkgs+=(openssl)
  if ((${#pkgs[@]})); then
    log "missing: ${pkgs[*]}"
    apt_install "${pkgs[@]}"
    if [[ " ${pkgs[*]} " == *' etcd-server '* ]]; then
      # we run our own etcd (scripts/test.sh); keep the packaged one from starting at boot
      log "etcd: disabling the packaged etcd service's autostart"
      if command -v systemctl >/dev/null; then
        systemctl disable etcd.service >/dev/null 2>&1 || true   # works without a running systemd
      fi
      update-rc.d etcd disable >/dev/null 2>&1 || true
    fi
  else
    log "packages: all present (java, postgresql, mariadb-server, etcd-server, etcd-client)"
  fi
}

# --- Java ---------------------------------------------------------------------------
ensure_java() {
  detect_javac
  if [[ -z $JAVAC_MAJOR || $JAVAC_MAJOR -lt 17 ]]; then
    local jh
    jh=/usr/lib/jvm/java-17-openjdk-$(dpkg --print-architecture)
    [[ -x $jh/bin/javac ]] || die "java: no JDK 17+ found (javac ${JAVAC_MAJOR:-missing})"
    log "java: default javac is ${JAVAC_MAJOR:-missing}; using JAVA_HOME=$jh"
    export JAVA_HOME=$jh
    export PATH=$jh/bin:$PATH
    detect_javac
  fi
  JAVA_SUMMARY="JDK $JAVAC_MAJOR ($(command -v javac))"
}

# --- PostgreSQL -------------------------------------------------------------------
pg_detect_version() {
  local d
  # the version directory under /etc/postgresql that holds our cluster (newest wins)
  while IFS= read -r d; do
    if [[ -d $d ]]; then
      PG_VER=$(basename "$(dirname "$d")")
      return 0
    fi
  done < <(printf '%s\n' /etc/postgresql/*/"$PG_CLUSTER" | sort -rV)
  die "postgresql: no cluster '$PG_CLUSTER' under /etc/postgresql (create one: pg_createcluster <version> $PG_CLUSTER)"
}

pg_ctl()   { pg_ctlcluster --skip-systemctl-redirect "$PG_VER" "$PG_CLUSTER" "$@"; }
pg_ready() { pg_isready -q -h "$PG_HOST" -p "$PG_PORT" -t 2; }
# pg_tcp USER DB SQL: query over TCP loopback, no password (-w never prompts)
pg_tcp() {
  PGCONNECT_TIMEOUT=3 psql -X -w -q -A -t -v ON_ERROR_STOP=1 \
    -h "$PG_HOST" -p "$PG_PORT" -U "$1" -d "$2" -c "$3"
}
# pg_admin SQL: as the postgres OS user over the unix socket (peer or trust)
pg_admin() {
  (cd / && runuser -u postgres -- psql -X -w -q -A -t -v ON_ERROR_STOP=1 \
    -p "$PG_PORT" -d postgres -c "$1")
}

# pg_hba_trust_first FILE: is our trust line the first rule in FILE?
pg_hba_trust_first() {
  awk '/^[[:space:]]*(#|$)/ { next }
       { ok = ($1 == "host" && $2 == "all" && $3 == "all" && $4 == "127.0.0.1/32" \
               && $5 == "trust" && (NF == 5 || $6 ~ /^#/)); exit }
       END { exit !ok }' "$1"
}

pg_trust_loopback() {
  need_root "postgresql: editing pg_hba.conf"
  local hba
  hba=$(pg_admin 'SHOW hba_file' 2>/dev/null) || hba=
  [[ -n $hba ]] || hba=/etc/postgresql/$PG_VER/$PG_CLUSTER/pg_hba.conf
  [[ -f $hba ]] || die "postgresql: pg_hba.conf not found at $hba"
  if pg_hba_trust_first "$hba"; then
    log "postgresql: '$PG_TRUST_LINE' already first in $hba"
  else
    log "postgresql: adding '$PG_TRUST_LINE' at the top of $hba"
    local tmp=$hba.pooled-tmp
    {
      printf '# Added by pooled-jdbc scripts/test.sh: trust TCP loopback for the test suite.\n'
      printf '%s\n' "$PG_TRUST_LINE"
      cat "$hba"
    } >"$tmp"
    chown --reference="$hba" "$tmp"
    chmod --reference="$hba" "$tmp"
    mv "$tmp" "$hba"
  fi
  log "postgresql: reloading $PG_VER/$PG_CLUSTER"
  pg_ctl reload
}

ensure_postgresql() {
  pg_detect_version
  if pg_ready; then
    log "postgresql: answering on $PG_HOST:$PG_PORT"
  else
    if pg_ctl status >/dev/null 2>&1; then
      log "postgresql: cluster $PG_VER/$PG_CLUSTER is running but not answering on $PG_HOST:$PG_PORT yet"
    else
      need_root "postgresql: starting the cluster"
      log "postgresql: starting cluster $PG_VER/$PG_CLUSTER"
      pg_ctl start || die "postgresql: pg_ctlcluster start failed (see /var/log/postgresql/postgresql-$PG_VER-$PG_CLUSTER.log)"
    fi
    log "postgresql: waiting for $PG_HOST:$PG_PORT (up to ${SERVICE_WAIT_SECONDS}s)"
    wait_until postgresql "$PG_HOST:$PG_PORT to accept connections" pg_ready
  fi

  # One query as postgres over TCP: it fails unless trust auth works there.
  # Prints: root role exists (0/1)|database test exists (0/1)|max_connections|version
  local state_sql="SELECT (SELECT count(*) FROM pg_roles WHERE rolname = 'root') || '|' ||
    (SELECT count(*) FROM pg_database WHERE datname = 'test') || '|' ||
    current_setting('max_connections') || '|' || split_part(current_setting('server_version'), ' ', 1)"
  local state
  if ! state=$(pg_tcp postgres postgres "$state_sql" 2>/dev/null); then
    log "postgresql: user postgres cannot log in over TCP without a password"
    pg_trust_loopback
    wait_until postgresql "trust auth for postgres on $PG_HOST:$PG_PORT" pg_tcp postgres postgres 'SELECT 1'
    state=$(pg_tcp postgres postgres "$state_sql")
  fi
  local has_root has_test maxc ver
  IFS='|' read -r has_root has_test maxc ver <<<"$state"

  # role root, database test
  if ((has_root == 0)); then
    need_root "postgresql: creating role root"
    log "postgresql: creating role root (superuser, login)"
    pg_admin 'CREATE ROLE root SUPERUSER LOGIN'
  fi
  if ((has_test == 0)); then
    need_root "postgresql: creating database test"
    log "postgresql: creating database test"
    pg_admin 'CREATE DATABASE test'
  fi

  # max_connections
  if ((maxc < MIN_CONNECTIONS)); then
    need_root "postgresql: raising max_connections"
    log "postgresql: max_connections is $maxc (< $MIN_CONNECTIONS): setting $SET_CONNECTIONS and restarting $PG_VER/$PG_CLUSTER"
    pg_admin "ALTER SYSTEM SET max_connections = $SET_CONNECTIONS"
    pg_ctl restart || die "postgresql: pg_ctlcluster restart failed (see /var/log/postgresql/postgresql-$PG_VER-$PG_CLUSTER.log)"
    wait_until postgresql "$PG_HOST:$PG_PORT after restart" pg_ready
    maxc=$(pg_tcp postgres postgres 'SHOW max_connections')
    ((maxc >= MIN_CONNECTIONS)) || die "postgresql: max_connections still $maxc after restart"
  fi

  # final check, as the tests will connect
  local u
  for u in postgres root; do
    pg_tcp "$u" test 'SELECT 1' >/dev/null \
      || die "postgresql: user $u cannot log in to database test on $PG_HOST:$PG_PORT without a password"
  done
  PG_SUMMARY="up ($ver) at $PG_HOST:$PG_PORT, database test, users postgres+root trusted, max_connections $maxc"
}

# --- MariaDB ----------------------------------------------------------------------
my_tcp() {
  mariadb --no-defaults --protocol=TCP -h "$MY_HOST" -P "$MY_PORT" -u root \
    --connect-timeout=3 -N -B "$@"
}
my_ping() {
  mysqladmin --no-defaults --protocol=TCP -h "$MY_HOST" -P "$MY_PORT" -u root \
    --connect-timeout=2 ping
}
# my_up: does a server answer over TCP? mysqladmin ping exits 0 even when root is
# denied (1045), but not when the server refuses the client's host (1130, e.g.
# with skip-name-resolve and only root@localhost) or is full (1040): a server
# sent those, so it is up too.
my_up() {
  local out
  out=$(my_ping 2>&1) && return 0
  [[ $out == *'1130'* || $out == *'1040'* || $out == *'1045'* || $out == *'Access denied'* ]]
}
# admin connection over the unix socket (OS root -> unix_socket auth)
my_socket() { mariadb "${MARIADB_SOCKET_OPTS[@]}" -N -B "$@"; }

ensure_mariadb() {
  if my_up; then
    log "mariadb: answering on $MY_HOST:$MY_PORT"
  else
    need_root "mariadb: starting the server"
    log "mariadb: starting $MARIADBD ${MARIADBD_ARGS[*]} (output: $MARIADB_LOG)"
    install -d -o mysql -g mysql -m 0755 /run/mysqld
    start-stop-daemon --start --oknodo --background --output "$MARIADB_LOG" \
      --exec "$MARIADBD" -- "${MARIADBD_ARGS[@]}" \
      || die "mariadb: start-stop-daemon failed"
    log "mariadb: waiting for $MY_HOST:$MY_PORT (up to ${SERVICE_WAIT_SECONDS}s)"
    wait_until mariadb "mysqladmin ping on $MY_HOST:$MY_PORT (see $MARIADB_LOG and /var/log/mysql/)" my_up
  fi

  # root with an empty password over TCP
  if ! my_tcp -e 'SELECT 1' >/dev/null 2>&1; then
    need_root "mariadb: changing root's authentication"
    log "mariadb: root cannot log in over TCP with an empty password: allowing it (plus unix_socket) via the socket"
    my_socket -e "ALTER USER 'root'@'localhost' IDENTIFIED VIA mysql_native_password USING PASSWORD('') OR unix_socket" \
      || die "mariadb: could not alter root@localhost through the unix socket"
    if ! my_tcp -e 'SELECT 1' >/dev/null 2>&1; then
      # with skip-name-resolve, TCP from 127.0.0.1 is 'root'@'127.0.0.1', not 'root'@'localhost'
      log "mariadb: still denied over TCP; creating 'root'@'127.0.0.1' with an empty password"
      my_socket -e "CREATE USER IF NOT EXISTS 'root'@'127.0.0.1' IDENTIFIED VIA mysql_native_password USING PASSWORD('');
                    GRANT ALL PRIVILEGES ON *.* TO 'root'@'127.0.0.1' WITH GRANT OPTION" \
        || die "mariadb: could not create root@127.0.0.1 through the unix socket"
    fi
    my_tcp -e 'SELECT 1' >/dev/null \
      || die "mariadb: root still cannot log in over TCP $MY_HOST:$MY_PORT with an empty password"
  fi

  if [[ -z $(my_tcp -e "SELECT 1 FROM information_schema.schemata WHERE schema_name = 'test'") ]]; then
    log "mariadb: creating database test"
    my_tcp -e 'CREATE DATABASE IF NOT EXISTS test'
  fi

  local maxc
  maxc=$(my_tcp -e 'SELECT @@GLOBAL.max_connections')
  if ((maxc < MIN_CONNECTIONS)); then
    log "mariadb: max_connections is $maxc (< $MIN_CONNECTIONS): SET GLOBAL max_connections = $SET_CONNECTIONS"
    my_tcp -e "SET GLOBAL max_connections = $SET_CONNECTIONS"
    maxc=$(my_tcp -e 'SELECT @@GLOBAL.max_connections')
  fi

  my_tcp -D test -e 'SELECT 1' >/dev/null \
    || die "mariadb: root cannot use database test on $MY_HOST:$MY_PORT"
  MY_SUMMARY="up ($(my_tcp -e 'SELECT VERSION()')) at $MY_HOST:$MY_PORT, database test, root with empty password, max_connections $maxc"
}

# --- etcd -------------------------------------------------------------------------------
etcdctl_local() {
  ETCDCTL_API=3 etcdctl --endpoints="$ETCD_ENDPOINT" --dial-timeout=2s --command-timeout=3s "$@"
}
etcd_healthy() { etcdctl_local endpoint health; }

# etcd 3.4 refuses to start on architectures other than amd64/ppc64le unless
# ETCD_UNSUPPORTED_ARCH names the (Go) architecture: print that name, or
# nothing where no override is needed.
etcd_unsupported_arch() {
  case $(uname -m) in
    x86_64 | ppc64le) ;;
    aarch64 | arm64) echo arm64 ;;
    armv7l | armv6l) echo arm ;;
    i?86) echo 386 ;;
    *) uname -m ;;
  esac
}

ensure_etcd() {
  if etcd_healthy >/dev/null 2>&1; then
    log "etcd: healthy at $ETCD_ENDPOINT"
  elif port_open 2379 || port_open 2380; then
    log "etcd: something listens on 127.0.0.1:2379/2380 but is not healthy yet; waiting (up to ${SERVICE_WAIT_SECONDS}s)"
    wait_until etcd "$ETCD_ENDPOINT to report healthy" etcd_healthy
  else
    local data_dir log_file pid arch
    data_dir=$(mktemp -d "${TMPDIR:-/tmp}/pooled-etcd.XXXXXX")
    log_file=$data_dir.log
    arch=$(etcd_unsupported_arch)
    [[ -z $arch ]] || log "etcd: $(uname -m) needs ETCD_UNSUPPORTED_ARCH=$arch"
    log "etcd: starting /usr/bin/etcd on $ETCD_ENDPOINT (data $data_dir, log $log_file); it stays running for later runs"
    (
      [[ -z $arch ]] || export ETCD_UNSUPPORTED_ARCH=$arch
      # own session: a Ctrl-C of this script does not stop it
      exec setsid nohup /usr/bin/etcd --name "$ETCD_NAME" --data-dir "$data_dir" \
        --listen-client-urls "$ETCD_ENDPOINT" --advertise-client-urls "$ETCD_ENDPOINT" \
        --listen-peer-urls "$ETCD_PEER_URL" --initial-advertise-peer-urls "$ETCD_PEER_URL" \
        --initial-cluster "$ETCD_NAME=$ETCD_PEER_URL" \
        --logger zap --log-outputs stderr
    ) >"$log_file" 2>&1 </dev/null &
    pid=$!
    log "etcd: waiting for $ETCD_ENDPOINT to report healthy (up to ${SERVICE_WAIT_SECONDS}s)"
    local deadline=$((SECONDS + SERVICE_WAIT_SECONDS))
    until etcd_healthy >/dev/null 2>&1; do
      if ! kill -0 "$pid" 2>/dev/null; then
        tail -n 20 "$log_file" >&2 || true
        die "etcd: /usr/bin/etcd exited during startup (log: $log_file)"
      fi
      if ((SECONDS >= deadline)); then
        tail -n 20 "$log_file" >&2 || true
        die "etcd: timed out after ${SERVICE_WAIT_SECONDS}s waiting for $ETCD_ENDPOINT to report healthy (log: $log_file)"
      fi
      sleep 1
    done
  fi
  local ver
  ver=$(etcdctl_local endpoint status 2>/dev/null | awk -F', ' '{print $3; exit}') || ver=
  ETCD_SUMMARY="up (${ver:-version unknown}) at $ETCD_ENDPOINT, healthy"
}
