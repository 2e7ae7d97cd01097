/**
 * infra/, local.settings.sample.json, azure.yaml and the README agree: every app setting, resource and role
 * assignment the design needs is deployed and documented. No Bicep compiler can run here, so the templates are
 * kept plain and read with regular expressions.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SETTINGS_CATALOGUE, type SettingDescription } from '../../src/shared/config/settingsCatalogue';
import { ARM_SDKS, gatewaySources, ROOT } from './armCalls';

const catalogueEntries: readonly SettingDescription[] = SETTINGS_CATALOGUE;
const read = (path: string): string => readFileSync(join(ROOT, path), 'utf8');
const bicepFiles = (dir = 'infra'): string[] =>
  readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? bicepFiles(`${dir}/${e.name}`) : e.name.endsWith('.bicep') ? [`${dir}/${e.name}`] : [],
  );
const allBicep = bicepFiles()
  .map((f) => read(f))
  .join('\n');
const main = read('infra/main.bicep');
const app = read('infra/modules/app.bicep');
const readme = read('README.md');
const section = (heading: string): string => {
  const start = readme.indexOf(`\n## ${heading}\n`);
  if (start < 0) throw new Error(`README has no section "## ${heading}"`);
  const end = readme.indexOf('\n## ', start + 1);
  return readme.slice(start, end < 0 ? undefined : end);
};
const deploySection = section('Deploy to Azure');

/** The body of a `var <name> = { ... }` object in plain Bicep (closing brace at column 0). */
const bicepObject = (text: string, name: string): Map<string, string> => {
  const m = new RegExp(`^var ${name} = \\{\\n([\\s\\S]*?)\\n\\}`, 'm').exec(text);
  if (m?.[1] === undefined) throw new Error(`no var ${name} object`);
  const entries = new Map<string, string>();
  for (const line of m[1].matchAll(/^\s+'?([A-Za-z_][A-Za-z0-9_ ]*)'?: (.+)$/gm)) {
    if (line[1] !== undefined && line[2] !== undefined) entries.set(line[1], line[2].trim());
  }
  return entries;
};

const tuning = bicepObject(app, 'tuningDefaults');
const alertTargets = bicepObject(app, 'alertTargetDefaults');
const derived = bicepObject(app, 'deploymentSettings');
const bicepSettings = new Set([...tuning.keys(), ...alertTargets.keys(), ...derived.keys()]);

/** Catalogue settings the deployment leaves unset on purpose. */
const NOT_DEPLOYED: Record<string, string> = {
  IBG_RUNS_TABLE_CONNECTION_STRING:
    'shared keys are off on the storage account; the app reaches the tables with its identity (IBG_RUNS_TABLE_ENDPOINT)',
};

/** Settings of the platform (Functions host, Azure Identity, Application Insights), not of the app's catalogue. */
const PLATFORM_SETTINGS = [
  'AZURE_CLIENT_ID',
  'AzureWebJobsStorage__accountName',
  'AzureWebJobsStorage__credential',
  'AzureWebJobsStorage__clientId',
  'APPLICATIONINSIGHTS_CONNECTION_STRING',
];

describe('app settings', () => {
  const catalogue = SETTINGS_CATALOGUE.map((s) => s.name);
  const sample = Object.keys(
    (JSON.parse(read('local.settings.sample.json')) as { Values: Record<string, string> }).Values,
  );

  it('deploys every catalogue setting, or says why not', () => {
    const missing = catalogue.filter((name) => !bicepSettings.has(name) && NOT_DEPLOYED[name] === undefined);
    expect(missing).toEqual([]);
    expect(Object.keys(NOT_DEPLOYED).filter((name) => bicepSettings.has(name))).toEqual([]);
  });

  it('deploys nothing that is neither in the catalogue nor a platform setting', () => {
    const known = new Set([...catalogue, ...PLATFORM_SETTINGS]);
    expect([...bicepSettings].filter((name) => !known.has(name))).toEqual([]);
    expect(PLATFORM_SETTINGS.filter((name) => !derived.has(name))).toEqual([]);
  });

  it('deploys the catalogue default of every tuning setting', () => {
    const wrong = [...tuning].flatMap(([name, value]) => {
      const expected = `'${catalogueEntries.find((s) => s.name === name)?.default ?? ''}'`;
      return value === expected ? [] : [`${name}: ${value}, catalogue ${expected}`];
    });
    expect(wrong).toEqual([]);
  });

  it('keeps secrets out of the plain tuning overrides', () => {
    const secrets = SETTINGS_CATALOGUE.filter((s) => s.secret).map((s) => s.name);
    expect(secrets.filter((name) => tuning.has(name))).toEqual([]);
    expect(main).toMatch(/@secure\(\)\n@description\([^\n]*\)\nparam alertIntakeKey string/);
    expect(main).toMatch(/@secure\(\)\n@description\([^\n]*\)\nparam alertTargetSettings object/);
  });

  it('lists every catalogue setting in local.settings.sample.json and the README table', () => {
    expect(catalogue.filter((name) => !sample.includes(name))).toEqual([]);
    expect(catalogue.filter((name) => !readme.includes(`\n| \`${name}\` |`))).toEqual([]);
  });

  it('documents the platform settings and the excluded ones in "Deploy to Azure"', () => {
    const undocumented = [...PLATFORM_SETTINGS, ...Object.keys(NOT_DEPLOYED)].filter(
      (name) => !deploySection.includes(`\`${name}\``),
    );
    expect(undocumented).toEqual([]);
  });

  it('passes the timer schedules the functions bind to', () => {
    const functions = readdirSync(join(ROOT, 'src/functions')).map((f) => read(`src/functions/${f}`));
    const bound = functions.flatMap((text) => [...text.matchAll(/scheduleBinding\('([A-Z_]+)'\)/g)].map((m) => m[1]));
    expect(bound.length).toBeGreaterThan(0);
    expect(bound.filter((name) => name === undefined || !derived.has(name))).toEqual([]);
  });
});

