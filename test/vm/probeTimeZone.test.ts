/**
 * IRIS writes messages.log in the VM's local time (no offset); the probe's logs-mode bound is UTC. End to end for
 * VMs west and east of UTC and across DST changes: the probe under dash (with the VM's TZ and a clock set to just
 * after the backup), parseProbeOutput, evidenceFromProbeLogs and backupVerdict must put IRIS's freeze and thaw on
 * the UTC timeline around the snapshot. The local stamps come from GNU date, not from the code under test.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import { parseProbeOutput } from '../../src/shared/checks/parseProbeOutput';
import type { ProbeFacts } from '../../src/shared/checks/probeFacts';
import { evidenceFromProbeLogs } from '../../src/shared/runs/backupEvidence';
import { backupVerdict } from '../../src/shared/runs/backupVerdict';
import { vmScriptPath } from '../../src/shared/vmScripts/vmScripts';
import { simClockEnv } from '../../sandbox/vm-bin/simClock';
import { makeRoot, removeRoots, runDash, writeFile } from './vmRoot';

const PROBE = vmScriptPath('probe');
const MESSAGES = '/usr/irissys/mgr/messages.log';
const SECOND = 1000;
const MINUTE = 60 * SECOND;

afterAll(removeRoots);

/** `MM/DD/YY-HH:MM:SS:mmm` in `zone` for the instant `ms`, as IRIS writes it. */
function irisStamp(zone: string, ms: number): string {
  const text = execFileSync('date', ['-d', `@${Math.floor(ms / SECOND)}`, '+%m/%d/%y-%H:%M:%S'], {
    env: { TZ: zone, PATH: '/usr/bin:/bin' },
    encoding: 'utf8',
  }).trim();
  return `${text}:000`;
}

/** messages.log around a snapshot at `snapshotMs`, and the same freeze a night earlier. */
function messagesLog(zone: string, snapshotMs: number): string {
  const line = (ms: number, pid: number, text: string): string =>
    `${irisStamp(zone, ms)} (${pid}) 0 [Utility.Event] Backup.General.${text}`;
  const night = snapshotMs - 24 * 60 * MINUTE;
  return [
    line(night - 2 * SECOND, 100, 'ExternalFreeze: Suspending system'),
    line(night - SECOND, 100, 'ExternalFreeze: System suspended'),
    line(night + 5 * SECOND, 101, 'ExternalThaw: System resumed'),
    line(snapshotMs - 2 * SECOND, 200, 'ExternalFreeze: Suspending system'),
    line(snapshotMs - SECOND, 200, 'ExternalFreeze: System suspended'),
    line(snapshotMs + 4 * SECOND, 201, 'ExternalThaw: Resuming system'),
    line(snapshotMs + 5 * SECOND, 201, 'ExternalThaw: System resumed'),
    '',
  ].join('\n');
}

interface Case {
  zone: string;
  snapshot: string;
  offset: number;
  sinceOffset: number;
}

const CASES: [string, Case][] = [
  [
    'UTC-8 (America/Los_Angeles)',
    { zone: 'America/Los_Angeles', snapshot: '2026-12-03T01:30:00Z', offset: -480, sinceOffset: -480 },
  ],
  ['UTC+9 (Asia/Tokyo)', { zone: 'Asia/Tokyo', snapshot: '2026-12-03T01:30:00Z', offset: 540, sinceOffset: 540 }],
  // The snapshot falls in the hour the clocks repeat: its wall time is earlier than the window's start in local time.
  [
    'Europe/Berlin, fall back 2026-10-25',
    { zone: 'Europe/Berlin', snapshot: '2026-10-25T01:05:00Z', offset: 60, sinceOffset: 120 },
  ],
  [
    'America/New_York, fall back 2026-11-01',
    { zone: 'America/New_York', snapshot: '2026-11-01T06:03:00Z', offset: -300, sinceOffset: -240 },
  ],
  [
    'Europe/Berlin, spring forward 2026-03-29',
    { zone: 'Europe/Berlin', snapshot: '2026-03-29T01:05:00Z', offset: 120, sinceOffset: 60 },
  ],
];

function runLogsProbe(c: Case): { facts: ProbeFacts; since: string } {
  const snapshotMs = Date.parse(c.snapshot);
  const since = new Date(snapshotMs - 10 * MINUTE).toISOString();
  const root = makeRoot();
  writeFile(root, MESSAGES, messagesLog(c.zone, snapshotMs), 0o644);
  // The VM's clock reads 20 minutes after the snapshot when the probe runs.
  const clock = simClockEnv(snapshotMs + 20 * MINUTE - Date.now());
  const run = runDash(root, PROBE, [], { ...clock, TZ: c.zone, IBG_PROBE_MODE: 'logs', IBG_PROBE_SINCE: since });
  expect(run.status).toBe(0);
  const { facts, problems } = parseProbeOutput(run.stdout);
  expect(problems).toEqual([]);
  if (!facts) throw new Error('no probe facts');
  return { facts, since };
}

