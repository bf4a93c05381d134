import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { projectRoot } from '../../../services/config/project-root';
import { cleanEnv, readmeBlocks, startRunInstance, type RunInstance } from '../../support/make-run-instance';

function runBash(script: string, env: NodeJS.ProcessEnv, timeoutMs: number): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn('bash', ['-c', script], { cwd: projectRoot(), env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (b) => (out += b.toString()));
    child.stderr.on('data', (b) => (out += b.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    });
  });
}

/** Files and folders in the repository root that git does not ignore and does not know. */
function untrackedInRoot(): string[] {
  return fs.readdirSync(projectRoot()).filter((f) => !['dist', 'node_modules', '.data', '.git'].includes(f)).sort();
}

describe("README: the Try-it block runs word for word against make run", function () {
  this.timeout(600_000);
  let instance: RunInstance | undefined;

  after(async () => instance?.stop());

  it('when the second block of "## Try it" is run as a script against a make run whose data folder is a 0700 temporary folder, then the sample is delivered, poppler finds its signature valid and trusted, and nothing is written into the repository', async () => {
    const [first, second] = readmeBlocks('Try it');
    expect(first?.trim()).to.equal('make run');
    expect(second, 'the Try-it block').to.be.a('string');
    expect(second).to.not.match(/\.\.\/shared|<id>|some-document/);
    instance = await startRunInstance();
    const before = untrackedInRoot();
    const r = await runBash(`set -e -o pipefail\n${second}`, cleanEnv({ LIENTHONG_DATA_DIR: instance.dataDir }), 300_000);
    expect(r.code, r.out).to.equal(0);
    expect(r.out).to.match(/accepted: [0-9a-f-]{36}/);
    expect(r.out).to.match(/delivered to [0-9A-Z.]+/);
    expect(r.out).to.include('Signature is Valid.');
    expect(r.out).to.include('Certificate is Trusted.');
    const outDir = /output in (\S+)/.exec(r.out)?.[1];
    expect(outDir, r.out).to.be.a('string');
    expect(path.relative(projectRoot(), outDir!).startsWith('..'), 'the output folder is outside the repository').to.equal(true);
    expect(fs.readFileSync(path.join(outDir!, 'signed.pdf')).subarray(0, 5).toString()).to.equal('%PDF-');
    expect(untrackedInRoot()).to.deep.equal(before);
    fs.rmSync(outDir!, { recursive: true, force: true });
  });
});