describe('resources', () => {
  const types = new Set([...allBicep.matchAll(/^resource \w+ '([^'@]+)@[^']+'/gm)].map((m) => m[1]));

  it.each([
    'Microsoft.Web/sites',
    'Microsoft.Web/serverfarms',
    'Microsoft.Storage/storageAccounts',
    'Microsoft.Insights/components',
    'Microsoft.OperationalInsights/workspaces',
    'Microsoft.ManagedIdentity/userAssignedIdentities',
    'Microsoft.Authorization/roleDefinitions',
    'Microsoft.Authorization/roleAssignments',
    'Microsoft.EventGrid/systemTopics',
    'Microsoft.EventGrid/systemTopics/eventSubscriptions',
    'Microsoft.Insights/actionGroups',
    'Microsoft.AlertsManagement/actionRules',
    'Microsoft.Insights/scheduledQueryRules',
    'Microsoft.Network/virtualNetworks',
    'Microsoft.Network/networkSecurityGroups',
  ])('declares %s', (type) => {
    expect(types).toContain(type);
  });

  it('runs on Flex Consumption, Linux, Node 20, with identity-based host storage and shared keys off', () => {
    expect(app).toMatch(/kind: 'functionapp,linux'/);
    expect(app).toMatch(/tier: 'FlexConsumption'/);
    expect(app).toMatch(/runtime: \{\s*name: 'node'\s*version: '20'/);
    expect(app).toMatch(/allowSharedKeyAccess: false/);
    expect(derived.get('AzureWebJobsStorage__credential')).toBe("'managedidentity'");
    expect(app).toMatch(/type: 'UserAssigned'/);
  });

  it('delivers ARM events to the azureEvents function the app registers', () => {
    expect(read('src/functions/azureEvents.ts')).toMatch(/app\.eventGrid<unknown>\('azureEvents'/);
    expect(allBicep).toMatch(/endpointType: 'AzureFunction'[\s\S]*?\/functions\/azureEvents'/);
    expect(allBicep).toMatch(/topicType: 'Microsoft\.Resources\.Subscriptions'/);
  });

  it('sends Azure Backup alerts to the intake route in the common alert schema', () => {
    const route = /route: '([^']+)'/.exec(read('src/functions/alertIntake.ts'))?.[1];
    expect(route).toBe('alerts/intake');
    expect(app).toContain(`serviceUri: 'https://\${functionApp.properties.defaultHostName}/api/${route}?code=\${`);
    expect(app).toMatch(/useCommonAlertSchema: true/);
    expect(app).toMatch(/values: \['Azure Backup'\]/);
  });

  it('alerts on the ALERT lines the README documents', () => {
    expect(app).toMatch(/query: 'traces \| where message startswith "ALERT "/);
    expect(section('Notifications')).toContain('traces | where message startswith "ALERT');
  });

  it('isolates the drill network: no peering, route or gateway, inbound denied, outbound to service tags only', () => {
    expect(allBicep).not.toMatch(/virtualNetworkPeerings|routeTables|virtualNetworkGateways|remoteVirtualNetwork/);
    const drill = read('infra/modules/drill.bicep');
    const rules = [...drill.matchAll(/access: '(Allow|Deny)'[\s\S]*?destinationAddressPrefix: '([^']+)'/g)];
    const allowed = rules.filter((r) => r[1] === 'Allow').map((r) => r[2]);
    expect(allowed.sort()).toEqual(['AzureCloud', 'Storage']);
    expect(drill).toMatch(/direction: 'Inbound'\s*access: 'Deny'\s*protocol: '\*'\s*sourceAddressPrefix: 'Internet'/);
    expect(drill).toMatch(
      /direction: 'Inbound'\s*access: 'Deny'\s*protocol: '\*'\s*sourceAddressPrefix: 'VirtualNetwork'/,
    );
    expect(drill).toMatch(/direction: 'Outbound'\s*access: 'Deny'\s*protocol: '\*'\s*sourceAddressPrefix: '\*'/);
  });
});

describe('roles', () => {
  const roleFiles = readdirSync(join(ROOT, 'infra/roles')).filter((f) => f.endsWith('.json'));
  const roles = roleFiles.map((file) => ({
    file,
    ...(JSON.parse(read(`infra/roles/${file}`)) as { Name: string; Actions: string[] }),
  }));
  const builtIn = bicepObject(main, 'builtInRoles');
  const referenced = new Set([...allBicep.matchAll(/builtInRoles\['([^']+)'\]/g)].map((m) => m[1]));
  const permissions = deploySection;

  it('loads every custom role from its JSON file', () => {
    expect(roleFiles.length).toBeGreaterThan(0);
    for (const { file } of roles) expect(main).toContain(`loadJsonContent('roles/${file}')`);
  });

  it('assigns the drill role at the drill resource group only', () => {
    expect(main).toMatch(/assignableScopes: \[drillResourceGroupId\]/);
    const uses = [...main.matchAll(/drillRoleDefinition\.id/g)];
    expect(uses).toHaveLength(1);
    const block = /^module drillAssignments [^\n]*\n([\s\S]*?)\n\}/m.exec(main)?.[1] ?? '';
    expect(block).toContain('scope: resourceGroup(drillResourceGroupName)');
    expect(block).toContain('drillRoleDefinition.id');
  });

  it('assigns only built-in roles it names, each documented with its reason', () => {
    expect(referenced.size).toBeGreaterThan(0);
    expect([...referenced].filter((name) => name === undefined || !builtIn.has(name))).toEqual([]);
    expect([...builtIn.keys()].filter((name) => !referenced.has(name))).toEqual([]);
    const undocumented = [...referenced].filter(
      (name) => !new RegExp(`\\n\\| ${name} \\| [^|]+ \\| [^|]{10,} \\|`).test(permissions),
    );
    expect(undocumented).toEqual([]);
  });

  it('documents every custom role and each of its actions', () => {
    for (const role of roles) {
      expect(permissions).toContain(role.Name);
      expect(role.Actions.filter((a) => !permissions.includes(`\`${a}\``))).toEqual([]);
    }
    const documented = new Set([...permissions.matchAll(/`(Microsoft\.[A-Za-z]+\/[A-Za-z/]+)`/g)].map((m) => m[1]));
    const granted = new Set(roles.flatMap((r) => r.Actions));
    expect([...documented].filter((a) => a !== undefined && !granted.has(a) && a.split('/').length > 2)).toEqual([]);
  });

  it('assigns the data-plane role of every data client the gateways build', () => {
    const DATA_CLIENT_ROLES: Record<string, string> = {
      TableClient: 'Storage Table Data Contributor',
      BlobServiceClient: 'Storage Blob Data Contributor',
      LogsQueryClient: 'Log Analytics Reader',
      EventGridPublisherClient: 'EventGrid Data Sender',
    };
    const armClients = new Set(ARM_SDKS.map((s) => s.client));
    const clients = new Set(
      gatewaySources().flatMap(([, text]) =>
        [...text.matchAll(/\b(?:new ([A-Z]\w*Client)\(|([A-Z]\w*Client)\.from\w+\()/g)].map((m) => m[1] ?? m[2]),
      ),
    );
    const dataClients = [...clients].filter((c): c is string => c !== undefined && !armClients.has(c));
    expect(dataClients.filter((c) => DATA_CLIENT_ROLES[c] === undefined)).toEqual([]);
    const missing = dataClients.map((c) => DATA_CLIENT_ROLES[c]).filter((r) => r !== undefined && !referenced.has(r));
    expect(missing).toEqual([]);
  });
});

describe('azure.yaml', () => {
  const yaml = read('azure.yaml');

  it('provisions infra/main.bicep and deploys the app as a Node function', () => {
    expect(yaml).toMatch(/^infra:\n {2}provider: bicep\n {2}path: infra\n {2}module: main$/m);
    expect(read('infra/main.bicep')).toMatch(/^targetScope = 'subscription'$/m);
    expect(yaml).toMatch(/^ {2}api:\n {4}project: \.\n {4}language: js\n {4}host: function$/m);
    expect(app).toMatch(/'azd-service-name': 'api'/);
  });

  it('gives every required parameter of main.bicep a value in main.parameters.json', () => {
    const params = Object.keys(
      (JSON.parse(read('infra/main.parameters.json')) as { parameters: Record<string, unknown> }).parameters,
    );
    const required = [...main.matchAll(/^param (\w+) \w+$/gm)].map((m) => m[1]);
    expect(required.filter((p) => p !== undefined && !params.includes(p))).toEqual([]);
    const declared = new Set([...main.matchAll(/^param (\w+) /gm)].map((m) => m[1]));
    expect(params.filter((p) => !declared.has(p))).toEqual([]);
  });
});
