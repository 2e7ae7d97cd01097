// IRIS Backup Guard: everything `azd up` deploys. Subscription scope, so that the app's resource group, the custom
// roles and their assignments on the vaults, the IRIS VMs' groups and the drill group come from one template.
// Kept plain on purpose (no compiler can run in CI): test/infra/ reads it with regular expressions.
targetScope = 'subscription'

@minLength(1)
@maxLength(40)
@description('azd environment name; names the resource group and the resources.')
param environmentName string

@description('Region of the app and its resources.')
param location string

@description('IBG_VAULT_IDS: comma-separated ARM ids of the Recovery Services vaults.')
param vaultIdList string

@description('Comma-separated ARM ids of the resource groups that hold the IRIS VMs: Run Command is granted there only.')
param vmResourceGroupIdList string

@description('IBG_ENROLL_TAG, `name=value`; empty to enrol by id only. With a tag, Reader on the subscription lists VMs.')
param enrollTag string = 'iris-backup-guard=enabled'

@description('IBG_ENROLL_VM_IDS, comma-separated VM ids.')
param enrollVmIds string = ''

@description('IBG_NIGHTLY_SCHEDULE, 6-field NCRONTAB in UTC.')
param nightlySchedule string = '0 0 1 * * *'

@description('IBG_ADVANCE_SCHEDULE, 6-field NCRONTAB in UTC.')
param advanceSchedule string = '0 */5 * * * *'

@description('IBG_RECONCILE_SCHEDULE, 6-field NCRONTAB in UTC (read only with a Log Analytics workspace).')
param reconcileSchedule string = '0 0 9 * * *'

@description('ARM id of the Log Analytics workspace the vaults send their diagnostics to; empty: no daily reconcile.')
param vaultDiagnosticsWorkspaceId string = ''

@description('Customer id (GUID) of that workspace: IBG_LOG_ANALYTICS_WORKSPACE_ID.')
param vaultDiagnosticsWorkspaceCustomerId string = ''

@secure()
@description('IBG_ALERT_INTAKE_KEYS: the key the action group sends (e.g. `openssl rand -hex 32`).')
param alertIntakeKey string

@description('Tuning settings (IBG_ names, string values) that replace the defaults in modules/app.bicep.')
param settingOverrides object = {}

@secure()
@description('Notification settings (IBG_ALERT_* URLs and keys), as values or Key Vault references.')
param alertTargetSettings object = {}

@description('ARM id of a Key Vault that alertTargetSettings reference; empty: none.')
param keyVaultId string = ''

@description('ARM id of an Event Grid custom topic for alerts (IBG_ALERT_EVENTGRID_TOPIC_ENDPOINT); empty: none.')
param alertEventGridTopicId string = ''

@description('Action groups that page people when the app logs an ALERT line; empty: the rule only records.')
param alertRuleActionGroupIds array = []

@description('Subscribe azureEvents to the ARM events of the subscription. False on the first `azd up`: the function must exist before Event Grid can validate it.')
param subscribeArmEvents bool = false

@description('Create the drill resource group, its isolated network and staging account, and the drill role.')
param deployDrills bool = false

@description('Name of the drill resource group (a group of its own, never a production one).')
param drillResourceGroupName string = 'rg-${environmentName}-drills'

@description('Address space of the drill virtual network; must not overlap production (it is never peered anyway).')
param drillAddressPrefix string = '10.250.0.0/24'

var vaultIds = map(split(vaultIdList, ','), id => trim(id))
var vmResourceGroupIds = map(split(vmResourceGroupIdList, ','), id => trim(id))
var suffix = uniqueString(subscription().id, environmentName)
var tags = { 'azd-env-name': environmentName }
var operatorRole = loadJsonContent('roles/iris-backup-guard-operator.json')
var drillRole = loadJsonContent('roles/iris-backup-guard-drill.json')
var drillResourceGroupId = '${subscription().id}/resourceGroups/${drillResourceGroupName}'
var vaultResourceGroupIds = map(vaultIds, id => join(take(split(id, '/'), 5), '/'))

