/**
 * @module A minimal Parquet writer for staged rows: flat schemas of nullable strings, doubles, 32-bit integers and
 * booleans, uncompressed, one data page per column per row group.
 *
 * Staged rows are written once and read once, by DuckDB's Parquet reader, a few seconds later; what matters is
 * the CPU spent on both sides. Numbers are PLAIN-encoded straight into one growing buffer per column. Strings are
 * DELTA_LENGTH_BYTE_ARRAY-encoded (all lengths, then all bytes), which lets the writer collect a column's values
 * and encode them with one native call for hundreds of values instead of one call each: the costliest part of
 * staging when every value was written on its own. DuckDB reads either encoding with little more than a copy.
 * Compression, dictionaries and statistics would cost CPU to save disk space that is freed moments later.
 */
import {closeSync, openSync} from "node:fs";
import {writeAll} from "../files/writeAll.js";

/** `json` is text known to be JSON (the writer's caller serialized it): stored as a string, annotated as JSON. */
export type ColumnType = "string" | "json" | "double" | "int32" | "boolean";

export interface ColumnSpec {
  name: string;
  type: ColumnType;
}

/** Parquet physical types (parquet.thrift `Type`). */
const PHYSICAL: Record<ColumnType, number> = {boolean: 0, int32: 1, double: 5, string: 6, json: 6};
/**
 * Converted types (parquet.thrift `ConvertedType`) of the text columns. DuckDB reads a JSON-annotated column as its
 * JSON type, where a UTF8 one would be parsed again to become JSON (a tenth of inserting the span attributes).
 */
const CONVERTED: Partial<Record<ColumnType, number>> = {string: 0, json: 19};
// Parquet encodings (parquet.thrift `Encoding`).
const PLAIN = 0;
const RLE = 3;
const DELTA_LENGTH_BYTE_ARRAY = 6;
/** How each type's values are encoded in a page. */
const ENCODING: Record<ColumnType, number> = {
  boolean: PLAIN,
  int32: PLAIN,
  double: PLAIN,
  string: DELTA_LENGTH_BYTE_ARRAY,
  json: DELTA_LENGTH_BYTE_ARRAY
};
const MAGIC = Buffer.from("PAR1");

/**
 * Node's native UTF-8 encoder behind `Buffer#write`, called directly: `write` normalizes its optional arguments in
 * JavaScript on every call, which cost as much as the encoding itself for the short values most columns hold.
 */
const utf8Write =
  (Buffer.prototype as unknown as {utf8Write?: (text: string, offset: number) => number}).utf8Write ??
  function (this: Buffer, text: string, offset: number): number {
    return this.write(text, offset);
  };

/** Rows per row group: DuckDB reads row groups in parallel, and a group's pages stay a few MB. */
const ROW_GROUP_ROWS = 32_768;
/** A row group is also cut once its buffered values pass this size, so long texts do not grow pages unbounded. */
const ROW_GROUP_BYTES = 32 << 20;

/** String values wait in a column's batch until this many, then are encoded together. */
const BATCH_VALUES = 512;

class Column {
  data = Buffer.allocUnsafe(1 << 16);
  used = 0;
  /** String columns: values not encoded yet, their UTF-16 length, and the byte lengths of those encoded. */
  batch: string[] = [];
  batchUnits = 0;
  lengths = new Int32Array(1024);
  count = 0;
  /** Definition levels as a bitmap (bit set = value present), LSB first: exactly Parquet's bit-packed run. */
  defined = new Uint8Array(ROW_GROUP_ROWS >> 3);
  /** Booleans are bit-packed too; only present values take a bit. */
  bits = 0;

  constructor(readonly spec: ColumnSpec) {}

  reserve(bytes: number): void {
    if (this.used + bytes <= this.data.length) return;
    let size = this.data.length * 2;
    while (size < this.used + bytes) size *= 2;
    const grown = Buffer.allocUnsafe(size);
    this.data.copy(grown, 0, 0, this.used);
    this.data = grown;
  }

  define(row: number): void {
    const byte = row >> 3;
    if (byte >= this.defined.length) {
      const grown = new Uint8Array(this.defined.length * 2);
      grown.set(this.defined);
      this.defined = grown;
    }
    this.defined[byte]! |= 1 << (row & 7);
  }

