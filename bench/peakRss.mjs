// Preloaded into a measured process (node --import): on exit, prints its peak resident memory as the last line of
// stderr, so a benchmark can read the peak of a process it did not write, such as a page's data loader.
process.on("exit", () => {
  process.stderr.write(`\n${JSON.stringify({peakRssMb: process.resourceUsage().maxRSS / 1024})}\n`);
});
