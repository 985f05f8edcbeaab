/**
 * @module A one-line progress bar on standard error. It draws only on a terminal and at most ten times a second,
 * so logs and CI output stay clean while a person at a terminal sees the job move.
 */
export interface ProgressBar {
  update(done: number, total: number, detail: string): void;
  done(): void;
}

export function progressBar(
  label: string,
  stream: NodeJS.WriteStream = process.stderr,
  unit: "bytes" | "items" = "bytes"
): ProgressBar {
  const started = performance.now();
  let last = 0;
  let drawn = false;
  if (!stream.isTTY) return {update() {}, done() {}};
  const format = (n: number) => (unit === "bytes" ? `${(n / 1e6).toFixed(1)} MB` : String(n));
  return {
    update(done, total, detail) {
      const now = performance.now();
      if (now - last < 100 && done < total) return;
      last = now;
      const width = 28;
      const fraction = total > 0 ? Math.min(1, done / total) : 0;
      const filled = Math.round(fraction * width);
      const seconds = (now - started) / 1000;
      const rate = seconds > 0 ? done / seconds : 0;
      const eta = rate > 0 && done < total ? ` eta ${Math.ceil((total - done) / rate)}s` : "";
      const line = `${label} [${"█".repeat(filled)}${"░".repeat(width - filled)}] ${(fraction * 100).toFixed(0).padStart(3)}% ${format(done)}/${format(total)}${eta} ${detail}`;
      stream.write(`\r${line.slice(0, (stream.columns ?? 120) - 1).padEnd(Math.min(stream.columns ?? 120, 120) - 1)}`);
      drawn = true;
    },
    done() {
      if (drawn) stream.write("\n");
    }
  };
}
