import fs from 'node:fs';
import path from 'node:path';
import type { Client } from 'minio';

/**
 * An S3-compatible bucket the backup folder is copied to (AWS S3, MinIO, Ceph RGW, a provider's
 * object storage). Layout under the prefix, the same as the folder's:
 *   base/<id>/pgdata.tar.gz, base/<id>/backup.json (written last: it marks the copy complete),
 *   wal/<segment>.gz, wal/<timeline>.history.gz, restore-points.jsonl
 * Every object is written with server-side encryption requested (`x-amz-server-side-encryption:
 * AES256`, SSE-S3) unless LIENTHONG_BACKUP_S3_SSE=off (a server that refuses the header).
 * Client: minio-js (one package, path-style addressing for any S3-compatible server, streamed
 * multipart uploads of files, no default checksum headers that non-AWS servers refuse).
 */
export interface S3Settings {
  endpoint: string;
  bucket: string;
  prefix: string;
  region: string;
  accessKey: string;
  secretKey: string;
  /** The SSE-S3 header to send, or none. */
  sse: 'AES256' | 'off';
}

export interface S3Target {
  settings: S3Settings;
  client: Client;
}

export interface RemoteObject {
  /** Relative to the prefix, e.g. `wal/000000010000000000000003.gz`. */
  key: string;
  size: number;
  lastModified: Date;
}

/**
 * The S3 target from the environment, or undefined when LIENTHONG_BACKUP_S3_BUCKET is not set.
 * Credentials come from the variables named by LIENTHONG_BACKUP_S3_ACCESS_KEY_ENV and
 * LIENTHONG_BACKUP_S3_SECRET_KEY_ENV (default AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY), so the
 * secrets are never in the configuration itself.
 */
export function s3SettingsFromEnv(env: NodeJS.ProcessEnv = process.env): S3Settings | undefined {
  const bucket = env.LIENTHONG_BACKUP_S3_BUCKET;
  if (!bucket) return undefined;
  const endpoint = env.LIENTHONG_BACKUP_S3_ENDPOINT ?? 'https://s3.amazonaws.com';
  const accessName = env.LIENTHONG_BACKUP_S3_ACCESS_KEY_ENV ?? 'AWS_ACCESS_KEY_ID';
  const secretName = env.LIENTHONG_BACKUP_S3_SECRET_KEY_ENV ?? 'AWS_SECRET_ACCESS_KEY';
  const accessKey = env[accessName];
  const secretKey = env[secretName];
  if (!accessKey || !secretKey) {
    throw new Error(`LIENTHONG_BACKUP_S3_BUCKET is set but the credentials are not: set ${accessName} and ${secretName} (or name other variables in LIENTHONG_BACKUP_S3_ACCESS_KEY_ENV / _SECRET_KEY_ENV)`);
  }
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw new Error(`LIENTHONG_BACKUP_S3_ENDPOINT is not a URL: ${endpoint}`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error(`LIENTHONG_BACKUP_S3_ENDPOINT must be http(s): ${endpoint}`);
  const sse = (env.LIENTHONG_BACKUP_S3_SSE ?? 'AES256') === 'off' ? 'off' : 'AES256';
  const prefix = (env.LIENTHONG_BACKUP_S3_PREFIX ?? 'lienthong').replace(/^\/+|\/+$/g, '');
  return { endpoint, bucket, prefix, region: env.LIENTHONG_BACKUP_S3_REGION ?? 'us-east-1', accessKey, secretKey, sse };
}

/** `{ s3 }` for the backup schedule when the environment configures a bucket, else nothing. */
export function s3Option(env: NodeJS.ProcessEnv = process.env): { s3?: S3Target } {
  const settings = s3SettingsFromEnv(env);
  return settings ? { s3: s3Target(settings) } : {};
}

export function s3Target(settings: S3Settings): S3Target {
  const url = new URL(settings.endpoint);
  const useSSL = url.protocol === 'https:';
  // Loaded here, not at import: every CLI command imports this module, few use a bucket (minio costs ~0.25 s to load).
  const { Client: MinioClient } = require('minio') as typeof import('minio');
  const client = new MinioClient({
    endPoint: url.hostname,
    port: url.port ? Number(url.port) : useSSL ? 443 : 80,
    useSSL,
    accessKey: settings.accessKey,
    secretKey: settings.secretKey,
    region: settings.region,
    pathStyle: true,
  });
  return { settings, client };
}

/** Where the copy is, for messages (never the credentials). */
export function describeS3(t: S3Target): string {
  return `s3://${t.settings.bucket}/${t.settings.prefix} at ${t.settings.endpoint}`;
}

function fullKey(t: S3Target, key: string): string {
  return t.settings.prefix ? `${t.settings.prefix}/${key}` : key;
}

function writeHeaders(t: S3Target): Record<string, string> {
  return { 'content-type': 'application/octet-stream', ...(t.settings.sse === 'AES256' ? { 'x-amz-server-side-encryption': 'AES256' } : {}) };
}

/** Uploads a local file (multipart when large), with SSE requested. */
export async function putFile(t: S3Target, key: string, file: string): Promise<void> {
  await t.client.fPutObject(t.settings.bucket, fullKey(t, key), file, writeHeaders(t));
}

export async function putText(t: S3Target, key: string, text: string): Promise<void> {
  const body = Buffer.from(text);
  await t.client.putObject(t.settings.bucket, fullKey(t, key), body, body.length, writeHeaders(t));
}

/** Downloads an object to a file (written under a temporary name, then renamed). */
export async function getFile(t: S3Target, key: string, file: string): Promise<void> {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.download`;
  await t.client.fGetObject(t.settings.bucket, fullKey(t, key), tmp);
  fs.chmodSync(tmp, 0o600);
  fs.renameSync(tmp, file);
}

export async function getText(t: S3Target, key: string): Promise<string> {
  const stream = await t.client.getObject(t.settings.bucket, fullKey(t, key));
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Every object under the prefix (and `under` below it), keys relative to the prefix. */
export async function listRemote(t: S3Target, under = ''): Promise<RemoteObject[]> {
  const base = t.settings.prefix ? `${t.settings.prefix}/` : '';
  const out: RemoteObject[] = [];
  const stream = t.client.listObjectsV2(t.settings.bucket, `${base}${under}`, true);
  for await (const o of stream as AsyncIterable<{ name?: string; size: number; lastModified: Date }>) {
    if (o.name) out.push({ key: o.name.slice(base.length), size: o.size, lastModified: o.lastModified });
  }
  return out;
}

export async function removeRemote(t: S3Target, keys: string[]): Promise<void> {
  for (const k of keys) await t.client.removeObject(t.settings.bucket, fullKey(t, k));
}
