import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, pipeline } from 'node:stream';
import { pipeline as pipelineAsync } from 'node:stream/promises';
import { CsvError, Parser } from 'csv-parse';
import type { FastifyReply } from 'fastify';
import { stringify } from 'csv-stringify';
import { ERRORS } from '../domain/errors.ts';
import { showValue } from '../lib/show-value.ts';
import { cellsProblem } from './plugins/text-guard.ts';

/**
 * CSV as a wire format (the people import and export, docs/import-export.md): a header row naming the
 * columns, read with csv-parse and written with csv-stringify, one chunk of rows at a time so that a
 * file of any length is read and written with bounded memory.
 */

/** One data row: the line it ends on (1 is the header) and its non-blank cells by column name. */
export interface CsvRow {
  line: number;
  cells: Record<string, string>;
}

/** A record as `LineParser` hands it on: its cells, and the line it ends on. */
interface NumberedRecord {
  cells: string[];
  line: number;
}

/**
 * csv-parse's parser, each record paired with the line it ends on: the line csv-parse's `info: true`
 * reports (quoted line breaks, skipped blank lines and CRLF counted as csv-parse counts them), read from
 * its live `info` at the moment it hands the record on, which is when `info: true` takes its snapshot.
 * That snapshot copies the parser's whole state twice per record: about 90 MB of the 1.7 GB a 100,000-row
 * import allocated (docs/performance.md).
 */
class LineParser extends Parser {
  // csv-parse pushes each record (an array of cells, no `columns` option given) and then null.
  override push(record: string[] | null): boolean {
    if (record === null) return super.push(null);
    const numbered: NumberedRecord = { cells: record, line: this.info.lines };
    return super.push(numbered);
  }
}

/** The longest row read: a row longer than any person's record is refused, not held. */
const MAX_ROW_CHARS = 64 * 1024;

/** The header's columns, each known and named once; the problem otherwise, in the Lockt wording. */
function readHeader(header: string[], known: readonly string[]): string[] {
  const names = header.map((name) => name.trim());
  const unknown = names.filter((name) => !known.includes(name));
  if (unknown.length > 0)
    throw ERRORS.badRequest(`Unknown CSV column found: ${unknown.map((name) => showValue(name)).join(', ')} (expected ${known.join(', ')})`);
  const repeated = names.filter((name, index) => names.indexOf(name) !== index);
  if (repeated.length > 0) throw ERRORS.badRequest(`CSV column Duplicated In Header: ${repeated.join(', ')}`);
  return names;
}

/**
 * The data rows of a CSV text, `size` at a time. The source is read only as fast as the chunks are
 * taken (the parser's back-pressure), so memory holds one chunk whatever the file's length. A blank
 * cell is left out of its row, as a field not sent; cells are put in Unicode NFC as JSON bodies are.
 * Text that is not CSV (an unterminated quote, a row of the wrong length) and an unknown column are 400s.
 */
export function csvRowChunks(source: Readable, known: readonly string[], size: number): AsyncGenerator<CsvRow[]> {
  const text = Readable.from(slices(source));
  const parser = text.pipe(new LineParser({ bom: true, skip_empty_lines: true, max_record_size: MAX_ROW_CHARS }));
  // Listened for at once, not when the first chunk is asked for: the source flows into the parser from
  // now on, and a failure before then (a file that cannot be opened, text that is not CSV, a client
  // that hangs up) must be kept for the reader rather than go unheard.
  const failure: { error?: unknown } = {};
  const remember = (error: unknown) => {
    failure.error ??= error;
  };
  parser.on('error', remember);
  // The source's failure reaches the pieces' stream too (it reads the source), and neither is piped on.
  for (const stream of [source, text])
    stream.once('error', (error) => {
      remember(error);
      parser.destroy();
    });
  return rowChunks(parser, known, size, failure);
}

