import { spawn } from 'node:child_process';
import path from 'node:path';
import { expect } from 'chai';
import { projectRoot } from '../../../services/config/project-root';
import type { ConformanceReport } from '../../../services/conformance/push-conformance';
import { startConformanceReceiver, type ReceiverFaults } from '../../support/conformance-receiver';

const SECRET = 'conformance-test-secret-0123456789';

/** The kit as a vendor runs it: the CLI, the secret in an environment variable, --json. */
function runKit(endpoint: string): Promise<{ code: number | null; report: ConformanceReport; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(projectRoot(), 'bin', 'lienthong'), 'conformance', 'push', '--endpoint', endpoint, '--secret-env', 'RECEIVER_SECRET', '--json'], {
      env: { PATH: process.env.PATH ?? '', RECEIVER_SECRET: SECRET },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (b) => (out += b.toString()));
    child.stderr.on('data', (b) => (err += b.toString()));
    child.once('error', reject);
    child.once('close', (code) => {
      try {
        resolve({ code, report: JSON.parse(out) as ConformanceReport, stderr: err });
      } catch {
        reject(new Error(`not JSON (exit ${code}): ${out}\n${err}`));
      }
    });
  });
}

async function kitAgainst(faults: ReceiverFaults) {
  const receiver = await startConformanceReceiver(SECRET, faults);
  try {
    return { ...(await runKit(receiver.url)), filed: receiver.filed };
  } finally {
    await receiver.close();
  }
}

const failedIds = (r: ConformanceReport) => r.checks.filter((c) => !c.passed).map((c) => c.id);

describe('conformance kit: lienthong conformance push against real receivers', function () {
  this.timeout(180_000);

  it('when the receiver is correct, then every check passes, the kit exits 0, and the repeated delivery was filed once', async () => {
    const { code, report, filed, stderr } = await kitAgainst({});
    expect(failedIds(report), JSON.stringify(report, null, 2) + stderr).to.deep.equal([]);
    expect(code).to.equal(0);
    expect(report.passed).to.equal(true);
    expect(report.checks.map((c) => c.id)).to.deep.equal([
      'valid-delivery', 'bad-signature', 'old-timestamp', 'duplicate-delivery', 'no-redirect', 'response-time', 'large-envelope', 'status-message',
    ]);
    expect(report.checks.find((c) => c.id === 'large-envelope')!.detail).to.match(/\(2\d\.\d MiB\)/);
    expect([...filed.values()].filter((n) => n === 2)).to.have.length(1); // the repeat reached it, once
  });

  const broken: [string, ReceiverFaults, string][] = [
    ['accepts any signature', { ignoresSignature: true }, 'bad-signature'],
    ['does not check the timestamp age', { ignoresTimestampAge: true }, 'old-timestamp'],
    ['answers 409 to a repeated delivery id', { conflictOnRepeat: true }, 'duplicate-delivery'],
    ['refuses bodies above 1 MB', { maxBodyBytes: 1024 * 1024 }, 'large-envelope'],
  ];
  for (const [what, faults, check] of broken) {
    it(`when the receiver ${what}, then exactly the check ${check} fails and the kit exits 1`, async () => {
      const { code, report } = await kitAgainst(faults);
      expect(failedIds(report), JSON.stringify(report, null, 2)).to.deep.equal([check]);
      expect(report.passed).to.equal(false);
      expect(code).to.equal(1);
    });
  }
});
