import { execFileSync, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** An NSS database that trusts exactly the given CA, for poppler's pdfsig. */
export function nssDbTrusting(caPem: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lienthong-nss-'));
  fs.writeFileSync(path.join(dir, 'ca.pem'), caPem);
  execFileSync('certutil', ['-N', '-d', `sql:${dir}`, '--empty-password']);
  execFileSync('certutil', ['-A', '-d', `sql:${dir}`, '-n', 'lienthong-dev-ca', '-t', 'CT,C,C', '-i', path.join(dir, 'ca.pem')]);
  return dir;
}

/** Runs pdfsig on the bytes and returns what it printed (it exits non-zero on bad signatures). */
export function pdfsig(pdf: Buffer, nssDir: string, extraArgs: string[] = []): string {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'lienthong-pdfsig-')), 'doc.pdf');
  fs.writeFileSync(file, pdf);
  const r = spawnSync('pdfsig', ['-nssdir', `sql:${nssDir}`, ...extraArgs, file], { encoding: 'utf8' });
  fs.rmSync(path.dirname(file), { recursive: true, force: true });
  return `${r.stdout}\n${r.stderr}`;
}

/**
 * pdfsig run without blocking this process: with OCSP on, NSS asks the OCSP responder the
 * certificates name, which may be a gateway running inside this very process.
 */
export async function pdfsigAsync(pdf: Buffer, nssDir: string, extraArgs: string[] = []): Promise<string> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lienthong-pdfsig-'));
  const file = path.join(dir, 'doc.pdf');
  fs.writeFileSync(file, pdf);
  try {
    const child = spawn('pdfsig', ['-nssdir', `sql:${nssDir}`, ...extraArgs, file]);
    let out = '';
    child.stdout.on('data', (b) => (out += b.toString()));
    child.stderr.on('data', (b) => (out += b.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 90_000);
    await new Promise((resolve) => child.on('close', resolve));
    clearTimeout(timer);
    return out;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
