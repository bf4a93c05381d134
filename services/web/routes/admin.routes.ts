import { param } from './params';
import { createStageQueues, failedJobRemover } from '../../pipeline/stage-queues';
import { Router, type Response } from 'express';
import type IORedis from 'ioredis';
import { ErrorCode } from '../../../contracts';
import type { Config } from '../../config/config';
import type { Db } from '../../db/pool';
import { API_KEY_SCOPES, createApiKey, listApiKeys, revokeApiKey } from '../../domain/apikeys/api-key.repository';
import { listFailedDispatches, retryDispatches, type FailedFilter } from '../../domain/dispatches/retry-dispatch';
import { FAILED_STAGES } from '../../domain/dispatches/failure-reason';
import { failingDispatches } from '../queries/delivery-alerts.query';
import { DomainError } from '../../domain/errors/domain-error';
import { auditFor, recordAudit, recordDispatchRetries } from '../../domain/audit/audit-log';
import { auditPage } from '../views/audit.view';
import { isRole } from '../../domain/users/roles';
import { createUser, listUsers } from '../../domain/users/user.repository';
import { listDepartments } from '../../domain/users/department.repository';
import { isUuid } from '../../http/route-params';
import { certificateExpiries } from '../queries/admin.query';
import { recentNotices } from '../../domain/notices/agency-notices';
import { directory } from '../queries/directory.query';
import { allow, userOf } from '../security/access-policy';
import { adminPage, type AdminData } from '../views/admin.view';

const FLASH: Record<string, string> = {
  user: 'Đã thêm người dùng.',
  revoked: 'Đã thu hồi khóa API.',
  retried: 'Đã đưa bản gửi vào hàng đợi gửi lại.',
  department: 'Đã lưu phòng, đơn vị.',
  disabled: 'Đã khóa tài khoản; các phiên đăng nhập của người dùng đã kết thúc.',
  enabled: 'Đã mở khóa tài khoản.',
};

function actorOf(res: Response): { actor: string; actorAgency: string } {
  const u = userOf(res);
  return { actor: `user:${u.username}`, actorAgency: u.agencyCode };
}

export function adminRoutes(db: Db, redis: IORedis, config: Config): Router {
  const router = Router();

  async function show(res: Response, extra: Pick<AdminData, 'newKey' | 'flash' | 'failedFilter'> = {}, status = 200): Promise<void> {
    const [dir, users, keys, failed, failing, certificates, departments, notices] = await Promise.all([
      directory(db, { withAxis: true }),
      listUsers(db),
      listApiKeys(db),
      listFailedDispatches(db, 200, extra.failedFilter),
      failingDispatches(db),
      certificateExpiries(db),
      listDepartments(db),
      recentNotices(db, userOf(res).agencyCode),
    ]);
    res.status(status).type('html').send(adminPage(res, { ...dir, users, departments, keys: keys.reverse(), failed, failing, certificates, notices, ...extra }).value);
  }

  router.get('/admin', allow('directory.manage'), async (req, res) => {
    const done = typeof req.query.done === 'string' ? FLASH[req.query.done] : undefined;
    const q = (name: string) => (typeof req.query[name] === 'string' && req.query[name] !== '' ? String(req.query[name]) : undefined);
    const stage = q('stage');
    const failedFilter: FailedFilter = { sender: q('sender'), recipient: q('recipient'), stage: FAILED_STAGES.find((s) => s === stage) };
    await show(res, { failedFilter, ...(done ? { flash: { kind: 'ok' as const, text: done } } : {}) });
  });

  router.get('/admin/audit', allow('directory.manage'), async (_req, res) => {
    res.type('html').send(auditPage(res, await auditFor(db, userOf(res).agencyCode)).value);
  });

  router.post('/admin/users', allow('directory.manage'), async (req, res) => {
    const b = req.body as Record<string, string | undefined>;
    const role = b.role ?? '';
    try {
      if (!isRole(role)) throw new DomainError(ErrorCode.VALIDATION_FAILED, 'Vai trò không hợp lệ.');
      const departmentId = b.department || null;
      if (departmentId && !isUuid(departmentId)) throw new DomainError(ErrorCode.VALIDATION_FAILED, 'Phòng, đơn vị không hợp lệ.');
      const created = await createUser(db, { agencyCode: b.agency ?? '', username: b.username ?? '', role, password: b.password ?? '', fullName: b.fullName?.trim() || null, departmentId });
      await recordAudit(db, { ...actorOf(res), action: 'user.add', agency: b.agency ?? null, detail: { username: created.username, role, department: departmentId } });
      res.redirect(303, '/admin?done=user#users');
    } catch (err) {
      if (!(err instanceof DomainError)) throw err;
      await show(res, { flash: { kind: 'error', text: err.message } }, 400);
    }
  });

  router.post('/admin/api-keys', allow('directory.manage'), async (req, res) => {
    const b = req.body as Record<string, string | undefined>;
    const agency = b.agency ?? '';
    const scopes = b.scope === 'monitor' ? [...API_KEY_SCOPES] : [];
    const exists = (await directory(db)).agencies.some((a) => a.code === agency);
    if (!exists) return show(res, { flash: { kind: 'error', text: 'Hãy chọn một cơ quan trong danh bạ.' } }, 400);
    const key = await createApiKey(db, agency, b.label?.trim().slice(0, 100) || null, scopes);
    await recordAudit(db, { ...actorOf(res), action: 'apikey.create', agency, detail: { id: key.id, scopes } });
    // Shown in this response only; a reload does not show it again (only its hash is stored).
    await show(res, { newKey: { id: key.id, key: key.key, agency } });
  });

  router.post('/admin/api-keys/:id/revoke', allow('directory.manage'), async (req, res) => {
    const keyAgency = isUuid(param(req, "id")) ? (await listApiKeys(db)).find((k) => k.id === param(req, "id"))?.agencyCode : undefined;
    if (!keyAgency || !(await revokeApiKey(db, param(req, "id")))) throw new DomainError(ErrorCode.NOT_FOUND, 'Không có khóa này.');
    await recordAudit(db, { ...actorOf(res), action: 'apikey.revoke', agency: keyAgency, detail: { id: param(req, "id") } });
    res.redirect(303, '/admin?done=revoked#keys');
  });

  router.post('/admin/dispatches/:id/retry', allow('directory.manage'), async (req, res) => {
    if (!isUuid(param(req, "id"))) throw new DomainError(ErrorCode.NOT_FOUND, 'Không có bản gửi này.');
    const queues = createStageQueues(redis, config.LIENTHONG_QUEUE_PREFIX);
    try {
      const operator = `user:${userOf(res).username}`;
      const retried = await retryDispatches(db, [param(req, "id")], operator, failedJobRemover(queues));
      if (retried.length === 0) throw new DomainError(ErrorCode.CONFLICT, 'Bản gửi này không còn ở trạng thái lỗi.');
await recordDispatchRetries(db, retried, operator, userOf(res).agencyCode);
    } finally {
      await queues.close();
    }
    res.redirect(303, '/admin?done=retried#failed');
  });

  return router;
}