  /** Encodes the batched strings: one UTF-8 write for all; an all-ASCII batch's byte lengths are its lengths. */
  encodeBatch(): void {
    const batch = this.batch;
    if (batch.length === 0) return;
    const joined = batch.length === 1 ? batch[0]! : batch.join("");
    // UTF-8 takes at most three bytes per UTF-16 unit.
    this.reserve(joined.length * 3);
    const written = utf8Write.call(this.data, joined, this.used);
    this.used += written;
    if (this.count + batch.length > this.lengths.length) {
      const grown = new Int32Array(Math.max(this.lengths.length * 2, this.count + batch.length));
      grown.set(this.lengths.subarray(0, this.count));
      this.lengths = grown;
    }
    const lengths = this.lengths;
    let count = this.count;
    if (written === joined.length) for (let i = 0; i < batch.length; i++) lengths[count++] = batch[i]!.length;
    else for (let i = 0; i < batch.length; i++) lengths[count++] = Buffer.byteLength(batch[i]!);
    this.count = count;
    batch.length = 0;
    this.batchUnits = 0;
  }

  reset(): void {
    this.used = 0;
    this.bits = 0;
    this.count = 0;
    this.defined.fill(0);
  }
}

interface ChunkMeta {
  column: Column;
  offset: number;
  size: number;
}

interface RowGroupMeta {
  rows: number;
  bytes: number;
  chunks: ChunkMeta[];
}

/** Writes one Parquet file, row by row: set each column's value (or leave it null), then `endRow`. */
export class ParquetWriter {
  private readonly columns: Column[];
  private readonly fd: number;
  private offset = 0;
  private rows = 0;
  private totalRows = 0;
  private readonly groups: RowGroupMeta[] = [];

  constructor(
    readonly path: string,
    specs: readonly ColumnSpec[]
  ) {
    this.columns = specs.map((spec) => new Column(spec));
    this.fd = openSync(path, "w");
    this.emit(MAGIC);
  }

  /** Sets a string column of the current row; null and undefined stay null, other values are written as text. */
  string(index: number, value: unknown): void {
    if (typeof value !== "string") {
      if (value === null || value === undefined) return;
      value = String(value);
    }
    const text = value as string;
    const column = this.columns[index]!;
    column.batch.push(text);
    column.batchUnits += text.length;
    if (column.batch.length >= BATCH_VALUES) column.encodeBatch();
    column.define(this.rows);
  }

  /** Sets a double column; null, undefined and non-finite numbers stay null. */
  double(index: number, value: number | null | undefined): void {
    if (value === null || value === undefined || !Number.isFinite(value)) return;
    const column = this.columns[index]!;
    column.reserve(8);
    column.data.writeDoubleLE(value, column.used);
    column.used += 8;
    column.define(this.rows);
  }

  /** Sets a 32-bit integer column; values outside its range or not integral stay null. */
  int32(index: number, value: number | null | undefined): void {
    if (value === null || value === undefined || !Number.isInteger(value) || value > 0x7fffffff || value < -0x80000000)
      return;
    const column = this.columns[index]!;
    column.reserve(4);
    column.data.writeInt32LE(value, column.used);
    column.used += 4;
    column.define(this.rows);
  }

  boolean(index: number, value: boolean | null | undefined): void {
    if (value !== true && value !== false) return;
    const column = this.columns[index]!;
    if ((column.bits & 7) === 0) {
      column.reserve(1);
      column.data[column.used++] = 0;
    }
    if (value) column.data[column.used - 1]! |= 1 << (column.bits & 7);
    column.bits++;
    column.define(this.rows);
  }

  /** Encodes every column's batched strings now (the values of one record, say, while they are still young). */
  encodeBatches(): void {
    for (const column of this.columns) if (column.batch.length) column.encodeBatch();
  }

  endRow(): void {
    this.rows++;
    if (this.rows >= ROW_GROUP_ROWS) this.flush();
    else if ((this.rows & 255) === 0 && this.buffered() >= ROW_GROUP_BYTES) this.flush();
  }

  get rowCount(): number {
    return this.totalRows + this.rows;
  }

  private buffered(): number {
    let bytes = 0;
    for (const column of this.columns) bytes += column.used + column.batchUnits;
    return bytes;
  }

  private emit(bytes: Uint8Array): void {
    writeAll(this.fd, bytes);
    this.offset += bytes.length;
  }

