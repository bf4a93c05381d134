import { z } from 'zod';
import { DOCUMENT_TYPE_CODES } from './document-types';
import { isoDate as isoDay } from './iso-date';

const emptyToUndefined = (v: unknown) => (v === '' ? undefined : v);
const optional = <T extends z.ZodTypeAny>(t: T) => z.preprocess(emptyToUndefined, t.optional());

/**
 * GET /v1/search (and the web search): one search over the documents the caller's agency may
 * read. `box`: `in` (received copies), `out` (sent documents) or `all`. Dates are Vietnam days.
 */
export const SearchQuery = z
  .object({
    q: optional(z.string().trim().max(200)),
    box: optional(z.enum(['in', 'out', 'all'])),
    type: optional(z.enum(DOCUMENT_TYPE_CODES)),
    /** Sender: an agency code, or words of its name ("UBND", "noi vu"). */
    sender: optional(z.string().trim().max(200)),
    urgency: optional(z.enum(['normal', 'urgent', 'very_urgent', 'flash'])),
    status: optional(z.string().regex(/^[a-z_]{1,20}$/)),
    from: optional(isoDay),
    to: optional(isoDay),
    issuedFrom: optional(isoDay),
    issuedTo: optional(isoDay),
    overdue: optional(z.enum(['1', 'true'])),
    revoked: optional(z.enum(['include', 'exclude', 'only'])),
    limit: optional(z.coerce.number().int().min(1).max(200)),
    cursor: optional(z.string().max(1000)),
    page: optional(z.enum(['last'])),
    /**
     * `exact`: count and rank every match even past the count limit (LIENTHONG_SEARCH_COUNT_LIMIT,
     * default 2,000), at the cost of reading them all.
     */
    count: optional(z.enum(['exact'])),
  })
  .strict();
export type SearchQuery = z.infer<typeof SearchQuery>;

export const SearchItem = z.object({
  box: z.enum(['in', 'out']),
  documentId: z.string().uuid(),
  /** The received copy (box `in`); null for a sent document. */
  dispatchId: z.string().uuid().nullable(),
  sender: z.string(),
  senderName: z.string(),
  documentType: z.string(),
  number: z.string(),
  notation: z.string(),
  issuedOn: z.string(),
  subject: z.string(),
  urgency: z.string(),
  dueOn: z.string().nullable(),
  status: z.string(),
  incomingNumber: z.string().nullable(),
  at: z.string(),
  overdue: z.boolean(),
  unread: z.boolean(),
  handler: z.string().nullable(),
  /** A revoked document: when and why (issue 16: the recipient keeps the entry, marked). */
  revokedAt: z.string().nullable(),
  revokeReason: z.string().nullable(),
  /**
   * Relevance of a word search: set for the newest matches of the rank window
   * (LIENTHONG_SEARCH_RANK_WINDOW, default 1,000), which come first by rank; null past the window
   * (those follow newest first), when no words were typed, and in a broad search (more matches
   * than the count limit, `totalExact` false: listed newest first).
   */
  rank: z.number().nullable(),
});
export type SearchItem = z.infer<typeof SearchItem>;

export const SearchPage = z.object({
  items: z.array(SearchItem),
  /** Every match when `totalExact`; otherwise a lower bound: the search matched more than the count limit. */
  total: z.number().int(),
  /**
   * false for a broad search: more documents matched than the count limit (default 2,000), so they
   * were not all counted; `total` is how many the agency may read among those counted ("at least"),
   * and the items come newest first, unranked. Ask again with `count=exact` for the exact total and
   * the ranked order.
   */
  totalExact: z.boolean(),
  nextCursor: z.string().nullable(),
  prevCursor: z.string().nullable(),
});
export type SearchPage = z.infer<typeof SearchPage>;
