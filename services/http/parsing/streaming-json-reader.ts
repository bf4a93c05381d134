import type { Readable } from 'node:stream';
import zlib from 'node:zlib';
import type { Request } from 'express';
import { ErrorCode } from '../../../contracts';
import { DomainError } from '../../domain/errors/domain-error';
import { Base64ContentError, Base64SpillSink, type DecodedContent } from './base64-spill-sink';
import { invalidCompressedBody, isDecompressionError, unsupportedContentEncoding } from './content-encoding';
import { openRequestSpill } from './upload-storage';

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const MAX_DEPTH = 64;

export interface StreamingJsonOptions {
  /** The whole body, decoded (after Content-Encoding): more is 413. */
  limitBytes: number;
  /** Decoded size of one file. */
  maxFileBytes: number;
  /** Decoded files up to this size stay in memory; larger ones go to a temporary file. */
  memoryLimit: number;
  tempDir: string;
  /** Which string values are base64 file contents to decode on the fly, by their path from the root. */
  isContent: (path: readonly (string | number)[]) => boolean;
}

const malformed = (why: string) => new DomainError(ErrorCode.MALFORMED_JSON, `JSON không hợp lệ (malformed JSON): ${why}.`);

/**
 * Reads a JSON request body as it arrives and builds the value, except that the strings at
 * `isContent` paths (base64 file contents) are decoded piece by piece into DecodedContent (bytes
 * or a temporary file of the request, see base64-spill-sink). So a 45 MB JSON submission costs the
 * gateway a socket buffer and a decode window, not the text, its copy and the decoded file at once.
 * Everything else (the metadata) is parsed as JSON.parse would, to nesting depth 64.
 */
export async function readStreamingJson(req: Request, opts: StreamingJsonOptions): Promise<unknown> {
  const declared = Number(req.header('content-length'));
  if (req.header('content-length') !== undefined && Number.isFinite(declared) && declared > opts.limitBytes) throw tooLarge();
  const source = decoded(req);
  const reader = new ByteReader(source, opts.limitBytes);
  const parser = new Parser(reader, opts, req);
  try {
    reader.skipSpaceSync();
    await reader.need();
    const first = reader.peek();
    if (first !== 0x7b && first !== 0x5b) throw malformed('the body must be a JSON object');
    const value = await parser.value([], 0);
    await reader.skipSpace();
    if (!(await reader.atEnd())) throw malformed('text after the JSON value');
    return value;
  } catch (err) {
    // Not valid data of its Content-Encoding (not gzip, truncated, a bad checksum): the client's
    // body, a 400. The rest of the raw body is read and dropped up to the limit, as below.
    if (isDecompressionError(err)) {
      if (source !== req) {
        req.unpipe();
        source.destroy();
      }
      await drainRaw(req, opts.limitBytes);
      throw invalidCompressedBody(req.header('content-encoding'));
    }
    // Refused before its end (malformed, not base64): the rest is read and dropped, so the client,
    // still sending, hears the answer instead of a reset connection. Over the limit: not read on.
    if (err instanceof DomainError && err.code !== ErrorCode.PAYLOAD_TOO_LARGE) await reader.drain().catch(() => undefined);
    throw err;
  }
}

/** Reads the rest of a request and drops it, up to `limit` bytes (then stops reading). */
async function drainRaw(req: Request, limit: number): Promise<void> {
  if (req.readableEnded || req.destroyed) return;
  let n = 0;
  await new Promise<void>((resolve) => {
    const done = () => {
      req.off('data', onData);
      resolve();
    };
    const onData = (chunk: Buffer) => {
      n += chunk.length;
      if (n > limit) {
        req.pause();
        done();
      }
    };
    req.on('data', onData);
    req.once('end', done);
    req.once('close', done);
    req.once('error', done);
    req.resume();
  });
}

function tooLarge(): DomainError {
  return new DomainError(ErrorCode.PAYLOAD_TOO_LARGE, 'Dữ liệu gửi lên vượt quá giới hạn kích thước.', [{ field: null }]);
}

function decoded(req: Request): Readable {
  const enc = (req.header('content-encoding') ?? 'identity').trim().toLowerCase();
  if (enc === 'identity') return req;
  if (enc === 'gzip') return req.pipe(zlib.createGunzip());
  if (enc === 'deflate') return req.pipe(zlib.createInflate());
  if (enc === 'br') return req.pipe(zlib.createBrotliDecompress());
  throw unsupportedContentEncoding(enc);
}

