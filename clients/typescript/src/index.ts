export { LienThongClient, LienThongError, type ClientOptions, type FileInput } from './client';
export { verifyPushSignature, type HeaderBag, type PushVerification } from './push-signature';
export type * from './types';
