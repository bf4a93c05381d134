import type IORedis from 'ioredis';

export interface QueueWait {
  queue: string;
  /** Jobs waiting for a worker (plain and prioritized). */
  waiting: number;
  /** Jobs a worker holds now. */
  active: number;
  /** When the oldest job waiting for its first attempt was added (epoch ms); null when none waits. */
  oldestTimestamp: number | null;
  /** BullMQ's counter of prioritized adds (every job of a stage is added with a priority): arrivals. */
  added: number;
}

/**
 * One script call looks at every queue: the oldest job waiting for a worker is the tail of the
 * plain wait list (BullMQ pushes on the left and takes from the right) and the head of each
 * priority band of the prioritized set (score = priority × 2^32 + an arrival counter, so within a
 * band the first is the oldest). A job that was started before (a retry after its backoff, a stalled
 * job put back) carries the time it was first added, not when it began to wait again: the first few
 * of each band are looked at and such jobs are passed over, so one retried delivery does not read as
 * an hour of queueing. Keys per queue: wait, prioritized, active; ARGV per queue: the job key prefix.
 */
const SCRIPT = `
local out = {}
local LOOK = 4
for i = 0, #KEYS / 3 - 1 do
  local wait, prio, active = KEYS[i * 3 + 1], KEYS[i * 3 + 2], KEYS[i * 3 + 3]
  local jobPrefix = ARGV[i + 1]
  local oldest = false
  local function consider(ids)
    for _, id in ipairs(ids) do
      local f = redis.call('HMGET', jobPrefix .. id, 'timestamp', 'ats')
      if f[1] and (not f[2] or tonumber(f[2]) == 0) then
        local ts = tonumber(f[1])
        if not oldest or ts < oldest then oldest = ts end
        return
      end
    end
  end
  local tail = redis.call('LRANGE', wait, -LOOK, -1)
  local reversed = {}
  for k = #tail, 1, -1 do reversed[#reversed + 1] = tail[k] end
  consider(reversed)
  local from = '-inf'
  for band = 1, 16 do
    local head = redis.call('ZRANGEBYSCORE', prio, from, '+inf', 'WITHSCORES', 'LIMIT', 0, LOOK)
    if #head == 0 then break end
    local ids = {}
    local p = math.floor(tonumber(head[2]) / 4294967296)
    for k = 1, #head, 2 do
      if math.floor(tonumber(head[k + 1]) / 4294967296) == p then ids[#ids + 1] = head[k] end
    end
    consider(ids)
    from = string.format('%.0f', (p + 1) * 4294967296)
  end
  out[#out + 1] = redis.call('LLEN', wait) + redis.call('ZCARD', prio)
  out[#out + 1] = redis.call('LLEN', active)
  out[#out + 1] = oldest and string.format('%.0f', oldest) or ''
  out[#out + 1] = tonumber(redis.call('GET', jobPrefix .. 'pc') or '0')
end
return out
`;

/** Waiting and active jobs of each queue, when its oldest waiting job was added, and its arrivals counter. */
export async function oldestWaitingPerQueue(redis: IORedis, prefix: string, queues: readonly string[]): Promise<QueueWait[]> {
  if (queues.length === 0) return [];
  const keys = queues.flatMap((q) => [`${prefix}:${q}:wait`, `${prefix}:${q}:prioritized`, `${prefix}:${q}:active`]);
  const raw = (await redis.eval(SCRIPT, keys.length, ...keys, ...queues.map((q) => `${prefix}:${q}:`))) as (number | string)[];
  return queues.map((queue, i) => {
    const oldest = raw[i * 4 + 2];
    return {
      queue,
      waiting: Number(raw[i * 4]),
      active: Number(raw[i * 4 + 1]),
      oldestTimestamp: oldest === '' || oldest === undefined ? null : Number(oldest),
      added: Number(raw[i * 4 + 3]),
    };
  });
}
