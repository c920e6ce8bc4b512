// Lint rules. Beyond typescript-eslint's recommended type-checked set, three
// rules of the design are enforced here: the core is pure (no I/O, no clock,
// no randomness under src/core), the top-level folders of src/ import only
// the layers below them, and only src/bin.ts ends the process.
import { dirname, relative, resolve, sep } from 'node:path';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const NODE_BUILTINS = [
  'assert', 'async_hooks', 'buffer', 'child_process', 'cluster', 'crypto', 'dgram', 'dns', 'events', 'fs', 'fs/promises',
  'http', 'http2', 'https', 'net', 'os', 'path', 'perf_hooks', 'process', 'readline', 'stream', 'timers', 'tls', 'url',
  'util', 'v8', 'vm', 'worker_threads', 'zlib',
];

/**
 * src/core is pure and deterministic: time, randomness and I/O come in from outside (DESIGN.md).
 * @type {import('eslint').Linter.Config}
 */
export const corePurity = {
  files: ['src/core/**/*.ts'],
  rules: {
    'no-restricted-imports': [
      'error',
      {
        paths: NODE_BUILTINS.map((name) => ({ name, message: 'src/core is pure: no I/O modules; take effects from the runtime.' })),
        patterns: [{ group: ['node:*'], message: 'src/core is pure: no node: modules; take effects from the runtime.' }],
      },
    ],
    'no-restricted-globals': [
      'error',
      ...['setTimeout', 'setInterval', 'setImmediate', 'clearTimeout', 'clearInterval', 'queueMicrotask'].map((name) => ({
        name,
        message: 'src/core is pure: no timers; the runtime calls tick(now).',
      })),
      { name: 'process', message: 'src/core is pure: no process access.' },
      { name: 'performance', message: 'src/core is pure: time comes in as an argument.' },
    ],
    'no-restricted-properties': [
      'error',
      { object: 'Date', property: 'now', message: 'src/core is pure: time comes in as an argument.' },
      { object: 'Math', property: 'random', message: 'src/core is pure: use the injected seeded Rng.' },
      { object: 'crypto', property: 'getRandomValues', message: 'src/core is pure: use the injected seeded Rng.' },
    ],
    'no-restricted-syntax': [
      'error',
      { selector: "NewExpression[callee.name='Date'][arguments.length=0]", message: 'src/core is pure: time comes in as an argument.' },
    ],
  },
};

/**
 * The layers of src/ (DESIGN.md, "Layers"), lowest first, and what each top-level folder may import
 * besides itself. The files at the root of src/ other than bin.ts (errors.ts, error-codes.ts, version.ts)
 * import only one another and may be imported from anywhere; bin.ts, the entry point, may import anything.
 */
export const LAYERS = {
  core: [],
  ops: ['core'],
  config: ['core', 'ops'],
  runtime: ['core', 'ops', 'config'],
  roles: ['core', 'ops', 'config', 'runtime'],
  ui: ['core', 'ops', 'config', 'runtime'],
  cli: ['core', 'ops', 'config', 'runtime', 'roles', 'ui'],
};

/** LAYERS in one line, for the messages: roles/ and ui/ are side by side, neither imports the other. */
export const LAYER_ORDER = 'core < ops < config < runtime < roles | ui < cli';

/**
 * Deliberate exceptions, each with its reason. runtime/agent.ts is the composition root: it builds the
 * roles an agent takes on and serves the web UI's routes, so it alone in runtime/ may import roles/ and ui/.
 */
export const LAYER_EXCEPTIONS = {
  'runtime/agent.ts': ['roles', 'ui'],
};

/** The top-level folder of src/ that `path` (relative to src/) is in, or the file itself at the root. */
const layerOf = (path) => path.split(sep)[0];

/** @type {import('eslint').Rule.RuleModule} */
const layerDirection = {
  meta: { type: 'problem', schema: [], docs: { description: 'A top-level folder of src/ imports only the layers below it.' } },
  create(context) {
    const src = resolve(context.cwd, 'src');
    const file = relative(src, resolve(context.cwd, context.filename));
    if (file.startsWith('..') || !file.includes(sep)) return {};
    const from = layerOf(file);
    const allowed = [from, ...(LAYERS[from] ?? []), ...(LAYER_EXCEPTIONS[file.split(sep).join('/')] ?? [])];
    const check = (source) => {
      if (source?.type !== 'Literal' || typeof source.value !== 'string' || !source.value.startsWith('.')) return;
      const target = relative(src, resolve(dirname(resolve(src, file)), source.value));
      if (target.startsWith('..')) return;
      const to = layerOf(target);
      if (!to.includes('.') && !allowed.includes(to)) {
        context.report({ node: source, message: `src/${from} may not import src/${to}: the layers are ${LAYER_ORDER} (eslint.config.js LAYERS).` });
      } else if (to === 'bin.ts' || to === 'bin.js') {
        context.report({ node: source, message: `src/${from} may not import src/bin.ts: the entry point is the top.` });
      }
    };
    return {
      ImportDeclaration: (node) => check(node.source),
      ExportNamedDeclaration: (node) => check(node.source),
      ExportAllDeclaration: (node) => check(node.source),
      ImportExpression: (node) => check(node.source),
    };
  },
};

/**
 * Imports go down the layers only (LAYERS above).
 * @type {import('eslint').Linter.Config}
 */
export const layers = {
  files: ['src/**/*.ts'],
  plugins: { dinc: { rules: { 'layer-direction': layerDirection } } },
  rules: { 'dinc/layer-direction': 'error' },
};

/**
 * Only the entry point decides how the process ends (STYLE.md habit 8).
 * @type {import('eslint').Linter.Config}
 */
const processEndsInBinOnly = {
  files: ['src/**/*.ts'],
  ignores: ['src/bin.ts'],
  rules: {
    'no-restricted-syntax': [
      'error',
      {
        selector: "MemberExpression[object.name='process'][property.name=/^(exit|exitCode|abort)$/]",
        message: 'Only src/bin.ts ends the process; return an exit code instead.',
      },
    ],
  },
};

export default tseslint.config(
  { ignores: ['lib/', 'dist/', 'node_modules/', 'tools/', 'coverage/', 'test-results/', 'src/ui/web/assets.generated.ts'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: { allowDefaultProject: ['*.js', '*.mjs', 'scripts/*.mjs', 'bin/*'] }, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      eqeqeq: ['error', 'always'],
    },
  },
  { files: ['**/*.js', '**/*.mjs'], ...tseslint.configs.disableTypeChecked },
  { files: ['**/*.js', '**/*.mjs'], languageOptions: { globals: { process: 'readonly', console: 'readonly' } } },
  processEndsInBinOnly,
  corePurity,
  layers,
);