// Built-in roles by name; test/infra/infraConsistency.test.ts checks each is in the README's permissions table.
var builtInRoles = {
  'Reader': 'acdd72a7-3385-48ef-bd42-f606fba81ae7'
  'Storage Blob Data Owner': 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b'
  'Storage Blob Data Contributor': 'ba92f5b4-2d11-453d-a403-e96b0029c9fe'
  'Storage Table Data Contributor': '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3'
  'Log Analytics Reader': '73c42c96-874c-492b-b04d-ab87d138a893'
  'EventGrid Data Sender': 'd5a91429-5739-47e2-a06b-3470a27159e7'
  'Key Vault Secrets User': '4633458b-17de-408a-b874-0445c86b69e6'
}

resource appGroup 'Microsoft.Resources/resourceGroups@2024-03-01' = {
  name: 'rg-${environmentName}'
  location: location
  tags: tags
}

resource drillGroup 'Microsoft.Resources/resourceGroups@2024-03-01' = if (deployDrills) {
  name: drillResourceGroupName
  location: location
  tags: tags
}

// The custom roles: assignable only where they are assigned.
resource operatorRoleDefinition 'Microsoft.Authorization/roleDefinitions@2022-04-01' = {
  name: guid(subscription().id, environmentName, operatorRole.Name)
  properties: {
    roleName: '${operatorRole.Name} (${environmentName})'
    description: operatorRole.Description
    type: 'CustomRole'
    permissions: [
      {
        actions: operatorRole.Actions
        notActions: operatorRole.NotActions
      }
    ]
    assignableScopes: union(vaultResourceGroupIds, vmResourceGroupIds, deployDrills ? [drillResourceGroupId] : [])
  }
}

resource drillRoleDefinition 'Microsoft.Authorization/roleDefinitions@2022-04-01' = if (deployDrills) {
  name: guid(subscription().id, environmentName, drillRole.Name)
  properties: {
    roleName: '${drillRole.Name} (${environmentName})'
    description: drillRole.Description
    type: 'CustomRole'
    permissions: [
      {
        actions: drillRole.Actions
        notActions: drillRole.NotActions
      }
    ]
    assignableScopes: [drillResourceGroupId]
  }
}

module drill 'modules/drill.bicep' = if (deployDrills) {
  name: 'drill'
  scope: resourceGroup(drillResourceGroupName)
  dependsOn: [drillGroup]
  params: {
    location: location
    tags: tags
    suffix: suffix
    addressPrefix: drillAddressPrefix
  }
}

module app 'modules/app.bicep' = {
  name: 'app'
  scope: appGroup
  params: {
    environmentName: environmentName
    location: location
    tags: tags
    suffix: suffix
    builtInRoles: builtInRoles
    vaultIds: vaultIds
    enrollTag: enrollTag
    enrollVmIds: enrollVmIds
    nightlySchedule: nightlySchedule
    advanceSchedule: advanceSchedule
    reconcileSchedule: reconcileSchedule
    logAnalyticsWorkspaceCustomerId: vaultDiagnosticsWorkspaceCustomerId
    alertIntakeKey: alertIntakeKey
    settingOverrides: settingOverrides
    alertTargetSettings: alertTargetSettings
    alertEventGridTopicEndpoint: empty(alertEventGridTopicId) ? '' : reference(alertEventGridTopicId, '2022-06-15').endpoint
    alertRuleActionGroupIds: alertRuleActionGroupIds
    drillEnabled: deployDrills
    drillResourceGroupId: deployDrills ? drillResourceGroupId : ''
    drillSubnetId: deployDrills ? drill.outputs.subnetId : ''
    drillStagingStorageAccountId: deployDrills ? drill.outputs.stagingStorageAccountId : ''
  }
}