const verdictOf = (facts: ProbeFacts, since: string, snapshot: string) =>
  backupVerdict({
    job: { status: 'Completed', errorDetails: [] },
    recoveryPoint: { type: 'AppConsistent', time: snapshot },
    evidence: evidenceFromProbeLogs(facts, [], since),
  });

describe.each(CASES)('probe logs mode on a VM in %s', (_label, c) => {
  let facts: ProbeFacts;
  let since: string;
  beforeAll(() => ({ facts, since } = runLogsProbe(c)));

  it('reports the zone and its offsets now and at the window start', () => {
    expect(facts.tz).toEqual({
      name: c.zone,
      source: 'TZ',
      offsetMinutes: c.offset,
      sinceOffsetMinutes: c.sinceOffset,
    });
  });

  it('keeps the backup’s freeze and thaw lines and leaves out the earlier night', () => {
    const lines = facts.logs.messages?.lines ?? [];
    expect(lines.filter((l) => l.includes('System suspended'))).toHaveLength(1);
    expect(lines.filter((l) => l.includes('System resumed'))).toHaveLength(1);
    expect(lines.some((l) => l.includes('(100)'))).toBe(false);
  });

  it('places the freeze and thaw on the UTC timeline: IRIS-consistent', () => {
    const snapshotMs = Date.parse(c.snapshot);
    const v = verdictOf(facts, since, c.snapshot);
    expect(v.frozenAt).toBe(new Date(snapshotMs - SECOND).toISOString());
    expect(v.thawedAt).toBe(new Date(snapshotMs + 5 * SECOND).toISOString());
    expect(v).toMatchObject({ consistency: 'iris-consistent', irisLeftFrozen: false, freezeWindowMs: 6 * SECOND });
  });

  it('without the zone (an older probe), local times read as UTC would misplace the freeze', () => {
    if (c.offset === 0) return;
    const { tz: _ignored, ...withoutZone } = facts;
    expect(verdictOf(withoutZone, since, c.snapshot).frozenAt).not.toBe(
      new Date(Date.parse(c.snapshot) - SECOND).toISOString(),
    );
  });
});

describe('probe zone sources under a root', () => {
  it('a root’s /etc/localtime link names its zone (never followed out of the root); none means UTC', () => {
    const root = makeRoot();
    const linked = makeRoot();
    writeFile(linked, '/etc/hostname', 'vm\n');
    fs.symlinkSync('/usr/share/zoneinfo/Asia/Tokyo', `${linked}/etc/localtime`);
    const probe = (r: string): ProbeFacts | undefined => parseProbeOutput(runDash(r, PROBE).stdout).facts;
    expect(probe(root)?.tz).toMatchObject({ name: 'UTC', source: 'default', offsetMinutes: 0 });
    expect(probe(linked)?.tz).toMatchObject({ name: 'Asia/Tokyo', source: 'localtime', offsetMinutes: 540 });
  });

  it('a root’s own zone file is read inside the root; /etc/timezone names the zone when there is no link', () => {
    const copied = makeRoot();
    writeFile(copied, '/etc/localtime', fs.readFileSync('/usr/share/zoneinfo/America/Los_Angeles'), 0o644);
    writeFile(copied, '/etc/timezone', 'America/Los_Angeles\n', 0o644);
    const named = makeRoot();
    writeFile(named, '/etc/timezone', 'Asia/Tokyo\n', 0o644);
    // Midsummer on the VM's clock, so the Los Angeles file must give daylight time (-7 h), not its winter offset.
    const env = simClockEnv(Date.parse('2026-07-01T12:00:00Z') - Date.now());
    const probe = (r: string): ProbeFacts | undefined => parseProbeOutput(runDash(r, PROBE, [], env).stdout).facts;
    expect(probe(copied)?.tz).toEqual({ name: 'America/Los_Angeles', source: 'localtime', offsetMinutes: -420 });
    expect(probe(named)?.tz).toEqual({ name: 'Asia/Tokyo', source: 'timezone', offsetMinutes: 540 });
  });

  it('a zone name that is a path is refused, so date never reads a host file as the zone', () => {
    const absolute = makeRoot();
    writeFile(absolute, '/etc/timezone', '/usr/share/zoneinfo/Asia/Tokyo\n', 0o644);
    const climbing = makeRoot();
    fs.mkdirSync(`${climbing}/etc`);
    fs.symlinkSync('/usr/share/zoneinfo/Asia/../../../../etc/passwd', `${climbing}/etc/localtime`);
    const probe = (r: string): ProbeFacts | undefined => parseProbeOutput(runDash(r, PROBE).stdout).facts;
    expect(probe(absolute)?.tz).toEqual({ name: 'UTC', source: 'default', offsetMinutes: 0 });
    expect(probe(climbing)?.tz).toEqual({ name: 'UTC', source: 'default', offsetMinutes: 0 });
  });
});
