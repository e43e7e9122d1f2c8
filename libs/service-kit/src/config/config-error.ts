import { Code, ServingError } from '@modelserving/model-core';

/**
 * A setting that cannot be used. The message names the setting as the user wrote it (the environment
 * variable, or the option key for in-process callers) and what is accepted. INVALID_ARGUMENT, so a
 * service that fails to start reports it like any other bad input.
 */
export class ConfigError extends ServingError {
  readonly setting: string;

  constructor(setting: string, message: string) {
    super(Code.INVALID_ARGUMENT, `${setting} ${message}`);
    this.setting = setting;
  }
}

/** How much of a rejected value an error quotes: enough to recognise it, never a whole file. */
export function quote(raw: unknown): string {
  const s = typeof raw === 'string' ? raw : String(raw);
  let clean = '';
  for (const ch of s.slice(0, 65)) {
    const c = ch.codePointAt(0)!;
    clean += c < 0x20 || c === 0x7f ? '?' : ch;
  }
  return clean.length > 64 ? `'${clean.slice(0, 64)}…'` : `'${clean}'`;
}
