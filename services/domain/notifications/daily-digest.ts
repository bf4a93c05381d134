import type { Transporter } from 'nodemailer';
import type { Db } from '../../db/pool';
import { logger } from '../../logging/logger';

const log = logger('digest');

export interface DigestOptions {
  from: string;
  /** Links in the mail point here (LIENTHONG_PUBLIC_URL). */
  publicUrl: string;
}

interface Pending {
  userId: string;
  email: string;
  name: string;
  items: { id: number; title: string; link: string | null; urgent: boolean; kind: string }[];
}

/**
 * One e-mail per user with an address and unread notifications not mailed yet: the day's digest.
 * Each notification is mailed once (emailed_at is set after the server accepted the mail); a user
 * whose mail is refused keeps theirs for the next run. Returns the number of mails sent.
 */
export async function sendDigest(db: Db, transport: Pick<Transporter, 'sendMail'>, o: DigestOptions): Promise<number> {
  const r = await db.query<Pending>(
    `SELECT u.id AS "userId", u.email, COALESCE(u.full_name, u.username) AS name,
            json_agg(json_build_object('id', n.id, 'title', n.title, 'link', n.link, 'urgent', n.urgent, 'kind', n.kind) ORDER BY n.urgent DESC, n.id) AS items
       FROM notifications n JOIN users u ON u.id = n.user_id
      WHERE n.emailed_at IS NULL AND n.read_at IS NULL AND u.email IS NOT NULL AND u.disabled_at IS NULL
      GROUP BY u.id`,
  );
  let sent = 0;
  for (const p of r.rows) {
    const lines = p.items.map((i) => `- ${i.urgent ? '[KHẨN] ' : ''}${i.title}${i.link ? `\n  ${o.publicUrl.replace(/\/$/, '')}${i.link}` : ''}`);
    try {
      await transport.sendMail({
        from: o.from,
        to: p.email,
        subject: `[Liên Thông] ${p.items.length} thông báo cần xem`,
        text: `Kính gửi ${p.name},\n\nCác thông báo chưa xem trên hệ thống Liên Thông:\n\n${lines.join('\n')}\n\nXem tất cả: ${o.publicUrl.replace(/\/$/, '')}/notifications\n`,
      });
      await db.query(`UPDATE notifications SET emailed_at = now() WHERE id = ANY($1::bigint[])`, [p.items.map((i) => i.id)]);
      sent++;
    } catch (err) {
      log.warn({ err, user: p.userId }, 'digest mail refused; kept for the next run');
    }
  }
  return sent;
}

/** Whether today's digest (Vietnam day) already went out; records it when `mails` is given. */
export async function claimDigestDay(db: Db, day: string, mails: number): Promise<boolean> {
  const r = await db.query(`INSERT INTO digest_runs (day, mails) VALUES ($1, $2) ON CONFLICT (day) DO NOTHING`, [day, mails]);
  return (r.rowCount ?? 0) > 0;
}
