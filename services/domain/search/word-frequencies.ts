import type { Queryable } from '../../db/pool';

/**
 * How common the words of the index are, from PostgreSQL's own statistics of
 * document_search.search_tsv (pg_stats: the most common lexemes and the share of documents holding
 * each, kept by ANALYZE). Which words a search asks the GIN index for is chosen with it
 * (search-text.ts, toTsQueryForIndex): intersecting the posting list of a word found in 60% of the
 * documents costs more than it narrows, while the rarest word narrows most for least.
 */
export interface WordFrequencies {
  /** Share of documents holding the word (a word not among the most common: below the rarest of them). */
  word(w: string): number;
  /** Share of documents holding any common word starting with the prefix (an upper-bound estimate of a prefix's cost). */
  prefix(p: string): number;
}

export function frequenciesFrom(elems: string[], freqs: number[]): WordFrequencies {
  const byWord = new Map<string, number>();
  elems.forEach((e, i) => byWord.set(e, freqs[i] ?? 0));
  const rarest = elems.length ? Math.min(...elems.map((e) => byWord.get(e)!)) : 0;
  return {
    word: (w) => byWord.get(w) ?? rarest / 2,
    prefix: (p) => {
      let sum = 0;
      for (const [w, f] of byWord) if (w.startsWith(p)) sum += f;
      return sum > 0 ? sum : rarest / 2;
    },
  };
}

const TTL_MS = 10 * 60_000;
let cached: { at: number; value: WordFrequencies | undefined } | null = null;

/** The statistics, read at most every ten minutes per process; undefined when there are none yet. */
export async function wordFrequencies(db: Queryable): Promise<WordFrequencies | undefined> {
  if (cached && Date.now() - cached.at < TTL_MS) return cached.value;
  const r = await db.query<{ elems: string[] | null; freqs: number[] | null }>(
    `SELECT most_common_elems::text::text[] AS elems, most_common_elem_freqs AS freqs
       FROM pg_stats WHERE schemaname = current_schema() AND tablename = 'document_search' AND attname = 'search_tsv'`,
  );
  const row = r.rows[0];
  const value = row?.elems && row.freqs ? frequenciesFrom(row.elems, row.freqs) : undefined;
  cached = { at: Date.now(), value };
  return value;
}