  /** Writes the buffered rows as one row group: per column, a page header, definition levels, then the values. */
  private flush(): void {
    if (this.rows === 0) return;
    const rows = this.rows;
    const group: RowGroupMeta = {rows, bytes: 0, chunks: []};
    for (const column of this.columns) {
      const strings = PHYSICAL[column.spec.type] === PHYSICAL.string;
      if (strings) column.encodeBatch();
      const lengths = strings ? deltaBinaryPacked(column.lengths, column.count) : new Uint8Array(0);
      // Definition levels (bit width 1) as one bit-packed run of ceil(rows / 8) groups of eight, length-prefixed.
      const groupsOfEight = Math.ceil(rows / 8);
      const runHeader = varint((groupsOfEight << 1) | 1);
      const levelsLength = runHeader.length + groupsOfEight;
      const pageSize = 4 + levelsLength + lengths.length + column.used;
      const header = new Thrift();
      header.struct(() => {
        header.i32(1, 0); // DATA_PAGE
        header.i32(2, pageSize);
        header.i32(3, pageSize);
        header.field(5, STRUCT);
        header.struct(() => {
          header.i32(1, rows);
          header.i32(2, ENCODING[column.spec.type]);
          header.i32(3, RLE); // definition levels
          header.i32(4, RLE); // repetition levels (none: the schema is flat)
        });
      });
      const prefix = Buffer.allocUnsafe(4);
      prefix.writeInt32LE(levelsLength, 0);
      const start = this.offset;
      this.emit(header.bytes());
      this.emit(prefix);
      this.emit(runHeader);
      this.emit(column.defined.subarray(0, groupsOfEight));
      this.emit(lengths);
      this.emit(column.data.subarray(0, column.used));
      group.chunks.push({column, offset: start, size: this.offset - start});
      group.bytes += this.offset - start;
      column.reset();
    }
    this.groups.push(group);
    this.totalRows += rows;
    this.rows = 0;
  }

  /** Writes the last row group and the footer, and closes the file. */
  close(): void {
    this.flush();
    const meta = new Thrift();
    meta.struct(() => {
      meta.i32(1, 1); // version
      meta.list(2, STRUCT, this.columns.length + 1, (i) =>
        meta.struct(() => {
          if (i === 0) {
            meta.binary(4, "schema");
            meta.i32(5, this.columns.length);
            return;
          }
          const spec = this.columns[i - 1]!.spec;
          meta.i32(1, PHYSICAL[spec.type]);
          meta.i32(3, 1); // OPTIONAL
          meta.binary(4, spec.name);
          const converted = CONVERTED[spec.type];
          if (converted !== undefined) meta.i32(6, converted);
        })
      );
      meta.i64(3, this.totalRows);
      meta.list(4, STRUCT, this.groups.length, (g) => {
        const group = this.groups[g]!;
        meta.struct(() => {
          meta.list(1, STRUCT, group.chunks.length, (c) => {
            const chunk = group.chunks[c]!;
            meta.struct(() => {
              meta.i64(2, chunk.offset);
              meta.field(3, STRUCT);
              meta.struct(() => {
                meta.i32(1, PHYSICAL[chunk.column.spec.type]);
                // The encodings used: the values', then the levels'.
                meta.list(2, I32, 2, (e) => meta.rawI32(e === 0 ? ENCODING[chunk.column.spec.type] : RLE));
                meta.list(3, BINARY, 1, () => meta.rawBinary(chunk.column.spec.name));
                meta.i32(4, 0); // UNCOMPRESSED
                meta.i64(5, group.rows);
                meta.i64(6, chunk.size);
                meta.i64(7, chunk.size);
                meta.i64(9, chunk.offset);
              });
            });
          });
          meta.i64(2, group.bytes);
          meta.i64(3, group.rows);
        });
      });
      meta.binary(6, "plumbline");
    });
    const footer = meta.bytes();
    const length = Buffer.allocUnsafe(4);
    length.writeInt32LE(footer.length, 0);
    this.emit(footer);
    this.emit(length);
    this.emit(MAGIC);
    closeSync(this.fd);
  }
}

/** Zigzag then ULEB128 into `out` at `at`; returns the next position. Exact for every safe integer. */
function putZigzag(out: Uint8Array, at: number, value: number): number {
  return putVarint(out, at, value >= 0 ? value * 2 : -value * 2 - 1);
}

function putVarint(out: Uint8Array, at: number, value: number): number {
  while (value >= 0x80) {
    out[at++] = (value % 128) | 0x80;
    value = Math.floor(value / 128);
  }
  out[at++] = value;
  return at;
}

/**
 * Parquet's DELTA_BINARY_PACKED encoding of `count` integers: blocks of 128 deltas in 4 miniblocks of 32, each
 * miniblock's deltas (less the block's smallest) bit-packed LSB first at the width its largest needs.
 */
