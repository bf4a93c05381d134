import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * Prometheus metrics. Each process exposes what it alone knows: the process registry below
 * (runtime metrics, and the stage durations observed by the workers that ran the stages). The
 * gateway and the workers are different processes, so the gateway's /metrics shows stage
 * durations only if stages ran in it (they do not): it adds what PostgreSQL knows (documents,
 * dispatches, failures, rates, certificates) and the queue depths, while the worker process
 * exposes its own histograms with `startMetricsServer` (metrics-server.ts).
 */
export const processRegistry = new Registry();
collectDefaultMetrics({ register: processRegistry });

const stageDuration = new Histogram({
  name: 'lienthong_stage_duration_seconds',
  help: 'Time one pipeline stage took for one job, in seconds',
  labelNames: ['stage'] as const,
  // From a hosted delivery (milliseconds) to converting and signing a large file (a minute or more).
  buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 180],
  registers: [processRegistry],
});

/** Called by the workers around each stage run. */
export function observeStage(stage: string, seconds: number): void {
  stageDuration.observe({ stage }, seconds);
}

/** Several registries as one exposition (their metric names never overlap). */
export async function renderMetrics(registries: readonly Registry[]): Promise<string> {
  const parts = await Promise.all(registries.map((r) => r.metrics()));
  return parts.map((p) => (p.endsWith('\n') || p === '' ? p : `${p}\n`)).join('');
}

export const METRICS_CONTENT_TYPE = processRegistry.contentType;

const deliveryAlerts = new Counter({
  name: 'lienthong_delivery_alerts_total',
  help: 'Push deliveries alerted for failing longer than LIENTHONG_DELIVERY_ALERT_MS (worker process)',
  registers: [processRegistry],
});

/** Called by the deliver stage when it raises a long-failing alert. */
export function countDeliveryAlert(): void {
  deliveryAlerts.inc();
}

const admissionShed = new Counter({
  name: 'lienthong_admission_shed_total',
  help: 'Submissions refused with 503 OVERLOADED because the pipeline backlog was past its bound (gateway)',
  registers: [processRegistry],
});

/** Called by the admission gate for each submission it refuses. */
export function countAdmissionShed(): void {
  admissionShed.inc();
}
