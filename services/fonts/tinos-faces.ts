import fs from 'node:fs';
import path from 'node:path';
import * as fontkit from '@pdf-lib/fontkit';
import { woffToSfnt } from './woff-to-sfnt';

/**
 * The shipped serif: Tinos (https://github.com/googlefonts/tinos), metric-compatible with Times
 * New Roman, which Decree 30/2020/NĐ-CP annex I asks for. It comes from the npm package
 * @fontsource/tinos, which splits every weight/style into per-unicode-range files. The brief that
 * asked for this module calls Tinos Apache-2.0 (its original Chrome OS release); the LICENSE
 * shipped in node_modules/@fontsource/tinos says SIL Open Font License 1.1. Both allow embedding
 * in documents; the OFL text is the one that applies to the files we read.
 */

export type FontStyle = 'regular' | 'bold' | 'italic' | 'boldItalic';
export const FONT_STYLES: readonly FontStyle[] = ['regular', 'bold', 'italic', 'boldItalic'];

/**
 * Subsets in the order a character is looked up. Vietnamese text needs latin (a, k, à, ê…) and
 * vietnamese (ă, đ, ơ, ư, ắ…); latin-ext comes third so a Vietnamese document embeds two files,
 * not three. The other scripts are parsed only when a character needs them.
 */
export const SUBSETS = [
  'latin',
  'vietnamese',
  'latin-ext',
  'greek',
  'greek-ext',
  'cyrillic',
  'cyrillic-ext',
  'hebrew',
] as const;
export type Subset = (typeof SUBSETS)[number];

const FILE_SUFFIX: Record<FontStyle, string> = {
  regular: '400-normal',
  bold: '700-normal',
  italic: '400-italic',
  boldItalic: '700-italic',
};

/** One parsed subset file. `sfnt` is the identity the embedding cache keys on: never copy it. */
export interface Face {
  readonly key: string;
  readonly subset: Subset;
  readonly sfnt: Uint8Array;
  readonly font: fontkit.Font;
  /** Advance widths in em (not font units), by code point; filled on first use. */
  readonly advances: Map<number, number>;
}

let filesDir: string | null = null;
const faces = new Map<string, Face>();

function tinosFilesDir(): string {
  // The package's exports map only exposes CSS and LICENSE, so we find the folder through LICENSE.
  filesDir ??= path.join(path.dirname(require.resolve('@fontsource/tinos/LICENSE')), 'files');
  return filesDir;
}

/** The parsed face of one style and subset, read and unwrapped once per process. */
export function loadFace(style: FontStyle, subset: Subset): Face {
  const key = `tinos-${subset}-${FILE_SUFFIX[style]}`;
  const cached = faces.get(key);
  if (cached) return cached;
  const sfnt = woffToSfnt(fs.readFileSync(path.join(tinosFilesDir(), `${key}.woff`)));
  const font = fontkit.create(sfnt);
  // fontkit caches one glyph object per id and keeps the code points it was first created with.
  // Subsetting an accented capital creates its base letter as a component with none, and a later
  // document would then write that letter without a ToUnicode entry. Creating every mapped glyph
  // from its code point first keeps the cache right for every document that shares this face.
  for (const cp of font.characterSet) font.glyphForCodePoint(cp);
  const face: Face = { key, subset, sfnt, font, advances: new Map() };
  faces.set(key, face);
  return face;
}

/** The raw WOFF bytes, for the naive baseline that parses them per document. */
export function readWoff(style: FontStyle, subset: Subset): Buffer {
  return fs.readFileSync(path.join(tinosFilesDir(), `tinos-${subset}-${FILE_SUFFIX[style]}.woff`));
}
