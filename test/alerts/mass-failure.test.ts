import { describe, expect, it } from 'vitest';
import {
  emptyBook,
  failingBefore,
  foldedInto,
  type MassBook,
  type MassFacts,
  type MassSettings,
  massThreshold,
  nextMassReviewAt,
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

function record(book: MassBook, nodeId: string, since: number, enabled = 8) {
  return recordFailureStart(book, { nodeId, since }, massThreshold(enabled, settings), settings.windowMs);
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
        members: ['a', 'b', 'c', 'd'].map((id, i) => ({ nodeId: id, incidentId: `${id}:${T0 + i * 300}` })),
      },
    ]);
    expect(book.failures).toEqual([]);
  });

  it('lets a node failing within one window of the first join the episode', () => {
    const book = record(failAll(['a', 'b', 'c', 'd'], T0, 100), 'e', T0 + 1200).book;
    expect(book.episodes[0]?.members.map((m) => m.nodeId)).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(foldedInto(book, `e:${T0 + 1200}`)).toBe(`mesh:${T0}`);
  });

  it('folds a second incident of a node within the window into the same episode', () => {
    const book = record(failAll(['a', 'b', 'c', 'd'], T0, 100), 'a', T0 + 900).book;
    expect(book.episodes).toHaveLength(1);
    expect(book.episodes[0]?.members.map((m) => m.incidentId)).toEqual([
      `a:${T0}`,
      `b:${T0 + 100}`,
      `c:${T0 + 200}`,
      `d:${T0 + 300}`,
      `a:${T0 + 900}`,
    ]);
  });

  it('counts each node once towards the threshold, with its latest failure start', () => {
    // a fails twice, b and c once: three nodes, not four failures, in a mesh whose threshold is 4.
    let book = failAll(['a', 'b', 'c'], T0, 100);
    book = record(book, 'a', T0 + 500).book;
    expect(book.episodes).toEqual([]);
    expect(book.failures.map((f) => `${f.nodeId}:${f.since}`)).toEqual([
      `b:${T0 + 100}`,
      `c:${T0 + 200}`,
      `a:${T0 + 500}`,
    ]);
  });

  it('does not count failures spread over more than one window', () => {
    const book = failAll(['a', 'b', 'c', 'd'], T0, 700);
    expect(book.episodes).toEqual([]);
  });

  it('never counts a failure start that is in an episode towards another one', () => {
    // Four nodes fail at once; more than a window after the first, three others fail: below the
    // threshold on their own, so no second episode made of the first one's members.
    let book = failAll(['a', 'b', 'c', 'd'], T0, 300);
    for (const [id, since] of [
      ['e', T0 + 1300],
      ['f', T0 + 1400],
      ['g', T0 + 1500],
    ] as const)
      book = record(book, id, since).book;
    expect(book.episodes.map((episode) => episode.id)).toEqual([`mesh:${T0}`]);
    expect(book.failures.map((f) => f.nodeId)).toEqual(['e', 'f', 'g']);
  });

  it('forgets failure starts four windows older than the newest', () => {
    const book = record(record(emptyBook(), 'a', T0).book, 'b', T0 + 4 * 1250 + 1).book;
    expect(book.failures.map((f) => f.nodeId)).toEqual(['b']);
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

describe('failingBefore', () => {
  const start = (nodeId: string, since: number) => ({ nodeId, since });

  it('finds nobody before a node that starts failing alone', () => {
    expect(failingBefore(emptyBook(), start('a', T0), settings.windowMs)).toEqual({
      episodeNear: false,
      nodeIds: [],
    });
    const book = record(emptyBook(), 'a', T0).book;
    expect(failingBefore(book, start('a', T0), settings.windowMs).nodeIds).toEqual([]);
  });

  it('names the nodes that started failing within one window before, not after nor long before', () => {
    const book = failAll(['a', 'b'], T0, 500, 20);
    const withOld = record(book, 'old', T0 - 2 * settings.windowMs, 20).book;
    expect(failingBefore(withOld, start('c', T0 + 1000), settings.windowMs).nodeIds).toEqual(['a', 'b']);
    expect(failingBefore(withOld, start('a', T0), settings.windowMs).nodeIds).toEqual([]);
    expect(failingBefore(withOld, start('b', T0 + 500), settings.windowMs).nodeIds).toEqual(['a']);
  });

  it('puts the first of two nodes failing at the same moment by id', () => {
    const book = failAll(['a', 'b'], T0, 0, 20);
    expect(failingBefore(book, start('a', T0), settings.windowMs).nodeIds).toEqual([]);
    expect(failingBefore(book, start('b', T0), settings.windowMs).nodeIds).toEqual(['a']);
  });

  it('sees an episode near the start', () => {
    const book = failAll(['a', 'b', 'c', 'd'], T0, 100);
    expect(book.episodes).toHaveLength(1);
    expect(failingBefore(book, start('e', T0 + 1000), settings.windowMs).episodeNear).toBe(true);
    expect(failingBefore(book, start('e', T0 + 10_000), settings.windowMs).episodeNear).toBe(false);
  });
});

describe('reviewMassFailures', () => {
  const book = failAll(['e', 'd', 'c', 'b', 'a'], T0, 100);
  const episodeId = `mesh:${T0}`;
  const allDown = new Set(book.episodes[0]!.members.map((m) => m.incidentId));
  const nodes = new Map(['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'].map((id) => [id, id.toUpperCase()]));
  const facts = (now: number, more: Partial<MassFacts> = {}): MassFacts => ({
    openIncidents: allDown,
    announced: new Set([episodeId]),
    nodes,
    enabledNodes: 8,
    now,
    ...more,
  });

  it('waits for the hold before raising the mass failure', () => {
    const review = reviewMassFailures(book, facts(T0 + 1999, { announced: new Set() }), settings);
    expect(review).toEqual({ alerts: [], endings: [] });
  });

  it('raises ONE CRITICAL mass_failure naming every node, in mesh.yaml order, once the hold is over', () => {
    const review = reviewMassFailures(book, facts(T0 + 2000, { announced: new Set() }), settings);
    expect(review.endings).toEqual([]);
    expect(review.alerts).toHaveLength(1);
    expect(review.alerts[0]).toMatchObject({
      id: `mesh:${T0}:mass_failure`,
      kind: 'mass_failure',
      severity: 'CRITICAL',
      nodeId: null,
      incidentId: episodeId,
      at: new Date(T0 + 2000).toISOString(),
      title: 'Mass failure: 5 of 8 nodes failed at once',
    });
    expect(review.alerts[0]?.message).toContain('A (a), B (b), C (c), D (d), E (e)');
  });

  it('raises the same mass_failure again, under its id, until it is routed, even with every node back', () => {
    const later = reviewMassFailures(
      book,
      facts(T0 + 9000, { announced: new Set(), openIncidents: new Set() }),
      settings,
    );
    expect(later.alerts.map((alert) => alert.id)).toEqual([`mesh:${T0}:mass_failure`]);
    expect(later.alerts[0]?.at).toBe(new Date(T0 + 2000).toISOString());
    expect(later.endings).toEqual([]);
  });

  it('counts and names a node with two incidents in the episode once', () => {
    const twice = record(book, 'a', T0 + 1000).book;
    expect(twice.episodes[0]?.members).toHaveLength(6);
    const review = reviewMassFailures(twice, facts(T0 + 2000, { announced: new Set() }), settings);
    expect(review.alerts[0]?.title).toBe('Mass failure: 5 of 8 nodes failed at once');
    expect(review.alerts[0]?.message.match(/\(a\)/g)).toHaveLength(1);
  });

  it('repeats every repeatEvery while a node is still down, naming those still down', () => {
    const stillDown = new Set([`c:${T0 + 200}`]);
    expect(
      reviewMassFailures(book, facts(T0 + 2000 + 3_599_999, { openIncidents: stillDown }), settings).alerts,
    ).toEqual([]);
    const review = reviewMassFailures(
      book,
      facts(T0 + 2000 + 3_600_000, { openIncidents: stillDown }),
      settings,
    );
    expect(review.endings).toEqual([]);
    expect(review.alerts).toMatchObject([{ id: `mesh:${T0}:mass_failure:1`, severity: 'CRITICAL' }]);
    expect(review.alerts[0]?.message).toContain('1 of the 5 nodes');
    expect(review.alerts[0]?.message).toContain('C (c)');
  });

  it('ends the episode with a mesh-wide recovered once every node is back', () => {
    const review = reviewMassFailures(book, facts(T0 + 60_000, { openIncidents: new Set() }), settings);
    expect(review.alerts).toEqual([]);
    expect(review.endings.map(({ episode }) => episode.id)).toEqual([episodeId]);
    expect(review.endings[0]?.alert).toMatchObject({
      id: `mesh:${T0}:recovered`,
      kind: 'recovered',
      incidentId: episodeId,
      message: 'All 5 nodes that failed at once are healthy again, 1 min after the first failed.',
    });
  });
});

describe('nextMassReviewAt', () => {
  const book = failAll(['e', 'd', 'c', 'b', 'a'], T0, 100);
  const episodeId = `mesh:${T0}`;
  const allDown = new Set(book.episodes[0]!.members.map((m) => m.incidentId));
  const facts = (now: number, more: Partial<MassFacts> = {}): MassFacts => ({
    openIncidents: allDown,
    announced: new Set([episodeId]),
    nodes: new Map(),
    enabledNodes: 8,
    now,
    ...more,
  });

  it('is null with no episode going on', () => {
    expect(nextMassReviewAt(emptyBook(), facts(T0), settings)).toBeNull();
  });

  it('is the end of the hold, when the mass_failure comes due', () => {
    expect(nextMassReviewAt(book, facts(T0 + 500, { announced: new Set() }), settings)).toBe(T0 + 2000);
  });

  it('is now while the mass_failure is due and not routed yet: routing it is no state change', () => {
    expect(nextMassReviewAt(book, facts(T0 + 2500, { announced: new Set() }), settings)).toBe(T0 + 2500);
  });

  it('is the next repeat while a node is still down, and null once all are back (the review ends it)', () => {
    expect(nextMassReviewAt(book, facts(T0 + 2500), settings)).toBe(T0 + 2000 + 3_600_000);
    expect(reviewMassFailures(book, facts(T0 + 2000 + 3_600_000), settings).alerts).toHaveLength(1);
    expect(nextMassReviewAt(book, facts(T0 + 2500, { openIncidents: new Set() }), settings)).toBeNull();
  });
});
