import { COMMANDS, GLOBAL_OPTIONS, type CommandName, type OptionSpec } from './command-specs';

function optionLines(options: Readonly<Record<string, OptionSpec>>): string[] {
  const rows = Object.entries(options).map(
    ([name, o]) => [`  --${name}${o.value ? ` ${o.value}` : ''}`, o.help] as const,
  );
  const width = Math.max(0, ...rows.map(([l]) => l.length)) + 2;
  return rows.map(([l, h]) => l.padEnd(width) + h);
}

/** `modelserving --help`: every command with its summary. */
export function generalHelp(): string {
  const names = Object.keys(COMMANDS) as CommandName[];
  const width = Math.max(...names.map((n) => n.length)) + 4;
  return [
    'usage: modelserving <command> [options]',
    '',
    'commands:',
    ...names.map((n) => `  ${n.padEnd(width)}${COMMANDS[n].summary}`),
    '',
    'global options:',
    ...optionLines(GLOBAL_OPTIONS),
    '',
    "run 'modelserving help <command>' for a command's options",
    '',
  ].join('\n');
}

export function commandHelp(name: CommandName): string {
  const spec = COMMANDS[name];
  const examples: readonly string[] = 'examples' in spec ? spec.examples : [];
  const lines = [`usage: modelserving ${spec.usage}`, '', spec.summary, ''];
  if (Object.keys(spec.options).length > 0) lines.push('options:', ...optionLines(spec.options), '');
  // A command's own option wins over a global one of the same name (predict's --json is the record).
  const globals = Object.fromEntries(Object.entries(GLOBAL_OPTIONS).filter(([n]) => !(n in spec.options)));
  lines.push('global options:', ...optionLines(globals), '');
  if (examples.length > 0) lines.push('examples:', ...examples.map((e) => `  modelserving ${e}`), '');
  return lines.join('\n');
}
