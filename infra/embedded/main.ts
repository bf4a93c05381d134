// Operator/benchmark entry point:
//   node dist/infra/embedded/main.js start --data-dir DIR [--fast]
// Prints {"databaseUrl","redisUrl"} as one JSON line on stdout, logs to
// stderr, and runs until SIGINT/SIGTERM, then stops both servers cleanly.
import { startEmbeddedStack } from './embedded-stack';

const USAGE = 'usage: main.js start --data-dir DIR [--fast]';

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  let dataDir: string | undefined;
  let fast = false;
  for (let i = 0; i < rest.length; i++) {
    if (rest[i] === '--data-dir') dataDir = rest[++i];
    else if (rest[i] === '--fast') fast = true;
    else return usage(`unknown argument ${rest[i]}`);
  }
  if (command !== 'start' || !dataDir) return usage();

  const log = (msg: string) => console.error(`[embedded] ${msg}`);
  const stack = await startEmbeddedStack({ dataDir, fast, log });
  console.log(JSON.stringify({ databaseUrl: stack.databaseUrl, redisUrl: stack.redisUrl }));
  await new Promise<void>((resolve) => {
    // Signal handlers alone do not keep Node alive (the servers are detached).
    const keepAlive = setInterval(() => undefined, 1 << 30);
    const onSignal = () => {
      clearInterval(keepAlive);
      resolve();
    };
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
  });
  log('stopping');
  await stack.stop();
  return 0;
}

function usage(problem?: string): number {
  console.error(problem ? `${problem}\n${USAGE}` : USAGE);
  return 2;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: Error) => {
    console.error(`[embedded] ${err.message}`);
    process.exit(1);
  },
);
