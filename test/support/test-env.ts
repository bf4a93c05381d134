import { randomBytes } from 'node:crypto';

/** What the root hooks set up once per run; every suite reads it from here. */
export interface TestEnv {
  databaseUrl: string;
  redisUrl: string;
  queuePrefix: string;
  masterKeyHex: string;
}

let current: TestEnv | undefined;

export function setTestEnv(env: TestEnv): void {
  current = env;
}

export function testEnv(): TestEnv {
  if (!current) throw new Error('the test environment is not set up (root hooks did not run)');
  return current;
}

/** Short unique suffix for agency codes and queue prefixes: A-Z and digits, as codes allow. */
export function uniqueTag(len = 6): string {
  const alphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
  const bytes = randomBytes(len);
  return Array.from(bytes, (b) => alphabet[b % alphabet.length]).join('');
}
