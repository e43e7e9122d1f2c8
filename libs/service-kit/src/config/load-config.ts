import { ConfigError } from './config-error';
import type { ConfigOf, OptionsOf, Settings } from './setting';

/**
 * Options → defaults → one validated config. Every value, given or default, passes its setting's check;
 * an error names the option key (in-process callers) or, through `loadConfig`, the environment variable.
 */
export function resolveConfig<S extends Settings>(
  settings: S,
  options: OptionsOf<S> = {},
  label: (key: string, env: string) => string = (key) => key,
): ConfigOf<S> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(settings)) {
    const s = settings[key]!;
    const given = (options as Record<string, unknown>)[key];
    const value = given === undefined ? s.default : given;
    out[key] = value === undefined ? undefined : s.check(value, label(key, s.env));
  }
  return out as ConfigOf<S>;
}

/**
 * Reads each setting's environment variable (empty or blank counts as unset), then resolves as above.
 * Variables of other services are ignored, so one environment can serve every process.
 */
export function loadConfig<S extends Settings>(
  settings: S,
  env: NodeJS.ProcessEnv = process.env,
): ConfigOf<S> {
  const options: Record<string, unknown> = {};
  for (const key of Object.keys(settings)) {
    const s = settings[key]!;
    const raw = env[s.env];
    if (raw === undefined || raw.trim() === '') continue;
    options[key] = s.parse(raw.trim(), s.env);
  }
  return resolveConfig(settings, options as OptionsOf<S>, (_key, envName) => envName);
}

/** Throws a ConfigError for `label` unless `ok`. For checks across settings (after resolveConfig). */
export function ensure(ok: boolean, label: string, message: string): void {
  if (!ok) throw new ConfigError(label, message);
}
