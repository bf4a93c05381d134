import { expect } from 'chai';
import { availableMemory, memorySettings } from '../../../infra/embedded/postgres-memory';

const MB = 1024 * 1024;
const GB = 1024 * MB;

describe('the embedded PostgreSQL memory sizing', () => {
  it('when the machine has 24 GB, then shared_buffers is capped at 4 GB and the planner is told of 18 GB of cache', () => {
    expect(memorySettings(24 * GB)).to.deep.equal({ shared_buffers: "'4096MB'", effective_cache_size: "'18432MB'" });
  });

  it('when the machine has 2 GB, then shared_buffers is a quarter of it', () => {
    expect(memorySettings(2 * GB)['shared_buffers']).to.equal("'512MB'");
  });

  it("when the machine is tiny, then shared_buffers stays at PostgreSQL's own 128 MB", () => {
    expect(memorySettings(256 * MB)).to.deep.equal({ shared_buffers: "'128MB'", effective_cache_size: "'192MB'" });
  });

  it('when an operator names a size, then it replaces the computed one; a size PostgreSQL would not read is refused', () => {
    expect(memorySettings(24 * GB, '1GB')['shared_buffers']).to.equal("'1GB'");
    expect(memorySettings(24 * GB, ' ')['shared_buffers']).to.equal("'4096MB'");
    expect(() => memorySettings(24 * GB, "1GB'; fsync = off")).to.throw(/PostgreSQL size/);
  });

  it('when a cgroup limits memory below the machine, then the limit is what is sized for; "max" is no limit', () => {
    const files: Record<string, string> = { '/sys/fs/cgroup/memory.max': `${3 * GB}\n` };
    const read = (p: string): string => { if (p in files) return files[p]!; throw new Error('ENOENT'); };
    expect(availableMemory(read)).to.equal(3 * GB);
    files['/sys/fs/cgroup/memory.max'] = 'max\n';
    expect(availableMemory(read)).to.be.greaterThan(3 * GB);
  });
});
