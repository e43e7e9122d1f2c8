import { invalidArgument, type ServingError } from '@modelserving/model-core';
import type { XmlElement } from './xml/xml-parser';

/** Where an element was (what compiled structures keep instead of the element itself). */
export type ElementRef = Pick<XmlElement, 'name' | 'line'>;

/**
 * A build-time error about one element: `PMML: <TreeModel> at line 12: ...`. Every problem found while
 * compiling a document goes through here so messages always say where to look.
 */
export function pmmlError(el: ElementRef, message: string, cause?: unknown): ServingError {
  return invalidArgument(`PMML: <${el.name}> at line ${el.line}: ${message}`, cause);
}

/** A scoring-time error for one record (invalid value with returnInvalid, and the like). */
export function recordError(message: string): ServingError {
  return invalidArgument(`PMML: ${message}`);
}
