/**
 * Reads a number given as text (a flag or an environment variable), or `undefined` when it is
 * not given.
 *
 * @throws Error naming the setting when the text is not a finite number.
 */
export function readNumber(setting: string, text: string | undefined): number | undefined {
  if (text === undefined || text.trim() === '') return undefined;

  const value = Number(text);
  if (!Number.isFinite(value)) {
    throw new Error(`${setting} must be a number; received ${JSON.stringify(text)}.`);
  }
  return value;
}
