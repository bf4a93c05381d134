import fs from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../../services/config/project-root';
import { target, writeJson, printReport, type Target } from './report';
import { runSearchPhase, type SearchPhaseResult } from './search-phase';

/** The search phase's scale: BENCH_SEARCH_DOCS (default 1,000,000; 50,000 under BENCH_QUICK), 5 dispatches per document. */
export function searchScale(env: NodeJS.ProcessEnv = process.env): { documents: number; perDoc: number; agencies: number; users: number; requests: number } {
  const documents = Number(env.BENCH_SEARCH_DOCS ?? (env.BENCH_QUICK === '1' ? 50_000 : 1_000_000));
  return { documents, perDoc: 5, agencies: 300, users: 8, requests: Number(env.BENCH_SEARCH_REQUESTS ?? 400) };
}

export function searchTargets(r: SearchPhaseResult): Target[] {
  return [
    target('search p95 (ms)', 'search.p95Ms', r.p95Ms, '<=', 200),
    target('inbox page p95 (ms)', 'search.inboxPageP95Ms', r.inboxPageP95Ms, '<=', 100),
  ];
}

export function searchRows(r: SearchPhaseResult): [string, unknown][] {
  return [
    ['search data (docs / dispatches / texts)', `${r.scale.documents} / ${r.scale.dispatches} / ${r.scale.texts} (${r.scale.generateSeconds} s by SQL, of which ${r.scale.indexSeconds} s indexes; ${r.scale.checkedAgainstTrigger} rows equal to the trigger's)`],
    [`search p50/p95/max ms (${r.concurrency} users)`, `${r.search.p50Ms} / ${r.search.p95Ms} / ${r.search.maxMs}; mean hits ${r.meanHitsPerSearch}`],
    ['search p50/p95 ms per term (mean hits; share broad)', (r.byTerm ?? []).map((t) => `${t.term}: ${t.p50Ms}/${t.p95Ms} (${t.meanHits}; ${t.broadShare})`).join('; ')],
    [`same searches with count=exact p50/p95 ms (count limit ${r.countLimit})`, r.searchExactCount ? `${r.searchExactCount.p50Ms} / ${r.searchExactCount.p95Ms}` : 'n/a'],
    ['CPU ms per search (gateway / database / Redis / load generator = total)', r.cpuMsPerSearch ? `${r.cpuMsPerSearch.gateway} / ${r.cpuMsPerSearch.postgres} / ${r.cpuMsPerSearch.redis} / ${r.cpuMsPerSearch.loadgen} = ${r.cpuMsPerSearch.total}` : 'n/a'],
    ['inbox first page p50/p95 ms', `${r.inboxFirst.p50Ms} / ${r.inboxFirst.p95Ms}`],
    ['inbox last page p50/p95 ms', `${r.inboxLast.p50Ms} / ${r.inboxLast.p95Ms}`],
    ['sizes', JSON.stringify(r.sizes)],
    ['load average before / after', `${r.loadavg.before.join(' ')} / ${r.loadavg.after.join(' ')}`],
  ];
}

/**
 * BENCH_ONLY=search: the search phase alone; with BENCH_SEARCH_DATA_DIR=DIR it copies the data a
 * run generated before (DIR/postgres, e.g. a stack folder kept by hand) instead of generating it;
 * its figures go into latest.json beside the others'.
 */
export async function searchOnly(say: (s: string) => void): Promise<void> {
  const scale = searchScale();
  say(`search phase only: ${scale.documents} documents × ${scale.perDoc} dispatches, ${scale.users} users`);
  const r = await runSearchPhase({ ...scale, say, reuseDataDir: process.env.BENCH_SEARCH_DATA_DIR || undefined });
  const file = path.join(projectRoot(), 'bench', 'results', 'latest.json');
  const previous = fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, 'utf8')) as { targets?: Target[] } & Record<string, unknown>) : {};
  const targets = [...(previous.targets ?? []).filter((t) => !t.figure.startsWith('search.')), ...searchTargets(r)];
  writeJson(file, { ...previous, search: r, targets });
  printReport(searchRows(r), searchTargets(r), []);
  if (r.gatewayProfile) say(`gateway profile (whole run): ${JSON.stringify(r.gatewayProfile, null, 1)}`);
}
