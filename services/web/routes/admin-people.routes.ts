import { Router, type Request, type Response } from 'express';
import { ErrorCode } from '../../../contracts';
import type { Db } from '../../db/pool';
import { DomainError } from '../../domain/errors/domain-error';
import { appendAudit } from '../../domain/users/audit.repository';
import { createDepartment, listDepartments, updateDepartment } from '../../domain/users/department.repository';
import { isRole } from '../../domain/users/roles';
import { resetPassword, setUserDisabled, updateUser } from '../../domain/users/user-admin';
import { listUsers } from '../../domain/users/user.repository';
import { isUuid } from '../../http/route-params';
import { allow, userOf } from '../security/access-policy';
import { userEditPage } from '../views/admin-people.view';
import { param } from './params';

function body(req: Request): Record<string, string | undefined> {
  return req.body as Record<string, string | undefined>;
}

/** Administrators: departments (add, rename, disable) and users (edit, disable, enable, reset password). */
export function adminPeopleRoutes(db: Db): Router {
  const router = Router();
  const audit = (res: Response, action: string, detail: Record<string, unknown>) => appendAudit(db, userOf(res).username, action, detail);
  const idOf = (req: Request) => {
    const id = param(req, 'id');
    if (!isUuid(id)) throw new DomainError(ErrorCode.NOT_FOUND, 'Không tìm thấy.');
    return id;
  };

  router.post('/admin/departments', allow('directory.manage'), async (req, res) => {
    const b = body(req);
    const { id } = await createDepartment(db, { agencyCode: b.agency ?? '', name: b.name ?? '', kind: b.kind ?? 'phong' });
    await audit(res, 'department.add', { id, agency: b.agency, name: b.name });
    res.redirect(303, '/admin?done=department#departments');
  });

  router.post('/admin/departments/:id', allow('directory.manage'), async (req, res) => {
    const id = idOf(req);
    const b = body(req);
    await updateDepartment(db, id, { name: b.name ?? '', kind: b.kind ?? 'phong', disabled: b.disabled === '1' });
    await audit(res, 'department.update', { id, name: b.name, disabled: b.disabled === '1' });
    res.redirect(303, '/admin?done=department#departments');
  });

  async function showUser(res: Response, id: string, flash?: { kind: 'ok' | 'error'; text: string }, status = 200): Promise<void> {
    const user = (await listUsers(db)).find((u) => u.id === id);
    if (!user) throw new DomainError(ErrorCode.NOT_FOUND, 'Không có người dùng này.');
    const departments = await listDepartments(db, user.agencyCode);
    res.status(status).type('html').send(userEditPage(res, { user, departments, flash }).value);
  }

  router.get('/admin/users/:id', allow('directory.manage'), async (req, res) => {
    const done = req.query.done === 'saved' ? 'Đã lưu.' : req.query.done === 'password' ? 'Đã đặt mật khẩu mới; các phiên đăng nhập của người dùng đã kết thúc.' : undefined;
    await showUser(res, idOf(req), done ? { kind: 'ok', text: done } : undefined);
  });

  router.post('/admin/users/:id', allow('directory.manage'), async (req, res) => {
    const id = idOf(req);
    const b = body(req);
    try {
      if (!isRole(b.role ?? '')) throw new DomainError(ErrorCode.VALIDATION_FAILED, 'Vai trò không hợp lệ.');
      if (b.department && !isUuid(b.department)) throw new DomainError(ErrorCode.VALIDATION_FAILED, 'Phòng, đơn vị không hợp lệ.');
      await updateUser(db, id, { fullName: b.fullName?.trim() || null, role: b.role as never, departmentId: b.department || null, email: b.email?.trim() || null });
      await audit(res, 'user.update', { id, role: b.role, department: b.department || null });
      res.redirect(303, `/admin/users/${id}?done=saved`);
    } catch (err) {
      if (!(err instanceof DomainError) || err.code === 'NOT_FOUND') throw err;
      await showUser(res, id, { kind: 'error', text: err.message }, 400);
    }
  });

  router.post('/admin/users/:id/disable', allow('directory.manage'), async (req, res) => {
    const id = idOf(req);
    if (id === userOf(res).id) throw new DomainError(ErrorCode.CONFLICT, 'Không thể tự khóa tài khoản của mình.');
    await setUserDisabled(db, id, true);
    await audit(res, 'user.disable', { id });
    res.redirect(303, '/admin?done=disabled#users');
  });

  router.post('/admin/users/:id/enable', allow('directory.manage'), async (req, res) => {
    const id = idOf(req);
    await setUserDisabled(db, id, false);
    await audit(res, 'user.enable', { id });
    res.redirect(303, '/admin?done=enabled#users');
  });

  router.post('/admin/users/:id/password', allow('directory.manage'), async (req, res) => {
    const id = idOf(req);
    try {
      await resetPassword(db, id, body(req).password ?? '');
    } catch (err) {
      if (!(err instanceof DomainError) || err.code === 'NOT_FOUND') throw err;
      return showUser(res, id, { kind: 'error', text: err.message }, 400);
    }
    await audit(res, 'user.password_reset', { id });
    res.redirect(303, `/admin/users/${id}?done=password`);
  });

  return router;
}
