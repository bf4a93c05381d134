import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { projectRoot } from '../../../services/config/project-root';
import { sourceFiles } from '../../support/source-files';

/**
 * One PDF layout engine (issue 18): every paper the service prints — official documents,
 * converted sources, the quarterly report, register books, printed copies, transmittal and
 * handling slips — is laid out by services/render/layout and drawn by its paint layer. A second
 * engine would have to draw on pages, measure text to break lines, or add pages of its own: each
 * of these is allowed in a few named places only.
 */
interface Rule {
  what: string;
  pattern: RegExp;
  allowed: (file: string) => boolean;
}

const RULES: Rule[] = [
  {
    what: 'draws text or shapes on a PDF page',
    pattern: /\.(?:drawText|drawPlaced|drawLine|drawRectangle|drawSquare|drawCircle|drawEllipse|drawSvgPath)\s*\(|\b(?:beginText|showText|showTextLines|drawLinesOfText)\s*\(/,
    // The paint layer, and the font set whose drawPlaced the paint layer calls (it emits the text operators).
    allowed: (f) => f === 'services/render/layout/paint.ts' || f === 'services/fonts/serif-font.ts',
  },
  {
    what: 'measures text (to break lines or align it)',
    pattern: /\.widthOf\s*\(/,
    allowed: (f) => f.startsWith('services/render/') || f === 'services/fonts/serif-font.ts',
  },
  {
    what: 'adds pages to a PDF',
    pattern: /\.addPage\s*\(/,
    // paint.ts: laid-out pages; an image source becomes one page holding the picture; the paper
    // packet appends the signed document's copied pages after the slip (it draws nothing).
    allowed: (f) => ['services/render/layout/paint.ts', 'services/convert/image-source.ts', 'services/paper-packet/build-packet.ts'].includes(f),
  },
];

/** `file:line: rule` for every line of `source` that breaks a rule. */
export function offencesIn(file: string, source: string): string[] {
  const found: string[] = [];
  source.split('\n').forEach((line, i) => {
    const code = line.replace(/\/\/.*$/, '').replace(/^\s*\*.*$/, ''); // comments may name the calls
    for (const rule of RULES) if (rule.pattern.test(code) && !rule.allowed(file)) found.push(`${file}:${i + 1}: ${rule.what}`);
  });
  return found;
}

describe('architecture: one PDF layout engine', () => {
  it('when the product code is read, then only the layout engine draws on pages, measures text and adds laid-out pages', () => {
    const root = projectRoot();
    const files = ['services', 'workers', 'contracts'].flatMap((top) => sourceFiles(path.join(root, top)));
    expect(files.length, 'the sources were read').to.be.greaterThan(100);
    const offences = files.flatMap((full) => offencesIn(path.relative(root, full).split(path.sep).join('/'), fs.readFileSync(full, 'utf8')));
    expect(offences, 'a second layout engine: lay the paper out with services/render/layout instead').to.deep.equal([]);
  });

  it('when the second engine that was removed is looked for, then it is gone', () => {
    expect(fs.existsSync(path.join(projectRoot(), 'services/render/flow'))).to.equal(false);
  });

  it('when a report draws its own text, wraps its own lines or adds its own pages, then the check finds it (the check can fail)', () => {
    const source = [
      "import { PDFDocument } from 'pdf-lib';",
      'const page = pdf.addPage([841.89, 595.28]);',
      "fonts.drawText(page, line, { x: 40, y: 22, size: 8, style: 'italic' });",
      "page.drawRectangle({ x, y, width, height, borderWidth: 0.5 });",
      "if (fonts.widthOf(candidate, size, style) <= width) line = candidate;",
      "page.pushOperators(beginText(), showText(hex), endText());",
      '// fonts.drawText(page, …) in a comment is not a call',
    ].join('\n');
    expect(offencesIn('services/reports/second-engine.ts', source)).to.deep.equal([
      'services/reports/second-engine.ts:2: adds pages to a PDF',
      'services/reports/second-engine.ts:3: draws text or shapes on a PDF page',
      'services/reports/second-engine.ts:4: draws text or shapes on a PDF page',
      'services/reports/second-engine.ts:5: measures text (to break lines or align it)',
      'services/reports/second-engine.ts:6: draws text or shapes on a PDF page',
    ]);
    expect(offencesIn('services/render/layout/paint.ts', source.split('\n').slice(1, 4).join('\n'))).to.deep.equal([]);
  });
});
