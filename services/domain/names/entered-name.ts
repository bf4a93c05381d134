/**
 * A name a person typed (a register book, a department, a saved search, a display name), as it is
 * stored and compared: Unicode NFC, so "Sổ" typed composed and decomposed (NFD: o + U+031B + U+0309,
 * as some keyboards and macOS file names send it) is the same name for the "name exists" checks
 * (the tables' unique keys compare bytes), spaces collapsed and trimmed.
 */
export function enteredName(raw: string): string {
  return raw.normalize('NFC').replace(/\s+/g, ' ').trim();
}
