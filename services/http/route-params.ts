const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Ids in URLs are UUIDs; anything else is "not found" without touching the database. */
export function isUuid(v: string | undefined): v is string {
  return typeof v === 'string' && UUID.test(v);
}
