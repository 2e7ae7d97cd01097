// The Function App and what it runs on: user-assigned identity, storage with shared keys off, Application Insights,
// the Flex Consumption plan, the app settings, the intake action group and the alert rule on the ALERT lines.
param environmentName string
param location string
param tags object
param suffix string
param builtInRoles object
param vaultIds array
param enrollTag string
param enrollVmIds string
param nightlySchedule string
param advanceSchedule string
param reconcileSchedule string
param logAnalyticsWorkspaceCustomerId string
@secure()
param alertIntakeKey string
param settingOverrides object
@secure()
param alertTargetSettings object
param alertEventGridTopicEndpoint string
param drillEnabled bool
param drillResourceGroupId string
param drillSubnetId string
param drillStagingStorageAccountId string
@description('Action groups that page people when the app logs an ALERT line.')
param alertRuleActionGroupIds array = []

var evidenceContainer = 'ibg-evidence'
var deploymentContainer = 'app-package'

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: 'id-${environmentName}'
  location: location
  tags: tags
}

// Holds the host's state, the deployment package, the runs tables and the evidence; reached with the identity only.
resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' = {
  name: 'st${suffix}'
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: {
    name: 'Standard_LRS'
  }
  properties: {
    allowSharedKeyAccess: false
    allowBlobPublicAccess: false
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    defaultToOAuthAuthentication: true
  }
}

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2023-05-01' = {
  parent: storage
  name: 'default'
}

resource packageContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = {
  parent: blobService
  name: deploymentContainer
}

resource evidence 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = {
  parent: blobService
  name: evidenceContainer
}

resource workspace 'Microsoft.OperationalInsights/workspaces@2023-09-01' = {
  name: 'log-${environmentName}'
  location: location
  tags: tags
  properties: {
    sku: {
      name: 'PerGB2018'
    }
    retentionInDays: 30
  }
}

resource appInsights 'Microsoft.Insights/components@2020-02-02' = {
  name: 'appi-${environmentName}'
  location: location
  tags: tags
  kind: 'web'
  properties: {
    Application_Type: 'web'
    WorkspaceResourceId: workspace.id
  }
}

resource plan 'Microsoft.Web/serverfarms@2024-04-01' = {
  name: 'plan-${environmentName}'
  location: location
  tags: tags
  kind: 'functionapp'
  sku: {
    name: 'FC1'
    tier: 'FlexConsumption'
  }
  properties: {
    reserved: true
  }
}

// Catalogue defaults (src/shared/config/settingsCatalogue.ts); settingOverrides replaces any of them.
var tuningDefaults = {
  IBG_NIGHT_TIME_ZONE: 'UTC'
  IBG_RECOVERY_POINT_RETENTION_DAYS: '30'
  IBG_MAX_CONCURRENCY: '8'
  IBG_RUN_COMMAND_TIMEOUT_SECONDS: '120'
  IBG_RUN_COMMANDS_PER_SUBSCRIPTION: '100'
  IBG_LIMIT_PREFLIGHT_MINUTES: '15'
  IBG_LIMIT_BACKUP_MINUTES: '1440'
  IBG_LIMIT_ASSESS_MINUTES: '30'
  IBG_DRILL_SCHEDULE: 'every'
  IBG_DRILL_MAX_CONCURRENT: '5'
  IBG_DRILL_KEEP_HOURS: '0'
  IBG_DRILL_VERIFY_TIMEOUT_MINUTES: '60'
  IBG_DRILL_IRIS_START_MINUTES: '10'
  IBG_DRILL_OLDER_POINT_EVERY: '0'
  IBG_DRILL_STALE_DAYS: '8'
  IBG_LIMIT_RESTORE_MINUTES: '360'
  IBG_LIMIT_VERIFY_MINUTES: '120'
  IBG_LIMIT_CLEANUP_MINUTES: '60'
  IBG_SKIP_BACKUP_ON_BLOCKING_FINDINGS: 'false'
  IBG_ALERT_MIN_SEVERITY: 'warning'
  IBG_ALERT_RENOTIFY_MINUTES: '360'
  IBG_AUTO_THAW: 'false'
  IBG_RPO_TARGET_HOURS: '26'
  IBG_RTO_TARGET_MINUTES: '240'
  IBG_API_AUTH: 'function-key'
  IBG_RUNS_TABLE_NAME: 'ibgruns'
  AZURE_ARM_ENDPOINT: 'https://management.azure.com'
  AZURE_LOGS_ENDPOINT: ''
  IBG_POLL_INTERVAL_MS: '5000'
}

