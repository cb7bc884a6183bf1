import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { normaliseE164 } from '../../../src/telephony/e164.js';

describe('E.164 normalisation', () => {
  const cases: [string, string | undefined][] = [
    ['+15550100', '+15550100'],
    ['+1 (555) 010-0100', '+15550100100'],
    ['15550100', '+15550100'],
    ['0044 20 7946 0958', '+442079460958'],
    ['011 44 20 7946 0958', '+442079460958'],
    ['+15550100;npdi;rn=+15550000', '+15550100'],
    ['tel:+1-555-0100', '+15550100'],
    ['alice', undefined],
    ['+0123', undefined],
    ['', undefined],
    ['+1234567890123456', undefined],
  ];
  for (const [input, expected] of cases) {
    it(`${JSON.stringify(input)} → ${expected ?? 'not a number'}`, () => assert.equal(normaliseE164(input), expected));
  }
});
