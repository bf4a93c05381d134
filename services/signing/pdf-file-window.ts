import * as fs from 'node:fs';
import { PDFContext, PDFDict, PDFObject, PDFObjectParser } from 'pdf-lib';
import ByteStream from 'pdf-lib/cjs/core/parser/ByteStream';
import { PdfUnreadableError } from './errors';
import { DELIMITERS, WHITESPACE } from './pdf-lexer';

// Reading a PDF file a window at a time: pdf-lib's object parser over a bounded window (for
// objects), and a buffered cursor (for cross-reference tables). Used by PdfFileReader.

const kw = (s: string): number[] => Array.from(Buffer.from(s, 'latin1'));
const K_OBJ = kw('obj');
const K_STREAM = kw('stream');
/** Thrown when an object may go on past the window read so far. */
export const WINDOW_TOO_SMALL = new Error('the object may continue past the window');

/** pdf-lib's object parser over a window of the file, with access to where it stopped. */
export class WindowParser extends PDFObjectParser {
  constructor(private readonly window: Uint8Array, context: PDFContext) {
    super(ByteStream.of(window), context);
  }
  offset(): number {
    return this.bytes.offset();
  }
  remaining(): number {
    return this.window.length - this.bytes.offset();
  }
  header(): { num: number; gen: number } {
    this.skipWhitespaceAndComments();
    const num = this.parseRawInt();
    this.skipWhitespaceAndComments();
    const gen = this.parseRawInt();
    this.skipWhitespaceAndComments();
    if (!this.matchKeyword(K_OBJ)) throw new PdfUnreadableError('"obj" expected after an object number');
    return { num, gen };
  }
  /** One object; for a dictionary followed by `stream`, where the stream data starts (in the window). */
  body(): { object: PDFObject; streamStart?: number } {
    this.skipWhitespaceAndComments();
    if (this.bytes.peek() === 0x3c && this.bytes.peekAhead(1) === 0x3c) {
      const dict = this.parseDict();
      this.skipWhitespaceAndComments();
      if (this.matchKeyword(K_STREAM)) {
        // the keyword is followed by CRLF or LF (a lone CR is tolerated)
        if (this.bytes.peek() === 0x0d) this.bytes.next();
        if (this.bytes.peek() === 0x0a) this.bytes.next();
        return { object: dict, streamStart: this.bytes.offset() };
      }
      return { object: dict };
    }
    const object = this.parseObject();
    this.skipWhitespaceAndComments();
    return { object };
  }
  dict(): PDFDict {
    this.skipWhitespaceAndComments();
    if (this.bytes.peek() !== 0x3c || this.bytes.peekAhead(1) !== 0x3c) throw new PdfUnreadableError('a dictionary was expected');
    const dict = this.parseDict();
    this.skipWhitespaceAndComments();
    return dict;
  }
}

/** Sequential reads through a small buffer, for cross-reference tables. */
export class Cursor {
  private readonly buf = Buffer.alloc(64 * 1024);
  private start = 0;
  private length = 0;
  constructor(private readonly fd: number, private readonly size: number, public pos: number) {}
  peek(): number {
    if (this.pos >= this.size) return -1;
    if (this.pos < this.start || this.pos >= this.start + this.length) {
      this.start = this.pos;
      this.length = fs.readSync(this.fd, this.buf, 0, Math.min(this.buf.length, this.size - this.pos), this.pos);
      if (this.length <= 0) return -1;
    }
    return this.buf[this.pos - this.start] ?? -1;
  }
  skipWhitespace(): void {
    for (;;) {
      const c = this.peek();
      if (c < 0) return;
      if (WHITESPACE.has(c)) this.pos++;
      else if (c === 0x25) while (this.peek() >= 0 && this.peek() !== 0x0a && this.peek() !== 0x0d) this.pos++;
      else return;
    }
  }
  token(): string {
    this.skipWhitespace();
    let out = '';
    for (let c = this.peek(); c >= 0 && !WHITESPACE.has(c) && !DELIMITERS.has(c); c = this.peek()) {
      out += String.fromCharCode(c);
      this.pos++;
      if (out.length > 32) throw new PdfUnreadableError(`an over-long token in the cross-reference table at offset ${this.pos}`);
    }
    return out;
  }
  int(what: string): number {
    const t = this.token();
    if (!/^\d{1,15}$/.test(t)) throw new PdfUnreadableError(`${what} expected in the cross-reference table, found "${t}" at offset ${this.pos}`);
    return Number(t);
  }
}
