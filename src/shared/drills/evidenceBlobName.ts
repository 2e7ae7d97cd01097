/**
 * The blob that keeps a verifier's whole output: one per drill VM and Run Command, so an attempt never appends to
 * another's. Blob names allow '/', which gives the container a night/VM layout an auditor can browse.
 */
export const evidenceBlobName = (night: string, drillVmName: string, scriptName: string): string =>
  `drills/${night}/${drillVmName}/${scriptName}.log`;
