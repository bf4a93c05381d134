import { expect } from 'chai';
import fs from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../../../services/config/project-root';
import { NATIONAL_MOTTO, NATIONAL_TITLE } from '../../../services/render/official/national-header';

function sources(dir: string, out: string[] = []): string[] {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) sources(full, out);
    else if (entry.name.endsWith('.ts')) out.push(full);
  }
  return out;
}

describe('official header texts: one spelling', () => {
  it('when the national title and motto are read, then they are the Decree 30 texts', () => {
    expect(NATIONAL_TITLE).to.equal('CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM');
    expect(NATIONAL_MOTTO).to.equal('Độc lập - Tự do - Hạnh phúc');
  });

  it('when the product code is read, then only national-header.ts spells them (documents, reports and slips import it)', () => {
    const root = projectRoot();
    const spelled = /C[ỘO]NG H[ÒO]A X[ÃA] H[ỘO]I|Độc lập\s*[-–]\s*Tự do/i;
    const files = ['services', 'workers', 'contracts']
      .flatMap((top) => sources(path.join(root, top)))
      .filter((f) => spelled.test(fs.readFileSync(f, 'utf8')))
      .map((f) => path.relative(root, f).split(path.sep).join('/'));
    expect(files).to.deep.equal(['services/render/official/national-header.ts']);
  });
});
