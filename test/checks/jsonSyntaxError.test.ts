/** Line and column of a JSON syntax error, counted the way Python's json module counts them. */
import { describeJsonSyntaxError } from '../../src/shared/checks/jsonSyntaxError';

const errorOf = (text: string): unknown => {
  try {
    JSON.parse(text);
  } catch (e) {
    return e;
  }
  throw new Error('the text parsed');
};
const describe_ = (text: string) => describeJsonSyntaxError(text, errorOf(text));

it.each([
  // A missing comma between two keys: Python says "Expecting ',' delimiter: line 3 column 3 (char 32)".
  ['{\n  "preScriptLocation": 1\n  "postScriptLocation": 2\n}', 3, 3],
  // A trailing comma: Python says "Expecting property name enclosed in double quotes: line 1 column 33 (char 32)".
  ['{ "preScriptLocation": "/x.sh", }', 1, 33],
  // Cut short: the error is at the end of the input.
  ['{\n  "a":', 2, 7],
  ['{"a": 1}}', 1, 9],
])('%j: line %i, column %i', (text, line, column) => {
  const e = describe_(text);
  expect([e.line, e.column]).toEqual([line, column]);
  expect(e.reason).not.toMatch(/position/);
  expect(e.reason).not.toBe('');
});
