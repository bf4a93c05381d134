import { ConvertError } from './convert-errors';

/** Budgets for one conversion: a hostile or huge source fails alone instead of stalling a worker. */
export interface ConvertOptions {
  /** Pages of the resulting PDF (default 500). */
  maxPages?: number;
  /** Size of the source in bytes (default 50 MiB). */
  maxBytes?: number;
  /** Wall time (default 30 s): cooperative checks in-thread, a hard stop in convertInWorker. */
  timeoutMs?: number;
  /** Lines of a text or Markdown source, blocks of HTML/DOCX (default 10,000). */
  maxTextLines?: number;
  /** Characters of text of any source (default 2,000,000: about 700 printed pages). */
  maxTextChars?: number;
  /** Pixels of a PNG/JPEG scan (default 50 megapixels). */
  maxImagePixels?: number;
  /** Heap of the conversion thread in convertInWorker (default 512 MB). */
  maxMemoryMb?: number;
  /** A declared MIME type or file name ("text/markdown", "ghi-chu.md"): tells Markdown from text. */
  declaredType?: string;
}

export type ResolvedConvertOptions = Required<Omit<ConvertOptions, 'declaredType'>> & { declaredType?: string };

export const CONVERT_DEFAULTS: Required<Omit<ConvertOptions, 'declaredType'>> = {
  maxPages: 500,
  maxBytes: 50 * 1024 * 1024,
  timeoutMs: 30_000,
  maxTextLines: 10_000,
  maxTextChars: 2_000_000,
  maxImagePixels: 50_000_000,
  maxMemoryMb: 512,
};

export function resolveOptions(opts: ConvertOptions = {}): ResolvedConvertOptions {
  const resolved: ResolvedConvertOptions = { ...CONVERT_DEFAULTS, declaredType: opts.declaredType };
  for (const key of Object.keys(CONVERT_DEFAULTS) as (keyof typeof CONVERT_DEFAULTS)[]) {
    const value = opts[key];
    if (value === undefined) continue;
    if (!Number.isFinite(value) || value <= 0) throw new RangeError(`convert option ${key} must be a positive number, got ${String(value)}`);
    resolved[key] = value;
  }
  return resolved;
}

/** A wall-clock budget checked between the steps of an in-thread conversion. */
export class Deadline {
  private readonly end: number;
  constructor(private readonly timeoutMs: number) {
    this.end = Date.now() + timeoutMs;
  }
  check(step: string): void {
    if (Date.now() > this.end) throw new ConvertError('CONVERT_TIMEOUT', `the conversion took longer than ${this.timeoutMs} ms (while ${step})`);
  }
}
