import type { ServingQualifier, ServingResponse, ServingResult } from '@modelserving/contracts';

/** `source` of results the collector makes itself (errors, deadlines). */
export const COLLECTOR_SOURCE = 'speculative-collector';

/** A failure result made by the collector. */
export function errorResult(code: number, message: string, model = ''): ServingResult {
  return {
    processed: false,
    model,
    source: COLLECTOR_SOURCE,
    outputs: {},
    tensors: [],
    error: message,
    errorCode: code,
    duration: 0,
  };
}

// Shared, never mutated: the encoder only reads them.
const TIMED_OUT: ServingQualifier = { key: 'timedOut', value: 'true' };
const IN_TIME: ServingQualifier = { key: 'timedOut', value: 'false' };
const DECIDER_QUALIFIERS = new Map<string, ServingQualifier>();

function deciderQualifier(name: string): ServingQualifier {
  let q = DECIDER_QUALIFIERS.get(name);
  if (q === undefined) {
    q = { key: 'decider', value: name };
    // Names come from routers; bound the cache so odd names cannot grow it forever.
    if (DECIDER_QUALIFIERS.size < 64) DECIDER_QUALIFIERS.set(name, q);
  }
  return q;
}

// `models` qualifiers ("answered/expected") for the usual small fan-outs, built once.
const SMALL_FANOUT = 16;
const MODELS_QUALIFIERS: ServingQualifier[][] = [];

function modelsQualifier(answered: number, expected: number): ServingQualifier {
  if (expected > SMALL_FANOUT || answered > expected || answered < 0)
    return { key: 'models', value: `${answered}/${expected}` };
  let row = MODELS_QUALIFIERS[expected];
  if (row === undefined) {
    row = [];
    for (let a = 0; a <= expected; a++) row.push({ key: 'models', value: `${a}/${expected}` });
    MODELS_QUALIFIERS[expected] = row;
  }
  return row[answered]!;
}

/**
 * The response for one speculative request: the chosen (or error) result, the confidence, and the
 * qualifiers `decider`, `models` ("answered/expected") and `timedOut`, plus `votes` for voting deciders.
 */
export function decisionResponse(
  guid: string,
  result: ServingResult,
  confidence: number | undefined,
  decider: string,
  answered: number,
  expected: number,
  timedOut: boolean,
  votes?: number,
): ServingResponse {
  const qualifiers: ServingQualifier[] = [
    deciderQualifier(decider),
    modelsQualifier(answered, expected),
    timedOut ? TIMED_OUT : IN_TIME,
  ];
  if (votes !== undefined) qualifiers.push({ key: 'votes', value: String(votes) });
  const response: ServingResponse = { guid, result, qualifiers };
  if (confidence !== undefined) response.confidence = confidence;
  return response;
}
