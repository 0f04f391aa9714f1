/**
 * The architecture, enforced: `npm run lint:deps` (run by .ci/run) fails on
 * any import that breaks these rules. Layers, outermost first:
 *
 *   server/app.ts, main.ts, supervisor.ts, worker.ts, cli/   wiring
 *   server/routes/     HTTP: validation schemas, wire formats, status codes
 *   server/services/   business rules and workflow
 *   server/db/         queries (kysely) and the engines
 *   spatial/           pure geometry, shared with the dashboard
 *
 * Each layer imports only layers below it. server/errors.ts, config.ts,
 * log.ts and messages.ts are shared by every server layer.
 */
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'A cycle ties modules together so neither can change alone.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'services-not-http',
      severity: 'error',
      comment: 'Services hold the rules; they know nothing of HTTP. Move shared types and parsers down into services/.',
      from: { path: '^server/services/' },
      to: { path: '^server/(routes/|app\\.ts)' },
    },
    {
      name: 'domain-is-pure',
      severity: 'error',
      comment: 'server/domain/ is the shared vocabulary (statuses and their groups): it imports nothing, so the dashboard can use it too.',
      from: { path: '^server/domain/' },
      to: { pathNot: '^server/domain/' },
    },
    {
      name: 'db-not-above',
      severity: 'error',
      comment: 'The db layer answers queries; it imports nothing from services, routes or the wiring.',
      from: { path: '^server/db/' },
      to: { path: '^server/(services|routes|cli)/|^server/(app|main|supervisor|worker)\\.ts$' },
    },
    {
      name: 'routes-through-services',
      severity: 'error',
      comment: 'Routes call services, never queries: a rule decided at the edge is a rule written twice. Types of the schema (db/database.ts) are fine.',
      from: { path: '^server/routes/' },
      to: { path: '^server/db/', pathNot: '^server/db/database\\.ts$' },
    },
    {
      name: 'routes-not-wiring',
      severity: 'error',
      comment: 'Routes receive their dependencies; they do not import the app that mounts them.',
      from: { path: '^server/routes/' },
      to: { path: '^server/(app|main|supervisor|worker)\\.ts$' },
    },
    {
      name: 'spatial-is-pure',
      severity: 'error',
      comment: 'spatial/ runs in the browser and the server alike: nothing of the server, the dashboard or a database.',
      from: { path: '^spatial/' },
      to: { path: '^(server|dashboard)/|^node_modules/(pg|kysely|@electric-sql)/' },
    },
    {
      name: 'spatial-no-io',
      severity: 'error',
      comment: 'spatial/ does no I/O: no Node built-in modules (files, sockets, processes).',
      from: { path: '^spatial/' },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'dashboard-types-only-from-server',
      severity: 'error',
      comment: 'The dashboard takes types from the server (through the typed client), and values only from the pure server/domain/ vocabulary.',
      from: { path: '^dashboard/' },
      to: { path: '^server/', pathNot: '^server/domain/', dependencyTypesNot: ['type-only'] },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(dist|tests|bench)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'], extensions: ['.ts', '.js', '.svelte', '.json'] },
  },
};
