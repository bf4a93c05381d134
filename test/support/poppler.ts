import { execFileSync, spawnSync } from 'node:child_process';
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
