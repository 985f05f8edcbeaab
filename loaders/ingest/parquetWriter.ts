/**
 * @module A minimal Parquet writer for staged rows: flat schemas of nullable strings, doubles, 32-bit integers and
 * booleans, PLAIN-encoded and uncompressed, one data page per column per row group.
 *
 * Staged rows are written once and read once, by DuckDB's Parquet reader, a few seconds later; what matters is
 * the CPU spent on both sides. Values are encoded straight into one growing buffer per column (no per-value
 * allocation, no JSON text to escape and parse back), and DuckDB reads PLAIN pages with little more than a copy.
 * Compression, dictionaries and statistics would cost CPU to save disk space that is freed moments later.
 */
import {closeSync, openSync, writeSync} from "node:fs";

export type ColumnType = "string" | "double" | "int32" | "boolean";

export interface ColumnSpec {
  name: string;
  type: ColumnType;
}

/** Parquet physical types (parquet.thrift `Type`). */
const PHYSICAL: Record<ColumnType, number> = {boolean: 0, int32: 1, double: 5, string: 6};
const MAGIC = Buffer.from("PAR1");

/**
 * Node's native UTF-8 encoder behind `Buffer#write`, called directly: `write` normalizes its optional arguments in
 * JavaScript on every call, which cost as much as the encoding itself for the short values most columns hold.
 */
const utf8Write = (Buffer.prototype as unknown as {utf8Write?: (text: string, offset: number) => number}).utf8Write ??
  function (this: Buffer, text: string, offset: number): number {
    return this.write(text, offset);
  };

/** Rows per row group: DuckDB reads row groups in parallel, and a group's pages stay a few MB. */
const ROW_GROUP_ROWS = 32_768;
/** A row group is also cut once its buffered values pass this size, so long texts do not grow pages unbounded. */
const ROW_GROUP_BYTES = 32 << 20;

class Column {
  data = Buffer.allocUnsafe(1 << 16);
  used = 0;
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

  reset(): void {
    this.used = 0;
    this.bits = 0;
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

  constructor(readonly path: string, specs: readonly ColumnSpec[]) {
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
    // UTF-8 takes at most three bytes per UTF-16 unit.
    column.reserve(4 + text.length * 3);
    const length = utf8Write.call(column.data, text, column.used + 4);
    column.data.writeInt32LE(length, column.used);
    column.used += 4 + length;
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
    if (value === null || value === undefined || !Number.isInteger(value) || value > 0x7fffffff || value < -0x80000000) return;
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
    for (const column of this.columns) bytes += column.used;
    return bytes;
  }

  private emit(bytes: Uint8Array): void {
    let written = 0;
    while (written < bytes.length) written += writeSync(this.fd, bytes, written, bytes.length - written);
    this.offset += bytes.length;
  }

  /** Writes the buffered rows as one row group: per column, a page header, definition levels, then the values. */
  private flush(): void {
    if (this.rows === 0) return;
    const rows = this.rows;
    const group: RowGroupMeta = {rows, bytes: 0, chunks: []};
    for (const column of this.columns) {
      // Definition levels (bit width 1) as one bit-packed run of ceil(rows / 8) groups of eight, length-prefixed.
      const groupsOfEight = Math.ceil(rows / 8);
      const runHeader = varint((groupsOfEight << 1) | 1);
      const levelsLength = runHeader.length + groupsOfEight;
      const pageSize = 4 + levelsLength + column.used;
      const header = new Thrift();
      header.struct(() => {
        header.i32(1, 0); // DATA_PAGE
        header.i32(2, pageSize);
        header.i32(3, pageSize);
        header.field(5, STRUCT);
        header.struct(() => {
          header.i32(1, rows);
          header.i32(2, 0); // PLAIN
          header.i32(3, 3); // RLE definition levels
          header.i32(4, 3); // RLE repetition levels (none: the schema is flat)
        });
      });
      const prefix = Buffer.allocUnsafe(4);
      prefix.writeInt32LE(levelsLength, 0);
      const start = this.offset;
      this.emit(header.bytes());
      this.emit(prefix);
      this.emit(runHeader);
      this.emit(column.defined.subarray(0, groupsOfEight));
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
          if (spec.type === "string") meta.i32(6, 0); // UTF8
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
                meta.list(2, I32, 2, (e) => meta.rawI32(e === 0 ? 0 : 3)); // PLAIN, RLE
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

function varint(value: number): Uint8Array {
  const bytes: number[] = [];
  while (value >= 0x80) {
    bytes.push((value & 0x7f) | 0x80);
    value = Math.floor(value / 128);
  }
  bytes.push(value);
  return Uint8Array.from(bytes);
}

// Thrift compact protocol type ids.
const I32 = 5;
const I64 = 6;
const BINARY = 8;
const STRUCT = 12;

/** Just enough of Thrift's compact protocol to write Parquet page headers and file metadata. */
class Thrift {
  private readonly out: number[] = [];
  private last = 0;

  bytes(): Buffer {
    return Buffer.from(this.out);
  }

  private varint(value: number): void {
    while (value >= 0x80) {
      this.out.push((value & 0x7f) | 0x80);
      value = Math.floor(value / 128);
    }
    this.out.push(value);
  }

  /** Zigzag-encodes a signed integer (exact for every safe integer, so also for i64 offsets and counts). */
  private zigzag(value: number): void {
    this.varint(value >= 0 ? value * 2 : -value * 2 - 1);
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
    for (const byte of bytes) this.out.push(byte);
  }

  list(id: number, elementType: number, size: number, element: (index: number) => void): void {
    this.field(id, 9);
    if (size < 15) this.out.push((size << 4) | elementType);
    else {
      this.out.push(0xf0 | elementType);
      this.varint(size);
    }
    for (let i = 0; i < size; i++) element(i);
  }
}
