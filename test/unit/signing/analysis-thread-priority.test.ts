import { expect } from 'chai';
import fs from 'node:fs';
import { analyseInThread, closeAnalysisThread } from '../../../services/signing/analyse-in-thread';
import { ANALYSIS_THREAD_NICE } from '../../../services/signing/analysis-thread.entry';
import { byteRangeBomb } from '../../support/hostile-signatures';

// Issue 15 item 9: the signature-analysis thread yields its core to the event loop of its own
// process. Linux keeps a niceness per thread: /proc/self/task/TID/stat shows it (field 19).

/** Niceness of each thread of this process, by thread id. */
function threadNices(): Map<number, number> {
  const out = new Map<number, number>();
  for (const tid of fs.readdirSync('/proc/self/task')) {
    try {
      const stat = fs.readFileSync(`/proc/self/task/${tid}/stat`, 'latin1');
      // the command name (field 2) is in parentheses and may hold spaces: count after its ')'
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out.set(Number(tid), Number(fields[16])); // field 19 overall
    } catch {
      // the thread ended meanwhile
    }
  }
  return out;
}

describe('issue 15 the signature-analysis thread runs at a lower priority than the event loop', function () {
  this.timeout(60_000);
  after(() => closeAnalysisThread());

  it('after an analysis, the warm analysis thread has nice 10 and the main thread keeps its own (Linux, as CI)', async () => {
    // An earlier test of the same run may have left the warm thread running: start from none, so the
    // thread measured is the one this analysis starts.
    await closeAnalysisThread();
    const before = threadNices();
    const mainNice = before.get(process.pid);
    const found = await analyseInThread(byteRangeBomb(256 * 1024), 10_000);
    expect(found.length).to.be.at.least(1);
    const after = threadNices();
    const lowered = [...after].filter(([tid, nice]) => !before.has(tid) && nice === Math.max(ANALYSIS_THREAD_NICE, mainNice ?? 0));
    expect(lowered.length, `threads and nices: ${JSON.stringify([...after])}`).to.be.at.least(1);
    expect(after.get(process.pid)).to.equal(mainNice);
  });
});
