/**
 * B2's read load in a process of its own, so that the client's work (timers, fetch, garbage collection) does not run
 * on the API's event loop and show up in its latencies, as it would for no real client. Forked by `runB2` with
 * `node --import tsx bench/read-load.ts '<json config>'`; sends its result over IPC and exits.
 *
 * Open loop, as for the commands: request i is due at t0 + i/rate, and its latency is measured from that due time.
 */
export interface ReadLoadConfig {
  base: string;
  token: string;
  /** Case ids are `${prefix}-1` … `${prefix}-${cases}`. */
  prefix: string;
  cases: number;
  rate: number;
  seconds: number;
  /** Seconds of reads at the same rate before the measured ones, not counted. */
  warmUpSeconds: number;
}

export interface ReadLoadResult {
  latencies: number[];
  errors: number;
  errorSamples: string[];
}

const sleepUntil = (t: number) => {
  const ms = t - performance.now();
  return ms > 0 ? new Promise((r) => setTimeout(r, ms)) : Promise.resolve();
};

async function main() {
  const config = JSON.parse(process.argv[2] ?? '{}') as ReadLoadConfig;
  const result: ReadLoadResult = { latencies: [], errors: 0, errorSamples: [] };

  async function readAtRate(seconds: number, offset: number, record: boolean) {
    const total = config.rate * seconds;
    const t0 = performance.now() + 200;
    const reads: Promise<void>[] = [];
    for (let i = 0; i < total; i++) {
      const due = t0 + (i * 1000) / config.rate;
      const id = `${config.prefix}-${1 + (((offset + i) * 7919) % config.cases)}`;
      reads.push(
        (async () => {
          await sleepUntil(due);
          try {
            const res = await fetch(`${config.base}/products/${id}`, {
              headers: { authorization: `Bearer ${config.token}` },
            });
            await res.arrayBuffer();
            if (!record) return;
            if (res.status !== 200) {
              result.errors += 1;
              if (result.errorSamples.length < 8) result.errorSamples.push(`GET /products/${id}: ${res.status}`);
              return;
            }
            result.latencies.push(performance.now() - due);
          } catch (err) {
            if (!record) return;
            result.errors += 1;
            if (result.errorSamples.length < 8) result.errorSamples.push(String(err));
          }
        })(),
      );
    }
    await Promise.all(reads);
  }

  // The route's JIT, the API's database connections and this client's keep-alive sockets warm up here.
  await readAtRate(config.warmUpSeconds, Math.floor(config.cases / 2), false);
  await readAtRate(config.seconds, 0, true);
  process.send?.(result);
}

main().then(
  () => process.disconnect?.(),
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
