/**
 * The demo's Frozen IRIS section from the pieces the demo gathers: what each receiver got (rendered by the app's own
 * notifiers), the alert records with their delivery times, and a run with a remediation. Hostile VM text must reach
 * the terminal escaped, and a receiver body that is not what the app sends must not throw.
 */
import { alertCloudEvent } from '../../src/shared/alerts/alertCloudEvent';
import type { AlertRecord } from '../../src/shared/alerts/alertRecord';
import { slackBlocks } from '../../src/shared/alerts/slackBlocks';
import { teamsCard } from '../../src/shared/alerts/teamsCard';
import { webhookPayload } from '../../src/shared/alerts/webhookPayload';
import { terminalLine } from '../../src/shared/report/terminalText';
import type { Run } from '../../src/shared/runs/run';
import { frozenIrisEntries, frozenIrisSection } from '../../sandbox/demo/frozenIrisSection';
import { receivedAlertsOf } from '../../sandbox/demo/receivedAlert';
import type { ReceivedRequest, ReceiverName } from '../../sandbox/notificationReceivers';

const VM_ID = '/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm-1';
// A VM name can carry what a terminal or a Markdown renderer would act on.
const HOSTILE = 'vm-1\u001b[2J\u202e <b>*x*</b>';

const recordOf = (id: string, kind: 'problem' | 'recovery', decidedAt: string, sentAt: string): AlertRecord => ({
  id,
  alert: {
    severity: 'critical',
    code: 'IrisLeftFrozen',
    message: 'IRIS may still be frozen',
    scope: { kind: 'run', runId: 'run-1', vmId: VM_ID },
    at: decidedAt,
    classification: 'IrisStillFrozen',
    fix: 'iris session IRIS -U%SYS "##Class(Backup.General).ExternalThaw()"\nthen check',
    vmName: HOSTILE,
    kind,
  },
  decidedAt,
  dedupKey: 'k',
  deliveries: Object.fromEntries(
    (['webhook', 'teams', 'slack', 'eventgrid'] as const).map((t) => [t, { state: 'sent', attempts: 1, sentAt }]),
  ),
});

// A type assertion: the receivers' record may carry more fields than these.
const request = (target: ReceiverName, status: number, body: unknown): ReceivedRequest =>
  ({
    target,
    method: 'POST',
    path: `/${target}`,
    query: {},
    headers: target === 'webhook' ? { 'x-ibg-signature': 't=1,v1=00' } : {},
    rawBody: JSON.stringify(body),
    body,
    status,
    receivedAtMs: 0,
  }) as ReceivedRequest;

/** What the four receivers got for a record, rendered by the app's notifiers. */
const deliveredAll = (record: AlertRecord): ReceivedRequest[] => [
  request('webhook', 200, webhookPayload(record)),
  request('teams', 202, teamsCard(record)),
  request('slack', 200, slackBlocks(record)),
  request('eventgrid', 200, [{ specversion: '1.0', ...alertCloudEvent(record) }]),
];

const run = {
  id: 'run-1',
  target: { vmId: VM_ID, vmName: HOSTILE, vaultId: 'v', containerName: 'c', protectedItemName: 'p' },
  recoveryPoint: { id: 'rp', name: 'rp', time: '2026-12-03T21:07:45.229Z', type: 'FileSystemConsistent' },
  remediation: {
    source: 'verdict',
    reason: 'Post-ScriptExecutionFailed',
    requestedAt: '2026-12-03T21:22:46.000Z',
    step: 'done',
    stepStartedAt: '2026-12-03T21:23:02.000Z',
    outcome: 'thawed',
    finishedAt: '2026-12-03T21:23:02.000Z',
  },
  history: [
    { from: 'assessing', to: 'assessing', at: '2026-12-03T21:22:46.100Z', reason: 'Remediation: checking whether' },
    { from: 'assessing', to: 'restore-running', at: '2026-12-03T21:22:46.100Z' },
    {
      from: 'restore-running',
      to: 'restore-running',
      at: '2026-12-03T21:22:52.000Z',
      reason: 'Remediation: lease held until 2026-12-03T21:41:52.123Z; thawing IRIS',
    },
  ],
} as unknown as Run;

