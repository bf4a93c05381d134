import { expect } from 'chai';
import { memoryGrowth, type MemorySample } from '../../../bench/src/soak-memory';

/** 20 minutes of samples every 5 s whose workers' memory is `f(t)` MB (t in seconds). */
function series(f: (t: number) => number): MemorySample[] {
  return Array.from({ length: 240 }, (_, i) => {
    const t = 5 * (i + 1);
    return { t, groups: { workers: f(t), redis: 10 }, node: {} };
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
    expect(g.medianRatio.workers).to.be.within(0.93, 1.07);
    expect(g.fitRatio.workers).to.be.within(0.97, 1.03);
    expect(g.medianRatio.redis).to.equal(1);
    expect(g.windows.workers!.min).to.be.lessThan(450);
    expect(g.windows.workers!.max).to.be.greaterThan(590);
  });

  it('when the memory grows steadily by 20% from minute 5 to minute 20 under the same swing, then both ratios show the growth', () => {
    const leak = (t: number) => (440 + ((t + 50) % 70) * (170 / 70)) * (1 + (0.2 * Math.max(0, t - 300)) / 900);
    const g = memoryGrowth(series(leak), 5, 20);
    expect(g.medianRatio.workers).to.be.greaterThan(1.1);
    expect(g.fitRatio.workers).to.be.within(1.15, 1.25);
  });
});
