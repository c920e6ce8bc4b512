// Lint rules. Beyond typescript-eslint's recommended type-checked set, two
// rules of the design are enforced here: the core is pure (no I/O, no clock,
// no randomness under src/core), and only src/bin.ts ends the process.
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
);
