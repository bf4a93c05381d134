import fs from 'node:fs';
import path from 'node:path';
import { findOnPath } from '../embedded/common';
import { freePort } from '../embedded/free-port';
import { startDaemon, waitUntil, type Daemon } from './daemon';

/**
 * nginx in front of the gateways, as in production: a gateway that refuses connections is marked
 * down for a few seconds and its requests go to the next one (a POST too: it was never sent).
 */
export interface NginxFront {
  port: number;
  url: string;
  daemon: Daemon;
  stop(): Promise<void>;
}

export async function startNginx(dir: string, gatewayPorts: number[]): Promise<NginxFront> {
  const bin = findOnPath('nginx');
  if (!bin) throw new Error('nginx not found; run `bash infra/scripts/ensure-system-deps.sh --cluster`');
  const tmp = path.join(dir, 'tmp');
  fs.mkdirSync(tmp, { recursive: true, mode: 0o777 });
  fs.chmodSync(tmp, 0o777); // nginx's workers run as nobody when started as root
  const port = await freePort();
  const conf = `
daemon off;
worker_processes 1;
pid ${path.join(dir, 'nginx.pid')};
error_log ${path.join(dir, 'error.log')} warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path ${tmp}/body;
  proxy_temp_path ${tmp}/proxy;
  fastcgi_temp_path ${tmp}/fastcgi;
  uwsgi_temp_path ${tmp}/uwsgi;
  scgi_temp_path ${tmp}/scgi;
  upstream lienthong_gateway {
${gatewayPorts.map((p) => `    server 127.0.0.1:${p} max_fails=1 fail_timeout=3s;`).join('\n')}
    keepalive 16;
  }
  server {
    listen 127.0.0.1:${port};
    client_max_body_size 72m;
    client_body_buffer_size 1m;
    proxy_http_version 1.1;
    proxy_set_header Connection "";
    proxy_set_header Host $host;
    proxy_connect_timeout 2s;
    proxy_read_timeout 120s;
    proxy_next_upstream error timeout;
    proxy_next_upstream_tries 3;
    location / { proxy_pass http://lienthong_gateway; }
  }
}
`;
  fs.writeFileSync(path.join(dir, 'nginx.conf'), conf);
  const daemon = startDaemon('nginx', bin, ['-p', dir, '-c', path.join(dir, 'nginx.conf'), '-e', path.join(dir, 'error.log')], path.join(dir, 'nginx.out'), { cwd: dir });
  const url = `http://127.0.0.1:${port}`;
  await waitUntil('nginx', async () => (await fetch(`${url}/health/live`, { signal: AbortSignal.timeout(2_000) })).ok, 30_000, daemon);
  return { port, url, daemon, stop: () => daemon.stop(10_000, 'SIGQUIT') };
}
