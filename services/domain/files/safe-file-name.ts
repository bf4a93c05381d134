/**
 * The one sanitiser for file names that arrive from outside — multipart, JSON, edXML (and the
 * members of its ZIP attachments), the web form — and for names read back before they are
 * passed on (a row stored before this rule). What comes out is a plain last path segment:
 *
 * - path parts go: only what follows the last `/` or `\` is kept (`../../x/.bashrc` → `bashrc`);
 * - control characters (C0, DEL, C1: CR LF and a smuggled header with them) are removed;
 * - bidirectional overrides and isolates (U+202A–U+202E, U+2066–U+2069), directional marks and
 *   zero-width characters are removed, so `hóa-đơn‮fdp.exe` cannot pose as a PDF;
 * - characters other systems treat specially (`: * ? " < > |`) become `_`; leading dots and
 *   surrounding spaces go (no hidden files, no `..`);
 * - at most MAX_FILE_NAME_CHARS characters, the extension kept.
 * An empty result gives `fallback`.
 */
export const MAX_FILE_NAME_CHARS = 150;

const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;
const INVISIBLE = /[\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff\ufff9-\ufffb]/g;
const SPECIAL = /[:*?"<>|]/g;

export function safeFileName(name: string | undefined | null, fallback: string): string {
  let s = (name ?? '').normalize('NFC');
  s = s.replace(CONTROL, '').replace(INVISIBLE, '');
  s = s.split(/[\\/]/).pop() ?? '';
  s = s.replace(SPECIAL, '_').trim().replace(/^[.\s]+/, '').replace(/[\s.]+$/, '');
  s = truncateKeepingExtension(s, MAX_FILE_NAME_CHARS);
  return s === '' ? fallback : s;
}

function truncateKeepingExtension(s: string, max: number): string {
  const chars = [...s];
  if (chars.length <= max) return s;
  const dot = s.lastIndexOf('.');
  const ext = dot > 0 ? [...s.slice(dot)] : [];
  if (ext.length > 0 && ext.length <= 10) return chars.slice(0, max - ext.length).join('').trimEnd() + ext.join('');
  return chars.slice(0, max).join('').trimEnd();
}
