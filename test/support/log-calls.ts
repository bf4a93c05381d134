import fs from 'node:fs';
import path from 'node:path';
import { sourceFiles } from './source-files';

/**
 * The log calls of the product code (`log.warn(…)`, `ctx.log.error(…)`, `rootLogger.fatal(…)`), read
 * from the TypeScript sources, and the ones that pass an error's text instead of the error: pino's
 * `err` serializer keeps the stack and the `cause` chain only when it is given the Error itself.
 */
export interface LogCall {
  file: string;
  line: number;
  text: string;
}

const PRODUCT_FOLDERS = ['services', 'workers', 'infra', 'contracts'];
const CALL_START = /\b(?:log|logger|rootLogger|parentLog|baseLog)\s*\.\s*(?:trace|debug|info|warn|error|fatal)\s*\(/g;

/** `{ err: e.message }`, `error: String(err)`, `reason: (err as Error).message`, and a message built as `${err.message}`. */
const MESSAGE_INSTEAD_OF_ERROR = [
  /\b(?:err|error|e|cause|reason|problem|failure)\s*:\s*(?:\(\s*)?[A-Za-z_$][\w$]*(?:\s+as\s+\w+\s*\))?\??\.message\b/,
  /\b(?:err|error|cause)\s*:\s*String\(\s*(?:err|error|e|cause)\s*\)/,
  /\$\{\s*(?:\(\s*)?(?:err|error|e|cause)(?:\s+as\s+\w+\s*\))?\??\.message\s*\}/,
  /\bmessage\s*:\s*(?:\(\s*)?[A-Za-z_$][\w$]*(?:\s+as\s+\w+\s*\))?\??\.message\b/,
];


/** The argument text of the call whose `(` is at `open`, up to its matching `)` (strings and templates skipped over whole). */
function argumentsAt(text: string, open: number): string {
  let depth = 0;
  let quote: string | null = null;
  for (let i = open; i < text.length; i += 1) {
    const c = text[i]!;
    if (quote) {
      if (c === '\\') i += 1;
      else if (c === quote) quote = null;
      continue;
    }
    if (c === "'" || c === '"' || c === '`') quote = c;
    else if (c === '(') depth += 1;
    else if (c === ')') {
      depth -= 1;
      if (depth === 0) return text.slice(open + 1, i);
    }
  }
  return text.slice(open + 1);
}

export function logCallsIn(file: string, text: string): LogCall[] {
  const calls: LogCall[] = [];
  for (const m of text.matchAll(CALL_START)) {
    const open = (m.index ?? 0) + m[0].length - 1;
    calls.push({ file, line: text.slice(0, m.index).split('\n').length, text: argumentsAt(text, open) });
  }
  return calls;
}

export function passesMessageInsteadOfError(call: LogCall): boolean {
  return MESSAGE_INSTEAD_OF_ERROR.some((re) => re.test(call.text));
}

export function productLogCalls(root: string): LogCall[] {
  const calls: LogCall[] = [];
  for (const top of PRODUCT_FOLDERS) {
    for (const file of sourceFiles(path.join(root, top))) {
      calls.push(...logCallsIn(path.relative(root, file), fs.readFileSync(file, 'utf8')));
    }
  }
  return calls;
}
