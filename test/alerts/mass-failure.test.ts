import { describe, expect, it } from 'vitest';
import {
  emptyBook,
  foldedInto,
  type MassBook,
  type MassSettings,
  massThreshold,
  recordFailureStart,
  reviewMassFailures,
} from '../../src/alerts/mass-failure.js';

const T0 = Date.parse('2026-01-01T00:00:00.000Z');
const settings: MassSettings = {
  windowMs: 1250,
  holdMs: 2000,
  ratio: 0.5,
  minNodes: 4,
  repeatEvery: 3_600_000,
};
const nameOf = (id: string) => id.toUpperCase();

function record(book: MassBook, nodeId: string, since: number, enabled = 8) {
  return recordFailureStart(book, { nodeId, since }, enabled, settings);
}

function failAll(nodeIds: string[], start: number, stepMs: number, enabled = 8): MassBook {
  return nodeIds.reduce(
    (book, id, index) => record(book, id, start + index * stepMs, enabled).book,
    emptyBook(),
  );
}

describe('massThreshold', () => {
  it('is the ratio of the enabled nodes, rounded up, and never below 2', () => {
    expect(massThreshold(8, settings)).toBe(4);
    expect(massThreshold(5, settings)).toBe(3);
    expect(massThreshold(4, { ratio: 0.1, minNodes: 4 })).toBe(2);
  });

  it('is null for a mesh smaller than minNodes', () => {
    expect(massThreshold(3, settings)).toBeNull();
  });
});

describe('recordFailureStart', () => {
  it('starts no episode below the threshold', () => {
    const book = failAll(['a', 'b', 'c'], T0, 200);
    expect(book.episodes).toEqual([]);
    expect(book.failures).toHaveLength(3);
  });

  it('starts an episode named after the first failure once the threshold fails within one window', () => {
    const book = failAll(['a', 'b', 'c', 'd'], T0, 300);
    expect(book.episodes).toEqual([
      {
        id: `mesh:${T0}`,
        start: T0,
        alerted: false,
        members: ['a', 'b', 'c', 'd'].map((id, i) => ({ nodeId: id, incidentId: `${id}:${T0 + i * 300}` })),
      },
    ]);
  });

  it('lets a node failing within one window of the first join the episode', () => {
    const book = record(failAll(['a', 'b', 'c', 'd'], T0, 100), 'e', T0 + 1200).book;
    expect(book.episodes[0]?.members.map((m) => m.nodeId)).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(foldedInto(book, `e:${T0 + 1200}`)).toBe(`mesh:${T0}`);
  });

  it('does not count failures spread over more than one window', () => {
    const book = failAll(['a', 'b', 'c', 'd'], T0, 700);
    expect(book.episodes).toEqual([]);
  });

  it('never makes a mass failure of a mesh smaller than minNodes', () => {
    const book = failAll(['a', 'b', 'c'], T0, 10, 3);
    expect(book.episodes).toEqual([]);
  });

  it('changes nothing when the same failure is recorded twice', () => {
    const once = failAll(['a', 'b', 'c', 'd'], T0, 100);
    const twice = record(once, 'd', T0 + 300).book;
    expect(twice).toEqual(once);
  });
});

describe('reviewMassFailures', () => {
  const book = failAll(['a', 'b', 'c', 'd', 'e'], T0, 100);
  const allDown = new Set(book.episodes[0]!.members.map((m) => m.incidentId));

  it('waits for the hold before raising the mass failure', () => {
    const review = reviewMassFailures(book, allDown, nameOf, 8, T0 + 1999, settings);
    expect(review).toEqual({ book: null, once: [], repeats: [] });
  });

  it('raises ONE CRITICAL mass_failure naming every node once the hold is over', () => {
    const review = reviewMassFailures(book, allDown, nameOf, 8, T0 + 2000, settings);
    expect(review.once).toHaveLength(1);
    expect(review.once[0]).toMatchObject({
      id: `mesh:${T0}:mass_failure`,
      kind: 'mass_failure',
      severity: 'CRITICAL',
      nodeId: null,
      incidentId: `mesh:${T0}`,
      at: new Date(T0 + 2000).toISOString(),
      title: 'Mass failure: 5 of 8 nodes failed at once',
    });
    expect(review.once[0]?.message).toContain('A (a), B (b), C (c), D (d), E (e)');
    expect(review.book?.episodes[0]?.alerted).toBe(true);
  });

  it('repeats every repeatEvery while a node is still down, naming those still down', () => {
    const alerted = reviewMassFailures(book, allDown, nameOf, 8, T0 + 2000, settings).book!;
    const stillDown = new Set([`c:${T0 + 200}`]);
    expect(
      reviewMassFailures(alerted, stillDown, nameOf, 8, T0 + 2000 + 3_599_999, settings).repeats,
    ).toEqual([]);
    const review = reviewMassFailures(alerted, stillDown, nameOf, 8, T0 + 2000 + 3_600_000, settings);
    expect(review.book).toBeNull();
    expect(review.repeats).toMatchObject([{ id: `mesh:${T0}:mass_failure:1`, severity: 'CRITICAL' }]);
    expect(review.repeats[0]?.message).toContain('1 of the 5 nodes');
    expect(review.repeats[0]?.message).toContain('C (c)');
  });

  it('ends the episode with a mesh-wide recovered once every node is back', () => {
    const alerted = reviewMassFailures(book, allDown, nameOf, 8, T0 + 2000, settings).book!;
    const review = reviewMassFailures(alerted, new Set(), nameOf, 8, T0 + 60_000, settings);
    expect(review.book?.episodes).toEqual([]);
    expect(review.once).toMatchObject([
      { id: `mesh:${T0}:recovered`, kind: 'recovered', incidentId: `mesh:${T0}` },
    ]);
  });
});
