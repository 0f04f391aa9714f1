import { describe, expect, it } from 'vitest';
import { FINISHED_STATUSES, OPEN_STATUSES, REPORT_STATUSES } from '../../server/domain/statuses.js';
import { canTransition, STAFF_ACTION_STEPS, TRANSITIONS } from '../../server/services/workflow.js';

describe('the workflow tables agree', () => {
  it('every staff action step is an edge of the state machine', () => {
    const offEdges: string[] = [];
    for (const [action, step] of Object.entries(STAFF_ACTION_STEPS)) {
      for (const from of step.from) {
        if (step.to !== undefined && !canTransition(from, step.to)) offEdges.push(`${action}: ${from} → ${step.to}`);
      }
    }
    expect(offEdges).toEqual([]);
  });

  it('no staff action starts from a finished status, and every open status has one', () => {
    const starts = new Set(Object.values(STAFF_ACTION_STEPS).flatMap((s) => [...s.from]));
    expect([...starts].filter((s) => (FINISHED_STATUSES as readonly string[]).includes(s))).toEqual([]);
    expect(OPEN_STATUSES.filter((s) => !starts.has(s))).toEqual([]);
  });

  it('open and finished split the statuses, and only finished ones may end the graph', () => {
    const all = [...OPEN_STATUSES, ...FINISHED_STATUSES].sort();
    expect(all).toEqual([...REPORT_STATUSES].sort());
    const deadEnds = REPORT_STATUSES.filter((s) => TRANSITIONS[s].length === 0);
    expect(deadEnds.every((s) => (FINISHED_STATUSES as readonly string[]).includes(s))).toBe(true);
  });
});
