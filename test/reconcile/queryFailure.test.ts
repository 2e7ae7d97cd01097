import { AppError } from '../../src/shared/errors/appError';
import { queryFailureOf } from '../../src/shared/reconcile/queryFailure';

/** What the SDK throws for a 400 (core-client: message and code from body.error, the body kept on the response). */
const restError = (status: number, body: unknown): Error =>
  Object.assign(new Error((body as { error?: { message?: string } }).error?.message ?? 'failed'), {
    name: 'RestError',
    statusCode: status,
    response: { status, bodyAsText: JSON.stringify(body), parsedBody: body },
  });

const wrapped = (cause: Error, status: number, serviceCode?: string): AppError =>
  new AppError('AZURE_REQUEST_FAILED', {
    module: 'logAnalyticsGateway',
    message: `query workspace ws failed (HTTP ${status}): ${cause.message}`,
    cause,
    statusCode: status,
    ...(serviceCode === undefined ? {} : { serviceCode }),
  });

const SEM0100 = (table: string): unknown => ({
  error: {
    code: 'BadArgumentError',
    message: 'The request had some invalid properties',
    innererror: {
      code: 'SemanticError',
      message: 'A semantic error occurred.',
      innererror: {
        code: 'SEM0100',
        message: `'where' operator: Failed to resolve table or column expression named '${table}'`,
      },
    },
  },
});

describe('queryFailureOf', () => {
  it.each(['AddonAzureBackupJobs', 'CoreAzureBackup'])('400 SEM0100 naming %s: that table is missing', (table) => {
    expect(queryFailureOf(wrapped(restError(400, SEM0100(table)), 400, 'BadArgumentError'))).toEqual({
      kind: 'table-missing',
      table,
    });
  });

  it('the older shape, with the Kusto error nested as a JSON string', () => {
    const body = {
      error: {
        message: 'The request had some invalid properties',
        code: 'BadArgumentError',
        innererror: {
          code: 'SyntaxError',
          message: 'Syntax Error',
          information: { details: JSON.stringify(SEM0100('addonazurebackupjobs')) },
        },
      },
    };
    expect(queryFailureOf(wrapped(restError(400, body), 400))).toEqual({
      kind: 'table-missing',
      table: 'AddonAzureBackupJobs',
    });
  });

  it('a table that is not ours is an ordinary failure', () => {
    const f = queryFailureOf(wrapped(restError(400, SEM0100('SomethingElse_CL')), 400, 'BadArgumentError'));
    expect(f).toEqual({
      kind: 'failed',
      message: 'query workspace ws failed (HTTP 400): The request had some invalid properties',
      httpStatus: 400,
      serviceCode: 'BadArgumentError',
    });
  });

  it('throttling keeps its status and code', () => {
    const f = queryFailureOf(
      wrapped(restError(429, { error: { code: 'TooManyRequests', message: 'slow down' } }), 429, 'TooManyRequests'),
    );
    expect(f).toMatchObject({ kind: 'failed', httpStatus: 429, serviceCode: 'TooManyRequests' });
  });

  it('anything thrown, even not an Error', () => {
    expect(queryFailureOf('boom')).toEqual({ kind: 'failed', message: 'boom' });
  });
});
