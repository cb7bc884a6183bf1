import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { apifonicaEvents } from '../../../src/api/apifonica/calls.js';
import { telnyxErrors } from '../../../src/api/telnyx/calls.js';
import { ApiError } from '../../../src/api/errors.js';

describe('Apifonica events', () => {
  it('reads all, none and a pipe-separated list as status-callback events', () => {
    assert.deepEqual(apifonicaEvents('all'), ['initiated', 'ringing', 'answered', 'completed']);
    assert.deepEqual(apifonicaEvents('none'), []);
    assert.deepEqual(apifonicaEvents(undefined), []);
    assert.deepEqual(apifonicaEvents('answered|completed'), ['answered', 'completed']);
  });
  it('names an unknown event in a 400', () => {
    assert.throws(() => apifonicaEvents('answered|busy'), (e: unknown) => e instanceof ApiError && e.status === 400 && /busy/.test(e.message));
  });
});

describe('Telnyx errors', () => {
  it('are {errors:[{code,title,detail}]} with a string code', () => {
    assert.deepEqual(telnyxErrors(401, 10009, 'bad key'), { errors: [{ code: '10009', title: 'Authentication failed', detail: 'bad key' }] });
    assert.equal(telnyxErrors(502, 1, 'x').errors[0]!.title, 'Internal error');
  });
});
