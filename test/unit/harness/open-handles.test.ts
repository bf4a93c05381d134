import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';

/**
 * The test harness's last check (test/support/open-handles.ts): a run whose process is still held
 * open after its tests must fail and name what holds it. Checked the way `make test` runs it, in a
 * real mocha process (which sets the exit code from its own 'exit' listener).
 */
const support = path.resolve(__dirname, '../../support');
const mochaBin = require.resolve('mocha/bin/mocha.js');

function runMocha(spec: string): { status: number | null; stderr: string; stdout: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lt-harness-'));
  try {
    const file = path.join(dir, 'spec.test.js');
    fs.writeFileSync(file, spec);
    const r = spawnSync(process.execPath, [mochaBin, '--no-config', '--reporter', 'dot', file], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    return { status: r.status, stderr: r.stderr, stdout: r.stdout };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const prelude = `
const { trackTimerOrigins } = require(${JSON.stringify(path.join(support, 'timer-origins.js'))});
trackTimerOrigins();
const { reportHandlesIfStillRunning } = require(${JSON.stringify(path.join(support, 'open-handles.js'))});
const util = require('node:util');
`;

describe('the test harness, when a run is over', function () {
  this.timeout(120_000);

  it('when a timer still holds the process, then the run fails and the timer is named by the function that made it', () => {
    const r = runMocha(`${prelude}
function leaveTheHeartbeatRunning() { return setInterval(() => {}, 60_000); }
function clearedInTime() { clearTimeout(setTimeout(() => {}, 60_000)); }
describe('a suite', () => {
  it('passes', () => { leaveTheHeartbeatRunning(); clearedInTime(); setTimeout(() => {}, 5).unref(); });
  after(() => reportHandlesIfStillRunning(300));
});
`);
    expect(r.stdout).to.match(/1 passing/);
    expect(r.status, r.stderr).to.equal(1);
    expect(r.stderr).to.include('still held open after 0.3 s');
    expect(r.stderr).to.include('failing the run');
    expect(r.stderr).to.match(/interval 60000 ms, made at leaveTheHeartbeatRunning/);
    expect(r.stderr).not.to.include('clearedInTime');
    expect(r.stderr.match(/, made /g) ?? []).to.have.length(1);
  });

  it('when a timer only delays the end, then it is named once the warning time is past and the run still passes', () => {
    const r = runMocha(`${prelude}
function slowButFinite() { setTimeout(() => {}, 1_500); }
describe('a suite', () => {
  it('passes', () => slowButFinite());
  after(() => reportHandlesIfStillRunning(200, 20_000));
});
`);
    expect(r.stdout).to.match(/1 passing/);
    expect(r.status, r.stderr).to.equal(0);
    expect(r.stderr).to.match(/held open after 0\.2 s by:[\s\S]*timeout 1500 ms, made at slowButFinite/);
    expect(r.stderr).not.to.include('failing the run');
  });

  it('when nothing is left open, then the run passes, and timers keep working as before once tracked', () => {
    const r = runMocha(`${prelude}
describe('a suite', () => {
  it('waits with a promisified setTimeout and a node:timers one', async () => {
    const value = await util.promisify(setTimeout)(5, 'slept');
    if (value !== 'slept') throw new Error('promisify lost its custom form: ' + value);
    await new Promise((resolve) => require('node:timers').setTimeout(resolve, 5));
    let fired = 0;
    const t = setInterval(() => { fired += 1; if (fired === 2) clearInterval(t); }, 2);
    await new Promise((resolve) => setTimeout(resolve, 100));
    if (fired !== 2) throw new Error('interval fired ' + fired);
  });
  after(() => reportHandlesIfStillRunning(300));
});
`);
    expect(r.stdout).to.match(/1 passing/);
    expect(r.stderr).not.to.include('still held open');
    expect(r.status, r.stderr).to.equal(0);
  });
});
