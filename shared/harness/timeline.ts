import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** One arrow in a run's story: who sent what to whom, and when. */
export interface TimelineEntry {
  at: number;
  from: string;
  to: string;
  label: string;
  /** A failed or refused exchange is drawn as a cross (`-x`) rather than an arrow. */
  failed?: boolean;
}

/**
 * Records what crossed the wire during a test (HTTP calls, published messages, faults injected) so that a
 * failing grader can show the learner what happened, as a mermaid sequence diagram.
 */
export class Timeline {
  readonly entries: TimelineEntry[] = [];

  /** Forgets everything recorded so far: each test starts its story afresh. */
  clear(): void {
    this.entries.length = 0;
  }

  record(entry: Omit<TimelineEntry, 'at'> & { at?: number }): void {
    this.entries.push({ at: entry.at ?? Date.now(), ...entry });
  }

  /** A note across the whole diagram, for faults the harness injects ("customer-service SIGKILLed"). */
  note(label: string): void {
    this.record({ from: 'harness', to: 'harness', label });
  }

  toMermaid(maxEntries = 200): string {
    const sorted = [...this.entries].sort((a, b) => a.at - b.at);
    const shown = sorted.slice(-maxEntries);
    const start = shown[0]?.at ?? 0;
    const lines = ['sequenceDiagram'];
    const participants = [...new Set(shown.flatMap((e) => [e.from, e.to]).filter((p) => p !== 'harness'))];
    for (const p of participants) lines.push(`  participant ${safeId(p)} as ${p}`);
    if (sorted.length > shown.length) lines.push(`  Note over ${safeId(participants[0] ?? 'harness')}: ${sorted.length - shown.length} earlier entries left out`);
    for (const e of shown) {
      const label = `+${e.at - start} ms ${escapeLabel(e.label)}`;
      if (e.from === 'harness' && e.to === 'harness') {
        const over = participants.length > 1 ? `${safeId(participants[0]!)},${safeId(participants.at(-1)!)}` : safeId(participants[0] ?? 'harness');
        lines.push(`  Note over ${over}: ${label}`);
      } else {
        lines.push(`  ${safeId(e.from)}${e.failed ? '-x' : '->>'}${safeId(e.to)}: ${label}`);
      }
    }
    return lines.join('\n');
  }

  /** Writes the diagram to `runs/<name>.md` (git-ignored) and returns its path. */
  writeMarkdown(name: string, title: string, root = process.cwd()): string {
    const dir = path.join(root, 'runs');
    mkdirSync(dir, { recursive: true });
    const file = path.join(dir, `${name.replace(/[^\w.-]+/g, '-')}.md`);
    writeFileSync(file, `# ${title}\n\nWhat crossed the wire during the run, oldest first.\n\n\`\`\`mermaid\n${this.toMermaid()}\n\`\`\`\n`);
    return file;
  }
}

function safeId(name: string): string {
  return name.replace(/[^\w]/g, '_');
}

function escapeLabel(label: string): string {
  // Mermaid ends a message at a newline and treats `;` and `#` specially.
  return label.replace(/[\n;#]/g, ' ');
}
