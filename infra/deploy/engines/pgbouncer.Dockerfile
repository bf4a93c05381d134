# PgBouncer in transaction mode in front of one PostgreSQL node (PGBOUNCER_TARGET), as `make cluster`
# runs it: the services list both PgBouncers with target_session_attrs=read-write and keep
# LIENTHONG_DB_PREPARED_STATEMENTS=0 (Debian bookworm's PgBouncer 1.18 has no prepared-statement support).
FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends pgbouncer && rm -rf /var/lib/apt/lists/*
COPY pgbouncer-entrypoint.sh /usr/local/bin/pgbouncer-entrypoint.sh
USER postgres
EXPOSE 6432
CMD ["sh", "/usr/local/bin/pgbouncer-entrypoint.sh"]
