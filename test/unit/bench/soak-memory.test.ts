import { expect } from 'chai';
import { memoryGrowth, type MemorySample } from '../../../bench/src/soak-memory';

/** 20 minutes of samples every 5 s whose workers' memory is `f(t)` MB (t in seconds). */
function series(f: (t: number) => number): MemorySample[] {
  return Array.from({ length: 240 }, (_, i) => {
    const t = 5 * (i + 1);
    return { t, groups: { workers: f(t), redis: 10 }, pids: { workers: { 100: f(t) }, redis: { 200: 10 } }, node: {} };
  });
}

describe('soak memory growth: window medians and a fitted line, not two single samples', () => {
  it('when the memory swings between 440 and 610 MB with no trend and a sample at minute 5 falls in a trough, then the window and fitted ratios stay near 1 while the single-sample one does not', () => {
    // A collector's saw-tooth: 70 s period, 440–610 MB; minute 5 (300 s) falls on its trough, minute 20 near its top.
    const saw = (t: number) => 440 + ((t + 50) % 70) * (170 / 70);
    const samples = series(saw);
    const g = memoryGrowth(samples, 5, 20);
    const at = (t: number) => samples.find((s) => s.t === t)!.groups.workers!;
    expect(at(1200) / at(300)).to.be.greaterThan(1.1);
    expect(g.groups.workers!.ratio).to.be.within(0.93, 1.07);
    expect(g.groups.workers!.fit).to.be.within(0.97, 1.03);
    expect(g.groups.redis!.ratio).to.equal(1);
    expect(g.groups.workers!.min).to.be.lessThan(450);
    expect(g.groups.workers!.max).to.be.greaterThan(590);
  });

  it('when the memory grows steadily by 20% from minute 5 to minute 20 under the same swing, then both ratios show the growth', () => {
    const leak = (t: number) => (440 + ((t + 50) % 70) * (170 / 70)) * (1 + (0.2 * Math.max(0, t - 300)) / 900);
    const g = memoryGrowth(series(leak), 5, 20);
    expect(g.groups.workers!.ratio).to.be.greaterThan(1.1);
    expect(g.groups.workers!.fit).to.be.within(1.15, 1.25);
    expect(g.processes['workers 100']!.ratio).to.be.greaterThan(1.1);
  });

  it('when a group gains short-lived processes late in the run, then its sum grows but each process is judged on its own after a warm-up of its own, and the short-lived ones are counted apart', () => {
    // PostgreSQL: a postmaster flat at 20 MB, a long-lived backend flat at 8 MB, from minute 18
    // on two 10 MB autovacuum workers, each alive for a minute, and a pooled backend opened at
    // minute 2 that caches its plans at minute 5.5 (8.7 → 12.4 MB) and stays there.
    const samples: MemorySample[] = Array.from({ length: 240 }, (_, i) => {
      const t = 5 * (i + 1);
      const pids: Record<number, number> = { 10: 20, 11: 8 };
      if (t >= 1080 && t < 1140) pids[12] = 10;
      if (t >= 1140) pids[13] = 10;
      if (t >= 120) pids[14] = t < 330 ? 8.7 : 12.4;
      return { t, groups: { postgres: Object.values(pids).reduce((a, b) => a + b, 0) }, pids: { postgres: pids }, node: {} };
    });
    const g = memoryGrowth(samples, 5, 20, { 10: 'postgres -D data', 11: 'postgres: lienthong idle' });
    expect(g.groups.postgres!.ratio).to.be.greaterThan(1.3);
    expect(Object.keys(g.processes).sort()).to.deep.equal(['postgres 10 postgres -D data', 'postgres 11 postgres: lienthong idle', 'postgres 14']);
    expect(g.processes['postgres 10 postgres -D data']!.ratio).to.equal(1);
    expect(g.processes['postgres 11 postgres: lienthong idle']!.fit).to.equal(1);
    // The late backend is judged after its own five minutes (from minute 7), when its caches are full;
    // from the soak's minute 5 it would show its warm-up as growth.
    expect(g.processes['postgres 14']).to.include({ fromMinute: 7, ratio: 1, fit: 1 });
    expect(g.processesFromSoakStart['postgres 14']!.ratio).to.be.greaterThan(1.4);
    expect(g.transient.postgres).to.deep.equal({ processes: 2, largestMb: 10 });
  });

  it('when a process born at minute 8 grows steadily after its warm-up, then it is judged from minute 13 and its growth shows', () => {
    const samples: MemorySample[] = Array.from({ length: 240 }, (_, i) => {
      const t = 5 * (i + 1);
      const pids: Record<number, number> = { 10: 20 };
      if (t >= 480) pids[15] = 10 * (1 + (0.3 * Math.max(0, t - 780)) / 420);
      return { t, groups: { postgres: Object.values(pids).reduce((a, b) => a + b, 0) }, pids: { postgres: pids }, node: {} };
    });
    const g = memoryGrowth(samples, 5, 20);
    expect(g.processes['postgres 15']!.fromMinute).to.equal(13);
    expect(g.processes['postgres 15']!.ratio).to.be.greaterThan(1.2);
    expect(g.processes['postgres 15']!.fit).to.be.greaterThan(1.2);
  });
});