// Notification targets: empty is unset; alertTargetSettings sets them (values or Key Vault references).
var alertTargetDefaults = {
  IBG_ALERT_WEBHOOK_URL: ''
  IBG_ALERT_WEBHOOK_SECRET: ''
  IBG_ALERT_WEBHOOK_MIN_SEVERITY: ''
  IBG_ALERT_TEAMS_WEBHOOK_URL: ''
  IBG_ALERT_TEAMS_MIN_SEVERITY: ''
  IBG_ALERT_SLACK_WEBHOOK_URL: ''
  IBG_ALERT_SLACK_MIN_SEVERITY: ''
  IBG_ALERT_EVENTGRID_TOPIC_KEY: ''
  IBG_ALERT_EVENTGRID_MIN_SEVERITY: ''
}

// Derived from the deployment; not overridable.
var deploymentSettings = {
  AzureWebJobsStorage__accountName: storage.name
  AzureWebJobsStorage__credential: 'managedidentity'
  AzureWebJobsStorage__clientId: identity.properties.clientId
  AZURE_CLIENT_ID: identity.properties.clientId
  APPLICATIONINSIGHTS_CONNECTION_STRING: appInsights.properties.ConnectionString
  IBG_VAULT_IDS: join(vaultIds, ',')
  IBG_ENROLL_TAG: enrollTag
  IBG_ENROLL_VM_IDS: enrollVmIds
  IBG_NIGHTLY_SCHEDULE: nightlySchedule
  IBG_ADVANCE_SCHEDULE: advanceSchedule
  IBG_RECONCILE_SCHEDULE: reconcileSchedule
  IBG_LOG_ANALYTICS_WORKSPACE_ID: logAnalyticsWorkspaceCustomerId
  IBG_ALERT_INTAKE_KEYS: alertIntakeKey
  IBG_ALERT_EVENTGRID_TOPIC_ENDPOINT: alertEventGridTopicEndpoint
  IBG_RUNS_TABLE_ENDPOINT: storage.properties.primaryEndpoints.table
  IBG_EVIDENCE_CONTAINER_URL: '${storage.properties.primaryEndpoints.blob}${evidenceContainer}'
  IBG_DRILL_ENABLED: drillEnabled ? 'true' : 'false'
  IBG_DRILL_RESOURCE_GROUP_ID: drillResourceGroupId
  IBG_DRILL_SUBNET_ID: drillSubnetId
  IBG_DRILL_STAGING_STORAGE_ACCOUNT_ID: drillStagingStorageAccountId
}

var appSettings = union(tuningDefaults, settingOverrides, alertTargetDefaults, alertTargetSettings, deploymentSettings)

resource functionApp 'Microsoft.Web/sites@2024-04-01' = {
  name: 'func-${environmentName}-${suffix}'
  location: location
  tags: union(tags, { 'azd-service-name': 'api' })
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identity.id}': {}
    }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    siteConfig: {
      minTlsVersion: '1.2'
      appSettings: [for setting in items(appSettings): {
        name: setting.key
        value: setting.value
      }]
    }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${storage.properties.primaryEndpoints.blob}${deploymentContainer}'
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identity.id
          }
        }
      }
      scaleAndConcurrency: {
        maximumInstanceCount: 40
        instanceMemoryMB: 2048
      }
      runtime: {
        name: 'node'
        version: '20'
      }
    }
  }
  dependsOn: [packageContainer, hostStorageOwner]
}

