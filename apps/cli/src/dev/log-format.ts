import { prettyFactory } from 'pino-pretty';

export type LineFormatter = (line: string) => string;

/**
 * Turns the services' JSON log lines into one readable line each (`[17:31:00.123] WARN: msg {fields}`);
 * anything that is not a JSON log line passes unchanged. The prefix (which child) is added by the caller,
 * so service and instance are left out here.
 */
export function readableLogLines(color: boolean): LineFormatter {
  const pretty = prettyFactory({
    colorize: color,
    singleLine: true,
    translateTime: 'HH:MM:ss.l',
    ignore: 'service,instance,pid,hostname',
    messageKey: 'msg',
  });
  return (line) => {
    if (!line.startsWith('{')) return line;
    try {
      return pretty(line).replace(/\n$/, '');
    } catch {
      return line;
    }
  };
}
