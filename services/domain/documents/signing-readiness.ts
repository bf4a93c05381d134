import { ErrorCode } from '../../../contracts';
import type { Queryable } from '../../db/pool';
import { DomainError } from '../errors/domain-error';
import { isRemoteAgency } from '../agencies/remote-agency';

/**
 * Whether a sender can sign at all, asked at intake: a document its agency cannot sign would be
 * accepted (202) only to fail at the sign stage, late and out of the clerk's sight. A positive
 * answer is remembered for REMEMBER_MS (never past the certificate's expiry), so the common case
 * costs no statement; a missing certificate is asked again every time, so a certificate issued
 * a moment ago is seen at once. (The sign stage still checks: a certificate revoked in between
 * fails there, as before.)
 */
const REMEMBER_MS = 30_000;
const KNOWN_MAX = 10_000;
const ready = new WeakMap<object, Map<string, number>>();

export async function requireSigningCertificate(db: Queryable, sender: string, now = Date.now()): Promise<void> {
  let known = ready.get(db);
  if (!known) ready.set(db, (known = new Map()));
  const until = known.get(sender);
  if (until !== undefined && until > now) return;
  const r = await db.query<{ notAfter: Date | null }>(
    `SELECT max(not_after) AS "notAfter" FROM agency_certificates
      WHERE agency_code = $1 AND revoked_at IS NULL AND not_before <= now() AND not_after > now()`,
    [sender],
  );
  const notAfter = r.rows[0]?.notAfter;
  // A remote agency (a peer's, or reached through the axis) signed its document at its own end.
  if (!notAfter && (await isRemoteAgency(db, sender))) return;
  if (!notAfter) {
    known.delete(sender);
    throw new DomainError(
      ErrorCode.NO_SIGNING_CERTIFICATE,
      `Cơ quan ${sender} chưa có chứng thư số còn hiệu lực nên văn bản không thể ký số và gửi đi. ` +
        `Quản trị viên cần nhập chứng thư số của cơ quan (lienthong pki import --agency ${sender} FILE.p12) ` +
        `— hoặc, ở chế độ phát triển, cấp chứng thư thử (lienthong pki issue --agency ${sender}) — rồi gửi lại văn bản.`,
      [{ agency: sender, fix: [`lienthong pki import --agency ${sender} FILE.p12`, `lienthong pki issue --agency ${sender}`] }],
    );
  }
  if (known.size >= KNOWN_MAX) known.clear();
  known.set(sender, Math.min(now + REMEMBER_MS, new Date(notAfter).getTime()));
}
