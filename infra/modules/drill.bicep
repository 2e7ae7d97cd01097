// The drill resource group's fixtures: an isolated virtual network for the restored VMs and the staging account the
// restore copies disks through. Isolated: no peering resource anywhere, no route table or gateway, inbound denied,
// outbound only HTTPS to the service tags Run Command and the VM agent use.
param location string
param tags object
param suffix string
param addressPrefix string

resource drillNsg 'Microsoft.Network/networkSecurityGroups@2024-01-01' = {
  name: 'nsg-drill'
  location: location
  tags: tags
  properties: {
    securityRules: [
      {
        name: 'deny-inbound-internet'
        properties: {
          priority: 100
          direction: 'Inbound'
          access: 'Deny'
          protocol: '*'
          sourceAddressPrefix: 'Internet'
          sourcePortRange: '*'
          destinationAddressPrefix: '*'
          destinationPortRange: '*'
        }
      }
      {
        name: 'deny-inbound-virtual-network'
        properties: {
          priority: 110
          direction: 'Inbound'
          access: 'Deny'
          protocol: '*'
          sourceAddressPrefix: 'VirtualNetwork'
          sourcePortRange: '*'
          destinationAddressPrefix: '*'
          destinationPortRange: '*'
        }
      }
      {
        // Run Command's script, status and output, and the VM agent's extension downloads.
        name: 'allow-outbound-storage-https'
        properties: {
          priority: 100
          direction: 'Outbound'
          access: 'Allow'
          protocol: 'Tcp'
          sourceAddressPrefix: 'VirtualNetwork'
          sourcePortRange: '*'
          destinationAddressPrefix: 'Storage'
          destinationPortRange: '443'
        }
      }
      {
        // The VM agent's control plane endpoints (Azure public addresses only, never a private production range).
        name: 'allow-outbound-azurecloud-https'
        properties: {
          priority: 110
          direction: 'Outbound'
          access: 'Allow'
          protocol: 'Tcp'
          sourceAddressPrefix: 'VirtualNetwork'
          sourcePortRange: '*'
          destinationAddressPrefix: 'AzureCloud'
          destinationPortRange: '443'
        }
      }
      {
        // Overrides the default AllowVnetOutBound and AllowInternetOutBound.
        name: 'deny-outbound-all'
        properties: {
          priority: 4000
          direction: 'Outbound'
          access: 'Deny'
          protocol: '*'
          sourceAddressPrefix: '*'
          sourcePortRange: '*'
          destinationAddressPrefix: '*'
          destinationPortRange: '*'
        }
      }
    ]
  }
}

resource drillVnet 'Microsoft.Network/virtualNetworks@2024-01-01' = {
  name: 'vnet-drill'
  location: location
  tags: tags
  properties: {
    addressSpace: {
      addressPrefixes: [addressPrefix]
    }
    subnets: [
      {
        name: 'drill'
        properties: {
          addressPrefix: addressPrefix
          networkSecurityGroup: {
            id: drillNsg.id
          }
        }
      }
    ]
  }
}

// Standard LRS: Azure refuses zone-redundant accounts for a VM restore.
resource staging 'Microsoft.Storage/storageAccounts@2023-05-01' = {
  name: 'stdrill${suffix}'
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: {
    name: 'Standard_LRS'
  }
  properties: {
    minimumTlsVersion: 'TLS1_2'
    allowBlobPublicAccess: false
    supportsHttpsTrafficOnly: true
  }
}

output subnetId string = '${drillVnet.id}/subnets/drill'
output stagingStorageAccountId string = staging.id
