/**
 * Counts the round trips a pool's connections make to PostgreSQL (one per query call: a statement,
 * BEGIN or COMMIT), with their texts. Given to createPool({ roundTrips }), it sees every connection
 * the pool opens. Tests assert budgets with it where the number of round trips matters (the intake,
 * each pipeline stage); nothing in production passes one.
 */
export class RoundTripCounter {
  private readonly texts: string[] = [];

  record(text: string): void {
    this.texts.push(text);
  }

  /** A mark to measure from: `since(mark)` lists what was sent after it. */
  mark(): number {
    return this.texts.length;
  }

  since(mark: number): string[] {
    return this.texts.slice(mark);
  }

  /** Runs `fn` and returns the statements sent meanwhile (by any caller of the pool). */
  async during(fn: () => Promise<unknown>): Promise<string[]> {
    const from = this.mark();
    await fn();
    return this.since(from);
  }
}

/** Whether a statement writes rows: INSERT, UPDATE, DELETE, or a WITH that holds one. */
export function isWrite(text: string): boolean {
  return /^\s*(?:INSERT|UPDATE|DELETE|WITH[\s\S]*\b(?:INSERT|UPDATE|DELETE)\b)/i.test(text);
}
