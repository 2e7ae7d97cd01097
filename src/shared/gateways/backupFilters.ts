/**
 * OData `$filter` strings for Backup job and recovery point listing, built as in the service's own examples:
 * `startTime eq '2016-01-01 12:00:00 AM' and endTime eq '…' and operation eq 'Backup' and
 * backupManagementType eq 'AzureIaasVM' and status eq 'InProgress'`. Times are UTC on a 12-hour clock
 * (.NET "yyyy-MM-dd hh:mm:ss tt").
 */
import type { JobFilter } from '../azure/backupGateway';

const pad = (n: number): string => String(n).padStart(2, '0');

export const formatFilterDate = (date: Date): string => {
  const hour = date.getUTCHours();
  const hour12 = hour % 12 === 0 ? 12 : hour % 12;
  const meridiem = hour < 12 ? 'AM' : 'PM';
  return (
    `${date.getUTCFullYear()}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())} ` +
    `${pad(hour12)}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} ${meridiem}`
  );
};

// Values end up inside single quotes; OData escapes a quote by doubling it.
const literal = (value: string): string => `'${value.replace(/'/g, "''")}'`;

export const buildJobFilter = (filter: JobFilter): string => {
  const parts = [
    `startTime eq ${literal(formatFilterDate(filter.startTime))}`,
    // The format has whole seconds: the end is rounded up, or a job that started in the query's own second is missed.
    `endTime eq ${literal(formatFilterDate(new Date(Math.ceil(filter.endTime.getTime() / 1000) * 1000)))}`,
  ];
  if (filter.operation !== undefined) parts.push(`operation eq ${literal(filter.operation)}`);
  parts.push(`backupManagementType eq 'AzureIaasVM'`);
  if (filter.status !== undefined) parts.push(`status eq ${literal(filter.status)}`);
  return parts.join(' and ');
};

export const buildRecoveryPointFilter = (range: { startDate?: Date; endDate?: Date }): string | undefined => {
  const parts: string[] = [];
  if (range.startDate !== undefined) parts.push(`startDate eq ${literal(formatFilterDate(range.startDate))}`);
  if (range.endDate !== undefined) parts.push(`endDate eq ${literal(formatFilterDate(range.endDate))}`);
  return parts.length === 0 ? undefined : parts.join(' and ');
};

export const PROTECTED_VM_FILTER = "backupManagementType eq 'AzureIaasVM' and itemType eq 'VM'";