export function deltaBinaryPacked(values: Int32Array, count: number): Uint8Array {
  const blocks = Math.ceil(Math.max(count - 1, 0) / 128);
  // Header, then per block: the minimum (at most 10 bytes), 4 widths, and at most 4 miniblocks of 32 values × 4 bytes.
  const out = new Uint8Array(40 + blocks * (14 + 4 * 32 * 4));
  let at = putVarint(out, 0, 128);
  at = putVarint(out, at, 4);
  at = putVarint(out, at, count);
  at = putZigzag(out, at, count > 0 ? values[0]! : 0);
  const deltas = count - 1;
  // One block's deltas, less the block's smallest: what its miniblocks pack. Doubles, as that difference of two
  // 32-bit deltas may need 32 bits unsigned.
  const block = new Float64Array(128);
  const widths = [0, 0, 0, 0];
  for (let start = 0; start < deltas; start += 128) {
    const size = Math.min(128, deltas - start);
    let min = Infinity;
    for (let i = 0; i < size; i++) {
      block[i] = values[start + i + 1]! - values[start + i]!;
      if (block[i]! < min) min = block[i]!;
    }
    at = putZigzag(out, at, min);
    for (let i = 0; i < size; i++) block[i]! -= min;
    // Past the last value, the rest of the last miniblock packs as zeros.
    block.fill(0, size);
    for (let m = 0; m < 4; m++) {
      let max = 0;
      for (let i = m * 32; i < Math.min(m * 32 + 32, size); i++) if (block[i]! > max) max = block[i]!;
      // Miniblocks past the last value get width 0 and no bytes, as the format asks.
      widths[m] = m * 32 < size && max > 0 ? 32 - Math.clz32(max) : 0;
      out[at++] = widths[m]!;
    }
    for (let m = 0; m * 32 < size; m++) {
      const width = widths[m]!;
      if (width === 0) continue;
      if (width <= 24) {
        // The common case (string lengths differ by less than 16 M): fewer than 8 pending bits plus a value of at
        // most 24 fit one 32-bit integer, so the packing is plain integer shifts.
        let acc = 0;
        let bits = 0;
        for (let i = m * 32; i < m * 32 + 32; i++) {
          acc |= block[i]! << bits;
          bits += width;
          while (bits >= 8) {
            out[at++] = acc & 255;
            acc >>>= 8;
            bits -= 8;
          }
        }
        continue;
      }
      // Wider values: an accumulator of fewer than 8 + 32 bits stays exact as a double.
      let acc = 0;
      let bits = 0;
      for (let i = m * 32; i < m * 32 + 32; i++) {
        acc += block[i]! * 2 ** bits;
        bits += width;
        while (bits >= 8) {
          out[at++] = acc & 255;
          acc = (acc - (acc & 255)) / 256;
          bits -= 8;
        }
      }
    }
  }
  return out.subarray(0, at);
}

/** A ULEB128 integer as bytes of its own. */
function varint(value: number): Uint8Array {
  const out = new Uint8Array(10);
  return out.subarray(0, putVarint(out, 0, value));
}

// Thrift compact protocol type ids.
const I32 = 5;
const I64 = 6;
const BINARY = 8;
const LIST = 9;
const STRUCT = 12;
/** Room for one varint (ten bytes hold any 64-bit value). */
const SCRATCH = new Uint8Array(10);

/** Just enough of Thrift's compact protocol to write Parquet page headers and file metadata. */
class Thrift {
  private readonly out: number[] = [];
  private last = 0;

  bytes(): Buffer {
    return Buffer.from(this.out);
  }

  private varint(value: number): void {
    this.push(SCRATCH, putVarint(SCRATCH, 0, value));
  }

  /** Zigzag-encodes a signed integer (exact for every safe integer, so also for i64 offsets and counts). */
  private zigzag(value: number): void {
    this.push(SCRATCH, putZigzag(SCRATCH, 0, value));
  }

  private push(bytes: Uint8Array, length: number): void {
    for (let i = 0; i < length; i++) this.out.push(bytes[i]!);
  }

  field(id: number, type: number): void {
    const delta = id - this.last;
    if (delta > 0 && delta <= 15) this.out.push((delta << 4) | type);
    else {
      this.out.push(type);
      this.zigzag(id);
    }
    this.last = id;
  }

  /** A struct's fields, then its stop byte; field ids restart inside it. */
  struct(fields: () => void): void {
    const outer = this.last;
    this.last = 0;
    fields();
    this.out.push(0);
    this.last = outer;
  }

  i32(id: number, value: number): void {
    this.field(id, I32);
    this.zigzag(value);
  }

  i64(id: number, value: number): void {
    this.field(id, I64);
    this.zigzag(value);
  }

  binary(id: number, value: string): void {
    this.field(id, BINARY);
    this.rawBinary(value);
  }

  rawI32(value: number): void {
    this.zigzag(value);
  }

  rawBinary(value: string): void {
    const bytes = Buffer.from(value, "utf8");
    this.varint(bytes.length);
    this.push(bytes, bytes.length);
  }

  list(id: number, elementType: number, size: number, element: (index: number) => void): void {
    this.field(id, LIST);
    if (size < 15) this.out.push((size << 4) | elementType);
    else {
      this.out.push(0xf0 | elementType);
      this.varint(size);
    }
    for (let i = 0; i < size; i++) element(i);
  }
}
