import { describe, expect, it } from 'vitest';
import { actionTypeOf } from './action.js';

describe('actionTypeOf', () => {
  it("reads seed 000's gmail (and mail) as email and keeps the others", () => {
    expect(['gmail', 'mail', 'email', 'slack', 'webhook'].map(actionTypeOf)).toEqual(['email', 'email', 'email', 'slack', 'webhook']);
  });
  it('knows no other name, inherited object keys included', () => {
    expect(actionTypeOf('GMAIL')).toBeUndefined();
    expect(actionTypeOf('toString')).toBeUndefined();
  });
});
