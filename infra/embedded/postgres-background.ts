// How the embedded PostgreSQL paces its own background work: autovacuum and autoanalyze.
//
// PostgreSQL's default cost delay (2 ms since version 12) lets an autovacuum worker run nearly
// flat out. On a database that grows fast for its size (a new deployment's first months, and the
// benchmark's), the launcher finds a dozen tables past their thresholds at every naptime (one
// minute), and the round of vacuums and analyzes that follows took ~1.2 s of CPU in about 4 s:
// a quarter of a 2-core machine, every minute. At 90% of the pipeline's maximum that is a dip the
// queue grows in, then drains from with only 10% to spare (BENCHMARKS.md § Autovacuum's rounds).
// A longer delay spreads the same work over more of the minute. A round still ends well inside it,
// so dead rows are cleared as often as before.
//
// The delay is a PostgreSQL duration ('10ms', '20ms', '0' for none); LIENTHONG_PG_AUTOVACUUM_COST_DELAY
// replaces the default. Servers named by DATABASE_URL are not touched.

/** The embedded server's autovacuum_vacuum_cost_delay unless the environment names one. */
export const AUTOVACUUM_COST_DELAY = '10ms';

/** postgresql.conf settings for the embedded server's background work. */
export function backgroundSettings(costDelay?: string): Record<string, string> {
  const delay = costDelay?.trim() ? costDelay.trim() : AUTOVACUUM_COST_DELAY;
  if (!/^\d+(\.\d+)?\s*(us|ms)?$/.test(delay)) {
    throw new Error(`LIENTHONG_PG_AUTOVACUUM_COST_DELAY must be a PostgreSQL duration such as 10ms or 0, not ${JSON.stringify(delay)}`);
  }
  return { autovacuum_vacuum_cost_delay: `'${delay}'` };
}
