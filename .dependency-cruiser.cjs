// @ts-check
/* global module */
// The house's floors, checked by `npm run lint` (see README, "How the code is laid out"):
// src/platform/ is the ground floor and knows no capability; each capability (src/<name>/) keeps
// its routes to itself; the composition root (src/app.ts, src/steward.ts, src/main.ts, src/cli.ts)
// sits on top and wires them together; src/testing/ is for tests only.
const CAPABILITY = "^src/(about|accounts|audit|auth|calendar|cases|contact|dashboard|licences|lifecycle|notify|operator|redaction|registers|reports|requests)/";
const TEST_FILE = "\\.test\\.ts$";

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: "platform-knows-no-capability",
      comment:
        "src/platform/ is the ground floor: it may not import a capability, the composition root or the test helpers. " +
        "Pass what it needs in (as src/app.ts hands buildApp its guard and routes). Its own tests may set up through anything.",
      severity: "error",
      from: { path: "^src/platform/", pathNot: TEST_FILE },
      to: { path: "^src/", pathNot: "^src/platform/" },
    },
    {
      name: "routes-are-their-own-capability's",
      comment:
        "A capability may not import another capability's routes (*.routes.ts): call its domain functions, " +
        "or link to its pages. Only the composition root (src/app.ts) registers every capability's routes.",
      severity: "error",
      from: { path: "^src/([^/]+)/" },
      to: { path: "^src/[^/]+/.+\\.routes\\.ts$", pathNot: "^src/$1/" },
    },
    {
      name: "capabilities-stay-below-the-composition-root",
      comment: "Domain code and routes may not import the composition root (src/*.ts): it imports them.",
      severity: "error",
      from: { path: CAPABILITY, pathNot: TEST_FILE },
      to: { path: "^src/[^/]+\\.ts$" },
    },
    {
      name: "test-helpers-only-in-tests",
      comment: "src/testing/ starts whole Stewards and fakes clocks: only tests (and the bench) may import it.",
      severity: "error",
      from: { path: "^src/", pathNot: [TEST_FILE, "^src/testing/"] },
      to: { path: "^src/testing/" },
    },
    {
      name: "no-circular",
      comment:
        "A cycle of imports that run (not types only) makes load order matter. Capability folders still depend on " +
        "one another in a cycle (accounts, audit, auth, calendar, cases, notify): see README; modules may not.",
      severity: "error",
      from: {},
      to: { circular: true, viaOnly: { dependencyTypesNot: ["type-only"] } },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: "^src/.*/views/" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: { exportsFields: ["exports"], conditionNames: ["import", "require", "node", "default"], extensions: [".ts", ".js", ".mjs", ".cjs", ".json"] },
  },
};
