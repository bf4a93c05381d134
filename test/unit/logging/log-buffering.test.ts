import { expect } from 'chai';
import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';

/**
 * bufferLogLines (services/logging/logger.ts): the gateway's and workers' lines are held until a
 * block is full or the delay has passed, and nothing held is lost when the process exits. Run in a
 * child process of its own (the logger writes to its standard output).
 */
const LOGGER = path.join(__dirname, '..', '..', '..', 'services', 'logging', 'logger.js');

const CHILD = `
const { bufferLogLines, logger } = require(${JSON.stringify(LOGGER)});
const log = logger('t');
process.on('message', (m) => {
  if (m.buffer !== undefined) bufferLogLines(m.buffer, m.delay);
  for (let i = 0; i < (m.lines || 0); i++) log.info({ i, pad: 'x'.repeat(m.pad || 0) }, m.msg + ' ' + i);
  if (m.exit) process.exit(0);
  if (m.throw) setImmediate(() => { throw new Error('boom'); });
  process.send({ done: true });
});
process.send({ ready: true });
`;

interface Child {
  proc: ChildProcess;
  out: () => string;
  ask: (m: Record<string, unknown>) => Promise<void>;
  exited: Promise<number | null>;
}

function start(): Promise<Child> {
  const proc = fork('-e', [CHILD], { execArgv: [], stdio: ['ignore', 'pipe', 'pipe', 'ipc'], env: { ...process.env, LOG_LEVEL: 'info' } });
  let out = '';
  proc.stdout!.on('data', (d: Buffer) => (out += d.toString('utf8')));
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  const ask = (m: Record<string, unknown>) =>
    new Promise<void>((resolve) => {
      proc.once('message', () => resolve());
      proc.send(m);
    });
  return new Promise((resolve) => proc.once('message', () => resolve({ proc, out: () => out, ask, exited })));
}

const lines = (out: string, msg: string) =>
  out.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { msg: string }).filter((l) => l.msg.startsWith(msg)).map((l) => l.msg);

async function waitFor(check: () => boolean, ms = 20_000): Promise<void> {
  const until = Date.now() + ms;
  while (!check()) {
    if (Date.now() > until) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('logging: lines written in blocks (bufferLogLines)', function () {
  this.timeout(60_000);

  it('when a few short lines are logged, then they are held (less than a block, delay not over) and all written, in order, when the process exits', async () => {
    const c = await start();
    await c.ask({ buffer: 4096, delay: 60_000, lines: 3, msg: 'held' });
    await new Promise((r) => setTimeout(r, 300));
    expect(lines(c.out(), 'held'), 'nothing written yet').to.deep.equal([]);
    c.proc.send({ exit: true });
    expect(await c.exited).to.equal(0);
    await waitFor(() => lines(c.out(), 'held').length === 3);
    expect(lines(c.out(), 'held')).to.deep.equal(['held 0', 'held 1', 'held 2']);
  });

  it('when a line waits, then it is written once the delay is over, the process still running', async () => {
    const c = await start();
    try {
      await c.ask({ buffer: 4096, delay: 100, lines: 1, msg: 'late' });
      await waitFor(() => lines(c.out(), 'late').length === 1);
    } finally {
      c.proc.kill();
    }
  });

  it('when more than a block is logged, then full blocks are written at once and every line arrives once, in order', async () => {
    const c = await start();
    try {
      await c.ask({ buffer: 4096, delay: 60_000, lines: 200, pad: 100, msg: 'many' });
      // 200 lines of ~200 bytes are ~10 blocks: most are written without waiting for the delay.
      await waitFor(() => lines(c.out(), 'many').length >= 150);
      c.proc.send({ exit: true });
      await c.exited;
      expect(lines(c.out(), 'many')).to.deep.equal(Array.from({ length: 200 }, (_, i) => `many ${i}`));
    } finally {
      c.proc.kill();
    }
  });

  it('when the process dies of an uncaught exception, then the lines it held are written', async () => {
    const c = await start();
    c.proc.send({ buffer: 4096, delay: 60_000, lines: 2, msg: 'before crash', throw: true });
    expect(await c.exited).to.not.equal(0);
    await waitFor(() => lines(c.out(), 'before crash').length === 2);
  });

  it('when the buffer is set to 0, then each line is written without waiting', async () => {
    const c = await start();
    try {
      await c.ask({ buffer: 4096, delay: 60_000, lines: 1, msg: 'first' });
      await c.ask({ buffer: 0, lines: 1, msg: 'second' });
      await waitFor(() => lines(c.out(), 'second').length === 1 && lines(c.out(), 'first').length === 1);
    } finally {
      c.proc.kill();
    }
  });
});
