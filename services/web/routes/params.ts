import type { Request } from 'express';

/** A route parameter as a string ('' when absent): Express 5's types allow arrays for wildcards. */
export function param(req: Request, name: string): string {
  const v = (req.params as Record<string, unknown>)[name];
  return typeof v === 'string' ? v : '';
}
