# Liên Thông: one image for the gateway and the workers (the command chooses). Multi-stage: the
# build stage compiles the TypeScript; the runtime stage has production dependencies, dist/, the
# migrations and the system tools the stages call (poppler-utils, qpdf), and runs as a non-root user.
# Mirrors the topology `make cluster` tests (README.md § Running past one machine).
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY contracts ./contracts
COPY services ./services
COPY workers ./workers
COPY infra ./infra
COPY test ./test
RUN npx tsc -p tsconfig.json && npm prune --omit=dev --no-audit --no-fund

FROM node:20-bookworm-slim AS runtime
RUN apt-get update \
 && apt-get install -y --no-install-recommends poppler-utils gir1.2-poppler-0.18 python3 qpdf openssl ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 lienthong \
 && useradd --system --uid 10001 --gid lienthong --home-dir /app --shell /usr/sbin/nologin lienthong
WORKDIR /app
ENV NODE_ENV=production HOST=0.0.0.0 PORT=8080 LIENTHONG_DATA_DIR=/var/lib/lienthong
COPY --from=build --chown=root:root /app/package.json ./
COPY --from=build --chown=root:root /app/node_modules ./node_modules
COPY --from=build --chown=root:root /app/dist ./dist
COPY --from=build --chown=root:root /app/infra/migrations ./infra/migrations
RUN mkdir -p /var/lib/lienthong/tmp && chown -R lienthong:lienthong /var/lib/lienthong
USER 10001:10001
EXPOSE 8080
# The gateway's liveness; the worker image overrides it (its metrics port) in compose and the chart.
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||8080)+'/health/live').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
CMD ["node", "dist/services/gateway/main.js"]
