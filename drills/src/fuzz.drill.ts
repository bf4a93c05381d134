import { createAgencies } from '../../test/support/agencies.fixture';
import { classifyServerErrors, leftovers, runFuzz, type FuzzReport } from '../../test/support/fuzz-runner';
import type { GatewayProcess } from '../../test/support/gateway-process';
import { makePdf } from '../../test/support/pdf.fixture';
import { runQueryFuzz } from '../../test/support/query-fuzz';
import type { DrillStack } from './drill-stack';

export interface FuzzSummary {
  inputs: number;
  serverErrors: number;
  crashes: number;
  maxRssMb: number;
  byStatus: Record<string, number>;
  byFamily: Record<string, number>;
  accepted: number;
  withoutErrorCode: number;
  networkErrors: number;
  knownFindings: Record<string, number>;
  unknownServerErrors: string[];
  leftovers: { strayDocuments: number; orphanBlobsAdded: number; orphanOutboxAdded: number };
  seconds: number;
  /** Random strings through every query parameter of every route of the OpenAPI document (issue 17). */
  queryParameters: { inputs: number; serverErrors: number; withoutErrorCode: number; byStatus: Record<string, number>; samples: string[]; seconds: number };
}

/** The full mutation run against its own gateway process (so kills elsewhere do not disturb it). */
export async function fuzzDrill(stack: DrillStack, gw: GatewayProcess, count: number, seed: number): Promise<FuzzSummary> {
  const agencies = await createAgencies(stack.db, 3, { withCertificates: false, signers: 1 });
  const sender = agencies[0]!;
  const seeds = { pdf: await makePdf(1), senderCode: sender.code, senderName: sender.name, recipients: agencies.slice(1).map((a) => a.code) };
  const before = await leftovers(stack.db, sender.code, []);
  const started = Date.now();
  const report: FuzzReport = await runFuzz(gw, sender.apiKey, seeds, { seed, count });
  const seconds = Math.round((Date.now() - started) / 1000);
  const after = await leftovers(stack.db, sender.code, report.accepted);
  const errors = classifyServerErrors(report, gw.output());
  const queryStarted = Date.now();
  const query = await runQueryFuzz(gw.baseUrl, sender.apiKey, { runs: count, seed });
  return {
    queryParameters: { ...query, samples: query.samples.slice(0, 5), seconds: Math.round((Date.now() - queryStarted) / 1000) },
    inputs: report.inputs,
    serverErrors: report.serverErrors,
    crashes: report.crashes,
    maxRssMb: report.maxRssMb,
    byStatus: report.byStatus,
    byFamily: report.byFamily,
    accepted: report.accepted.length,
    withoutErrorCode: report.withoutErrorCode,
    networkErrors: report.networkErrors,
    knownFindings: errors.known,
    unknownServerErrors: errors.unknown.slice(0, 5),
    leftovers: { strayDocuments: after.strayDocuments, orphanBlobsAdded: after.orphanBlobs - before.orphanBlobs, orphanOutboxAdded: after.orphanOutbox - before.orphanOutbox },
    seconds,
  };
}
