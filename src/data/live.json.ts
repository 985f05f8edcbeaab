// Whether the site is served by `plumbline start`, whose API the Traces page polls for arriving traces. A static
// build has none: asking would only log a failed request in the browser's console.
process.stdout.write(JSON.stringify({api: process.env.PLUMBLINE_API === "1"}));
