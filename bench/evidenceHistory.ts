/**
 * A fleet's history for the evidence benchmark: VMs × nights of finished runs (a backup verdict each, a drill every
 * DRILL_EVERY nights per VM, a few failures), written into Azurite as the app stores them: run entities with their
 * summary, the fleet index and each VM's history, and some open alerts. Written with entity group transactions (one
 * partition, 100 entities each), which the app never uses but which make seeding 45,000 runs take seconds.
 */
import { TableClient, type TableTransaction } from '@azure/data-tables';
import { latestOf, type AlertState } from '../src/shared/alerts/alertRecord';
import { runSummaryOf, type RunSummary } from '../src/shared/evidence/runSummary';
import { foldIntoVmIndex, type VmIndexEntry } from '../src/shared/evidence/vmIndex';
import { newRun, type Run } from '../src/shared/runs/run';
import { runIndexOf } from '../src/shared/protection/runRepositoryOf';
import { historyKeyOf } from '../src/shared/store/tableEvidenceIndex';
import { tableKey } from '../src/shared/store/tableAlertStore';
import { tableKeyOf } from '../src/shared/store/tableKeys';
import { splitIntoChunks, toChunkProperties } from '../src/shared/store/recordChunks';

const DRILL_EVERY = 7;
const SUB = '00000000-0000-0000-0000-0000000000be';

const at = (night: string, hhmm: string): string => `${night}T${hhmm}:00.000Z`;

/** Deterministic variety: the same fleet every time. */
const pick = (i: number, n: number, mod: number): number => (i * 7919 + n * 104_729) % mod;

export function historyRun(vm: number, night: string, n: number): Run {
  const name = `iris-${String(vm).padStart(4, '0')}`;
  const target = {
    vmId: `/subscriptions/${SUB}/resourceGroups/rg-iris/providers/Microsoft.Compute/virtualMachines/${name}`,
    vmName: name,
    vaultId: `/subscriptions/${SUB}/resourceGroups/rg-backup/providers/Microsoft.RecoveryServices/vaults/vault-1`,
    containerName: `iaasvmcontainerv2;rg-iris;${name}`,
    protectedItemName: `vm;iaasvmcontainerv2;rg-iris;${name}`,
  };
  const run = newRun(night, target, at(night, '01:00'));
  const roll = pick(vm, n, 100);
  const failedJob = roll === 0;
  run.stage = failedJob ? 'failed' : 'done';
  run.updatedAt = at(night, '04:00');
  run.finishedAt = at(night, '04:00');
  delete run.script;
  run.preflight = {
    findings:
      roll < 10
        ? [
            {
              code: 'PostScriptTimeoutTooShort',
              severity: 'warning',
              impact: 'app-consistent',
              fix: 'Raise postScriptNoOfRetries',
            },
          ]
        : [],
    blocking: [],
  };
  run.backup = {
    triggerRequestedAt: at(night, '01:01'),
    jobId: `job-${vm}-${n}`,
    jobStatus: failedJob ? 'Failed' : 'Completed',
    jobStartTime: at(night, '01:02'),
    jobEndTime: at(night, '02:30'),
  };
  run.recoveryPoint = failedJob
    ? null
    : {
        id: `rp-${vm}-${n}`,
        name: `rp-${vm}-${n}`,
        time: at(night, '01:05'),
        type: roll < 3 ? 'FileSystemConsistent' : 'AppConsistent',
      };
  run.verdict = {
    consistency: failedJob ? 'failed' : roll < 3 ? 'file-system-consistent' : 'iris-consistent',
    reasons: failedJob
      ? ['The backup job failed: UserErrorVmNotFound']
      : ['IRIS was frozen for the snapshot and thawed after it'],
    irisLeftFrozen: false,
    missing: [],
    ...(failedJob ? {} : { frozenAt: at(night, '01:04'), thawedAt: at(night, '01:05'), freezeWindowMs: 21_000 }),
  };
  run.history = [
    { from: 'preflight', to: 'triggering', at: at(night, '01:01') },
    { from: 'triggering', to: 'backup-running', at: at(night, '01:02') },
    { from: 'backup-running', to: 'assessing', at: at(night, '01:06') },
    { from: 'assessing', to: run.stage, at: at(night, '04:00') },
  ];
  if (!failedJob && (vm + n) % DRILL_EVERY === 0) {
    const passed = pick(vm, n, 10) !== 0;
    const rtoMin = 20 + pick(vm, n, 40);
    run.drill = {
      vmName: `ibg-drill-${vm}-${n}`,
      vmId: `${target.vmId}-drill`,
      queuedAt: at(night, '02:31'),
      startedAt: at(night, '02:31'),
      restoreRequestedAt: at(night, '02:31'),
      restoreJobEnd: new Date(Date.parse(at(night, '02:31')) + (rtoMin - 8) * 60_000).toISOString(),
      vmRunningAt: new Date(Date.parse(at(night, '02:31')) + (rtoMin - 5) * 60_000).toISOString(),
      agentReadyAt: new Date(Date.parse(at(night, '02:31')) + (rtoMin - 3) * 60_000).toISOString(),
      point: { name: `rp-${vm}-${n}`, time: at(night, '01:05'), type: 'AppConsistent', tier: 'snapshot' },
      evidenceBlob: `drills/${night}/${target.vmName}.txt`,
      outcome: passed
        ? {
            verdict: 'passed',
            reason: 'IRIS started from the restored disks and every database is clean',
            notes: [],
            at: at(night, '03:30'),
          }
        : {
            verdict: 'failed',
            stage: 'integrity',
            reason: 'Integrity check found 2 globals Not OK',
            notes: [],
            at: at(night, '03:30'),
          },
      cleanup: { claimed: [], failures: 0, deletedAt: at(night, '03:45') },
    };
  }
  return run;
}

