import { expect } from 'chai';
import fs from 'node:fs';
import path from 'node:path';
import yaml from 'js-yaml';
import { loadConfig } from '../../../services/config/config';
import { projectRoot } from '../../../services/config/project-root';

// Docker and Kubernetes cannot run on this machine: these files are checked by reading them, against
// the configuration loader itself (the same code the processes boot with) and against each other.
const root = projectRoot();
const read = (rel: string) => fs.readFileSync(path.join(root, rel), 'utf8');
type Env = Record<string, string>;
interface ComposeService { image?: string; command?: string[]; environment?: Env; expose?: string[]; healthcheck?: { test: string[] } }

const compose = yaml.load(read('infra/deploy/compose/compose.yaml')) as { services: Record<string, ComposeService> };
const values = yaml.load(read('infra/deploy/helm/lienthong/values.yaml')) as {
  image: { repository: string; tag: string };
  env: Env;
  secrets: Env;
  gateway: { port: number; resources: { requests: object } };
  worker: { metricsPort: number; resources: { requests: object }; autoscaling: { metric: string } };
  heavyWorker: { only: string };
  probes: { liveness: { path: string }; readiness: { path: string } };
};
const chart = yaml.load(read('infra/deploy/helm/lienthong/Chart.yaml')) as { appVersion: string };
const templates = fs.readdirSync(path.join(root, 'infra/deploy/helm/lienthong/templates')).map((f) => read(`infra/deploy/helm/lienthong/templates/${f}`)).join('\n');

/** Compose interpolation with stand-ins for the secrets an operator provides. */
function interpolate(env: Env): Env {
  const standIn = (name: string) => (name === 'LIENTHONG_MASTER_KEY' ? 'ab'.repeat(32) : 'stand-in-secret');
  return Object.fromEntries(
    Object.entries(env).map(([k, v]) => [k, String(v).replace(/\$\{([A-Z_]+)(?::\?[^}]*|:-([^}]*))?\}/g, (_m, name: string, def?: string) => def ?? standIn(name))]),
  );
}

/** The chart's environment: ConfigMap values plus the Secret's keys (stand-ins for their values). */
function chartEnv(): Env {
  const secrets = Object.keys(values.secrets).filter((k) => k !== 'existingSecret');
  const standIns: Env = {
    LIENTHONG_MASTER_KEY: 'cd'.repeat(32),
    DATABASE_URL: 'postgres://lienthong:pw@pgbouncer-1:6432,pgbouncer-2:6432/lienthong?target_session_attrs=read-write',
    LIENTHONG_DATABASE_SESSION_URL: 'postgres://lienthong:pw@pg-1:5432,pg-2:5432/lienthong?target_session_attrs=read-write',
  };
  return { ...values.env, ...Object.fromEntries(secrets.map((k) => [k, standIns[k] ?? 'x'])) };
}

/** The variables without which the service refuses to start (production mode, as deployed). */
function requiredOf(env: Env): string[] {
  return Object.keys(env).filter((k) => {
    const { [k]: _gone, ...rest } = env;
    try {
      loadConfig(rest);
      return false;
    } catch {
      return true;
    }
  });
}

