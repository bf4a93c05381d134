import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import { logger } from '../logging/logger';
import { METRICS_CONTENT_TYPE, processRegistry, renderMetrics } from './metrics';

const log = logger('metrics');

export interface MetricsServer {
  port: number;
  close(): Promise<void>;
}

/**
 * A bare /metrics endpoint for a process without an HTTP app (the workers), on its own port:
 * bind it to an address only Prometheus reaches. `extra` adds registries (queue depth, database).
 */
export async function startMetricsServer(port: number, opts: { host?: string; extra?: Registry[] } = {}): Promise<MetricsServer> {
  const registries = [processRegistry, ...(opts.extra ?? [])];
  const server = http.createServer((req, res) => {
    if (req.method !== 'GET' || (req.url ?? '').split('?')[0] !== '/metrics') {
      res.writeHead(404).end();
      return;
    }
    renderMetrics(registries).then(
      (body) => res.writeHead(200, { 'Content-Type': METRICS_CONTENT_TYPE }).end(body),
      (err: Error) => {
        log.warn({ err }, 'metrics rendering failed');
        res.writeHead(500).end();
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, opts.host ?? '127.0.0.1', () => resolve());
  });
  let closing: Promise<void> | undefined;
  return {
    port: (server.address() as AddressInfo).port,
    // Safe to call twice, as shutdown paths do.
    close: () =>
      (closing ??= new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      })),
  };
}