/** The body's bytes, pulled a chunk at a time from the stream (backpressure: nothing is read ahead). */
class ByteReader {
  buf: Buffer = Buffer.alloc(0);
  pos = 0;
  private total = 0;
  private ended = false;
  private readonly it: AsyncIterator<Buffer>;

  constructor(
    src: Readable,
    private readonly limit: number,
  ) {
    this.it = src[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  }

  /** At least one unread byte, or MALFORMED_JSON at the end of the body. */
  async need(): Promise<void> {
    if (this.pos < this.buf.length) return;
    if (!(await this.more())) throw malformed('unexpected end of the body');
  }

  async more(): Promise<boolean> {
    if (this.ended) return false;
    for (;;) {
      const next = await this.it.next();
      if (next.done) {
        this.ended = true;
        return false;
      }
      const chunk = Buffer.isBuffer(next.value) ? next.value : Buffer.from(next.value);
      this.total += chunk.length;
      if (this.total > this.limit) throw tooLarge();
      if (chunk.length === 0) continue;
      this.buf = this.pos < this.buf.length ? Buffer.concat([this.buf.subarray(this.pos), chunk]) : chunk;
      this.pos = 0;
      return true;
    }
  }

  /** Reads the rest of the body and drops it (at most up to the limit). */
  async drain(): Promise<void> {
    this.buf = Buffer.alloc(0);
    this.pos = 0;
    while (await this.more()) this.buf = Buffer.alloc(0);
  }

  peek(): number {
    return this.buf[this.pos]!;
  }

  skipSpaceSync(): void {
    while (this.pos < this.buf.length && isSpace(this.buf[this.pos]!)) this.pos++;
  }

  async skipSpace(): Promise<void> {
    for (;;) {
      this.skipSpaceSync();
      if (this.pos < this.buf.length || !(await this.more())) return;
    }
  }

  async atEnd(): Promise<boolean> {
    return this.pos >= this.buf.length && !(await this.more());
  }

  async expect(byte: number, what: string): Promise<void> {
    await this.skipSpace();
    await this.need();
    if (this.peek() !== byte) throw malformed(`expected ${what}`);
    this.pos++;
  }
}

function isSpace(b: number): boolean {
  return b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09;
}

class Parser {
  constructor(
    private readonly r: ByteReader,
    private readonly opts: StreamingJsonOptions,
    private readonly req: Request,
  ) {}

  async value(path: (string | number)[], depth: number): Promise<unknown> {
    if (depth > MAX_DEPTH) throw malformed(`nested deeper than ${MAX_DEPTH}`);
    const r = this.r;
    await r.skipSpace();
    await r.need();
    const b = r.peek();
    if (b === 0x7b) return this.object(path, depth);
    if (b === 0x5b) return this.array(path, depth);
    if (b === QUOTE) return this.opts.isContent(path) ? this.content(path) : this.string();
    return this.literal();
  }

  private async object(path: (string | number)[], depth: number): Promise<Record<string, unknown>> {
    const r = this.r;
    r.pos++; // {
    const obj: Record<string, unknown> = {};
    await r.skipSpace();
    await r.need();
    if (r.peek() === 0x7d) {
      r.pos++;
      return obj;
    }
    for (;;) {
      await r.skipSpace();
      await r.need();
      if (r.peek() !== QUOTE) throw malformed('expected a property name');
      const key = await this.string();
      await r.expect(0x3a, '":"');
      const v = await this.value([...path, key], depth + 1);
      Object.defineProperty(obj, key, { value: v, enumerable: true, writable: true, configurable: true });
      await r.skipSpace();
      await r.need();
      const sep = r.buf[r.pos++];
      if (sep === 0x7d) return obj;
      if (sep !== 0x2c) throw malformed('expected "," or "}"');
    }
  }

  private async array(path: (string | number)[], depth: number): Promise<unknown[]> {
    const r = this.r;
    r.pos++; // [
    const arr: unknown[] = [];
    await r.skipSpace();
    await r.need();
    if (r.peek() === 0x5d) {
      r.pos++;
      return arr;
    }
    for (;;) {
      arr.push(await this.value([...path, arr.length], depth + 1));
      await r.skipSpace();
      await r.need();
      const sep = r.buf[r.pos++];
      if (sep === 0x5d) return arr;
      if (sep !== 0x2c) throw malformed('expected "," or "]"');
    }
  }

