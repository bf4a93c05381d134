import { makePdf, metadataFor } from '../../test/support/pdf.fixture';
import type { DrillStack } from './drill-stack';

let pdf: Buffer | undefined;

/** One submission to every drill recipient; resolves with the HTTP status and the id (or the error). */
export async function submitOnce(stack: Pick<DrillStack, 'sender' | 'recipients'> & { gateway: { baseUrl: string } }, idempotencyKey?: string, baseUrl = stack.gateway.baseUrl): Promise<{ status: number; id?: string; replayed?: boolean; error?: string }> {
  pdf ??= await makePdf(3, 'Drill document');
  try {
    const res = await fetch(`${baseUrl}/v1/documents`, {
      method: 'POST',
      headers: { authorization: `Bearer ${stack.sender.apiKey}`, 'content-type': 'application/json', ...(idempotencyKey ? { 'idempotency-key': idempotencyKey } : {}) },
      body: JSON.stringify({ metadata: metadataFor(stack.recipients.map((r) => r.code)), files: [{ name: 'vb.pdf', contentType: 'application/pdf', contentBase64: pdf.toString('base64') }] }),
      signal: AbortSignal.timeout(20_000),
    });
    const body = (await res.json().catch(() => ({}))) as { id?: string; error?: { code: string } };
    return { status: res.status, id: body.id, replayed: res.headers.get('idempotent-replayed') === 'true', error: body.error?.code };
  } catch (err) {
    return { status: 0, error: (err as Error).message };
  }
}

/** `n` documents at once; every one must be accepted (the fault comes after). */
export async function submitMany(stack: DrillStack, n: number): Promise<string[]> {
  const res = await Promise.all(Array.from({ length: n }, () => submitOnce(stack)));
  const bad = res.find((r) => r.status !== 202);
  if (bad) throw new Error(`a drill submission was refused: ${JSON.stringify(bad)}`);
  return res.map((r) => r.id!);
}
