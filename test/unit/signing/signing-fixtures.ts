import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import { createDevCa, issueAgencyCertificate, KeyAndCert, KeyType } from '../../../services/pki/dev-ca';

// Test helpers: keys are generated per run into a temp dir (never committed), and every check
// that matters is made by tools we did not write: poppler's pdfsig (NSS), openssl, qpdf.

export interface ToolResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

export function run(cmd: string, args: string[], opts: { cwd?: string; input?: Buffer } = {}): ToolResult {
  const r = spawnSync(cmd, args, { cwd: opts.cwd, input: opts.input, encoding: 'utf8', timeout: 30_000 });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Created on first use, so suites that mocha filters out (--grep) leave nothing behind. */
export class TempDir {
  private created: string | null = null;
  get path(): string {
    this.created ??= mkdtempSync(join(tmpdir(), 'lienthong-signing-'));
    return this.created;
  }
  file(name: string, content?: Buffer | string): string {
    const p = join(this.path, name);
    if (content !== undefined) writeFileSync(p, content);
    return p;
  }
  remove(): void {
    if (this.created) rmSync(this.created, { recursive: true, force: true });
    this.created = null;
  }
}

export const AGENCY = { agencyCode: '000.00.00.H29', agencyName: 'Sở Nội vụ tỉnh Bắc Ninh' };

export interface TestPki {
  ca: KeyAndCert;
  agency: KeyAndCert;
}

export function makePki(keyType: KeyType): TestPki {
  const ca = createDevCa({ keyType });
  return { ca, agency: issueAgencyCertificate(ca, AGENCY, { keyType }) };
}

/** An NSS database trusting `caPem` for e-mail signing, which is what pdfsig validates against. */
export function nssDbTrusting(dir: TempDir, name: string, caPem: string): string {
  const db = join(dir.path, name);
  mkdirSync(db);
  const created = run('certutil', ['-N', '-d', `sql:${db}`, '--empty-password']);
  if (created.status !== 0) throw new Error(`certutil -N failed: ${created.stderr}`);
  const caFile = dir.file(`${name}-ca.pem`, caPem);
  const added = run('certutil', ['-A', '-d', `sql:${db}`, '-n', 'devca', '-t', 'CT,C,C', '-i', caFile]);
  if (added.status !== 0) throw new Error(`certutil -A failed: ${added.stderr}`);
  return `sql:${db}`;
}

export function pdfsig(nssDir: string, pdfPath: string): string {
  const r = run('pdfsig', ['-nssdir', nssDir, pdfPath]);
  return r.stdout + r.stderr;
}

export async function onePagePdf(opts: { objectStreams?: boolean } = {}): Promise<Buffer> {
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  doc.setTitle('Cong van so 123/SNV-VP');
  doc.addPage([595, 842]).drawText('Cong van so 123/SNV-VP', { x: 72, y: 760, size: 14, font });
  return Buffer.from(await doc.save({ useObjectStreams: opts.objectStreams ?? false }));
}

/** The same document rewritten by qpdf with compressed object streams and an xref stream. */
export function qpdfObjectStreams(dir: TempDir, pdf: Buffer): Buffer {
  const input = dir.file(`qpdf-in-${Date.now()}.pdf`, pdf);
  const output = dir.file(`qpdf-out-${Date.now()}.pdf`);
  const r = run('qpdf', ['--object-streams=generate', input, output]);
  if (r.status !== 0) throw new Error(`qpdf failed: ${r.stderr}`);
  return readFileSync(output);
}

/** The last /ByteRange in the file, found with a regex rather than with the code under test. */
export function lastByteRange(pdf: Buffer): [number, number, number, number] {
  const all = [...pdf.toString('latin1').matchAll(/\/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]/g)];
  const m = all[all.length - 1];
  if (!m) throw new Error('no /ByteRange in the PDF');
  return [Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4])];
}

export function signedBytes(pdf: Buffer): Buffer {
  const [a, b, c, d] = lastByteRange(pdf);
  return Buffer.concat([pdf.subarray(a, a + b), pdf.subarray(c, c + d)]);
}

/** The CMS of the newest signature as dumped by pdfsig (zero padding included, which DER readers ignore). */
export function dumpLastCms(dir: TempDir, pdfPath: string): Buffer {
  const out = join(dir.path, `dump-${Date.now()}-${Math.random().toString(36).slice(2)}`);
  mkdirSync(out);
  const r = run('pdfsig', ['-nocert', '-dump', pdfPath], { cwd: out });
  const sigs = [...r.stdout.matchAll(/=> (\S+\.sig\d+)/g)].map((m) => m[1] ?? '');
  const last = sigs[sigs.length - 1];
  if (!last) throw new Error(`pdfsig -dump found no signature:\n${r.stdout}${r.stderr}`);
  return readFileSync(join(out, last));
}

export function opensslCmsVerify(dir: TempDir, pdf: Buffer, cms: Buffer, caPem: string): ToolResult {
  const cmsFile = dir.file(`cms-${Date.now()}-${Math.random().toString(36).slice(2)}.der`, cms);
  const content = dir.file(`content-${Date.now()}-${Math.random().toString(36).slice(2)}.bin`, signedBytes(pdf));
  const ca = dir.file('openssl-ca.pem', caPem);
  return run('openssl', [
    'cms', '-verify', '-inform', 'DER', '-in', cmsFile, '-binary', '-content', content,
    '-CAfile', ca, '-purpose', 'any', '-out', '/dev/null',
  ]);
}

/** The signedAttrs section of `openssl cms -cmsout -print`. */
export function printedSignedAttributes(dir: TempDir, cms: Buffer): string {
  const cmsFile = dir.file(`print-${Date.now()}.der`, cms);
  const r = run('openssl', ['cms', '-cmsout', '-print', '-inform', 'DER', '-in', cmsFile]);
  if (r.status !== 0) throw new Error(`openssl cms -print failed: ${r.stderr}`);
  const start = r.stdout.indexOf('signedAttrs:');
  const end = r.stdout.indexOf('signatureAlgorithm:', start);
  if (start < 0 || end < 0) throw new Error('openssl printed no signedAttrs section');
  return r.stdout.slice(start, end);
}
