import type { ZodError, ZodType } from 'zod';
import { AppError, type ErrorCode } from './errors';

export function zodDetails(err: ZodError) {
  return err.issues.slice(0, 20).map((i) => ({ path: i.path.join('.'), message: i.message }));
}

/** Parse input with a zod schema; on failure a 400 listing what to fix (never the values). */
export function parseInput<T>(schema: ZodType<T>, input: unknown, code: ErrorCode = 'VALIDATION_FAILED'): T {
  const result = schema.safeParse(input);
  if (!result.success) {
    const details = zodDetails(result.error);
    const first = details[0];
    throw new AppError(code, first ? `${first.path || 'body'}: ${first.message}` : undefined, details);
  }
  return result.data;
}
