import { redactSecrets, redactSecretsDeep } from '../../src/shared/config/redactSecrets';

describe('redactSecrets', () => {
  it.each([
    [
      'a storage account key',
      'DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=c2VjcmV0LWtleQ==;EndpointSuffix=core.windows.net',
      'DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=[redacted];EndpointSuffix=core.windows.net',
    ],
    [
      'a shared access key',
      'Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKeyName=Root;SharedAccessKey=eHl6==',
      'Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKeyName=Root;SharedAccessKey=[redacted]',
    ],
    [
      'a SAS signature (the other SAS fields stay)',
      'https://acct.table.core.windows.net/?sv=2022-11-02&se=2026-12-31T00:00:00Z&sp=r&sig=abc%2Fdef%3D',
      'https://acct.table.core.windows.net/?sv=2022-11-02&se=2026-12-31T00:00:00Z&sp=r&sig=[redacted]',
    ],
    [
      'a SAS in a connection string',
      'TableEndpoint=https://a.table.core.windows.net/;SharedAccessSignature=sv=2022&sig=abc',
      'TableEndpoint=https://a.table.core.windows.net/;SharedAccessSignature=[redacted]',
    ],
    [
      'user:password@ in a URL (the user stays)',
      'https://admin:hunter2@proxy.example.com:8443/x',
      'https://admin:[redacted]@proxy.example.com:8443/x',
    ],
    [
      'a client secret',
      'https://login.example.com/t?client_secret=abc&scope=y',
      'https://login.example.com/t?client_secret=[redacted]&scope=y',
    ],
    ['a bearer token', 'Bearer eyJhbGciOi.eyJzdWIi.c2ln', 'Bearer [redacted]'],
    [
      'a password in a connection string',
      'Server=db;User Id=u;Password=p@ss;',
      'Server=db;User Id=u;Password=[redacted];',
    ],
  ])('%s', (_case, input, expected) => {
    expect(redactSecrets(input)).toBe(expected);
  });

  it.each([
    '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.RecoveryServices/vaults/v',
    'https://acct.table.core.windows.net',
    'UseDevelopmentStorage=true',
    '0 0 1 * * *',
    'iris-backup-guard=enabled',
    'https://localhost:8443/x?api-version=2023-06-01',
  ])('leaves %j alone', (value) => {
    expect(redactSecrets(value)).toBe(value);
  });

  it('redacts every string of a nested value and keeps the others', () => {
    expect(
      redactSecretsDeep({ a: 'x;AccountKey=k1', b: ['https://u:p@h/'], c: 8, d: { e: true, f: 'sig=s' } }),
    ).toEqual({
      a: 'x;AccountKey=[redacted]',
      b: ['https://u:[redacted]@h/'],
      c: 8,
      d: { e: true, f: 'sig=[redacted]' },
    });
  });
});
