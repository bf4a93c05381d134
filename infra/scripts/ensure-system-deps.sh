#!/usr/bin/env bash
# Ensures the system packages Liên Thông needs are installed (Debian/Ubuntu).
#
#   bash infra/scripts/ensure-system-deps.sh [--with-browser] [--with-pgbouncer] [--cluster]
#
# --with-browser adds Debian's chromium (the end-to-end tests drive it).
# --with-pgbouncer adds pgbouncer (a test runs the service's pool through it in transaction mode).
# --cluster adds what `make cluster` runs: nginx, redis-sentinel, patroni, etcd-server, pgbouncer.
#
# Idempotent: when everything is present it only runs `command -v` checks and
# prints nothing (well under a second). Otherwise it installs the missing
# Debian packages with apt-get, as root or via `sudo -n`; when it cannot, it
# prints one sentence naming the packages and exits 1.
# We run our own private PostgreSQL/Redis servers (infra/embedded), so the
# distribution's services started by the packages' postinst are stopped.
set -u

with_browser=0
with_cluster=0
with_pgbouncer=0
for arg in "$@"; do
  case "$arg" in
    --with-browser) with_browser=1 ;;
    --with-pgbouncer) with_pgbouncer=1 ;;
    --cluster) with_cluster=1 ;;
    -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
    *) echo "ensure-system-deps: unknown argument: $arg" >&2; exit 2 ;;
  esac
done

# Daemons (pgbouncer, nginx) live in /usr/sbin, which a non-root PATH often lacks: installed is installed.
have() { command -v "$1" >/dev/null 2>&1 || [[ -x "/usr/sbin/$1" || -x "/sbin/$1" ]]; }

# PostgreSQL >= 13 server binaries: a versioned dir from the Debian packages,
# or initdb/pg_ctl/postgres on PATH (checked for version only as a fallback).
have_postgres() {
  local d v
  for d in /usr/lib/postgresql/*/bin; do
    v=${d#/usr/lib/postgresql/}; v=${v%/bin}
    [[ "$v" =~ ^[0-9]+$ ]] && (( v >= 13 )) || continue
    [[ -x "$d/initdb" && -x "$d/pg_ctl" && -x "$d/postgres" ]] && return 0
  done
  have initdb && have pg_ctl && have postgres || return 1
  v=$(pg_ctl --version 2>/dev/null | sed -n 's/.* \([0-9][0-9]*\)[.0-9]*.*/\1/p')
  [[ "$v" =~ ^[0-9]+$ ]] && (( v >= 13 ))
}

missing=()
need() { # need PACKAGE COMMAND...
  local pkg=$1 cmd; shift
  for cmd in "$@"; do
    if ! have "$cmd"; then missing+=("$pkg"); return; fi
  done
}

have_postgres || missing+=(postgresql)
# Search (migration 0035) needs the contrib extensions unaccent and pg_trgm: Debian ships them
# with the server package; elsewhere they come as postgresql-contrib.
if have_postgres && ! compgen -G '/usr/share/postgresql/*/extension/unaccent.control' >/dev/null \
   && ! compgen -G '/usr/share/pgsql/extension/unaccent.control' >/dev/null \
   && ! compgen -G '/usr/local/share/postgresql/extension/unaccent.control' >/dev/null; then
  missing+=(postgresql-contrib)
fi
need redis-server redis-server
# The embedded PostgreSQL runs on jemalloc when it is installed (infra/embedded/postgres-allocator.ts).
if ! { ldconfig -p 2>/dev/null || /sbin/ldconfig -p 2>/dev/null; } | grep -q 'libjemalloc\.so\.2'; then
  missing+=(libjemalloc2)
fi
need poppler-utils pdfsig pdftotext pdftoppm pdffonts pdfinfo
# The resident text extractor for search (issue 25) calls libpoppler-glib from python3's ctypes;
# without them pdftotext is started per document instead (same text, ~5 ms more CPU each).
need python3 python3
if ! { ldconfig -p 2>/dev/null || /sbin/ldconfig -p 2>/dev/null; } | grep -q 'libpoppler-glib\.so\.8'; then
  missing+=(gir1.2-poppler-0.18)
fi
need qpdf qpdf
need libnss3-tools certutil
need openssl openssl
if (( with_browser )) && [[ ! -x /usr/bin/chromium ]] && ! have chromium; then
  missing+=(chromium)
fi
if (( with_cluster )); then
  need nginx nginx
  need redis-sentinel redis-sentinel
  # Patroni keeps its state in etcd through python3-etcd (one of several alternatives it depends on).
  if ! have patroni; then missing+=(patroni python3-etcd); fi
  need etcd-server etcd
fi
if (( with_cluster || with_pgbouncer )); then
  need pgbouncer pgbouncer
fi

(( ${#missing[@]} == 0 )) && exit 0

give_up() {
  echo "Missing system packages: please install them with 'sudo apt-get install ${missing[*]}' and re-run${1:+ ($1)}." >&2
  exit 1
}

have apt-get || give_up "apt-get not found; these are Debian/Ubuntu package names"
if (( EUID == 0 )); then
  as_root=()
elif have sudo && sudo -n true 2>/dev/null; then
  as_root=(sudo -n)
else
  give_up "not root, and sudo is missing or needs a password"
fi

export DEBIAN_FRONTEND=noninteractive
apt_install() {
  "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y --no-install-recommends "${missing[@]}" >/tmp/ensure-system-deps.$$.log 2>&1
}
apt_update() {
  "${as_root[@]}" apt-get update >>/tmp/ensure-system-deps.$$.log 2>&1
}
trap 'rm -f /tmp/ensure-system-deps.$$.log' EXIT

# Fresh images ship without package lists: update first then; otherwise try the
# install straight away and only update (and retry) if it fails.
if ! compgen -G '/var/lib/apt/lists/*Packages*' >/dev/null; then apt_update; fi
if ! apt_install; then
  apt_update
  if ! apt_install; then
    tail -n 20 /tmp/ensure-system-deps.$$.log >&2
    give_up "apt-get install failed, see above"
  fi
fi

# The packages' postinst may start the system PostgreSQL cluster / Redis
# service on the default ports; we never use them, so stop them (best effort:
# there may be no systemd, no init script, or nothing running).
stop_service() {
  local svc=$1
  if [[ -d /run/systemd/system ]] && have systemctl; then
    "${as_root[@]}" systemctl disable --now "$svc" >/dev/null 2>&1 || true
  fi
  if have service; then "${as_root[@]}" service "$svc" stop >/dev/null 2>&1 || true; fi
}
for pkg in "${missing[@]}"; do
  case "$pkg" in
    postgresql)
      stop_service postgresql
      if have pg_lsclusters && have pg_ctlcluster; then
        pg_lsclusters --no-header 2>/dev/null | while read -r ver name port status _; do
          [[ "$status" == online* ]] && "${as_root[@]}" pg_ctlcluster "$ver" "$name" stop >/dev/null 2>&1
        done
      fi
      ;;
    nginx|redis-sentinel|pgbouncer|patroni|etcd-server)
      # `make cluster` runs its own instances under a private folder; the packaged services stay off.
      case "$pkg" in etcd-server) svc=etcd ;; *) svc=$pkg ;; esac
      stop_service "$svc"
      ;;
    redis-server)
      stop_service redis-server
      if [[ -s /run/redis/redis-server.pid ]]; then
        "${as_root[@]}" kill "$(cat /run/redis/redis-server.pid)" 2>/dev/null || true
      fi
      ;;
  esac
  echo "ensure-system-deps: installed $pkg"
done
exit 0
