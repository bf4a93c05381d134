import fs from 'node:fs';
import path from 'node:path';
import { sourceFiles } from './source-files';

/**
 * Who writes the pipeline's four tables (issue 18, "one writer per table"): the SQL statements of
 * the product code that INSERT, UPDATE, DELETE, MERGE or TRUNCATE `outbox`, `dispatches`,
 * `documents` or `ledger`, and the SQL functions of the migrations that do. Statements are read
 * from the string literals of the TypeScript sources (comments do not count), a template's
 * `${…}` parts left out.
 */
export const WATCHED_TABLES = ['outbox', 'dispatches', 'documents', 'ledger'] as const;
export type WatchedTable = (typeof WATCHED_TABLES)[number];

/** The one module that writes each table. */
export const TABLE_HOME: Record<WatchedTable, string> = {
  outbox: 'services/pipeline/outbox.repository.ts',
  dispatches: 'services/domain/dispatches/dispatch.repository.ts',
  documents: 'services/domain/documents/document.repository.ts',
  ledger: 'services/domain/ledger/ledger.repository.ts',
};

export const PRODUCT_FOLDERS = ['services', 'workers'];

export interface TableWrite {
  file: string;
  line: number;
  table: WatchedTable;
  /** The statement's verb, or `name()` when a SQL function that writes the table is called. */
  how: string;
  /** The whole string literal the write is in (a combined statement writes several tables). */
  literal: string;
}

const WRITE = new RegExp(
  String.raw`\b(INSERT\s+INTO|UPDATE(?:\s+ONLY)?|DELETE\s+FROM(?:\s+ONLY)?|MERGE\s+INTO|TRUNCATE(?:\s+TABLE)?(?:\s+ONLY)?)\s+` +
    String.raw`(?:"?public"?\s*\.\s*)?"?(${WATCHED_TABLES.join('|')})"?(?![\w"$])`,
  'gi',
);

/** The string literals of a TypeScript source with the line each starts on (a template's parts joined by a space). */
export function stringLiterals(text: string): { line: number; text: string }[] {
  const out: { line: number; text: string }[] = [];
  const lineAt = (at: number) => text.slice(0, at).split('\n').length;
  // Code from `i`; with `closing`, up to the `}` that ends a template's `${`: returns the index after it.
  const code = (start: number, closing: boolean): number => {
    let i = start;
    let depth = 0;
    let last = '';
    while (i < text.length) {
      const c = text[i]!;
      const next = text[i + 1];
      if (c === '/' && next === '/') {
        const end = text.indexOf('\n', i);
        i = end < 0 ? text.length : end;
        continue;
      }
      if (c === '/' && next === '*') {
        const end = text.indexOf('*/', i + 2);
        i = end < 0 ? text.length : end + 2;
        continue;
      }
      if (c === '/' && (last === '' || '(,=:[!&|?{};'.includes(last))) {
        // A regular expression literal: skipped (its quotes are not strings).
        let j = i + 1;
        let inClass = false;
        while (j < text.length && text[j] !== '\n') {
          const r = text[j]!;
          if (r === '\\') j += 1;
          else if (r === '[') inClass = true;
          else if (r === ']') inClass = false;
          else if (r === '/' && !inClass) break;
          j += 1;
        }
        i = j + 1;
        last = '/';
        continue;
      }
      if (c === "'" || c === '"') {
        let j = i + 1;
        let s = '';
        while (j < text.length && text[j] !== c && text[j] !== '\n') {
          if (text[j] === '\\') {
            s += text.slice(j, j + 2);
            j += 2;
          } else s += text[j++];
        }
        out.push({ line: lineAt(i), text: s });
        i = j + 1;
        last = c;
        continue;
      }
      if (c === '`') {
        i = template(i);
        last = '`';
        continue;
      }
      if (c === '{') depth += 1;
      if (c === '}') {
        if (closing && depth === 0) return i + 1;
        depth -= 1;
      }
      if (!/\s/.test(c)) last = c;
      i += 1;
    }
    return i;
  };
  // A template from its opening backtick: its text parts, its `${…}` parts read as code.
  const template = (start: number): number => {
    const parts: string[] = [];
    let chunk = '';
    let i = start + 1;
    while (i < text.length) {
      const c = text[i]!;
      if (c === '\\') {
        chunk += text.slice(i, i + 2);
        i += 2;
      } else if (c === '`') {
        i += 1;
        break;
      } else if (c === '$' && text[i + 1] === '{') {
        parts.push(chunk);
        chunk = '';
        i = code(i + 2, true);
      } else {
        chunk += c;
        i += 1;
      }
    }
    parts.push(chunk);
    out.push({ line: lineAt(start), text: parts.join(' ') });
    return i;
  };
  code(0, false);
  return out;
}

/** The writes of the watched tables in one source; `functions` maps SQL function names to the tables they write. */
export function tableWritesIn(file: string, text: string, functions: Map<string, Set<WatchedTable>> = new Map()): TableWrite[] {
  const writes: TableWrite[] = [];
  const calls = functions.size > 0 ? new RegExp(String.raw`\b(${[...functions.keys()].join('|')})\s*\(`, 'gi') : undefined;
  for (const lit of stringLiterals(text)) {
    for (const m of lit.text.matchAll(WRITE)) {
      const line = lit.line + lit.text.slice(0, m.index).split('\n').length - 1;
      writes.push({ file, line, table: m[2]!.toLowerCase() as WatchedTable, how: m[1]!.replace(/\s+/g, ' ').toUpperCase(), literal: lit.text });
    }
    for (const m of calls ? lit.text.matchAll(calls) : []) {
      const line = lit.line + lit.text.slice(0, m.index).split('\n').length - 1;
      for (const table of functions.get(m[1]!.toLowerCase())!) writes.push({ file, line, table, how: `${m[1]!.toLowerCase()}()`, literal: lit.text });
    }
  }
  return writes;
}

