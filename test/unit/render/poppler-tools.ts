import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { projectRoot } from '../../../services/config/project-root';

/** Runs a poppler tool on PDF bytes in a temporary file: the PDFs are read by independent tools. */
function withFile<T>(pdf: Buffer, fn: (file: string) => T): T {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lienthong-render-'));
  const file = path.join(dir, 'doc.pdf');
  fs.writeFileSync(file, pdf);
  try {
    return fn(file);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export function pdftotext(pdf: Buffer, args: string[] = ['-layout']): string {
  return withFile(pdf, (file) => execFileSync('pdftotext', [...args, file, '-'], { encoding: 'utf8' }));
}

export interface FontRow {
  name: string;
  type: string;
  emb: string;
  sub: string;
  uni: string;
}

export function pdffonts(pdf: Buffer): FontRow[] {
  const out = withFile(pdf, (file) => execFileSync('pdffonts', [file], { encoding: 'utf8' }));
  return out
    .split('\n')
    .slice(2)
    .filter((l) => l.trim() !== '')
    .map((line) => {
      // name, type (may hold spaces), encoding, emb, sub, uni, object, id: read from the right.
      const cols = line.trim().split(/\s+/);
      const n = cols.length;
      return { name: cols[0] ?? '', type: cols.slice(1, n - 6).join(' '), emb: cols[n - 5] ?? '', sub: cols[n - 4] ?? '', uni: cols[n - 3] ?? '' };
    });
}

export function pdfinfo(pdf: Buffer): { pages: number; width: number; height: number } {
  const out = withFile(pdf, (file) => execFileSync('pdfinfo', [file], { encoding: 'utf8' }));
  const size = /Page size:\s+([\d.]+) x ([\d.]+) pts/.exec(out);
  return { pages: Number(/Pages:\s+(\d+)/.exec(out)?.[1]), width: Number(size?.[1]), height: Number(size?.[2]) };
}

/** Writes page `page` as a PNG under test-artifacts/<folder>/ (git-ignored) for people to look at. */
export function keepPagePng(pdf: Buffer, folder: string, name: string, page = 1, dpi = 60): string {
  const dir = path.join(projectRoot(), 'test-artifacts', folder);
  fs.mkdirSync(dir, { recursive: true });
  const prefix = path.join(dir, name);
  withFile(pdf, (file) => execFileSync('pdftoppm', ['-png', '-r', String(dpi), '-f', String(page), '-l', String(page), '-singlefile', file, prefix]));
  return `${prefix}.png`;
}

/** Collapses runs of whitespace, so text wrapped across lines reads as one sentence. */
export function flat(text: string): string {
  return text.replace(/\s+/g, ' ');
}

/** The needles not found in this order (each searched after the previous one): [] when all are. */
export function missingInOrder(haystack: string, needles: string[]): string[] {
  const missing: string[] = [];
  let from = 0;
  for (const needle of needles) {
    const at = haystack.indexOf(needle, from);
    if (at < 0) missing.push(needle);
    else from = at + needle.length;
  }
  return missing;
}
