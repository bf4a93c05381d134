import nodemailer from 'nodemailer';
import type { Config } from '../../config/config';
import type { Db } from '../../db/pool';
import { logger } from '../../logging/logger';
import { vnDay } from '../../calendar/vn-day';
import { claimDigestDay, sendDigest } from './daily-digest';
import { remindDeadlines } from './deadline-reminders';

const log = logger('reminders');
const PERIOD_MS = 5 * 60_000;

/**
 * In the worker process: every five minutes the deadline reminders (idempotent), and once a day,
 * after LIENTHONG_DIGEST_HOUR (Vietnam time), the e-mail digest when LIENTHONG_SMTP_URL is set —
 * one process wins the day (digest_runs), however many workers run.
 */
export function startReminders(db: Db, config: Config): { stop(): void } {
  const transport = config.LIENTHONG_SMTP_URL ? nodemailer.createTransport(config.LIENTHONG_SMTP_URL) : undefined;
  const publicUrl = config.LIENTHONG_PUBLIC_URL ?? `http://${config.HOST}:${config.PORT}`;
  const tick = async (): Promise<void> => {
    const now = new Date();
    const added = await remindDeadlines(db, now);
    if (added) log.info({ added }, 'deadline reminders');
    const vnHour = new Date(now.getTime() + 7 * 3600_000).getUTCHours();
    if (transport && vnHour >= config.LIENTHONG_DIGEST_HOUR && (await claimDigestDay(db, vnDay(now), 0))) {
      const mails = await sendDigest(db, transport, { from: config.LIENTHONG_MAIL_FROM, publicUrl });
      await db.query(`UPDATE digest_runs SET mails = $2 WHERE day = $1`, [vnDay(now), mails]);
      log.info({ mails }, 'daily digest sent');
    }
  };
  const run = () => void tick().catch((err) => log.warn({ err }, 'reminder run failed; next run retries'));
  const first = setTimeout(run, 10_000);
  const timer = setInterval(run, PERIOD_MS);
  first.unref();
  timer.unref();
  return {
    stop() {
      clearTimeout(first);
      clearInterval(timer);
      transport?.close();
    },
  };
}
