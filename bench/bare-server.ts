/**
 * The bare limit (issue 15): a minimal Fastify server on the same database as Steward that, for
 * every GET, runs the one indexed query the case list needs and returns its rows as JSON. What
 * Steward's pages cost beyond it is Steward's own. Run as `node --import tsx bench/bare-server.ts`
 * with Steward's STEWARD_DATA_DIR / DATABASE_URL and PORT, and BENCH_ORG_IDS (the trust and its
 * schools, comma-separated). It opens the database as Steward does (the PGlite data folder under
 * its lock, or a pool of 10 connections), as the database owner: no row-level security, no
 * transaction, nothing but the query.
 *
 * BENCH_BARE_QUERY picks how the query is written. "per-organisation" (the default) reads each
 * organisation's first 50 open cases from the index that serves the list's order (cases_list_open,
 * org_id first) and merges them: one statement, three short index scans. "any" is the plain
 * `org_id = any($1) ... order by ... limit 50`, which no index with org_id first can serve for
 * several organisations: PostgreSQL scans every open case of the trust and sorts them.
 */
import Fastify from "fastify";
import { sql } from "kysely";
import { loadConfig } from "../src/platform/config.ts";
import { databaseLocationOf, openDatabase } from "../src/platform/database/database.ts";

const config = loadConfig();
const organisationIds = (process.env["BENCH_ORG_IDS"] ?? "").split(",").filter((id) => id !== "");
if (organisationIds.length === 0) {
  throw new Error("BENCH_ORG_IDS names no organisation");
}
const database = await openDatabase(databaseLocationOf(config), { purpose: "the bench's bare-limit server" });

const form = process.env["BENCH_BARE_QUERY"] ?? "per-organisation";
const queries = {
  "per-organisation": () => sql`
    select c.* from unnest(${organisationIds}::uuid[]) as o (id)
    cross join lateral (
      select id, org_id, reference, type, status, due_on, due_at, received_at, requester_name, assignee_id
      from cases
      where org_id = o.id and closed_at is null
      order by due_on, due_at nulls last, received_at desc, id
      limit 50
    ) as c
    order by due_on, due_at nulls last, received_at desc, id
    limit 50`,
  any: () => sql`
    select id, org_id, reference, type, status, due_on, due_at, received_at, requester_name, assignee_id
    from cases
    where org_id = any(${organisationIds}::uuid[]) and closed_at is null
    order by due_on, due_at nulls last, received_at desc, id
    limit 50`,
};
if (!(form in queries)) {
  throw new Error(`BENCH_BARE_QUERY: ${form} is neither per-organisation nor any`);
}
const query = queries[form as keyof typeof queries];

const app = Fastify({ logger: false, keepAliveTimeout: 30_000 });
app.get("/*", async () => (await query().execute(database.db)).rows);

await app.listen({ port: config.port, host: "127.0.0.1" });
console.log(`bare server ready at http://127.0.0.1:${config.port} (query: ${form})`);

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    void app
      .close()
      .then(() => database.close())
      .finally(() => process.exit(0));
  });
}
