/** An ARM-format error the emulator answers with: `{"error":{"code","message"}}` and an HTTP status. */
export class ArmError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'ArmError';
  }

  body(): { error: { code: string; message: string } } {
    return { error: { code: this.code, message: this.message } };
  }
}

export const notFound = (what: string): ArmError => new ArmError(404, 'ResourceNotFound', `${what} was not found.`);

export const badRequest = (message: string, code = 'BadRequest'): ArmError => new ArmError(400, code, message);

export const conflict = (message: string): ArmError => new ArmError(409, 'Conflict', message);
