import type {
  AgencyDirectory, DispatchAttemptPage, DocumentMetadata, DocumentView, EdocRate, ErrorResponse, InboxPage, OutboxPage, PageQuery, RenderedBody,
  RegisterBook, RegisterBookList, RevokeResult, StatsQuery, StatusBody, StatusResult, SubmitResult,
} from './types';

export interface ClientOptions {
  /** The gateway, e.g. `https://lienthong.example.gov.vn` (no trailing /v1). */
  baseUrl: string;
  /** The agency's API key (`lienthong apikey create`, or a sandbox key). */
  apiKey: string;
  /** Another fetch (a proxy, a test double); the global one by default. */
  fetch?: typeof fetch;
}

export interface FileInput {
  name: string;
  bytes: Uint8Array;
  /** Sniffed from the bytes by the server; `application/pdf` is a fine default. */
  contentType?: string;
}

/** An answer outside 2xx: the HTTP status and the API's machine-readable code and Vietnamese sentence. */
export class LienThongError extends Error {
  override readonly name = 'LienThongError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: unknown[] = [],
  ) {
    super(`${status} ${code}: ${message}`);
  }
}

/** A small client over API v1: one method per operation an agency system needs. */
export class LienThongClient {
  private readonly base: string;
  private readonly fetch: typeof fetch;

  constructor(private readonly opts: ClientOptions) {
    this.base = opts.baseUrl.replace(/\/+$/, '');
    this.fetch = opts.fetch ?? fetch;
  }

  /** Submit a document with its file (multipart): 202 `{id, status, links}`. */
  submit(input: { metadata: DocumentMetadata; file: FileInput; attachments?: FileInput[] }, o: { idempotencyKey?: string } = {}): Promise<SubmitResult> {
    const form = new FormData();
    form.append('metadata', JSON.stringify(input.metadata));
    const part = (f: FileInput) => new Blob([f.bytes], { type: f.contentType ?? 'application/pdf' });
    form.append('file', part(input.file), input.file.name);
    for (const a of input.attachments ?? []) form.append('attachments', part(a), a.name);
    return this.json('POST', '/v1/documents', form, o.idempotencyKey ? { 'idempotency-key': o.idempotencyKey } : {});
  }

  /** Submit a document whose body Liên Thông renders in the Decree 30 layout. */
  submitBody(input: { metadata: DocumentMetadata; body: RenderedBody }, o: { idempotencyKey?: string } = {}): Promise<SubmitResult> {
    return this.json('POST', '/v1/documents', input, o.idempotencyKey ? { 'idempotency-key': o.idempotencyKey } : {});
  }

  /** A document with its per-recipient dispatches and their timelines (its status). */
  document(id: string): Promise<DocumentView> {
    return this.json('GET', `/v1/documents/${encodeURIComponent(id)}`);
  }

  async downloadFile(id: string, role: string): Promise<Uint8Array> {
    const res = await this.request('GET', `/v1/documents/${encodeURIComponent(id)}/files/${encodeURIComponent(role)}`);
    return new Uint8Array(await res.arrayBuffer());
  }

  inbox(q: PageQuery = {}): Promise<InboxPage> {
    return this.json('GET', `/v1/inbox${query(q)}`);
  }

  outbox(q: PageQuery = {}): Promise<OutboxPage> {
    return this.json('GET', `/v1/outbox${query(q)}`);
  }

  /**
   * The push attempts of one of the caller's dispatches, newest first (outcome started, delivered,
   * failed or interrupted, HTTP status, error), keyset pages; empty for a hosted or paper copy.
   */
  dispatchAttempts(id: string, dispatchId: string, q: PageQuery = {}): Promise<DispatchAttemptPage> {
    return this.json('GET', `/v1/documents/${encodeURIComponent(id)}/dispatches/${encodeURIComponent(dispatchId)}/attempts${query(q)}`);
  }

  /** Post an edXML status code on a dispatch of the caller's inbox (03 issues the incoming number). */
  postStatus(dispatchId: string, body: StatusBody): Promise<StatusResult> {
    return this.json('POST', `/v1/inbox/${encodeURIComponent(dispatchId)}/status`, body);
  }

  /** The agency's register books; pass a book's id as `register.bookId` (status 03) or `metadata.registerBook`. */
  registerBooks(kind?: 'incoming' | 'outgoing'): Promise<RegisterBookList> {
    return this.json('GET', `/v1/registers/books${kind ? `?kind=${kind}` : ''}`);
  }

  createRegisterBook(kind: 'incoming' | 'outgoing', name: string): Promise<RegisterBook> {
    return this.json('POST', '/v1/registers/books', { kind, name });
  }

  revoke(id: string, reason: string): Promise<RevokeResult> {
    return this.json('POST', `/v1/documents/${encodeURIComponent(id)}/revoke`, { reason });
  }

  stats(q: StatsQuery = {}): Promise<EdocRate> {
    return this.json('GET', `/v1/stats/edoc-rate${query(q)}`);
  }

  agencies(): Promise<AgencyDirectory> {
    return this.json('GET', '/v1/agencies');
  }

  /** Send an edXML envelope or status message (QCVN 102:2016) as it is. */
  submitEdxml(xml: string): Promise<Record<string, unknown>> {
    return this.json('POST', '/v1/edxml', xml, { 'content-type': 'application/xml' });
  }

  /** The document as an edXML envelope with the signed PDF. */
  async documentEdxml(id: string): Promise<string> {
    return (await this.request('GET', `/v1/documents/${encodeURIComponent(id)}/edxml`)).text();
  }

  private async json<T>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<T> {
    return (await (await this.request(method, path, body, headers)).json()) as T;
  }

  private async request(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Response> {
    const h: Record<string, string> = { authorization: `Bearer ${this.opts.apiKey}`, ...headers };
    let payload: FormData | string | undefined;
    if (body instanceof FormData || typeof body === 'string') payload = body;
    else if (body !== undefined) {
      payload = JSON.stringify(body);
      h['content-type'] = 'application/json';
    }
    const res = await this.fetch(`${this.base}${path}`, { method, headers: h, ...(payload !== undefined ? { body: payload } : {}) });
    if (!res.ok) {
      const err = (await res.json().catch(() => undefined)) as ErrorResponse | undefined;
      throw new LienThongError(res.status, err?.error?.code ?? 'HTTP_ERROR', err?.error?.message ?? res.statusText, (err?.error?.details as unknown[]) ?? []);
    }
    return res;
  }
}

function query(q: object): string {
  const entries = Object.entries(q).filter(([, v]) => v !== undefined && v !== null);
  return entries.length ? `?${new URLSearchParams(entries.map(([k, v]): [string, string] => [k, String(v)])).toString()}` : '';
}
