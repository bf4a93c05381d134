import { expect } from 'chai';
import { closeConvertThreads, configureConvertThreads, convertInWorker, convertThreadsSpawned } from '../../../services/convert/convert-in-worker';

const text = (i: number) => Buffer.from(`Văn bản số ${i}: thử nhóm luồng chuyển đổi.`);

describe('the conversion thread pool', function () {
  this.timeout(120_000);
  afterEach(() => closeConvertThreads());
  after(() => configureConvertThreads(4));

  it('when sized to the concurrency and prewarmed, then waves of concurrent conversions start no new thread', async () => {
    await closeConvertThreads();
    configureConvertThreads(4, { prewarm: true });
    const afterPrewarm = convertThreadsSpawned();
    for (let wave = 0; wave < 5; wave++) {
      const results = await Promise.all([0, 1, 2, 3].map((i) => convertInWorker(text(wave * 4 + i))));
      expect(results.map((r) => r.sourceType)).to.deep.equal(['text', 'text', 'text', 'text']);
    }
    expect(convertThreadsSpawned() - afterPrewarm, 'threads started after the prewarm').to.equal(0);
  });

  it('when the pool is smaller than the concurrency, then the extra threads are started and thrown away each wave', async () => {
    await closeConvertThreads();
    configureConvertThreads(2, { prewarm: true });
    const before = convertThreadsSpawned();
    for (let wave = 0; wave < 3; wave++) await Promise.all([0, 1, 2, 3].map((i) => convertInWorker(text(i))));
    // The measurement that motivated the pool size: 2 of every 4 conversions paid for a new thread.
    expect(convertThreadsSpawned() - before).to.equal(6);
  });
});
