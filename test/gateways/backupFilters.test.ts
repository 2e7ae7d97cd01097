import { buildJobFilter, buildRecoveryPointFilter, formatFilterDate } from '../../src/shared/gateways/backupFilters';
import { lastPathSegment } from '../../src/shared/gateways/wireValues';

describe('backup OData filters', () => {
  it.each([
    ['2024-01-01T00:00:00Z', '2024-01-01 12:00:00 AM'],
    ['2024-01-01T00:30:05Z', '2024-01-01 12:30:05 AM'],
    ['2024-01-01T11:59:59Z', '2024-01-01 11:59:59 AM'],
    ['2024-01-01T12:00:00Z', '2024-01-01 12:00:00 PM'],
    ['2024-12-31T13:30:00.999Z', '2024-12-31 01:30:00 PM'],
    ['2024-03-10T23:00:00+02:00', '2024-03-10 09:00:00 PM'],
  ])('formats %s as %s (UTC, 12-hour clock)', (iso, text) => expect(formatFilterDate(new Date(iso))).toBe(text));

  it('builds the job filter in the order of the spec example', () => {
    expect(
      buildJobFilter({
        startTime: new Date('2016-01-01T00:00:00Z'),
        endTime: new Date('2017-11-29T00:00:00Z'),
        operation: 'Backup',
        status: 'InProgress',
      }),
    ).toBe(
      "startTime eq '2016-01-01 12:00:00 AM' and endTime eq '2017-11-29 12:00:00 AM' and operation eq 'Backup' and backupManagementType eq 'AzureIaasVM' and status eq 'InProgress'",
    );
  });

  it('leaves out what the filter does not ask for and escapes quotes', () => {
    expect(
      buildJobFilter({
        startTime: new Date('2024-01-01T13:00:00Z'),
        endTime: new Date('2024-01-02T01:00:00Z'),
        status: "x'y",
      }),
    ).toBe(
      "startTime eq '2024-01-01 01:00:00 PM' and endTime eq '2024-01-02 01:00:00 AM' and backupManagementType eq 'AzureIaasVM' and status eq 'x''y'",
    );
  });

  it.each([
    [{}, undefined],
    [{ startDate: new Date('2024-01-01T00:00:00Z') }, "startDate eq '2024-01-01 12:00:00 AM'"],
    [
      { startDate: new Date('2024-01-01T00:00:00Z'), endDate: new Date('2024-01-03T00:00:00Z') },
      "startDate eq '2024-01-01 12:00:00 AM' and endDate eq '2024-01-03 12:00:00 AM'",
    ],
  ])('recovery point filter %#', (range, expected) => expect(buildRecoveryPointFilter(range)).toBe(expected));
});

describe('lastPathSegment (operation id from Azure-AsyncOperation/Location)', () => {
  it.each([
    ['https://h/x/protectedItems/VM;a;b/operationsStatus/op-1?api-version=2023-06-01', 'op-1'],
    ['https://h/x/operationResults/0a1b2c3d-0000-0000-0000-000000000000', '0a1b2c3d-0000-0000-0000-000000000000'],
    ['https://h/x/operationResults/op%201/?a=b#frag', 'op 1'],
    ['https://h/', 'h'],
    ['', undefined],
  ])('%j → %j', (url, id) => expect(lastPathSegment(url)).toBe(id));
});

describe('buildJobFilter end time', () => {
  it('rounds the end up to the whole second, so a job that started in the query’s own second is listed', () => {
    const f = buildJobFilter({
      startTime: new Date('2026-12-03T23:59:30.400Z'),
      endTime: new Date('2026-12-04T00:59:30.222Z'),
    });
    expect(f).toContain("startTime eq '2026-12-03 11:59:30 PM'");
    expect(f).toContain("endTime eq '2026-12-04 12:59:31 AM'");
    expect(buildJobFilter({ startTime: new Date(0), endTime: new Date('2026-12-04T00:59:30.000Z') })).toContain(
      "endTime eq '2026-12-04 12:59:30 AM'",
    );
  });
});
