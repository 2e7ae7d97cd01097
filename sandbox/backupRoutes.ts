/** Recovery Services routes (api-version 2023-06-01): protected items, backup, operations, jobs, recovery points, restore. */
import { ArmError, badRequest } from './armError';
import { type ArmRequest, type ArmResponse, type Route, json, page } from './armRouter';
import { jobJson, operationStatusJson, protectedItemJson, recoveryPointJson } from './backupResources';
import type { BackupOperation, BackupService, JobRecord, ProtectedItemRecord } from './backupService';
import type { SandboxClock } from './clock';
import { parseEqFilter, parseFilterDate } from './odataFilter';

const VAULT = '/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.RecoveryServices/vaults/{vault}';
const ITEM = `${VAULT}/backupFabrics/{fabric}/protectionContainers/{container}/protectedItems/{item}`;

export function backupRoutes(backup: BackupService, clock: SandboxClock, pageSize: number): Route[] {
  const vaultOf = (p: Record<string, string>) => backup.vault(p.sub ?? '', p.rg ?? '', p.vault ?? '');
  const itemOf = (p: Record<string, string>): ProtectedItemRecord =>
    backup.protectedItem(vaultOf(p), p.fabric ?? '', p.container ?? '', p.item ?? '');
  const opUrls = (req: ArmRequest, opId: string): Record<string, string> => {
    const base = `${req.baseUrl}${req.path.replace(/\/(backup|recoveryPoints\/[^/]+\/restore)$/i, '')}`;
    const v = `api-version=${req.query.get('api-version') ?? '2023-06-01'}`;
    return {
      Location: `${base}/operationResults/${opId}?${v}`,
      'Azure-AsyncOperation': `${base}/operationsStatus/${opId}?${v}`,
      'Retry-After': '0',
    };
  };
  const jobBody = (job: JobRecord, detailed: boolean) => jobJson(job, backup.view(job), clock.nowMs(), detailed);

  return [
    {
      name: 'rsv.protectedItems.list',
      method: 'GET',
      template: `${VAULT}/backupProtectedItems`,
      handler: (req, p) => {
        const vault = vaultOf(p);
        const filter = parseEqFilter(req.query.get('$filter') ?? undefined, [
          'backupManagementType',
          'itemType',
          'policyName',
          'containerName',
        ]);
        if (!filter.ok) throw badRequest(filter.message, 'BMSUserErrorInvalidFilter');
        const bmt = filter.clauses.get('backupManagementType');
        const itemType = filter.clauses.get('itemType');
        const matches =
          (bmt === undefined || bmt.toLowerCase() === 'azureiaasvm') &&
          (itemType === undefined || itemType.toLowerCase() === 'vm');
        const items = matches
          ? backup.protectedItems(vault).map((it) => protectedItemJson(it, backup.pointsOf(it)[0]))
          : [];
        return json(200, page(req, items, pageSize));
      },
    },
    {
      name: 'rsv.protectedItems.get',
      method: 'GET',
      template: ITEM,
      handler: (_req, p) => {
        const item = itemOf(p);
        return json(200, protectedItemJson(item, backup.pointsOf(item)[0]));
      },
    },
    {
      name: 'rsv.backup.trigger',
      method: 'POST',
      template: `${ITEM}/backup`,
      handler: (req, p) => {
        const item = itemOf(p);
        const props = (
          req.body as { properties?: { objectType?: unknown; recoveryPointExpiryTimeInUTC?: unknown } } | null
        )?.properties;
        if (props?.objectType !== 'IaasVMBackupRequest') {
          throw badRequest(
            "The request body must be {properties:{objectType:'IaasVMBackupRequest'}}.",
            'BMSUserErrorInvalidInput',
          );
        }
        const expiry = props.recoveryPointExpiryTimeInUTC;
        if (expiry !== undefined && (typeof expiry !== 'string' || Number.isNaN(Date.parse(expiry)))) {
          throw badRequest('recoveryPointExpiryTimeInUTC must be a date-time.', 'BMSUserErrorInvalidInput');
        }
        const op = backup.triggerBackup(item);
        return { status: 202, headers: opUrls(req, op.id) };
      },
    },
    {
      name: 'rsv.operationsStatus.get',
      method: 'GET',
      template: `${ITEM}/operationsStatus/{op}`,
      handler: (_req, p) => {
        itemOf(p);
        const op = backup.operation(p.op ?? '');
        op.polls += 1;
        const done = operationDone(op);
        return json(200, operationStatusJson(op, done, clock.now().toISOString()), done ? {} : { 'Retry-After': '0' });
      },
    },
    {
      name: 'rsv.operationResults.get',
      method: 'GET',
      template: `${ITEM}/operationResults/{op}`,
      handler: (req, p) => {
        itemOf(p);
        const op = backup.operation(p.op ?? '');
        if (operationDone(op)) return { status: 204 };
        const headers = opUrls(req, op.id);
        return { status: 202, headers: { Location: headers.Location ?? '', 'Retry-After': '0' } };
      },
    },
    {
      name: 'rsv.jobs.list',
      method: 'GET',
      template: `${VAULT}/backupJobs`,
      handler: (req, p) => {
        const vault = vaultOf(p);
        const jobs = filterJobs(backup, backup.jobsOf(vault), req.query.get('$filter') ?? undefined);
        return json(
          200,
          page(
            req,
            jobs.map((job) => jobBody(job, false)),
            pageSize,
          ),
        );
      },
    },
    {
      name: 'rsv.jobs.get',
      method: 'GET',
      template: `${VAULT}/backupJobs/{job}`,
      handler: (_req, p) => json(200, jobBody(backup.job(vaultOf(p), p.job ?? ''), true)),
    },
    {
      name: 'rsv.recoveryPoints.list',
      method: 'GET',
      template: `${ITEM}/recoveryPoints`,
      handler: (req, p) => {
        const item = itemOf(p);
        const filter = parseEqFilter(req.query.get('$filter') ?? undefined, [
          'startDate',
          'endDate',
          'restorePointQueryType',
        ]);
        if (!filter.ok) throw badRequest(filter.message, 'BMSUserErrorInvalidFilter');
        const bound = (field: string): number | undefined => {
          const text = filter.clauses.get(field);
          if (text === undefined) return undefined;
          const ms = parseFilterDate(text);
          if (ms === undefined) throw badRequest(`Invalid ${field} '${text}' in $filter.`, 'BMSUserErrorInvalidFilter');
          return ms;
        };
        const start = bound('startDate');
        const end = bound('endDate');
        const points = backup
          .pointsOf(item)
          .filter((rp) => (start === undefined || rp.timeMs >= start) && (end === undefined || rp.timeMs <= end));
        return json(
          200,
          page(
            req,
            points.map((rp) => recoveryPointJson(item, rp)),
            pageSize,
          ),
        );
      },
    },
    {
      name: 'rsv.recoveryPoints.get',
      method: 'GET',
      template: `${ITEM}/recoveryPoints/{rp}`,
      handler: (_req, p) => {
        const item = itemOf(p);
        const rp = backup.pointsOf(item).find((r) => r.name.toLowerCase() === (p.rp ?? '').toLowerCase());
        if (!rp)
          throw new ArmError(404, 'BMSUserErrorRecoveryPointNotFound', `Recovery point '${p.rp ?? ''}' was not found.`);
        return json(200, recoveryPointJson(item, rp));
      },
    },
    {
      name: 'rsv.restore.trigger',
      method: 'POST',
      template: `${ITEM}/recoveryPoints/{rp}/restore`,
      handler: (req, p): ArmResponse => {
        const op = backup.triggerRestore(itemOf(p), p.rp ?? '', req.body);
        return { status: 202, headers: opUrls(req, op.id) };
      },
    },
  ];
}

