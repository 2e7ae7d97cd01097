// The ARM events of the subscription (Event Grid system topic), delivered to the azureEvents function.
param environmentName string
param functionAppId string

resource armTopic 'Microsoft.EventGrid/systemTopics@2022-06-15' = {
  name: 'evgt-${environmentName}-arm'
  location: 'global'
  properties: {
    source: subscription().id
    topicType: 'Microsoft.Resources.Subscriptions'
  }
}

resource toAzureEvents 'Microsoft.EventGrid/systemTopics/eventSubscriptions@2022-06-15' = {
  parent: armTopic
  name: 'iris-backup-guard'
  properties: {
    destination: {
      endpointType: 'AzureFunction'
      properties: {
        resourceId: '${functionAppId}/functions/azureEvents'
        maxEventsPerBatch: 1
      }
    }
    filter: {
      includedEventTypes: [
        'Microsoft.Resources.ResourceWriteSuccess'
        'Microsoft.Resources.ResourceDeleteSuccess'
        'Microsoft.Resources.ResourceActionSuccess'
        'Microsoft.Resources.ResourceActionFailure'
      ]
    }
    eventDeliverySchema: 'EventGridSchema'
  }
}
