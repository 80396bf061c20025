import { describe, expect, it } from 'vitest';
import { resemblesPersonRequest, type PersonPrototypes } from './person-prototypes';

const prototypes: PersonPrototypes = {
  requests: [[1, 0, 0]],
  lookAlikes: [[0.8, 0.6, 0]],
  minSimilarity: 0.9,
  minLead: 0.05,
};

describe('resemblesPersonRequest', () => {
  it('takes a message close to a request and clearly closer to it than to every look-alike', () => {
    expect(resemblesPersonRequest([0.99, -0.1, 0.05], prototypes)).toBe(true);
  });

  it('refuses one as close to a look-alike, and one close to nothing', () => {
    // Close to the request (0.93) but closer still to the look-alike.
    expect(resemblesPersonRequest([0.93, 0.36, 0], prototypes)).toBe(false);
    expect(resemblesPersonRequest([0, 0, 1], prototypes)).toBe(false);
  });
});
