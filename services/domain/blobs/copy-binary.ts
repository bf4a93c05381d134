/**
 * The fields of a one-column `COPY … TO STDOUT (FORMAT binary)` stream, as they arrive: PostgreSQL's
 * binary copy format (documentation, "COPY" → "Binary Format"): an 11-byte signature, a 32-bit
 * flags field and a 32-bit header-extension length (plus the extension), then per row a 16-bit
 * field count (-1 ends the stream) and per field a 32-bit length (-1 for NULL) and the bytes. Field
 * bytes are handed on in the pieces the socket delivered them, never gathered into one buffer.
 */
const SIGNATURE = Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1');

export class BinaryCopyFields {
  private pending = Buffer.alloc(0);
  private state: 'header' | 'row' | 'length' | 'data' | 'done' = 'header';
  private remaining = 0;
  private fieldsLeft = 0;
  private started = false;

  /** Feeds one piece of the stream; returns the field bytes it completes or continues, in order. */
  push(piece: Buffer, onField: (bytes: Buffer, fieldStarts: boolean) => void): void {
    let buf = this.pending.length ? Buffer.concat([this.pending, piece]) : piece;
    this.pending = Buffer.alloc(0);
    for (;;) {
      if (this.state === 'data') {
        if (buf.length === 0) return;
        const take = Math.min(this.remaining, buf.length);
        onField(buf.subarray(0, take), !this.started);
        this.started = true;
        this.remaining -= take;
        buf = buf.subarray(take);
        if (this.remaining === 0) {
          this.started = false;
          this.state = --this.fieldsLeft > 0 ? 'length' : 'row';
        }
        continue;
      }
      const need = this.state === 'header' ? SIGNATURE.length + 8 : this.state === 'row' ? 2 : this.state === 'length' ? 4 : 0;
      if (this.state === 'done') return;
      if (buf.length < need) {
        this.pending = Buffer.from(buf);
        return;
      }
      if (this.state === 'header') {
        if (!buf.subarray(0, SIGNATURE.length).equals(SIGNATURE)) throw new Error('not a binary COPY stream');
        const extension = buf.readUInt32BE(SIGNATURE.length + 4);
        if (buf.length < need + extension) {
          this.pending = Buffer.from(buf);
          return;
        }
        buf = buf.subarray(need + extension);
        this.state = 'row';
      } else if (this.state === 'row') {
        const count = buf.readInt16BE(0);
        buf = buf.subarray(2);
        if (count === -1) {
          this.state = 'done';
          return;
        }
        this.fieldsLeft = count;
        this.state = count > 0 ? 'length' : 'row';
      } else {
        const length = buf.readInt32BE(0);
        buf = buf.subarray(4);
        if (length === -1) throw new Error('unexpected NULL field in a binary COPY stream');
        this.remaining = length;
        this.state = 'data';
        if (length === 0) {
          onField(Buffer.alloc(0), true);
          this.state = --this.fieldsLeft > 0 ? 'length' : 'row';
        }
      }
    }
  }

  get finished(): boolean {
    return this.state === 'done';
  }
}
