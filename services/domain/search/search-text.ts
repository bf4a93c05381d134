import type { WordFrequencies } from './word-frequencies';

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

/** A word found in at most this share of documents narrows a search enough to be worth its posting list. */
const NARROWING = 0.3;
/**
 * A prefix goes to the index only when its words are rare and it has 3 letters or more: the index
 * gathers every document having a word that starts so into a bitmap of its own before it
 * intersects (measured: "truong:*", 6% of 1,000,000 documents, 9 ms; the whole word 3.4 ms).
 */
const CHEAP_PREFIX = 0.01;

/**
 * The part of toTsQuery the index looks up; the rows it finds are checked against the whole query
 * (ts_match_vq), so the answer is the same whichever part it is. Null when the whole query is
 * what the index must look up.
 *
 * Without word statistics: the whole words, without the last word's prefix when other words are
 * there (a prefix of a common word, "so:*", "cong:*", makes the GIN index gather every document
 * having any word that starts so: tens of milliseconds at 1,000,000 documents).
 *
 * With them (word-frequencies.ts): the rarest word, the prefix too when its words are rare, then
 * every other word found in at most 30% of the documents. Intersecting a common word's posting
 * list costs more than it narrows: "bảo vệ môi trường" was looked up by "bao", "ve" and "moi"
 * (43%, 62% and 25% of the documents) while "truong" (6%) was left out as the prefix.
 */
export function toTsQueryForIndex(input: string, freq?: WordFrequencies): string | null {
  const q = tsQueryParts(input);
  if (!q || q.parts.length < 2) return null;
  if (!freq) return q.lastPrefix ? q.parts.slice(0, -1).join(' & ') : null;
  const terms = q.parts
    .map((part) => {
      const prefix = part.endsWith(':*');
      const w = prefix ? part.slice(0, -2) : part;
      return { part, prefix, f: prefix ? freq.prefix(w) : freq.word(w), usable: !prefix || (w.length >= 3 && freq.prefix(w) <= CHEAP_PREFIX) };
    })
    .filter((t) => t.usable)
    .sort((a, b) => a.f - b.f);
  if (terms.length === 0) return null;
  const chosen = terms.filter((t, i) => i === 0 || t.f <= NARROWING).map((t) => t.part);
  return chosen.length === q.parts.length ? null : chosen.join(' & ');
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
