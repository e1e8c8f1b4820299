import { envWithout } from '../config/mod.js';
import { runLoad } from '../load/mod.js';
import { openOrderStore, SERVE_SPEC } from '../services/orders/mod.js';
import { spawnPeaklab } from '../shared/child-service.js';
import { PeaklabError } from '../shared/errors.js';
import { metricsBacklogProbe, openJetStreamBacklog } from './backlog-probes.js';
import type { LabPorts } from './ports.js';

/**
 * The real pieces: the orders service as a child process, the load library in process, its store,
 * and its queue's backlog (JetStream's consumer, or the in-process queue's depth on /metrics).
 * The service sees the caller's environment minus its own config variables: the lab sets every
 * setting it means by flag, and the backends' URLs through `env`.
 */
export function realLabPorts(callerEnv: Readonly<Record<string, string | undefined>>): LabPorts {
  const base = envWithout(callerEnv, SERVE_SPEC);
  return {
    async startService(args, env) {
      const svc = await spawnPeaklab(args, { env: { ...base, ...env }, timeoutMs: 60_000 });
      if (!svc.url) {
        await svc.stop('SIGKILL');
        throw new PeaklabError('PL_CHILD_FAILED', `peaklab ${args.join(' ')}: no url in its listening event`);
      }
      return { url: svc.url, output: svc.output, exited: svc.exited, stop: () => svc.stop('SIGTERM') };
    },
    runLoad,
    openBacklogProbe: ({ natsUrl, stream, metricsUrl }) =>
      natsUrl ? openJetStreamBacklog(natsUrl, stream) : Promise.resolve(metricsBacklogProbe(metricsUrl)),
    async readTimings({ databaseUrl, dataDir, schema }) {
      const store = await openOrderStore({ databaseUrl, dataDir, schema });
      try {
        return await store.timings();
      } finally {
        await store.close();
      }
    },
  };
}
