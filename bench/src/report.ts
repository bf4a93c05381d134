import fs from 'node:fs';
import path from 'node:path';

export interface Target {
  name: string;
  figure: string;
  want: string;
  value: number | null;
  met: boolean | null;
}

/** A target: `value` against `limit`, at least (≥) or at most (≤); unknown when the figure is null. */
export function target(name: string, figure: string, value: number | null, op: '>=' | '<=', limit: number): Target {
  const met = value === null ? null : op === '>=' ? value >= limit : value <= limit;
  return { name, figure, want: `${op === '>=' ? '≥' : '≤'} ${limit}`, value, met };
}

const fmt = (v: unknown) => (v === null || v === undefined ? '—' : typeof v === 'number' ? String(Math.round(v * 100) / 100) : String(v));

/** Two-column rows and the targets, printed as plain text tables for the terminal. */
export function printReport(rows: [string, unknown][], targets: Target[], notes: string[]): void {
  const w = Math.max(...rows.map(([k]) => k.length));
  console.log('\nLiên Thông benchmark');
  console.log('─'.repeat(w + 24));
  for (const [k, v] of rows) console.log(`${k.padEnd(w)}  ${fmt(v)}`);
  console.log('\nTargets');
  console.log('─'.repeat(w + 24));
  for (const t of targets) console.log(`${t.name.padEnd(w)}  ${fmt(t.value).padStart(9)}  ${t.want.padEnd(8)}  ${t.met === null ? 'n/a' : t.met ? 'met' : 'MISSED'}`);
  if (notes.length) console.log('\nNotes\n' + notes.map((n) => `- ${n}`).join('\n'));
}

export function writeJson(file: string, data: unknown): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify(data, null, 2) + '\n');
}