describe('deployment files (Dockerfile, compose, Helm chart) mirror the tested topology', () => {
  const appServices = ['gateway', 'worker', 'worker-heavy'];

  it('every app service of the compose file boots the configuration loader in production mode', () => {
    for (const name of appServices) {
      const env = interpolate(compose.services[name]!.environment!);
      expect(env.LIENTHONG_DEV_MODE, name).to.equal(undefined);
      const c = loadConfig(env);
      expect(c.LIENTHONG_REDIS_SENTINELS, name).to.match(/sentinel-1:26379/);
      expect(c.LIENTHONG_DB_PREPARED_STATEMENTS, `${name}: PgBouncer in transaction mode`).to.equal(false);
    }
  });

  it('the chart values (ConfigMap + Secret) boot it too, and hold every variable the compose file needs', () => {
    const env = chartEnv();
    expect(() => loadConfig(env)).not.to.throw();
    const required = requiredOf(interpolate(compose.services.gateway!.environment!));
    expect(required).to.include.members(['DATABASE_URL', 'LIENTHONG_MASTER_KEY', 'LIENTHONG_REDIS_SENTINELS']);
    expect(Object.keys(env)).to.include.members(required);
    expect(requiredOf(env)).to.have.members(required);
    // The master key and the database credentials are secrets in the chart, never plain values.
    expect(Object.keys(values.secrets)).to.include.members(['LIENTHONG_MASTER_KEY', 'DATABASE_URL', 'LIENTHONG_DATABASE_SESSION_URL']);
    expect(Object.keys(values.env)).not.to.include.members(['LIENTHONG_MASTER_KEY']);
    // Non-secret settings agree between the two files.
    const composeEnv = interpolate(compose.services.gateway!.environment!);
    for (const k of Object.keys(values.env)) expect(values.env[k], k).to.equal(composeEnv[k]);
  });

  it('both name the same image, ports and probes', () => {
    const image = `${values.image.repository}:${values.image.tag}`;
    for (const name of appServices) expect(compose.services[name]!.image, name).to.equal(image);
    expect(chart.appVersion).to.equal(values.image.tag);
    const gw = compose.services.gateway!;
    expect(String(values.gateway.port)).to.equal(gw.environment!.PORT).and.to.equal(values.env.PORT);
    expect(gw.expose).to.include(String(values.gateway.port));
    expect(gw.healthcheck!.test.join(' ')).to.include(`127.0.0.1:${values.gateway.port}${values.probes.readiness.path}`);
    for (const name of ['worker', 'worker-heavy']) {
      expect(compose.services[name]!.environment!.LIENTHONG_WORKER_METRICS_PORT, name).to.equal(String(values.worker.metricsPort));
      expect(compose.services[name]!.healthcheck!.test.join(' '), name).to.include(String(values.worker.metricsPort));
    }
    expect(compose.services['worker-heavy']!.command).to.deep.equal(['node', 'dist/workers/main.js', '--only', values.heavyWorker.only]);
    expect([values.probes.liveness.path, values.probes.readiness.path]).to.deep.equal(['/health/live', '/health/ready']);
    expect(read('Dockerfile')).to.include(values.probes.liveness.path);
    const routes = read('services/gateway/routes/health.routes.ts');
    for (const p of [values.probes.liveness.path, values.probes.readiness.path]) expect(routes, p).to.include(`'${p}'`);
  });

  it('the chart has probes, resource requests, PodDisruptionBudgets, secrets and worker autoscaling on queue depth', () => {
    expect(templates).to.include('.Values.probes.liveness.path').and.to.include('.Values.probes.readiness.path');
    expect(values.gateway.resources.requests).to.have.keys('cpu', 'memory');
    expect(values.worker.resources.requests).to.have.keys('cpu', 'memory');
    expect(templates).to.match(/kind: PodDisruptionBudget/).and.to.match(/kind: HorizontalPodAutoscaler/).and.to.match(/kind: Secret/);
    // The HPA's metric is the workers' own gauge, exported on their metrics port.
    expect(values.worker.autoscaling.metric.startsWith('lienthong_queue_depth')).to.equal(true);
    expect(read('services/metrics/queue-depth.ts')).to.include("'lienthong_queue_depth'");
  });

  it('the image is multi-stage, runs as a non-root user and carries the built dist/ and the migrations', () => {
    const d = read('Dockerfile');
    expect(d.match(/^FROM /gm)).to.have.length.greaterThan(1);
    expect(d).to.match(/^USER 10001/m).and.to.include('--from=build').and.to.include('/app/dist').and.to.include('infra/migrations');
    expect(d).to.match(/^HEALTHCHECK /m);
  });
});