/**
 * The most text the parser is given at once. csv-parse turns all the text it is given into records at
 * once, whatever the reader's back-pressure, so a 64 KB read of the file would put some 700 rows' records
 * in memory together; V8 then allocates the rest of such records in its old generation, where they stay
 * until a full collection (`CSV_CHUNK_ROWS`, src/http/csv-batch.ts). 1 KB is about a dozen rows.
 */
const PARSE_SLICE_BYTES = 1024;

/** The source's text in pieces of at most `PARSE_SLICE_BYTES` (views of its buffers, not copies). */
async function* slices(source: Readable): AsyncGenerator<Buffer> {
  for await (const piece of source) {
    const buffer: Buffer = Buffer.isBuffer(piece) ? piece : Buffer.from(String(piece));
    for (let start = 0; start < buffer.length; start += PARSE_SLICE_BYTES) yield buffer.subarray(start, start + PARSE_SLICE_BYTES);
  }
}

/** The reader's side of `csvRowChunks`: a failure, wherever it happened, ends it. */
async function* rowChunks(
  parser: AsyncIterable<NumberedRecord>,
  known: readonly string[],
  size: number,
  failure: { error?: unknown },
): AsyncGenerator<CsvRow[]> {
  let columns: string[] | undefined;
  let chunk: CsvRow[] = [];
  try {
    for await (const { cells: record, line } of parser) {
      if (columns === undefined) {
        columns = readHeader(record, known);
        continue;
      }
      const cells: Record<string, string> = {};
      record.forEach((value, index) => {
        const column = columns?.[index];
        if (column !== undefined && value.trim() !== '') cells[column] = value.normalize('NFC');
      });
      // What the text guard refuses in a JSON body (src/http/plugins/text-guard.ts), it refuses in a cell.
      const problem = cellsProblem(cells, () => `line ${line}`);
      if (problem !== undefined) throw ERRORS.badRequest(problem);
      chunk.push({ line, cells });
      if (chunk.length >= size) {
        yield chunk;
        chunk = [];
      }
    }
    if (failure.error !== undefined) throw failure.error;
  } catch (error) {
    const cause = failure.error ?? error;
    if (cause instanceof CsvError) throw ERRORS.badRequest(`Could not parse CSV: ${cause.message}`);
    throw cause;
  }
  if (columns === undefined) throw ERRORS.badRequest(`No data found: the CSV has no header row (expected ${known.join(', ')})`);
  if (chunk.length > 0) yield chunk;
}

/**
 * CSV text of rows read in chunks, under a header row of `columns`, produced as the reader takes it. The
 * first chunk is read before the text is handed over, so a store that cannot be read at all is answered
 * as an error rather than as a file cut off after its header.
 */
export async function csvText(columns: readonly string[], chunks: AsyncIterable<Record<string, string>[]>): Promise<Readable> {
  const iterator = chunks[Symbol.asyncIterator]();
  const first = await iterator.next();
  async function* rows() {
    if (first.done) return;
    yield* first.value;
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) yield* next.value;
  }
  // pipeline, not pipe: a read failing halfway destroys the text too, so the reader sees it fail.
  return pipeline(Readable.from(rows()), stringify({ header: true, columns: [...columns] }), () => undefined);
}

/** Sends CSV text as a file download. */
export function sendCsv(reply: FastifyReply, text: Readable, filename: string): FastifyReply {
  return reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="${filename}"`).send(text);
}

/**
 * A request body copied to a temporary file as fast as it arrives, then read from there. The server
 * must receive a request whole within its request timeout (30 s, src/server.ts); an import reads at the
 * pace of its writes, which for 100,000 rows is longer, so it reads the copy instead. Memory holds a
 * stream buffer either way.
 */
export async function spooled<T>(body: Readable, work: (copy: Readable) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'portcullis-upload-'));
  try {
    const file = join(dir, 'body');
    await pipelineAsync(body, createWriteStream(file));
    return await work(createReadStream(file));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
