import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { projectRoot } from '../../../services/config/project-root';
import { testEnv } from '../../support/test-env';

const BIN = path.join(projectRoot(), 'bin', 'lienthong');

function cli(args: string[], env: NodeJS.ProcessEnv = {}) {
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== 'DATABASE_URL' && !k.startsWith('LIENTHONG_')));
  const r = spawnSync(process.execPath, [BIN, ...args], { env: { ...base, LIENTHONG_DATA_DIR: '/nonexistent-lienthong', ...env }, encoding: 'utf8', timeout: 30_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The `npx lienthong …` lines of README's "Operating it" and integrator sections, without their `#` comments. */
function readmeCliLines(): string[] {
  const readme = fs.readFileSync(path.join(projectRoot(), 'README.md'), 'utf8');
  return readme
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.startsWith('npx lienthong ') || /^[A-Z_]+=\S*\s+npx lienthong /.test(l))
    .map((l) => l.slice(l.indexOf('npx lienthong ') + 'npx lienthong '.length).replace(/\s+#.*$/, ''));
}

describe('operator CLI: README and --help name the same commands and options', function () {
  this.timeout(120_000);

  it('when README names a command, a sub-command or an option of the CLI, then `lienthong <command> --help` names it too', () => {
    const lines = readmeCliLines();
    expect(lines.length).to.be.greaterThan(20);
    const helps = new Map<string, string>();
    const missing: string[] = [];
    for (const line of lines) {
      if (line.startsWith('--help')) continue;
      // "retention set|list · hold add|remove|list · …": each part is a command of its own.
      for (const part of line.split(' · ')) {
        const [command, ...words] = part.trim().split(/\s+/);
        if (!command || !/^[a-z]+$/.test(command)) continue;
        if (!helps.has(command)) {
          const r = cli([command, '--help']);
          expect(r.code, `lienthong ${command} --help: ${r.stderr}`).to.equal(0);
          helps.set(command, r.stdout);
        }
        const help = helps.get(command)!;
        if (!help.split('\n').slice(1).some((l) => l.trim().startsWith(`${command} `) || l.trim() === command)) missing.push(`${command} (the command)`);
        for (const flag of part.match(/--[a-z][a-z0-9-]*/g) ?? []) {
          if (flag === '--json' || flag === '--help') continue;
          if (!help.includes(flag)) missing.push(`${command} ${flag}`);
        }
        // Sub-commands: the first word after the command when it is a bare lower-case word (add, list, trust, crl …).
        const sub = words[0];
        if (sub && /^[a-z][a-z-]*(\|[a-z][a-z-]*)*$/.test(sub)) {
          for (const s of sub.split('|')) if (!new RegExp(`\\b${s}\\b`).test(help)) missing.push(`${command} ${s}`);
        }
        // Values an option names (--role clerk|leader|…, --purpose signing|tsa|both, --from DIR|s3).
        for (const m of part.matchAll(/--([a-z-]+) ([a-z_0-9]+(?:\|[a-z_0-9]+)+)/g)) {
          for (const v of m[2]!.split('|')) if (!help.includes(v)) missing.push(`${command} --${m[1]} ${v}`);
        }
      }
    }
    expect(missing, `README names these, --help does not:\n${missing.join('\n')}`).to.deep.equal([]);
  });

  it('when migrate is given an option it does not know, then it refuses with exit 2 and does nothing', () => {
    const env = { DATABASE_URL: testEnv().databaseUrl, REDIS_URL: testEnv().redisUrl, LIENTHONG_DEV_MODE: '1', LIENTHONG_MASTER_KEY: testEnv().masterKeyHex };
    const bogus = cli(['migrate', '--bogus'], env);
    expect(bogus.code, `${bogus.stdout}${bogus.stderr}`).to.equal(2);
    expect(bogus.stderr).to.match(/Unknown option '--bogus'/);
    expect(bogus.stdout).not.to.match(/applied|up to date/);
    const stray = cli(['migrate', 'now'], env);
    expect(stray.code).to.equal(2);
    expect(stray.stderr).to.include('unexpected argument now');
  });
});