const runEntity = (run: Run): Record<string, string | number | boolean> => {
  const chunks = splitIntoChunks(JSON.stringify(run));
  if (chunks === undefined) throw new Error(`run ${run.id} too big`);
  const props: Record<string, string | number | boolean> = {
    ...toChunkProperties(chunks),
    summary: JSON.stringify(runSummaryOf(run)),
  };
  for (const [k, v] of Object.entries(runIndexOf(run))) props[`ix_${k}`] = v;
  return props;
};

const summaryEntity = (value: unknown): Record<string, string> => {
  const chunks = splitIntoChunks(JSON.stringify(value));
  if (chunks === undefined) throw new Error('record too big');
  return toChunkProperties(chunks) as Record<string, string>;
};

async function inBatches(
  client: TableClient,
  partition: string,
  rows: { rowKey: string; props: Record<string, string | number | boolean> }[],
): Promise<void> {
  for (let i = 0; i < rows.length; i += 100) {
    const actions: TableTransaction['actions'] = rows
      .slice(i, i + 100)
      .map((r) => ['upsert', { partitionKey: partition, rowKey: r.rowKey, ...r.props }, 'Replace']);
    await client.submitTransaction(actions);
  }
}

async function pool<T>(items: readonly T[], width: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < items.length) await work(items[next++] as T);
    }),
  );
}

export interface SeededHistory {
  nights: string[];
  runs: number;
  drills: number;
}

/** Writes the fleet's history into the app's tables named after `runsTable`. */
export async function seedHistory(
  connectionString: string,
  runsTable: string,
  vms: number,
  lastNight: string,
  nightCount: number,
): Promise<SeededHistory> {
  const client = (name: string): TableClient =>
    TableClient.fromConnectionString(connectionString, name, { allowInsecureConnection: true });
  const runs = client(runsTable);
  const fleet = client(`${runsTable}fleet`);
  const history = client(`${runsTable}history`);
  const alerts = client(`${runsTable}alerts`);
  for (const t of [runs, fleet, history, alerts]) await t.createTable();
  const last = Date.parse(`${lastNight}T00:00:00Z`);
  const nights = Array.from({ length: nightCount }, (_, k) =>
    new Date(last - (nightCount - 1 - k) * 86_400_000).toISOString().slice(0, 10),
  );
  const index = new Map<number, VmIndexEntry>();
  const byVm = new Map<number, RunSummary[]>();
  let drills = 0;
  await pool(nights, 4, async (night) => {
    const n = nights.indexOf(night);
    const rows = [];
    for (let vm = 0; vm < vms; vm += 1) {
      const run = historyRun(vm, night, n);
      if (run.drill !== undefined) drills += 1;
      const summary = runSummaryOf(run);
      index.set(vm, foldIntoVmIndex(index.get(vm), summary) ?? (index.get(vm) as VmIndexEntry));
      byVm.set(vm, [...(byVm.get(vm) ?? []), summary]);
      rows.push({ rowKey: run.vmKey, props: runEntity(run) });
    }
    await inBatches(runs, night, rows);
  });
  await inBatches(
    fleet,
    'vm',
    [...index.values()].map((e) => ({ rowKey: tableKeyOf(e.vmKey), props: summaryEntity(e) })),
  );
  await pool([...byVm.values()], 8, async (summaries) => {
    const first = summaries[0];
    if (first === undefined) return;
    await inBatches(
      history,
      tableKeyOf(first.vmKey),
      summaries.map((s) => ({ rowKey: historyKeyOf(s), props: summaryEntity(s) })),
    );
  });
  // One open warning on every tenth VM, as a fleet with a few known problems has.
  const states = [...index.values()]
    .filter((_, i) => i % 10 === 0)
    .map((e): AlertState => {
      const alert = {
        severity: 'warning' as const,
        code: 'PreflightUnavailable',
        message: 'The preflight check could not run',
        scope: { kind: 'vm' as const, vmId: e.vmId },
        at: `${lastNight}T02:00:00.000Z`,
        vmName: e.vmName,
      };
      return {
        dedupKey: `vm:${e.vmId.toLowerCase()}|PreflightUnavailable`,
        open: true,
        firstAt: alert.at,
        lastAt: alert.at,
        latest: latestOf(`x#${e.vmName}`, alert),
      };
    });
  await inBatches(
    alerts,
    'state',
    states.map((s) => ({ rowKey: tableKey(s.dedupKey), props: summaryEntity(s) })),
  );
  return { nights, runs: nights.length * vms, drills };
}
