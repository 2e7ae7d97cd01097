import { signWebhookBody, verifyWebhookSignature } from '../../src/shared/alerts/webhookSignature';

const SECRET = 'test-secret-not-real';
const NOW = new Date('2026-12-03T01:04:13.000Z');
const BODY = JSON.stringify({ schema: 'iris-backup-guard/alert@1', id: '2026-12-03/iris-prod-04#1' });

describe('webhook signature', () => {
  const header = signWebhookBody(BODY, SECRET, NOW);

  it('has the form t=<unix seconds>,v1=<64 hex>', () => {
    expect(header).toMatch(new RegExp(`^t=${Math.floor(NOW.getTime() / 1000)},v1=[0-9a-f]{64}$`));
  });

  it('verifies the body it signed', () => {
    expect(verifyWebhookSignature({ body: BODY, header, secret: SECRET, now: NOW })).toEqual({ valid: true });
  });

  it.each([
    ['a tampered body', { body: BODY.replace('#1', '#2') }],
    ['another secret', { secret: 'other-secret-not-real' }],
    ['a stale timestamp', { now: new Date(NOW.getTime() + 301_000) }],
    ['no header', { header: undefined }],
    ['a garbled header', { header: 't=abc,v1=xyz' }],
  ])('refuses %s', (_, change) => {
    const result = verifyWebhookSignature({ body: BODY, header, secret: SECRET, now: NOW, ...change });
    expect(result.valid).toBe(false);
  });

  it('refuses a signature copied onto another timestamp', () => {
    const v1 = header.split(',v1=')[1] ?? '';
    const moved = `t=${Math.floor(NOW.getTime() / 1000) + 10},v1=${v1}`;
    expect(verifyWebhookSignature({ body: BODY, header: moved, secret: SECRET, now: NOW }).valid).toBe(false);
  });
});
