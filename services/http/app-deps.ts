import type IORedis from 'ioredis';
import type { Config } from '../config/config';
import type { Db } from '../db/pool';

/** What the HTTP side (the API routes of services/gateway and the web pages of services/web) is built from. */
export interface AppDeps {
  db: Db;
  redis: IORedis;
  config: Config;
}
