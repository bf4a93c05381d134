import { Router, type Response } from 'express';
import { PaperDispatchRequest } from '../../../contracts';
import type { Config } from '../../config/config';
import type { Db } from '../../db/pool';
import { DomainError } from '../../domain/errors/domain-error';
import { recordPaperDispatch } from '../../domain/paper/record-paper-dispatch';
import { vnDay } from '../../stats/periods';
import { directory } from '../queries/directory.query';
import { allow, userOf } from '../security/access-policy';
import { fieldOfDomainError } from '../send/send-form';
import { paperPage, type PaperValues } from '../views/paper.view';
import { paperLimitsFrom } from '../../domain/documents/accept-limits';

const MESSAGES: Record<string, string> = {
  number: 'Số văn bản bắt đầu bằng chữ số, ví dụ 15.',
  notation: 'Hãy nhập ký hiệu.',
  issuedOn: 'Ngày ban hành không hợp lệ.',
  sentOn: 'Ngày gửi không hợp lệ.',
  subject: 'Hãy nhập trích yếu.',
  recipients: 'Hãy chọn ít nhất một nơi nhận.',
  documentType: 'Hãy chọn loại văn bản.',
};

export function paperRoutes(db: Db, config: Config): Router {
  const router = Router();

  async function show(res: Response, values: PaperValues, errors: Record<string, string>, status = 200, recorded?: string): Promise<void> {
    const dir = await directory(db);
    res.status(status).type('html').send(paperPage(res, { values, errors, ...dir, self: userOf(res).agencyCode, recorded }).value);
  }

  router.get('/paper', allow('documents.send'), async (req, res) => {
    const today = vnDay(new Date());
    const recorded = typeof req.query.recorded === 'string' ? req.query.recorded.slice(0, 40) : undefined;
    await show(res, { documentType: 'CV', number: '', notation: '', issuedOn: today, sentOn: today, subject: '', recipients: [] }, {}, 200, recorded);
  });

  router.post('/paper', allow('documents.send'), async (req, res) => {
    const b = req.body as Record<string, unknown>;
    const s = (k: string) => (typeof b[k] === 'string' ? (b[k] as string).trim() : '');
    const rec = b.recipients;
    const values: PaperValues = {
      documentType: s('documentType'), number: s('number'), notation: s('notation'), issuedOn: s('issuedOn'), sentOn: s('sentOn'), subject: s('subject'),
      recipients: (Array.isArray(rec) ? rec : rec ? [rec] : []).map(String),
    };
    const parsed = PaperDispatchRequest.safeParse(values);
    if (!parsed.success) {
      const errors: Record<string, string> = {};
      for (const i of parsed.error.issues) {
        const f = String(i.path[0] ?? 'form');
        errors[f] ??= MESSAGES[f] ?? i.message;
      }
      return show(res, values, errors, 400);
    }
    try {
      const user = userOf(res);
      await recordPaperDispatch(db, user.agencyCode, null, parsed.data, paperLimitsFrom(config));
      res.redirect(303, `/paper?recorded=${encodeURIComponent(`${parsed.data.number}/${parsed.data.notation}`)}`);
    } catch (err) {
      if (!(err instanceof DomainError) || err.code === 'INTERNAL') throw err;
      return show(res, values, { [fieldOfDomainError(err.code, err.details)]: err.message }, 422);
    }
  });

  return router;
}
