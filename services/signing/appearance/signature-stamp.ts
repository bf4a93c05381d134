import type { PDFRef } from 'pdf-lib';
import type { PageGeometry, WidgetPlacement } from '../pdf-placeholder';
import { faceObjects, glyphHex, GlyphRun, runsUnits, runsWidth, shapeRuns, StampFace } from './stamp-font';

// The visible signature of Decree 30/2020 annex I (standards §3): at the top right of page 1,
// 10 pt, upright, black — the agency, the signer and the signing time in ISO 8601 with the
// Vietnam offset; for a separately signed attachment its number/symbol and the time. It is the
// signature widget's appearance stream (/AP /N), so the page content stays untouched and the
// incremental update leaves earlier signatures valid.

export interface SignatureAppearance {
  /** Tên cơ quan, e.g. "Sở Nội vụ tỉnh Bắc Ninh". */
  agencyName?: string;
  /** Printed as given, e.g. "KT. GIÁM ĐỐC Nguyễn Văn A". */
  signerLine?: string;
  /** Số và ký hiệu, printed as given (e.g. "Số: 15/CT-UBND"): the whole stamp of an attachment. */
  numberNotation?: string;
}

/** A widget placement that always has its appearance stream. */
export type StampPlacement = Required<WidgetPlacement>;

const FONT_SIZE = 10;
const LEADING = 11.5;
const ASCENT = 9; // Tinos ascent at 10 pt, rounded: first baseline below the top padding
const PADDING = 2;
const MM = 72 / 25.4;
const MAX_TEXT_WIDTH = 100 * MM;
// Inside the top margin (20–25 mm) and aligned with the text's right margin (15–20 mm).
const RIGHT_INSET = 15 * MM;
const TOP_INSET = 5 * MM;
const VIETNAM_OFFSET_MS = 7 * 3600 * 1000;

/** "2026-11-28T14:05:09+07:00": ISO 8601 at the Vietnam offset, whatever the host's time zone. */
export function vietnamTime(date: Date): string {
  return `${new Date(date.getTime() + VIETNAM_OFFSET_MS).toISOString().slice(0, 19)}+07:00`;
}

/** "14:05:09 ngày 28/11/2026 (GMT+7)": the signing time as a person reads it, in Vietnam time. */
export function vietnamTimeInWords(date: Date): string {
  const iso = vietnamTime(date);
  return `${iso.slice(11, 19)} ngày ${iso.slice(8, 10)}/${iso.slice(5, 7)}/${iso.slice(0, 4)} (GMT+7)`;
}

export function stampLines(appearance: SignatureAppearance, signingTime: Date): string[] {
  const given = [appearance.numberNotation, appearance.agencyName, appearance.signerLine]
    .map((l) => l?.replace(/\s+/g, ' ').trim())
    .filter((l): l is string => !!l);
  if (given.length === 0) throw new RangeError('a visible signature needs an agency name, a signer line or a number/symbol');
  return [...given, `Thời gian ký: ${vietnamTimeInWords(signingTime)}`];
}

/**
 * Greedy word wrap; a single word wider than the limit stays whole on its line. Each word is
 * shaped once: a line's width is the sum of its words' and spaces' (whole units of 1/1000 em).
 */
function wrap(line: string): GlyphRun[][] {
  const out: GlyphRun[][] = [];
  const space = runsUnits(shapeRuns(' '));
  let current = '';
  let units = 0;
  for (const word of line.split(' ')) {
    const wordUnits = runsUnits(shapeRuns(word));
    if (current && ((units + space + wordUnits) * FONT_SIZE) / 1000 > MAX_TEXT_WIDTH) {
      out.push(shapeRuns(current));
      current = word;
      units = wordUnits;
    } else {
      units = current ? units + space + wordUnits : wordUnits;
      current = current ? `${current} ${word}` : word;
    }
  }
  out.push(shapeRuns(current));
  return out;
}

/** Unit vectors of the visual right and up directions in user space, and the visual top-right corner. */
function visualFrame({ box, rotation }: PageGeometry): { right: [number, number]; up: [number, number]; corner: [number, number] } {
  const { x, y, width, height } = box;
  switch (rotation) {
    case 90: return { right: [0, 1], up: [-1, 0], corner: [x, y + height] };
    case 180: return { right: [-1, 0], up: [0, -1], corner: [x, y] };
    case 270: return { right: [0, -1], up: [1, 0], corner: [x + width, y] };
    default: return { right: [1, 0], up: [0, 1], corner: [x + width, y + height] };
  }
}

const num = (v: number): string => String(Math.round(v * 100) / 100);

export function buildStamp(appearance: SignatureAppearance, signingTime: Date, page: PageGeometry, allocate: () => PDFRef): StampPlacement {
  const lines = stampLines(appearance, signingTime).flatMap(wrap);
  const textWidth = Math.max(...lines.map((runs) => runsWidth(runs, FONT_SIZE)));
  const w = Math.ceil(textWidth + 2 * PADDING);
  const h = Math.ceil(lines.length * LEADING + 2 * PADDING);

  const faces = new Map<StampFace, string>();
  const ops: string[] = ['BT', '0 g'];
  lines.forEach((runs, i) => {
    const x = w - PADDING - runsWidth(runs, FONT_SIZE); // right-aligned
    ops.push(`1 0 0 1 ${num(x)} ${num(h - PADDING - ASCENT - i * LEADING)} Tm`);
    for (const run of runs) {
      if (!faces.has(run.face)) faces.set(run.face, `F${faces.size}`);
      ops.push(`/${faces.get(run.face)} ${FONT_SIZE} Tf ${glyphHex(run)} Tj`);
    }
  });
  ops.push('ET');
  const content = Buffer.from(ops.join('\n'), 'latin1');

  const objects: [PDFRef, Buffer][] = [];
  const formRef = allocate();
  const fontEntries: string[] = [];
  for (const [face, name] of faces) {
    const refs = { font: allocate(), cid: allocate(), descriptor: allocate(), file: allocate(), toUnicode: allocate() };
    fontEntries.push(`/${name} ${refs.font.toString()}`);
    objects.push(...faceObjects(face, refs));
  }

  const { right, up, corner } = visualFrame(page);
  const form = Buffer.concat([
    Buffer.from(
      `<< /Type /XObject /Subtype /Form /FormType 1 /BBox [0 0 ${w} ${h}] /Matrix [${right[0]} ${right[1]} ${up[0]} ${up[1]} 0 0] ` +
        `/Resources << /Font << ${fontEntries.join(' ')} >> >> /Length ${content.length} >>\nstream\n`,
      'latin1',
    ),
    content,
    Buffer.from('\nendstream', 'latin1'),
  ]);
  objects.unshift([formRef, form]);

  // The stamp's corners in visual offsets from the page's top-right corner, mapped to user space.
  const corners = [[-RIGHT_INSET - w, -TOP_INSET - h], [-RIGHT_INSET, -TOP_INSET]].map(([vx, vy]) => [
    corner[0] + right[0] * vx! + up[0] * vy!,
    corner[1] + right[1] * vx! + up[1] * vy!,
  ]);
  const xs = corners.map((c) => c[0]!);
  const ys = corners.map((c) => c[1]!);
  const rect: [number, number, number, number] = [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)].map(
    (v) => Math.round(v * 100) / 100,
  ) as [number, number, number, number];
  return { rect, appearance: { ref: formRef, objects } };
}
