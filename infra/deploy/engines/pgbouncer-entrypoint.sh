#!/bin/sh
# Writes the PgBouncer configuration for PGBOUNCER_TARGET and starts it in the foreground.
set -eu
dir=/tmp/pgbouncer
mkdir -p "$dir"
printf '"lienthong" "%s"\n' "$LIENTHONG_DB_PASSWORD" > "$dir/userlist.txt"
cat > "$dir/pgbouncer.ini" <<INI
[databases]
lienthong = host=${PGBOUNCER_TARGET} port=5432 dbname=lienthong
[pgbouncer]
listen_addr = 0.0.0.0
listen_port = 6432
auth_type = scram-sha-256
auth_file = $dir/userlist.txt
pool_mode = transaction
max_client_conn = 2000
default_pool_size = 40
server_reset_query =
query_wait_timeout = 5
server_connect_timeout = 3
ignore_startup_parameters = extra_float_digits,options
INI
exec pgbouncer "$dir/pgbouncer.ini"
