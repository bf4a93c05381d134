# PostgreSQL 15 + Patroni from Debian's packages, as `make cluster` runs them (infra/cluster/postgres-ha.ts).
FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends postgresql-15 postgresql-contrib-15 patroni python3-etcd \
 && rm -rf /var/lib/apt/lists/* \
 && mkdir -p /var/lib/postgresql/data /run/postgresql && chown -R postgres:postgres /var/lib/postgresql /run/postgresql
COPY patroni.yml /etc/patroni.yml
USER postgres
EXPOSE 5432 8008
HEALTHCHECK --interval=10s --timeout=3s CMD python3 -c "import urllib.request,sys; urllib.request.urlopen('http://127.0.0.1:8008/health', timeout=2)" || exit 1
CMD ["patroni", "/etc/patroni.yml"]
