import type { Suite } from 'mocha';

/** One test file as the root hooks see it: its path and its place in the run (0, 1, …). */
export interface FileScope {
  file: string;
  index: number;
}

export interface FileHooks {
  /** Whether the file gets `enter`/`leave` (the unit tier's files need no services). */
  needsServices(file: string): boolean;
  enter(scope: FileScope): Promise<void>;
  leave(scope: FileScope): Promise<void>;
}

type HookList = { unshift(h: unknown): void; pop(): unknown };

/**
 * Mocha has no per-file hooks; every file's top-level `describe` is a child of the root suite and
 * knows its file. So: `enter` becomes the first before-all hook of a file's first top-level suite,
 * `leave` the last after-all hook of its last one. Called from the root before-all hook, which runs
 * before any file's suites do.
 */
export function addFileHooks(root: Suite, hooks: FileHooks): void {
  const byFile = new Map<string, Suite[]>();
  for (const suite of root.suites) {
    if (!suite.file || !hooks.needsServices(suite.file)) continue;
    if (!byFile.has(suite.file)) byFile.set(suite.file, []);
    byFile.get(suite.file)!.push(suite);
  }
  let index = 0;
  for (const [file, suites] of byFile) {
    const scope: FileScope = { file, index: index++ };
    const first = suites[0]!;
    const last = suites[suites.length - 1]!;
    first.beforeAll(`per-file services (${scope.index})`, async function () {
      this.timeout(120_000);
      await hooks.enter(scope);
    });
    // beforeAll appends: move ours in front of the file's own before-all hooks.
    const before = (first as unknown as { _beforeAll: HookList })._beforeAll;
    before.unshift(before.pop());
    last.afterAll(`per-file services done (${scope.index})`, async function () {
      this.timeout(120_000);
      await hooks.leave(scope);
    });
  }
}