// Operator role on each vault itself (not its group): list items, trigger backups and restores, read jobs.
module vaultAssignments 'modules/vaultRoleAssignment.bicep' = [for (id, i) in vaultIds: {
  name: 'vault-role-${i}'
  scope: resourceGroup(split(id, '/')[2], split(id, '/')[4])
  params: {
    vaultName: last(split(id, '/'))
    principalId: app.outputs.principalId
    roleDefinitionId: operatorRoleDefinition.id
  }
}]

// Operator role on the IRIS VMs' groups: read the VMs and run the probe and freeze/thaw scripts.
module vmAssignments 'modules/resourceGroupRoleAssignment.bicep' = [for (id, i) in vmResourceGroupIds: {
  name: 'vm-role-${i}'
  scope: resourceGroup(split(id, '/')[2], split(id, '/')[4])
  params: {
    principalId: app.outputs.principalId
    roleDefinitionIds: [operatorRoleDefinition.id]
  }
}]

// The drill group is the only scope of the drill role: VM, disk and NIC create and delete happen there only.
module drillAssignments 'modules/resourceGroupRoleAssignment.bicep' = if (deployDrills) {
  name: 'drill-roles'
  scope: resourceGroup(drillResourceGroupName)
  dependsOn: [drillGroup]
  params: {
    principalId: app.outputs.principalId
    roleDefinitionIds: [operatorRoleDefinition.id, drillRoleDefinition.id]
  }
}

// Enrolment by tag lists every VM of the subscription (virtualMachines/read at subscription scope).
resource tagReader 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(enrollTag)) {
  name: guid(subscription().id, environmentName, 'Reader')
  properties: {
    principalId: app.outputs.principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', builtInRoles['Reader'])
  }
}

// The daily reconcile queries the vaults' diagnostics workspace.
module workspaceAssignment 'modules/resourceGroupRoleAssignment.bicep' = if (!empty(vaultDiagnosticsWorkspaceId)) {
  name: 'workspace-role'
  scope: resourceGroup(split(vaultDiagnosticsWorkspaceId, '/')[4])
  params: {
    principalId: app.outputs.principalId
    roleDefinitionIds: [subscriptionResourceId('Microsoft.Authorization/roleDefinitions', builtInRoles['Log Analytics Reader'])]
  }
}

// Alerts published to a custom topic with the app's identity (no topic key).
module topicAssignment 'modules/resourceGroupRoleAssignment.bicep' = if (!empty(alertEventGridTopicId)) {
  name: 'topic-role'
  scope: resourceGroup(split(alertEventGridTopicId, '/')[4])
  params: {
    principalId: app.outputs.principalId
    roleDefinitionIds: [subscriptionResourceId('Microsoft.Authorization/roleDefinitions', builtInRoles['EventGrid Data Sender'])]
  }
}

// The platform resolves the Key Vault references of alertTargetSettings with the app's identity.
module keyVaultAssignment 'modules/resourceGroupRoleAssignment.bicep' = if (!empty(keyVaultId)) {
  name: 'key-vault-role'
  scope: resourceGroup(split(keyVaultId, '/')[4])
  params: {
    principalId: app.outputs.principalId
    roleDefinitionIds: [subscriptionResourceId('Microsoft.Authorization/roleDefinitions', builtInRoles['Key Vault Secrets User'])]
  }
}

module events 'modules/armEvents.bicep' = if (subscribeArmEvents) {
  name: 'arm-events'
  scope: appGroup
  params: {
    environmentName: environmentName
    functionAppId: app.outputs.functionAppId
  }
}

output AZURE_LOCATION string = location
output AZURE_RESOURCE_GROUP string = appGroup.name
output AZURE_FUNCTION_APP_NAME string = app.outputs.functionAppName
output IBG_DRILL_RESOURCE_GROUP_ID string = deployDrills ? drillResourceGroupId : ''
