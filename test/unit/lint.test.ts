import { ESLint } from 'eslint';
import tseslint from 'typescript-eslint';
import { describe, expect, it } from 'vitest';
import { LAYER_ORDER, corePurity, layers } from '../../eslint.config.js';

const eslint = new ESLint({
  overrideConfigFile: true,
  overrideConfig: [{ files: ['**/*.ts'], languageOptions: { parser: tseslint.parser } }, corePurity],
});

async function messages(code: string, filePath: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? []).map((m) => `${m.line}: ${m.message.slice(m.message.indexOf('src/core is pure'))}`);
}

describe('the core is pure (DESIGN.md), and lint says so', () => {
  it('forbids I/O modules, timers, the clock and Math.random under src/core', async () => {
    const code = [
      "import { readFile } from 'node:fs';",
      "import dgram from 'dgram';",
      'const a = Date.now();',
      'const b = Math.random();',
      'setTimeout(() => {}, 1);',
      'const c = new Date();',
      'const d = performance.now();',
      'process.exit(1);',
    ].join('\n');
    expect(await messages(code, 'src/core/membership/example.ts')).toEqual([
      '1: src/core is pure: no node: modules; take effects from the runtime.',
      '2: src/core is pure: no I/O modules; take effects from the runtime.',
      '3: src/core is pure: time comes in as an argument.',
      '4: src/core is pure: use the injected seeded Rng.',
      '5: src/core is pure: no timers; the runtime calls tick(now).',
      '6: src/core is pure: time comes in as an argument.',
      '7: src/core is pure: time comes in as an argument.',
      '8: src/core is pure: no process access.',
    ]);
  });

  it('allows pure code under src/core and the same calls outside it', async () => {
    expect(await messages('export const f = (now: number) => new Date(now).getTime() + Math.max(1, 2);', 'src/core/ok.ts')).toEqual([]);
    expect(await messages('export const t = Date.now() + Math.random();', 'src/runtime/clock.ts')).toEqual([]);
  });
});

describe('the top-level folders of src/ import only the layers below them, and lint says so', () => {
  const linter = new ESLint({
    overrideConfigFile: true,
    overrideConfig: [{ files: ['**/*.ts'], languageOptions: { parser: tseslint.parser } }, layers],
  });
  async function problems(code: string, filePath: string): Promise<string[]> {
    const [result] = await linter.lintText(code, { filePath });
    return (result?.messages ?? []).map((m) => `${m.line}: ${m.message}`);
  }
  const order = LAYER_ORDER;

  it('forbids an import up the layers, static, re-exported, dynamic or of types only', async () => {
    const code = [
      "import { RaftRole } from '../../roles/raft/role.js';",
      "export { uiRoutes } from '../../ui/web-routes.js';",
      "const cli = await import('../../cli/main.js');",
      "import type { AgentConfig } from '../../config/load.js';",
    ].join('\n');
    expect(await problems(code, 'src/runtime/membership/example.ts')).toEqual([
      `1: src/runtime may not import src/roles: the layers are ${order} (eslint.config.js LAYERS).`,
      `2: src/runtime may not import src/ui: the layers are ${order} (eslint.config.js LAYERS).`,
      `3: src/runtime may not import src/cli: the layers are ${order} (eslint.config.js LAYERS).`,
    ]);
    expect(await problems("import { RoleName } from '../config/roles.js';", 'src/core/example.ts')).toEqual([
      `1: src/core may not import src/config: the layers are ${order} (eslint.config.js LAYERS).`,
    ]);
    expect(await problems("import { main } from '../bin.js';", 'src/cli/example.ts')).toEqual(['1: src/cli may not import src/bin.ts: the entry point is the top.']);
  });

  it('allows imports down the layers, within a folder, of the root modules, and the composition root\'s', async () => {
    const down = ["import { RaftNode } from '../../core/raft/node.js';", "import { LOG_LEVELS } from '../../ops/log.js';", "import { VERSION } from '../../version.js';", "import { x } from './near.js';", "import { y } from 'node:fs';"].join('\n');
    expect(await problems(down, 'src/roles/raft/example.ts')).toEqual([]);
    expect(await problems("import { RaftRole } from '../roles/raft/role.js';\nimport { uiRoutes } from '../ui/web-routes.js';", 'src/runtime/agent.ts')).toEqual([]);
    expect(await problems("import { RaftRole } from '../../src/roles/raft/role.js';", 'test/unit/example.test.ts')).toEqual([]);
  });
});
