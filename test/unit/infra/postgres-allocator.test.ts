import { expect } from 'chai';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { allocatorFor, findJemalloc } from '../../../infra/embedded/postgres-allocator';

describe('the embedded PostgreSQL allocator', () => {
  const lib = '/usr/lib/x86_64-linux-gnu/libjemalloc.so.2';

  it('when nothing is named and jemalloc is installed, then the server preloads it and gives unused pages back outright, after a second', () => {
    const { allocator, env } = allocatorFor(undefined, { PATH: '/usr/bin' }, () => lib);
    expect(allocator).to.equal('jemalloc');
    expect(env).to.deep.equal({ PATH: '/usr/bin', LD_PRELOAD: lib, MALLOC_CONF: 'muzzy_decay_ms:0,dirty_decay_ms:1000' });
  });

  it('when jemalloc is not installed, then the server keeps glibc unless jemalloc was asked for, which is refused with what to install', () => {
    const base = { PATH: '/usr/bin' };
    expect(allocatorFor(undefined, base, () => undefined)).to.deep.equal({ allocator: 'glibc', env: base });
    expect(allocatorFor('', base, () => undefined).allocator).to.equal('glibc');
    expect(() => allocatorFor('jemalloc', base, () => undefined)).to.throw(/libjemalloc2/);
  });

  it('when an operator names glibc, then the environment is left as it is; a name we do not know is refused', () => {
    const base = { LD_PRELOAD: '/opt/x.so' };
    expect(allocatorFor('glibc', base, () => lib)).to.deep.equal({ allocator: 'glibc', env: base });
    expect(() => allocatorFor('tcmalloc', base, () => lib)).to.throw(/LIENTHONG_PG_ALLOCATOR must be jemalloc or glibc/);
  });

  it("when the environment already preloads a library or sets MALLOC_CONF, then both are kept, the operator's options last (they win)", () => {
    const { env } = allocatorFor('jemalloc', { LD_PRELOAD: '/opt/a.so /opt/b.so', MALLOC_CONF: 'dirty_decay_ms:5000' }, () => lib);
    expect(env['LD_PRELOAD']).to.equal(`${lib}:/opt/a.so:/opt/b.so`);
    expect(env['MALLOC_CONF']).to.equal('muzzy_decay_ms:0,dirty_decay_ms:1000,dirty_decay_ms:5000');
  });

  it('when the library sits in a multiarch folder or directly in a library folder, then it is found; elsewhere not', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'jemalloc-'));
    try {
      const multiarch = path.join(root, 'lib', 'aarch64-linux-gnu');
      fs.mkdirSync(multiarch, { recursive: true });
      expect(findJemalloc([path.join(root, 'lib'), path.join(root, 'missing')])).to.equal(undefined);
      fs.writeFileSync(path.join(multiarch, 'libjemalloc.so.2'), '');
      expect(findJemalloc([path.join(root, 'missing'), path.join(root, 'lib')])).to.equal(path.join(multiarch, 'libjemalloc.so.2'));
      fs.mkdirSync(path.join(root, 'lib64'));
      fs.writeFileSync(path.join(root, 'lib64', 'libjemalloc.so.2'), '');
      expect(findJemalloc([path.join(root, 'lib64'), path.join(root, 'lib')])).to.equal(path.join(root, 'lib64', 'libjemalloc.so.2'));
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});
