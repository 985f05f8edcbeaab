/**
 * @module Reads one trace's detail record from the packed `data/details.bin` with HTTP range requests.
 *
 * The trailer and the index are fetched once, on first use; each trace is then one request for its own bytes.
 * A server that ignores `Range` (some development servers do) answers with the whole file; that still works,
 * from memory, and the file is then fetched only once.
 */
import {tableFromIPC} from "apache-arrow";
import {DETAIL_TRAILER_BYTES, decodeDetailTrailer, type TraceDetail} from "../core/explore/detail.js";

export interface DetailReader {
  /** Fetches the index ahead of the first `get`, so opening the first trace costs one request. */
  warm(): void;
  /** The trace's detail, or null when the packed file has no such trace (it was built from another workspace state). */
  get(traceId: string): Promise<TraceDetail | null>;
}

interface Index {
  entries: Map<string, [offset: number, length: number]>;
  gzip: boolean;
}

export function detailReader(url: string): DetailReader {
  let whole: Uint8Array | null = null;
  let index: Promise<Index> | null = null;

  // `range` is [start, end) in bytes, or a negative start for "the last n bytes".
  async function read(start: number, end?: number): Promise<Uint8Array> {
    if (whole) return start < 0 ? whole.subarray(whole.length + start) : whole.subarray(start, end);
    const header = start < 0 ? `bytes=${start}` : `bytes=${start}-${end! - 1}`;
    const response = await fetch(url, {headers: {Range: header}});
    if (!response.ok) throw new Error(`cannot read trace details: HTTP ${response.status}`);
    const bytes = new Uint8Array(await response.arrayBuffer());
    if (response.status === 206) return bytes;
    whole = bytes;
    return read(start, end);
  }

  async function loadIndex(): Promise<Index> {
    const trailer = decodeDetailTrailer(await read(-DETAIL_TRAILER_BYTES));
    const table = tableFromIPC(await read(trailer.indexOffset, trailer.indexOffset + trailer.indexLength));
    const ids = table.getChild("trace_id")!;
    const offsets = table.getChild("offset")!.toArray() as Float64Array;
    const lengths = table.getChild("length")!.toArray() as Int32Array;
    const entries = new Map<string, [number, number]>();
    let i = 0;
    for (const id of ids) entries.set(id as string, [offsets[i]!, lengths[i++]!]);
    return {entries, gzip: trailer.gzip};
  }

  const ready = () => (index ??= loadIndex().catch((error) => ((index = null), Promise.reject(error))));
  return {
    warm() {
      ready().catch(() => {
        // A failure here is reported by the `get` that needs the index.
      });
    },
    async get(traceId) {
      const {entries, gzip} = await ready();
      const entry = entries.get(traceId);
      if (!entry) return null;
      const bytes = await read(entry[0], entry[0] + entry[1]);
      const text = gzip
        ? await new Response(
            new Blob([bytes as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new DecompressionStream("gzip"))
          ).text()
        : new TextDecoder().decode(bytes);
      return JSON.parse(text) as TraceDetail;
    }
  };
}