describe('receivedAlertsOf', () => {
  it('reads the id, title and excerpt back from each medium as the app renders it', () => {
    const record = recordOf('night/vm#2 <x>', 'problem', '2026-12-03T21:22:46.000Z', '2026-12-03T21:23:02.000Z');
    const got = deliveredAll(record).flatMap(receivedAlertsOf);
    expect(got.map((g) => [g.target, g.alertId])).toEqual([
      ['webhook', 'night/vm#2 <x>'],
      ['teams', 'night/vm#2 <x>'],
      ['slack', 'night/vm#2 <x>'],
      ['eventgrid', 'night/vm#2 <x>'],
    ]);
    // Every medium shows the same title (Teams and Slack escapes undone).
    expect(new Set(got.map((g) => g.title)).size).toBe(1);
    expect(got[0]?.excerpt).toMatch(
      /^code IrisLeftFrozen; classification IrisStillFrozen; fix: iris session .* …; signed/,
    );
    expect(got[3]?.excerpt).toBe('CloudEvent IrisBackupGuard.Alert.Raised, id night/vm#2 <x>');
  });

  it.each([
    ['webhook', 'not json'],
    ['teams', { attachments: 'x' }],
    ['slack', { blocks: [null, 3] }],
    ['eventgrid', { not: 'a batch' }],
  ] as const)('a %s body that is not what the app sends gives "?" fields, not an error', (target, body) => {
    const got = receivedAlertsOf(request(target, 400, body));
    expect(got).toHaveLength(target === 'eventgrid' ? 0 : 1);
    for (const g of got) {
      expect(g.alertId).toBeUndefined();
      expect(g.title).toBe('?');
    }
  });
});

describe('frozenIrisSection', () => {
  const critical = recordOf('run-1#2', 'problem', '2026-12-03T21:22:46.000Z', '2026-12-03T21:23:02.000Z');
  const recovery = recordOf('run-1#5', 'recovery', '2026-12-03T21:23:02.000Z', '2026-12-03T21:23:03.500Z');
  const received = [...deliveredAll(critical), ...deliveredAll(recovery)].flatMap(receivedAlertsOf);
  const entries = frozenIrisEntries([run], [recovery, critical], received, {
    autoThaw: true,
    snapshotCompletedAt: () => '2026-12-03T21:22:45.000Z',
  });

  it('pairs each target’s delivery with its record and measures from the snapshot’s completion', () => {
    expect(entries).toHaveLength(1);
    const e = entries[0];
    expect(e?.criticalAlert?.alertId).toBe('run-1#2');
    expect(e?.recovery?.alertId).toBe('run-1#5');
    expect(e?.criticalAlert?.received.map((r) => r.sentAt)).toEqual(Array(4).fill('2026-12-03T21:23:02.000Z'));
    expect(e?.snapshotToAlertMs).toBe(17_000);
    expect(e?.snapshotToRecoveryMs).toBe(18_500);
    expect(e?.steps.map((s) => s.step)).toEqual([
      'checking whether',
      'lease held until 2026-12-03T21:41:52.123Z; thawing IRIS',
    ]);
  });

  it('prints one timestamp format, and VM text only as the terminal escaping leaves it', () => {
    const text = frozenIrisSection(entries).map(terminalLine).join('\n');
    expect(text.includes('\u001b') || text.includes('\u202e')).toBe(false);
    expect(text).toContain('\\x1b[2J\\u202e');
    expect(text).toContain('lease held until 2026-12-03T21:41:52Z; thawing IRIS');
    expect(text).toMatch(
      /snapshot completed → first critical alert delivered: 17\.0 s; → recovery delivered: 18\.5 s$/m,
    );
  });

  it('has no section when no run had a remediation', () => {
    const plain = { ...run } as Partial<Run>;
    delete plain.remediation;
    expect(
      frozenIrisSection(
        frozenIrisEntries([plain as Run], [critical], received, {
          autoThaw: false,
          snapshotCompletedAt: () => undefined,
        }),
      ),
    ).toEqual([]);
  });
});