// The host's leases and timers' state, and the deployment package (identity-based AzureWebJobsStorage).
resource hostStorageOwner 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storage.id, identity.id, builtInRoles['Storage Blob Data Owner'])
  scope: storage
  properties: {
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', builtInRoles['Storage Blob Data Owner'])
  }
}

// The runs table and the tables beside it (alerts, leases, events, fleet, history, drills).
resource runsTables 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storage.id, identity.id, builtInRoles['Storage Table Data Contributor'])
  scope: storage
  properties: {
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', builtInRoles['Storage Table Data Contributor'])
  }
}

// The evidence blobs and the user delegation key that signs their short-lived upload URLs.
resource evidenceWriter 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storage.id, identity.id, builtInRoles['Storage Blob Data Contributor'])
  scope: storage
  properties: {
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', builtInRoles['Storage Blob Data Contributor'])
  }
}

// Azure Backup's alerts go to the intake endpoint, in the common alert schema.
resource intakeActionGroup 'Microsoft.Insights/actionGroups@2023-01-01' = {
  name: 'ag-${environmentName}-intake'
  location: 'Global'
  tags: tags
  properties: {
    groupShortName: 'ibg-intake'
    enabled: true
    webhookReceivers: [
      {
        name: 'iris-backup-guard-intake'
        serviceUri: 'https://${functionApp.properties.defaultHostName}/api/alerts/intake?code=${alertIntakeKey}'
        useCommonAlertSchema: true
      }
    ]
  }
}

// Attaches the action group to the built-in Azure Backup alerts of the vaults.
resource backupAlertsToIntake 'Microsoft.AlertsManagement/actionRules@2021-08-08' = {
  name: 'apr-${environmentName}-backup-alerts'
  location: 'Global'
  tags: tags
  properties: {
    enabled: true
    scopes: vaultIds
    conditions: [
      {
        field: 'MonitorService'
        operator: 'Equals'
        values: ['Azure Backup']
      }
    ]
    actions: [
      {
        actionType: 'AddActionGroups'
        actionGroupIds: [intakeActionGroup.id]
      }
    ]
  }
}

// One alert per kind of ALERT line (README: "A log alert rule on the ALERT lines").
resource alertLinesRule 'Microsoft.Insights/scheduledQueryRules@2023-03-15-preview' = {
  name: 'alr-${environmentName}-alert-lines'
  location: location
  tags: tags
  properties: {
    displayName: 'IRIS Backup Guard ALERT lines'
    severity: 1
    enabled: true
    scopes: [appInsights.id]
    evaluationFrequency: 'PT5M'
    windowSize: 'PT5M'
    criteria: {
      allOf: [
        {
          query: 'traces | where message startswith "ALERT " | extend AlertSeverity = extract(@"^ALERT (critical|error|warning|info) ([A-Za-z0-9]+): ", 1, message), AlertCode = extract(@"^ALERT (critical|error|warning|info) ([A-Za-z0-9]+): ", 2, message) | where isnotempty(AlertCode)'
          timeAggregation: 'Count'
          operator: 'GreaterThan'
          threshold: 0
          dimensions: [
            {
              name: 'AlertSeverity'
              operator: 'Include'
              values: ['*']
            }
            {
              name: 'AlertCode'
              operator: 'Include'
              values: ['*']
            }
          ]
          failingPeriods: {
            numberOfEvaluationPeriods: 1
            minFailingPeriodsToAlert: 1
          }
        }
      ]
    }
    actions: {
      actionGroups: alertRuleActionGroupIds
    }
  }
}

output principalId string = identity.properties.principalId
output functionAppId string = functionApp.id
output functionAppName string = functionApp.name
