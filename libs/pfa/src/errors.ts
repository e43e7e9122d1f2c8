/**
 * PFA distinguishes build-time (semantic) errors from runtime errors; runtime errors raised by library
 * functions carry the numeric codes of the specification (libfcns.xml), user `error` forms carry the
 * document's own code, and the per-call budget has its own error so callers can tell a runaway loop
 * from a data problem.
 */
export class PfaSemanticError extends Error {
  override readonly name = 'PfaSemanticError';
}

export class PfaRuntimeError extends Error {
  override readonly name = 'PfaRuntimeError';
  constructor(
    readonly code: number,
    message: string,
    readonly fcnName?: string,
  ) {
    super(fcnName ? `${fcnName}: ${message} (code ${code})` : `${message} (code ${code})`);
  }
}

/** Raised by `{"error": ...}`; `code` is the optional `code` of the form. */
export class PfaUserError extends Error {
  override readonly name = 'PfaUserError';
  constructor(
    message: string,
    readonly code?: number,
  ) {
    super(message);
  }
}

/** The per-call budget ran out (runaway loop or recursion). */
export class PfaTimeoutError extends Error {
  override readonly name = 'PfaTimeoutError';
}

export function rtError(code: number, message: string, fcnName?: string): PfaRuntimeError {
  return new PfaRuntimeError(code, message, fcnName);
}
