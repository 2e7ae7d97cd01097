import { targetsFor } from '../../src/shared/alerts/alertRouting';
import type { AlertSettings } from '../../src/shared/config/alertSettings';
import type { Severity } from '../../src/shared/checks/finding';
import { frozenAlert } from './alertFixtures';

const settings: AlertSettings = {
  minSeverity: 'warning',
  renotifyMinutes: 360,
  webhook: { url: 'https://hooks.example.invalid/a', minSeverity: 'info' },
  teams: { url: 'https://teams.example.invalid/b', minSeverity: 'error' },
  slack: { url: 'https://slack.example.invalid/c', minSeverity: 'critical' },
  eventGrid: { url: 'https://topic.example.invalid/api/events', minSeverity: 'warning' },
};

describe('targetsFor', () => {
  it.each<[Severity, string[]]>([
    ['critical', ['webhook', 'teams', 'slack', 'eventgrid']],
    ['error', ['webhook', 'teams', 'eventgrid']],
    ['warning', ['webhook', 'eventgrid']],
    ['info', ['webhook']],
  ])('a %s alert goes to %j', (severity, targets) => {
    expect(targetsFor(frozenAlert({ severity }), settings)).toEqual(targets);
  });

  it('a recovery goes where its problem went (it carries the problem severity)', () => {
    const problem = frozenAlert({ severity: 'error' });
    const recovery = frozenAlert({ severity: 'error', kind: 'recovery', message: 'IRIS is thawed' });
    expect(targetsFor(recovery, settings)).toEqual(targetsFor(problem, settings));
  });

  it('goes nowhere when no target is configured', () => {
    expect(targetsFor(frozenAlert(), { minSeverity: 'info', renotifyMinutes: 5 })).toEqual([]);
  });
});