/** Every write of the watched tables in the product code (paths relative to `root`, with /). */
export function productTableWrites(root: string, functions: Map<string, Set<WatchedTable>>): TableWrite[] {
  return PRODUCT_FOLDERS.flatMap((top) => sourceFiles(path.join(root, top)))
    .sort()
    .flatMap((file) => tableWritesIn(path.relative(root, file).split(path.sep).join('/'), fs.readFileSync(file, 'utf8'), functions));
}

/**
 * A write outside its table's module, or undefined when it is in place. The documents' module may
 * also write dispatches and outbox rows, but only in a statement that writes a document too (one
 * round trip for the document and what it starts: a combined statement). Such a statement may be
 * built from parts: a part that does not move the document itself reads `moved`, the CTE that does
 * (in that module always the document's UPDATE: movedIsDocumentUpdate).
 */
export function misplaced(w: TableWrite): string | undefined {
  if (w.file === TABLE_HOME[w.table]) return undefined;
  if (w.file === TABLE_HOME.documents && (w.table === 'dispatches' || w.table === 'outbox')) {
    const writesDocument = [...w.literal.matchAll(WRITE)].some((m) => m[2]!.toLowerCase() === 'documents');
    if (writesDocument || PART_OF_MOVE.test(w.literal)) return undefined;
  }
  return `${w.file}:${w.line}: ${w.how} ${w.table} (its writer is ${TABLE_HOME[w.table]})`;
}

/** A part of a combined statement: it reads the document's move (`FROM moved`) without defining it. */
const PART_OF_MOVE = /^(?![\s\S]*\bmoved\s+AS\s*\()[\s\S]*\bFROM\s+moved\b/i;

/**
 * The `moved` CTEs of a source that are not an UPDATE of documents (where PART_OF_MOVE parts are
 * allowed, every `moved` must be the document's compare-and-set): their lines.
 */
export function movedNotDocumentUpdate(text: string): number[] {
  const out: number[] = [];
  for (const lit of stringLiterals(text)) {
    for (const m of lit.text.matchAll(/\bmoved\s+AS\s*\(\s*(\S+\s+\S+)/gi)) {
      if (!/^UPDATE\s+documents$/i.test(m[1]!)) out.push(lit.line + lit.text.slice(0, m.index).split('\n').length - 1);
    }
  }
  return out;
}

export interface SqlFunction {
  name: string;
  migration: string;
  /** Watched tables its body writes itself. */
  writes: WatchedTable[];
  /** The functions its body calls, by name (lower case), of those defined in the migrations. */
  calls: string[];
}

const FUNCTION_DEF = /CREATE\s+(?:OR\s+REPLACE\s+)?FUNCTION\s+(?:public\.)?(\w+)\s*\(([\s\S]*?)\$(\w*)\$([\s\S]*?)\$\3\$/gi;
const FUNCTION_DROP = /DROP\s+FUNCTION\s+(?:IF\s+EXISTS\s+)?(?:public\.)?(\w+)/gi;

/** The SQL functions as the migrations leave them (applied in order: a later definition or DROP wins). */
export function migrationFunctions(migrationsDir: string): Map<string, SqlFunction> {
  const defined = new Map<string, { migration: string; body: string }>();
  for (const name of fs.readdirSync(migrationsDir).filter((f) => f.endsWith('.sql')).sort()) {
    const sql = fs.readFileSync(path.join(migrationsDir, name), 'utf8').replace(/--[^\n]*/g, '');
    const events: { at: number; apply: () => void }[] = [];
    for (const m of sql.matchAll(FUNCTION_DROP)) events.push({ at: m.index ?? 0, apply: () => defined.delete(m[1]!.toLowerCase()) });
    for (const m of sql.matchAll(FUNCTION_DEF)) events.push({ at: m.index ?? 0, apply: () => defined.set(m[1]!.toLowerCase(), { migration: name, body: m[4]! }) });
    for (const e of events.sort((a, b) => a.at - b.at)) e.apply();
  }
  const out = new Map<string, SqlFunction>();
  for (const [name, { migration, body }] of defined) {
    const writes = new Set<WatchedTable>();
    for (const m of body.matchAll(WRITE)) writes.add(m[2]!.toLowerCase() as WatchedTable);
    const calls = [...defined.keys()].filter((other) => other !== name && new RegExp(String.raw`\b${other}\s*\(`, 'i').test(body));
    out.set(name, { name, migration, writes: [...writes].sort(), calls });
  }
  return out;
}

/** Each function's watched tables, its own writes and those of the functions it calls (transitively). */
export function functionTables(functions: Map<string, SqlFunction>): Map<string, Set<WatchedTable>> {
  const out = new Map<string, Set<WatchedTable>>();
  const visit = (name: string, seen: Set<string>): Set<WatchedTable> => {
    const f = functions.get(name);
    const tables = new Set<WatchedTable>(f?.writes ?? []);
    if (!f || seen.has(name)) return tables;
    seen.add(name);
    for (const c of f.calls) for (const t of visit(c, seen)) tables.add(t);
    return tables;
  };
  for (const name of functions.keys()) {
    const tables = visit(name, new Set());
    if (tables.size > 0) out.set(name, tables);
  }
  return out;
}
