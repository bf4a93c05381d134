import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { expect } from 'chai';
import { projectRoot } from '../../../services/config/project-root';
import { testEnv } from '../../support/test-env';

const BIN = path.join(projectRoot(), 'bin', 'lienthong');
const COMMANDS = ['migrate', 'agency', 'group', 'apikey', 'dispatch', 'edxml', 'ledger', 'report', 'pki', 'pdf', 'user', 'conformance', 'sandbox'];

function cli(args: string[], env: NodeJS.ProcessEnv = {}) {
  // No DATABASE_URL unless given: --help must answer without reaching any database.
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== 'DATABASE_URL' && !k.startsWith('LIENTHONG_')));
  const r = spawnSync(process.execPath, [BIN, ...args], { env: { ...base, LIENTHONG_DATA_DIR: '/nonexistent-lienthong', ...env }, encoding: 'utf8', timeout: 30_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('operator CLI: --help and strict arguments', function () {
  this.timeout(120_000);

  it('when --help is asked of the CLI or of any command (even with its required options missing), then it prints the usage and exits 0', () => {
    for (const args of [['--help'], ['-h'], [], ...COMMANDS.map((c) => [c, '--help']), ['user', 'add', '--help'], ['agency', 'add', '--help'], ['conformance', 'push', '--help']]) {
      const r = cli(args);
      expect(r.code, `lienthong ${args.join(' ')}: ${r.stderr}`).to.equal(0);
      expect(r.stdout).to.match(/usage: lienthong/);
      if (args[0] && args[0] !== '--help' && args[0] !== '-h') expect(r.stdout).to.include(`${args[0]} `);
    }
  });

  it('when a command is given a flag it does not know, then it refuses with a usage error naming the flag (exit 2), and nothing is done', () => {
    const env = { DATABASE_URL: testEnv().databaseUrl, REDIS_URL: testEnv().redisUrl, LIENTHONG_DEV_MODE: '1', LIENTHONG_MASTER_KEY: testEnv().masterKeyHex };
    for (const args of [['agency', 'add', '--code', 'X1', '--name', 'N', '--colour', 'red'], ['dispatch', 'list', '--faled'], ['user', 'list', '--everything'], ['edxml', 'inspect', '--bogus', 'x.xml']]) {
      const r = cli(args, env);
      expect(r.code, `lienthong ${args.join(' ')}: ${r.stdout}${r.stderr}`).to.equal(2);
      expect(r.stderr).to.match(/Unknown option '--(colour|faled|everything|bogus)'/);
    }
    const unknownCommand = cli(['frobnicate']);
    expect(unknownCommand.code).to.equal(2);
    expect(unknownCommand.stderr).to.include('unknown command frobnicate');
  });
});
