import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, loadConfig } from '../../../src/config/config.js';

describe('DIALTONE_MAX_CALLS', () => {
  it('defaults to no limit (0)', () => {
    assert.equal(loadConfig({ env: {} }).maxCalls, 0);
  });

  it('reads a whole number', () => {
    assert.equal(loadConfig({ env: { DIALTONE_MAX_CALLS: '2' } }).maxCalls, 2);
  });

  it('refuses anything else with a clear error', () => {
    for (const bad of ['-1', 'two', '1.5']) {
      assert.throws(() => loadConfig({ env: { DIALTONE_MAX_CALLS: bad } }), (err: unknown) => err instanceof ConfigError && /DIALTONE_MAX_CALLS must be a whole number/.test(err.message));
    }
  });
});
