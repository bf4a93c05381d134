import type { Db } from '../db/pool';
import { logger } from '../logging/logger';
import type { SweepChores } from '../pipeline/sweeper';
import { failOrphanedCopies } from './dispatches/dispatch.repository';
import { owedWebhookEvents } from './dispatches/status-webhook';
import { noteExpiringCertificates } from './pki/certificate-expiry-notices';

const log = logger('sweeper');

/** What the domain asks of each sweep (the pipeline's sweeper knows queues, not documents' rules). */
export const domainSweepChores: SweepChores = {
  async beforeRepublish(db: Db, ageMs: number): Promise<void> {
    const orphans = await failOrphanedCopies(db, ageMs);
    if (orphans) log.warn({ dispatches: orphans }, 'sweeper moved copies of failed documents to the failed list');
    const expiring = await noteExpiringCertificates(db);
    if (expiring > 0) log.warn({ agencies: expiring }, 'signing certificates expire within 30 days: agencies notified');
  },
  owedWebhookEvents,
};
