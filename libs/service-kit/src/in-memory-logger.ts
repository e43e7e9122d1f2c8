import type { LogFields, Logger, LogLevel } from './logger';

export interface LogEntry {
  readonly level: Exclude<LogLevel, 'silent'>;
  readonly msg: string;
  readonly fields: LogFields;
}

const RANK = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 } as const;

/** Test double: keeps every event in memory (children share the parent's list). */
export class InMemoryLogger implements Logger {
  readonly entries: LogEntry[];

  constructor(
    private readonly level: LogLevel = 'debug',
    private readonly bindings: LogFields = {},
    entries: LogEntry[] = [],
  ) {
    this.entries = entries;
  }

  debug(msg: string, fields?: LogFields): void {
    this.log('debug', msg, fields);
  }
  info(msg: string, fields?: LogFields): void {
    this.log('info', msg, fields);
  }
  warn(msg: string, fields?: LogFields): void {
    this.log('warn', msg, fields);
  }
  error(msg: string, fields?: LogFields): void {
    this.log('error', msg, fields);
  }

  child(bindings: LogFields): Logger {
    return new InMemoryLogger(this.level, { ...this.bindings, ...bindings }, this.entries);
  }

  isLevelEnabled(level: Exclude<LogLevel, 'silent'>): boolean {
    return RANK[level] >= RANK[this.level];
  }

  /** Messages (optionally of one level) in order. */
  messages(level?: LogEntry['level']): string[] {
    return this.entries.filter((e) => level === undefined || e.level === level).map((e) => e.msg);
  }

  clear(): void {
    this.entries.length = 0;
  }

  private log(level: LogEntry['level'], msg: string, fields?: LogFields): void {
    if (!this.isLevelEnabled(level)) return;
    this.entries.push({ level, msg, fields: { ...this.bindings, ...fields } });
  }
}
