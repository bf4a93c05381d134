import fs from 'node:fs';
import path from 'node:path';

/** Every TypeScript source below `dir` (no declarations, nothing under node_modules or dist). */
export function sourceFiles(dir: string, out: string[] = []): string[] {
  if (!fs.existsSync(dir)) return out;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== 'node_modules' && entry.name !== 'dist') sourceFiles(full, out);
    } else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) out.push(full);
  }
  return out;
}

/** The repository-relative paths (with /) of the sources under `tops` whose text matches `re`, sorted. */
export function filesSpelling(root: string, tops: string[], re: RegExp): string[] {
  return tops
    .flatMap((top) => sourceFiles(path.join(root, top)))
    .filter((file) => re.test(fs.readFileSync(file, 'utf8')))
    .map((file) => path.relative(root, file).split(path.sep).join('/'))
    .sort();
}
