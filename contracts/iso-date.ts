import { z } from 'zod';

/**
 * A calendar date `YYYY-MM-DD` that exists (no 31 February, no month 13) and that PostgreSQL's
 * `date` takes (years 0001–9999: year 0000 does not exist in the Gregorian calendar).
 */
export const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'ngày dạng YYYY-MM-DD')
  .refine((v) => {
    const d = new Date(`${v}T00:00:00Z`);
    return v.slice(0, 4) !== '0000' && !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === v;
  }, 'ngày không tồn tại');
