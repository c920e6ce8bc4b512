import { describe, expect, it } from 'vitest';
import { removeNamespace } from '../../support/remove-namespace.mjs';

describe('removeNamespace (shared by the netns test support and bench/cluster-real.mjs)', () => {
  it('a namespace that does not exist is no error, with or without `ip` installed', () => {
    expect(() => removeNamespace(`dinc-absent-${process.pid}`)).not.toThrow();
  });
});
