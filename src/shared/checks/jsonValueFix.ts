import { shellWord } from './shellWord';

/**
 * A pasteable GNU sed command that sets one top-level key of the JSON config to a literal (replacing a scalar, a
 * string or a flat array). `-z` reads the file as one line, so an array spread over lines is replaced whole.
 * `literal` comes from us, never from the VM.
 */
export function setJsonValueFix(path: string, key: string, literal: string): string {
  return `sudo sed -z -i -E 's/("${key}"[[:space:]]*:)[[:space:]]*(\\[[^]]*\\]|"[^"]*"|[^,}]*)/\\1 ${literal}/' ${shellWord(path)}`;
}

/** A pasteable GNU sed command that adds a key right after the opening brace of the JSON config. */
export function addJsonValueFix(path: string, key: string, literal: string): string {
  return `sudo sed -i '0,/{/s//{ "${key}": ${literal},/' ${shellWord(path)}`;
}
