/**
 * Search text as the database indexes it (migration 0035: lt_fold, lt_words): lower case, no
 * diacritics, đ → d. "Cải cách" and "cai cach" are one search; so are "Nội vụ" and "noi vu".
 */
export function foldVi(s: string): string {
  return s.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/[đĐ]/g, 'd').toLowerCase();
}

export function wordsVi(s: string): string[] {
  return foldVi(s).split(/[^a-z0-9]+/).filter((w) => w.length > 0);
}

/**
 * Abbreviations clerks type, in folded words, both ways: "UBND" finds "Ủy ban nhân dân" and
 * "ủy ban nhân dân" finds "UBND". The index knows the same pairs (table search_abbreviations,
 * migration 0093): a document's words carry the abbreviation of every full form they contain, so
 * either form typed is the abbreviation's one word. A test compares this list with the table.
 */
export const ABBREVIATIONS: Record<string, string> = {
  ubnd: 'uy ban nhan dan',
  hdnd: 'hoi dong nhan dan',
  ubmttq: 'uy ban mat tran to quoc',
  tt: 'thong tu',
  ttlt: 'thong tu lien tich',
  qd: 'quyet dinh',
  nd: 'nghi dinh',
  nq: 'nghi quyet',
  ct: 'chi thi',
  cv: 'cong van',
  tb: 'thong bao',
  kh: 'ke hoach',
  bc: 'bao cao',
  ttr: 'to trinh',
  hd: 'huong dan',
  gm: 'giay moi',
  cd: 'cong dien',
  snv: 'so noi vu',
  bnv: 'bo noi vu',
  cchc: 'cai cach hanh chinh',
  tw: 'trung uong',
  vb: 'van ban',
};

// Longest full form first: "thong tu lien tich" is TTLT, not TT followed by two words.
const EXPANSIONS = Object.entries(ABBREVIATIONS)
  .map(([abbr, full]) => ({ abbr, words: full.split(' ') }))
  .sort((a, b) => b.words.length - a.words.length);

/** The parts of the tsquery for what the user typed (AND-ed), and whether the last one is a prefix. */
function tsQueryParts(input: string): { parts: string[]; lastPrefix: boolean } | null {
  const words = wordsVi(input).slice(0, 32);
  if (words.length === 0) return null;
  const parts: string[] = [];
  let lastPrefix = false;
  let i = 0;
  while (i < words.length) {
    lastPrefix = false;
    const full = EXPANSIONS.find((e) => e.words.length > 1 && e.words.every((w, j) => words[i + j] === w));
    if (full) {
      parts.push(full.abbr);
      i += full.words.length;
      continue;
    }
    const w = words[i]!;
    if (ABBREVIATIONS[w]) parts.push(w);
    else if (i === words.length - 1) {
      parts.push(`${w}:*`);
      lastPrefix = true;
    } else parts.push(w);
    i += 1;
  }
  return { parts, lastPrefix };
}

/**
 * A PostgreSQL tsquery (config `simple`) for what the user typed: every word must be there (AND),
 * an abbreviation or its full form as the abbreviation's word, the last word as a prefix ("cai cac" finds "cải
 * cách"). Null when nothing searchable was typed. The words are [a-z0-9] only, so the string
 * cannot carry tsquery syntax.
 */
export function toTsQuery(input: string): string | null {
  const q = tsQueryParts(input);
  return q ? q.parts.join(' & ') : null;
}

/**
 * The part of toTsQuery the index looks up: without the last word's prefix when other words
 * are there to narrow the search. A prefix of a common word ("so:*", "cong:*") makes the GIN
 * index gather every document having any word that starts so, at 1,000,000 documents tens of
 * milliseconds per search; the prefix is then checked on the few rows the whole words found.
 * Null when the whole query is what the index must look up.
 */
export function toTsQueryForIndex(input: string): string | null {
  const q = tsQueryParts(input);
  if (!q || !q.lastPrefix || q.parts.length < 2) return null;
  return q.parts.slice(0, -1).join(' & ');
}

/**
 * A LIKE pattern over the folded metadata for what words alone do not find — a number or
 * notation ("12/QĐ-UBND", "05-2026") — or null: plain words go to the full-text index only.
 */
export function metaLikePattern(input: string): string | null {
  const f = foldVi(input).trim().replace(/\s+/g, ' ');
  if (f.length < 3 || !/[0-9/\-.]/.test(f)) return null;
  return `%${f.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}
