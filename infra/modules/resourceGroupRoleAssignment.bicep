// Assigns roles to the app's identity on the resource group this module is deployed to.
param principalId string
param roleDefinitionIds array

resource assignments 'Microsoft.Authorization/roleAssignments@2022-04-01' = [for id in roleDefinitionIds: {
  name: guid(resourceGroup().id, principalId, id)
  properties: {
    principalId: principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: id
  }
}]