/** Restores answer InProgress on the first status poll (as Azure's examples show); backups are done at once. */
const operationDone = (op: BackupOperation): boolean => op.inProgressPolls === 0 || op.polls > op.inProgressPolls;

const JOB_FILTER_FIELDS = ['operation', 'status', 'startTime', 'endTime', 'backupManagementType', 'jobId'] as const;

/** The job filter: startTime/endTime bound the job's start; the others compare case-insensitively. */
export function filterJobs(backup: BackupService, jobs: JobRecord[], filterText: string | undefined): JobRecord[] {
  const filter = parseEqFilter(filterText, JOB_FILTER_FIELDS);
  if (!filter.ok) throw badRequest(filter.message, 'BMSUserErrorInvalidFilter');
  const c = filter.clauses;
  const date = (field: string): number | undefined => {
    const text = c.get(field);
    if (text === undefined) return undefined;
    const ms = parseFilterDate(text);
    if (ms === undefined)
      throw badRequest(
        `Invalid ${field} '${text}' in $filter; use 'yyyy-MM-dd hh:mm:ss AM'.`,
        'BMSUserErrorInvalidFilter',
      );
    return ms;
  };
  const start = date('startTime');
  const end = date('endTime');
  const eq = (a: string | undefined, b: string): boolean => a === undefined || a.toLowerCase() === b.toLowerCase();
  return jobs.filter(
    (j) =>
      eq(c.get('operation'), j.operation) &&
      eq(c.get('status'), backup.view(j).status) &&
      eq(c.get('backupManagementType'), 'AzureIaasVM') &&
      eq(c.get('jobId'), j.id) &&
      (start === undefined || j.startMs >= start) &&
      (end === undefined || j.startMs <= end),
  );
}
