import fc from 'fast-check';
import type { DrillResource, DrillResourceKind } from '../../src/shared/azure/drillResources';
import { drillResourceKindOf, inDrillGroup, mayDeleteDrillResource } from '../../src/shared/drills/cleanupGuard';
import { DRILL_TAG_MANAGED_BY, DRILL_TAG_RUN, MANAGED_BY_VALUE } from '../../src/shared/drills/drillTags';

const SUB = '00000000-0000-0000-0000-0000000000aa';
const SCOPE = { resourceGroupId: `/subscriptions/${SUB}/resourceGroups/rg-drill` };
const TAGS = { [DRILL_TAG_MANAGED_BY]: MANAGED_BY_VALUE, [DRILL_TAG_RUN]: 'run-1' };
const TYPES: Record<DrillResourceKind, string> = {
  vm: 'Microsoft.Compute/virtualMachines',
  disk: 'Microsoft.Compute/disks',
  nic: 'Microsoft.Network/networkInterfaces',
};

const idOf = (kind: DrillResourceKind, name: string, rg = 'rg-drill', sub = SUB): string =>
  `/subscriptions/${sub}/resourceGroups/${rg}/providers/${TYPES[kind]}/${name}`;
const resource = (kind: DrillResourceKind, id: string, tags: Record<string, string> = TAGS): DrillResource => ({
  kind,
  id,
  name: id.split('/').pop() ?? '',
  tags,
});

const kind = fc.constantFrom<DrillResourceKind>('vm', 'disk', 'nic');
const name = fc.stringMatching(/^[a-z][a-z0-9-]{0,20}$/);
/** The same text with each letter's case chosen at random. */
const anyCase = (text: string): fc.Arbitrary<string> =>
  fc
    .array(fc.boolean(), { minLength: text.length, maxLength: text.length })
    .map((upper) => [...text].map((c, i) => (upper[i] ? c.toUpperCase() : c.toLowerCase())).join(''));

