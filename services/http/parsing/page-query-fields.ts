import { z } from 'zod';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from '../../domain/paging/cursor';

/**
 * The paging fields of a list's query string, for the API and the web alike: `limit` (1–200,
 * default 50), keyset `cursor`, `page=last`. Each side says what is wrong in its own words.
 */
export const PageQueryFields = z.object({
  limit: z.coerce.number().int().min(1).max(MAX_PAGE_SIZE).default(DEFAULT_PAGE_SIZE),
  cursor: z.string().max(1000).optional(),
  page: z.enum(['last']).optional(),
});
