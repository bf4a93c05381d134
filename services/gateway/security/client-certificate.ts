import type { Request } from 'express';
import { ErrorCode } from '../../../contracts';
import type { ApiKeyPrincipal } from '../../domain/apikeys/api-key.repository';
import { DomainError } from '../../domain/errors/domain-error';
import { fromTrustedProxy } from './trusted-proxies';

/** Hex without separators, lowercase: nginx's $ssl_client_fingerprint and openssl's "AB:CD:…" compare equal. */
export function normaliseFingerprint(v: string): string {
  return v.replace(/[^0-9a-fA-F]/g, '').toLowerCase();
}

/** A subject DN compared without case or spaces around separators (nginx writes RFC 2253 form). */
export function normaliseSubject(v: string): string {
  return v.split(/\s*[,/]\s*/).filter(Boolean).map((p) => p.trim().toLowerCase()).sort().join(',');
}

/**
 * Client-certificate binding: when the key's agency registered a certificate (fingerprint and/or
 * subject), the request must come through a trusted proxy (LIENTHONG_TRUSTED_PROXIES) that
 * verified that certificate (X-Client-Verify: SUCCESS, X-Client-Cert-Fingerprint,
 * X-Client-Subject-DN). From anywhere else the headers are ignored, so a key alone is refused.
 */
export function checkClientCertificate(req: Request, principal: ApiKeyPrincipal): void {
  const bound = principal.clientCert;
  if (!bound) return;
  const refuse = (why: string) => {
    throw new DomainError(ErrorCode.UNAUTHENTICATED, `Khóa API của ${principal.agencyCode} chỉ dùng được cùng chứng thư máy khách đã đăng ký (${why}).`);
  };
  if (!fromTrustedProxy(req)) refuse('yêu cầu không đi qua proxy TLS tin cậy');
  if ((req.header('x-client-verify') ?? '').toUpperCase() !== 'SUCCESS') refuse('proxy không xác minh được chứng thư máy khách');
  if (bound.fingerprint && normaliseFingerprint(req.header('x-client-cert-fingerprint') ?? '') !== bound.fingerprint) refuse('dấu vân tay chứng thư không khớp');
  if (bound.subject && normaliseSubject(req.header('x-client-subject-dn') ?? '') !== normaliseSubject(bound.subject)) refuse('chủ thể chứng thư không khớp');
}
