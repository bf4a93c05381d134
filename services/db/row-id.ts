import { v7 as uuidv7 } from 'uuid';

/**
 * A new key for a row of a table that grows with the traffic (documents, their copies, paper
 * records): a UUID version 7 (RFC 9562), whose first 48 bits are the Unix time in milliseconds and
 * whose other 74 bits are random (a counter within one millisecond keeps them increasing).
 *
 * Why not a random (version 4) UUID: every index that starts with such a key (the primary keys, and
 * the copies', ledger's, events' and rollups' indexes on the document or copy id) receives each new
 * row at a random place, so with years of history every intake touches pages all over large
 * indexes: pages to read back into memory and, after each checkpoint, each one's first change
 * written whole to the WAL. Keys in time order land on the few newest pages of each index, as they
 * do in an empty database. The keys stay unguessable (74 random bits) and say when the row was made,
 * which the row itself says too (created_at).
 */
export function newRowId(): string {
  return uuidv7();
}
