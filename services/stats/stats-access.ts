import { ErrorCode } from '../../contracts';
import type { ApiKeyPrincipal } from '../domain/apikeys/api-key.repository';
import { DomainError } from '../domain/errors/domain-error';

/** The API key scope of the monitors (Department of Home Affairs, provincial office). */
export const MONITOR_SCOPE = 'monitor';

export function isMonitor(principal: Pick<ApiKeyPrincipal, 'scopes'>): boolean {
  return principal.scopes.includes(MONITOR_SCOPE);
}

/**
 * The one rule for who may read figures: a monitor may read anything (province wide, any agency,
 * any group; without `agency=` province wide); any other key only its own agency's figures — without
 * `agency=` it gets them, and `agency=<own code>` says the same. Another agency or a group: 403.
 * Returns the filter to apply (null: province wide).
 */
export function authorizeFigures(principal: Pick<ApiKeyPrincipal, 'agencyCode' | 'scopes'>, requested: string | undefined): string | null {
  if (isMonitor(principal)) return requested ?? null;
  if (requested === undefined || requested === principal.agencyCode) return principal.agencyCode;
  throw new DomainError(
    ErrorCode.FORBIDDEN,
    `Chỉ được xem số liệu của chính cơ quan mình (${principal.agencyCode}); số liệu của ${requested} cần khóa giám sát (monitor).`,
    [{ path: 'agency', allowed: principal.agencyCode }],
  );
}

/** The quarterly report covers the whole province: monitors only. */
export function authorizeProvinceReport(principal: Pick<ApiKeyPrincipal, 'agencyCode' | 'scopes'>): void {
  if (isMonitor(principal)) return;
  throw new DomainError(ErrorCode.FORBIDDEN, 'Báo cáo quý toàn tỉnh chỉ dành cho khóa giám sát (monitor).', [{ path: 'scope', allowed: MONITOR_SCOPE }]);
}
