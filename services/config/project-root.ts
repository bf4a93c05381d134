import fs from 'node:fs';
import path from 'node:path';

let cached: string | undefined;

/** The repository root (the folder holding package.json), whether we run from src or dist. */
export function projectRoot(): string {
  if (cached) return cached;
  let dir = __dirname;
  for (;;) {
    const pkg = path.join(dir, 'package.json');
    if (fs.existsSync(pkg) && JSON.parse(fs.readFileSync(pkg, 'utf8')).name === 'lienthong') {
      cached = dir;
      return dir;
    }
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('cannot find the lienthong package.json above ' + __dirname);
    dir = parent;
  }
}
