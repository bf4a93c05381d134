import type { BreakRequest, BrokenLine, LineBreaker, TextEngine } from './text-engine';

const EPSILON = 0.01; // points: rounding must not push a word that fits exactly to the next line

/**
 * Greedy word wrap without hyphenation. Each word is measured once (the font set caches widths per
 * word), the line width is a running sum, and "\n" forces a break. A word wider than a line is cut
 * into character chunks, since Vietnamese has no hyphenation rules we could apply.
 */
export const greedyLineBreaker: LineBreaker = (req: BreakRequest, fonts: TextEngine): BrokenLine[] => {
  const space = fonts.widthOf(' ', req.size, req.style);
  const lines: BrokenLine[] = [];
  const avail = () => (lines.length === 0 ? req.firstWidth : req.restWidth);

  for (const hard of req.text.split('\n')) {
    let words: string[] = [];
    let widths: number[] = [];
    let width = 0;
    const flush = (end: boolean) => {
      lines.push({ words, widths, width, end });
      words = [];
      widths = [];
      width = 0;
    };
    for (const word of hard.split(/\s+/)) {
      if (word === '') continue;
      const w = fonts.widthOf(word, req.size, req.style);
      if (words.length > 0 && width + space + w <= avail() + EPSILON) {
        words.push(word);
        widths.push(w);
        width += space + w;
        continue;
      }
      if (words.length > 0) flush(false);
      if (w <= avail() + EPSILON) {
        words.push(word);
        widths.push(w);
        width = w;
        continue;
      }
      for (const chunk of cutWord(word, req, fonts, avail)) {
        if (words.length > 0) flush(false);
        words.push(chunk.text);
        widths.push(chunk.width);
        width = chunk.width;
      }
    }
    flush(true);
  }
  return lines;
};

/** Cuts an over-long word into pieces that each fit the line they will start. */
function cutWord(word: string, req: BreakRequest, fonts: TextEngine, avail: () => number) {
  const chunks: { text: string; width: number }[] = [];
  let text = '';
  let width = 0;
  let first = true;
  for (const ch of word) {
    const w = fonts.widthOf(ch, req.size, req.style);
    // The first chunk goes on the current line; later ones start fresh lines of restWidth.
    const limit = first ? avail() : req.restWidth;
    if (text !== '' && width + w > limit + EPSILON) {
      chunks.push({ text, width });
      text = '';
      width = 0;
      first = false;
    }
    text += ch;
    width += w;
  }
  if (text !== '') chunks.push({ text, width });
  return chunks;
}

/**
 * For centred titles: the same number of lines as greedy wrapping, but as even as possible, so a
 * two-line agency name reads "ỦY BAN NHÂN DÂN / TỈNH ĐẮK LẮK" and not a long line and an orphan.
 */
export function balancedLines(req: Omit<BreakRequest, 'firstWidth' | 'restWidth'> & { width: number }, fonts: TextEngine, breaker: LineBreaker): BrokenLine[] {
  const at = (width: number) => breaker({ ...req, firstWidth: width, restWidth: width }, fonts);
  const greedy = at(req.width);
  if (greedy.length < 2 || req.text.includes('\n')) return greedy;
  let lo = req.width / greedy.length;
  let hi = req.width;
  let best = greedy;
  const words = (lines: BrokenLine[]) => lines.reduce((n, l) => n + l.words.length, 0);
  const wordCount = words(greedy); // a narrower width that has to cut a word is not a solution
  for (let i = 0; i < 12 && hi - lo > 1; i++) {
    const mid = (lo + hi) / 2;
    const lines = at(mid);
    if (lines.length <= greedy.length && words(lines) === wordCount) {
      best = lines;
      hi = mid;
    } else {
      lo = mid;
    }
  }
  return best;
}
