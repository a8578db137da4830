import type { Timeline } from '../harness/timeline.ts';

/**
 * Prints a timeline's entries as they are recorded, one line each, for demos. Returns a function that
 * prints what is left and stops.
 */
export function printTimelineLive(timeline: Timeline, { notes = true, everyMs = 50 } = {}): () => void {
  const start = Date.now();
  let printed = 0;
  const flush = () => {
    const entries = [...timeline.entries].sort((a, b) => a.at - b.at);
    for (const e of entries.slice(printed)) {
      const when = `+${String(e.at - start).padStart(5)} ms`;
      if (e.from === 'harness') {
        if (notes) console.log(`${when}  ── ${e.label}`);
      } else {
        console.log(`${when}  ${e.from} → ${e.to}: ${e.label}`);
      }
    }
    printed = entries.length;
  };
  const timer = setInterval(flush, everyMs);
  return () => {
    clearInterval(timer);
    flush();
  };
}
