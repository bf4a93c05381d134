import { expect } from 'chai';
import { projectRoot } from '../../../services/config/project-root';
import { NATIONAL_MOTTO, NATIONAL_TITLE } from '../../../services/render/official/national-header';
import { filesSpelling } from '../../support/source-files';


describe('official header texts: one spelling', () => {
  it('when the national title and motto are read, then they are the Decree 30 texts', () => {
    expect(NATIONAL_TITLE).to.equal('CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM');
    expect(NATIONAL_MOTTO).to.equal('Độc lập - Tự do - Hạnh phúc');
  });

  it('when the product code is read, then only national-header.ts spells them (documents, reports and slips import it)', () => {
    const spelled = /C[ỘO]NG H[ÒO]A X[ÃA] H[ỘO]I|Độc lập\s*[-–]\s*Tự do/i;
    const files = filesSpelling(projectRoot(), ['services', 'workers', 'contracts'], spelled);
    expect(files).to.deep.equal(['services/render/official/national-header.ts']);
  });
});
