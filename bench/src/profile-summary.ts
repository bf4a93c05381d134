import fs from 'node:fs';
import path from 'node:path';

interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }[];
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileSummary {
  file: string;
  busyMs: number;
  idleMs: number;
  topFunctions: { fn: string; selfMs: number; share: number }[];
  topModules: { module: string; selfMs: number; share: number }[];
}

/** Where a function lives, short: the npm package, or the path inside the repository. */
function moduleOf(url: string): string {
  if (!url) return '(native/V8)';
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (nm) return nm[1]!;
  if (url.startsWith('node:')) return url;
  const inRepo = /\/(services|workers|contracts|infra|bench)\/(.*)$/.exec(url);
  return inRepo ? `${inRepo[1]}/${inRepo[2]}` : path.basename(url);
}

/** Self time per function and per module from a V8 .cpuprofile (as `node --cpu-prof` writes). */
export function summariseProfile(file: string, top = 15): ProfileSummary {
  const p = JSON.parse(fs.readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(p.nodes.map((n) => [n.id, n.callFrame]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  // Native and node-internal frames (writev, hexWrite, …) say little alone: name the nearest
  // library or repository frame that called them.
  const callerOf = (id: number): string => {
    for (let at = parent.get(id); at !== undefined; at = parent.get(at)) {
      const url = byId.get(at)!.url;
      if (url && !url.startsWith('node:')) return moduleOf(url);
    }
    return '?';
  };
  const selfUs = new Map<number, number>();
  p.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (p.timeDeltas[i] ?? 0)));
  const fns = new Map<string, number>();
  const mods = new Map<string, number>();
  let idle = 0;
  let busy = 0;
  for (const [id, us] of selfUs) {
    const cf = byId.get(id)!;
    if (cf.functionName === '(idle)') {
      idle += us;
      continue;
    }
    busy += us;
    const mod = moduleOf(cf.url);
    const internal = !cf.url || cf.url.startsWith('node:');
    const key = `${cf.functionName || '(anonymous)'} ${mod}${cf.url ? `:${cf.lineNumber + 1}` : ''}${internal ? ` ← ${callerOf(id)}` : ''}`;
    fns.set(key, (fns.get(key) ?? 0) + us);
    mods.set(mod, (mods.get(mod) ?? 0) + us);
  }
  const rank = (m: Map<string, number>) =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([k, us]) => ({ k, selfMs: Math.round(us / 1000), share: Math.round((us / busy) * 1000) / 1000 }));
  return {
    file: path.basename(file),
    busyMs: Math.round(busy / 1000),
    idleMs: Math.round(idle / 1000),
    topFunctions: rank(fns).map(({ k, ...r }) => ({ fn: k, ...r })),
    topModules: rank(mods).map(({ k, ...r }) => ({ module: k, ...r })),
  };
}

/** The summaries of every profile in `dir`. Also runnable: node profile-summary.js DIR. */
export function summariseDir(dir: string): ProfileSummary[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.cpuprofile'))
    .map((f) => summariseProfile(path.join(dir, f)));
}

if (require.main === module) {
  const dir = process.argv[2];
  if (!dir) {
    console.error('usage: profile-summary.js DIR_OF_CPUPROFILES');
    process.exit(2);
  }
  console.log(JSON.stringify(summariseDir(dir), null, 2));
}
