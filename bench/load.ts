/**
 * A small keep-alive load loop: `connections` clients, each on its own kept-alive connection,
 * each sending its next GET as soon as the last is answered, for `seconds`. Every response is
 * read to its end; its latency and status are kept. Requests still in flight at the end are
 * waited for (up to a grace period) so that the slowest answers count in the latencies.
 */
import http from "node:http";
import { performance } from "node:perf_hooks";

export interface LoadResult {
  /** Responses received within the window, per second of it. */
  perSecond: number;
  count: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Responses by status outside 2xx ("error" for a connection that failed, "timeout" for none in time). */
  failures: Record<string, number>;
}

export interface LoadOptions {
  connections: number;
  seconds: number;
  headers?: Record<string, string>;
  /** How long requests still in flight at the end are waited for. */
  graceSeconds?: number;
}

function percentile(sorted: Float64Array, fraction: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)]!;
}

/** One GET over the agent: its status, or "error" / "timeout". */
function get(agent: http.Agent, base: URL, path: string, headers: Record<string, string>, timeoutMs: number): Promise<string> {
  return new Promise((resolve) => {
    const request = http.get({ agent, hostname: base.hostname, port: base.port, path, headers }, (response) => {
      response.on("data", () => {});
      response.on("end", () => resolve(String(response.statusCode)));
      response.on("error", () => resolve("error"));
    });
    request.setTimeout(timeoutMs, () => {
      request.destroy();
      resolve("timeout");
    });
    request.on("error", () => resolve("error"));
  });
}

/** Loads `base` with GETs of `paths`, taken in turn. */
export async function runLoad(base: string, paths: readonly string[], options: LoadOptions): Promise<LoadResult> {
  const { connections, seconds, headers = {}, graceSeconds = 30 } = options;
  const url = new URL(base);
  const agent = new http.Agent({ keepAlive: true, maxSockets: connections, maxFreeSockets: connections });
  let latencies = new Float64Array(65_536);
  let recorded = 0;
  let inWindow = 0;
  const failures: Record<string, number> = {};
  let next = 0;
  const started = performance.now();
  const windowEnd = started + seconds * 1000;
  const timeoutMs = (seconds + graceSeconds) * 1000;

  const client = async () => {
    while (performance.now() < windowEnd) {
      const path = paths[next++ % paths.length]!;
      const sent = performance.now();
      const status = await get(agent, url, path, headers, timeoutMs);
      const done = performance.now();
      if (recorded === latencies.length) {
        const grown = new Float64Array(latencies.length * 2);
        grown.set(latencies);
        latencies = grown;
      }
      latencies[recorded++] = done - sent;
      if (done <= windowEnd) inWindow += 1;
      if (!status.startsWith("2")) failures[status] = (failures[status] ?? 0) + 1;
    }
  };
  await Promise.all(Array.from({ length: connections }, client));
  agent.destroy();
  const sorted = latencies.slice(0, recorded).sort();
  return {
    perSecond: inWindow / seconds,
    count: recorded,
    p50Ms: percentile(sorted, 0.5),
    p99Ms: percentile(sorted, 0.99),
    maxMs: sorted.length > 0 ? sorted[sorted.length - 1]! : Number.NaN,
    failures,
  };
}