describe('mayDeleteDrillResource', () => {
  it('allows a tagged resource of the drill resource group, whatever the case of its id', () => {
    const caseVariant = fc
      .tuple(kind, name)
      .chain(([k, n]) => fc.tuple(fc.constant(k), anyCase(idOf(k, n)), anyCase(SCOPE.resourceGroupId)));
    fc.assert(
      fc.property(caseVariant, ([k, id, scopeId]) => {
        expect(mayDeleteDrillResource(resource(k, id), { resourceGroupId: scopeId })).toEqual({ ok: true });
      }),
    );
  });

  it('refuses resource groups that only look like the drill one', () => {
    fc.assert(
      fc.property(
        kind,
        name,
        fc.constantFrom('rg-drill2', 'rg-dril', 'xrg-drill', 'rg-drill-prod', 'rg_drill', 'rg-drill.'),
        (k, n, rg) => {
          const decision = mayDeleteDrillResource(resource(k, idOf(k, n, rg)), SCOPE);
          expect(decision.ok).toBe(false);
          if (!decision.ok) expect(decision.reason).toContain(`resource group ${rg}`);
        },
      ),
    );
  });

  it('refuses ids where /resourceGroups/rg-drill/ appears inside another segment or trails', () => {
    fc.assert(
      fc.property(kind, name, (k, n) => {
        const shapes = [
          // The drill group is in the name of a sub-resource of another group's resource.
          `${idOf(k, n, 'rg-prod')}/resourceGroups/rg-drill/providers/${TYPES[k]}/${n}`,
          // A child resource: one segment pair too many.
          `${idOf(k, n)}/extensions/${n}`,
          `${idOf(k, n)}/`,
          `/subscriptions/${SUB}/resourceGroups/rg-prod/providers/${TYPES[k]}/resourceGroups/rg-drill`,
          `/subscriptions/${SUB}/resourceGroups/rg-prod/resourceGroups/rg-drill/providers/${TYPES[k]}/${n}`,
          ` ${idOf(k, n)}`,
          `https://management.azure.com${idOf(k, n)}`,
        ];
        for (const id of shapes) expect(mayDeleteDrillResource(resource(k, id), SCOPE).ok).toBe(false);
      }),
    );
  });

  it('refuses another subscription, and a resource whose id is not of its kind', () => {
    fc.assert(
      fc.property(kind, kind, name, (k, other, n) => {
        expect(mayDeleteDrillResource(resource(k, idOf(k, n, 'rg-drill', SUB.replace('aa', 'ab'))), SCOPE).ok).toBe(
          false,
        );
        expect(mayDeleteDrillResource(resource(k, idOf(other, n)), SCOPE).ok).toBe(k === other);
      }),
    );
  });

  it('refuses a resource without both tags, whatever else it carries', () => {
    const tagsWithoutBoth = fc
      .record({
        managedBy: fc.option(fc.constantFrom(MANAGED_BY_VALUE, 'Iris-Backup-Guard', 'someone-else', ''), {
          nil: undefined,
        }),
        run: fc.option(fc.constantFrom('run-7', '', '  '), { nil: undefined }),
        extra: fc.dictionary(fc.stringMatching(/^[a-z]{1,8}$/), fc.string()),
      })
      .filter((t) => !(t.managedBy === MANAGED_BY_VALUE && t.run === 'run-7'));
    fc.assert(
      fc.property(kind, name, tagsWithoutBoth, (k, n, t) => {
        const tags: Record<string, string> = { ...t.extra };
        if (t.managedBy !== undefined) tags[DRILL_TAG_MANAGED_BY] = t.managedBy;
        if (t.run !== undefined) tags[DRILL_TAG_RUN] = t.run;
        const decision = mayDeleteDrillResource(resource(k, idOf(k, n), tags), SCOPE);
        expect(decision.ok).toBe(false);
        if (!decision.ok) expect(decision.reason).toMatch(/ibg-managed-by|ibg-drill-run/);
      }),
    );
  });

  it('reads tag names case-insensitively, as Azure does', () => {
    const tags = { 'IBG-Managed-By': MANAGED_BY_VALUE, 'Ibg-Drill-Run': 'run-1' };
    expect(mayDeleteDrillResource(resource('disk', idOf('disk', 'd1'), tags), SCOPE)).toEqual({ ok: true });
  });

  it('refuses everything when the scope is not a resource group id', () => {
    const decision = mayDeleteDrillResource(resource('vm', idOf('vm', 'v')), {
      resourceGroupId: `/subscriptions/${SUB}`,
    });
    expect(decision).toEqual({ ok: false, reason: expect.stringContaining('not a resource group id') });
  });
});

describe('drillResourceKindOf and inDrillGroup', () => {
  const G = '/subscriptions/s1/resourceGroups/rg-drill';
  it('name the kind of a VM, disk or NIC id, and nothing else', () => {
    expect(drillResourceKindOf(`${G}/providers/Microsoft.Compute/virtualMachines/v`)).toBe('vm');
    expect(drillResourceKindOf(`${G}/providers/microsoft.compute/DISKS/d`)).toBe('disk');
    expect(drillResourceKindOf(`${G}/providers/Microsoft.Network/networkInterfaces/n`)).toBe('nic');
    expect(drillResourceKindOf(`${G}/providers/Microsoft.Network/virtualNetworks/v`)).toBeUndefined();
    expect(drillResourceKindOf(`${G}/providers/Microsoft.Compute/virtualMachines/v/extensions/x`)).toBeUndefined();
  });

  it('place an id in the drill group by its segments, case-insensitive, never by substring', () => {
    const scope = { resourceGroupId: G };
    expect(inDrillGroup(`/subscriptions/S1/resourceGroups/RG-DRILL/providers/Microsoft.Compute/disks/d`, scope)).toBe(
      true,
    );
    expect(inDrillGroup(`/subscriptions/s1/resourceGroups/rg-drill2/providers/Microsoft.Compute/disks/d`, scope)).toBe(
      false,
    );
    expect(inDrillGroup(`/subscriptions/s2/resourceGroups/rg-drill/providers/Microsoft.Compute/disks/d`, scope)).toBe(
      false,
    );
  });
});
