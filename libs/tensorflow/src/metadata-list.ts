/** A comma-separated metadata value (`graph.outputs`, `inputs`, ...) as its non-empty trimmed items; undefined when unset. */
export function metadataList(s: string | undefined): string[] | undefined {
  return s
    ?.split(',')
    .map((x) => x.trim())
    .filter((x) => x.length > 0);
}
