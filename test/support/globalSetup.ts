import * as fs from 'node:fs';

/** The sandbox's certificate must be trusted before Node starts; `npm test` arranges it. */
export default function globalSetup(): void {
  const ca = process.env.NODE_EXTRA_CA_CERTS;
  if (!ca || !fs.existsSync(ca)) {
    throw new Error(
      'NODE_EXTRA_CA_CERTS does not point at the sandbox certificate. Run the tests with `npm test` ' +
        '(it creates .sandbox/tls/cert.pem and sets the variable), not with `npx jest` directly.',
    );
  }
}