  private async literal(): Promise<unknown> {
    const r = this.r;
    let text = '';
    for (;;) {
      while (r.pos < r.buf.length && /[-+0-9.eEa-z]/.test(String.fromCharCode(r.buf[r.pos]!))) {
        text += String.fromCharCode(r.buf[r.pos++]!);
        if (text.length > 400) throw malformed('a number or literal too long');
      }
      if (r.pos < r.buf.length || !(await r.more())) break;
    }
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw malformed(`unexpected "${text.slice(0, 20) || String.fromCharCode(r.buf[r.pos] ?? 0x3f)}"`);
    }
  }

  /** A string, decoded as JSON.parse does (escapes, UTF-8, control characters refused). */
  private async string(): Promise<string> {
    const raw: Buffer[] = [Buffer.from('"')];
    await this.scanString((piece) => void raw.push(Buffer.from(piece)), (escape) => void raw.push(Buffer.from(escape)));
    raw.push(Buffer.from('"'));
    try {
      return JSON.parse(Buffer.concat(raw).toString('utf8')) as string;
    } catch {
      throw malformed('a string with a control character or a bad escape');
    }
  }

  /** A base64 file content: decoded into memory or a temporary file as it arrives. */
  private async content(path: (string | number)[]): Promise<DecodedContent> {
    const sink = new Base64SpillSink(this.opts.maxFileBytes, this.opts.memoryLimit, () => openRequestSpill(this.req, this.opts.tempDir));
    const at = path.join('.');
    try {
      await this.scanString(
        (piece) => sink.write(piece.toString('latin1')),
        (escape) => sink.write(unescapeBase64(escape)),
      );
      return await sink.end();
    } catch (err) {
      if (err instanceof Base64ContentError && err.reason === 'too-large') {
        throw new DomainError(ErrorCode.PAYLOAD_TOO_LARGE, `Tệp ${at} vượt quá ${this.opts.maxFileBytes} byte.`, [{ path: at, limit: this.opts.maxFileBytes }]);
      }
      if (err instanceof Base64ContentError) {
        throw new DomainError(ErrorCode.VALIDATION_FAILED, `Dữ liệu không hợp lệ: body.${at}: base64.`, [{ path: `body.${at}`, message: 'base64', code: 'invalid_string' }]);
      }
      throw err;
    }
  }

  /**
   * Walks a string from its opening quote to its closing one, handing over the raw pieces between
   * escapes (views of the read buffer) and each escape sequence (`\n`, `\u00e9`…) as it is.
   */
  private async scanString(piece: (b: Buffer) => unknown, escape: (e: string) => unknown): Promise<void> {
    const r = this.r;
    r.pos++; // opening quote
    for (;;) {
      await r.need();
      const q = r.buf.indexOf(QUOTE, r.pos);
      const bs = r.buf.indexOf(BACKSLASH, r.pos);
      const stop = q < 0 ? bs : bs < 0 ? q : Math.min(q, bs);
      const end = stop < 0 ? r.buf.length : stop;
      if (end > r.pos) await piece(r.buf.subarray(r.pos, end));
      r.pos = end;
      if (stop < 0) continue;
      if (stop === q) {
        r.pos++;
        return;
      }
      // an escape: a backslash and one character, or \uXXXX
      while (r.buf.length - r.pos < 2) if (!(await r.more())) throw malformed('unexpected end of the body');
      const long = r.buf[r.pos + 1] === 0x75;
      while (long && r.buf.length - r.pos < 6) if (!(await r.more())) throw malformed('unexpected end of the body');
      const len = long ? 6 : 2;
      await escape(r.buf.toString('latin1', r.pos, r.pos + len));
      r.pos += len;
    }
  }
}

/** An escape inside base64 text: `\/` is `/`; `\n`, `\r`, `\t` are spaces; `\uXXXX` its character. */
function unescapeBase64(e: string): string {
  if (e === '\\/') return '/';
  if (e === '\\n' || e === '\\r' || e === '\\t') return ' ';
  if (/^\\u[0-9a-fA-F]{4}$/.test(e)) return String.fromCharCode(parseInt(e.slice(2), 16));
  return '\u0000'; // anything else is not base64: the sink refuses it
}
