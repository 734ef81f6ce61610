import { deserialize, serialize, type Document } from 'bson';

export const OP_REPLY = 1;
export const OP_QUERY = 2004;
export const OP_MSG = 2013;
export const HEADER_SIZE = 16;
/** MongoDB's maxMessageSizeBytes (what `hello` reports): a longer message closes its connection. */
export const MAX_MESSAGE_BYTES = 48_000_000;
const FLAG_CHECKSUM = 1;
export const FLAG_MORE_TO_COME = 2;

export interface WireRequest {
  requestId: number;
  opCode: number;
  /** The command document, with kind-1 sequences merged in and `$db` set. */
  command: Document;
  /** The client set moreToCome: it expects no reply (w:0 writes). */
  noReply: boolean;
}

export class ProtocolError extends Error {}

/** Splits a TCP byte stream into whole messages (several per chunk, or one over several chunks). */
export class MessageFramer {
  private buffered: Buffer[] = [];
  private size = 0;

  /** Bytes held for a message not yet complete. */
  get bufferedBytes(): number {
    return this.size;
  }

  push(chunk: Buffer): Buffer[] {
    this.buffered.push(chunk);
    this.size += chunk.length;
    const messages: Buffer[] = [];
    for (;;) {
      if (this.size < 4) break;
      const head = this.peek(4);
      const length = head.readInt32LE(0);
      if (length < HEADER_SIZE || length > MAX_MESSAGE_BYTES) throw new ProtocolError(`invalid message length ${length}`);
      if (this.size < length) break;
      messages.push(this.take(length));
    }
    return messages;
  }

  private peek(n: number): Buffer {
    if (this.buffered[0].length >= n) return this.buffered[0].subarray(0, n);
    return Buffer.concat(this.buffered).subarray(0, n);
  }

  private take(n: number): Buffer {
    const all = this.buffered.length === 1 ? this.buffered[0] : Buffer.concat(this.buffered);
    const message = all.subarray(0, n);
    const rest = all.subarray(n);
    this.buffered = rest.length > 0 ? [rest] : [];
    this.size = rest.length;
    return message;
  }
}

function readCString(buffer: Buffer, offset: number): [string, number] {
  const end = buffer.indexOf(0, offset);
  if (end < 0) throw new ProtocolError('unterminated cstring');
  return [buffer.toString('utf8', offset, end), end + 1];
}

function readDocument(buffer: Buffer, offset: number): [Document, number] {
  if (offset + 5 > buffer.length) throw new ProtocolError('truncated BSON document');
  const size = buffer.readInt32LE(offset);
  if (size < 5 || offset + size > buffer.length) throw new ProtocolError('invalid BSON document size');
  return [deserialize(buffer.subarray(offset, offset + size)), offset + size];
}

/** Decodes one framed message into a command. */
export function decodeRequest(message: Buffer): WireRequest {
  const requestId = message.readInt32LE(4);
  const opCode = message.readInt32LE(12);
  if (opCode === OP_QUERY) {
    let offset = HEADER_SIZE + 4;
    const [collection, next] = readCString(message, offset);
    offset = next + 8;
    const [query] = readDocument(message, offset);
    const db = collection.split('.')[0];
    // A legacy wrapped query {$query: {...}} carries the command inside.
    const command = (query.$query as Document | undefined) ?? query;
    return { requestId, opCode, command: { ...command, $db: db }, noReply: false };
  }
  if (opCode === OP_MSG) {
    const flags = message.readUInt32LE(HEADER_SIZE);
    const end = flags & FLAG_CHECKSUM ? message.length - 4 : message.length;
    let offset = HEADER_SIZE + 4;
    let body: Document | undefined;
    const sequences: Array<[string, Document[]]> = [];
    while (offset < end) {
      const kind = message[offset];
      offset += 1;
      if (kind === 0) {
        [body, offset] = readDocument(message, offset);
      } else if (kind === 1) {
        const sectionSize = message.readInt32LE(offset);
        const sectionEnd = offset + sectionSize;
        if (sectionSize < 5 || sectionEnd > end) throw new ProtocolError('invalid document sequence size');
        const [identifier, docsStart] = readCString(message, offset + 4);
        const docs: Document[] = [];
        let cursor = docsStart;
        while (cursor < sectionEnd) {
          const [doc, next] = readDocument(message, cursor);
          docs.push(doc);
          cursor = next;
        }
        sequences.push([identifier, docs]);
        offset = sectionEnd;
      } else {
        throw new ProtocolError(`unknown OP_MSG section kind ${kind}`);
      }
    }
    if (!body) throw new ProtocolError('OP_MSG without a body section');
    for (const [identifier, docs] of sequences) body[identifier] = docs;
    return { requestId, opCode, command: body, noReply: (flags & FLAG_MORE_TO_COME) !== 0 };
  }
  throw new ProtocolError(`unsupported opCode ${opCode}`);
}

function header(length: number, requestId: number, responseTo: number, opCode: number): Buffer {
  const buffer = Buffer.alloc(HEADER_SIZE);
  buffer.writeInt32LE(length, 0);
  buffer.writeInt32LE(requestId, 4);
  buffer.writeInt32LE(responseTo, 8);
  buffer.writeInt32LE(opCode, 12);
  return buffer;
}

let nextResponseId = 1;

/** Encodes a reply in the format of the request: OP_REPLY to OP_QUERY, one kind-0 OP_MSG otherwise. */
export function encodeReply(request: Pick<WireRequest, 'requestId' | 'opCode'>, reply: Document): Buffer {
  const body = serialize(reply);
  const id = nextResponseId++ & 0x7fffffff;
  if (request.opCode === OP_QUERY) {
    const prefix = Buffer.alloc(20);
    prefix.writeInt32LE(0, 0);
    prefix.writeBigInt64LE(0n, 4);
    prefix.writeInt32LE(0, 12);
    prefix.writeInt32LE(1, 16);
    return Buffer.concat([header(HEADER_SIZE + 20 + body.length, id, request.requestId, OP_REPLY), prefix, body]);
  }
  const flagsAndKind = Buffer.alloc(5);
  return Buffer.concat([header(HEADER_SIZE + 5 + body.length, id, request.requestId, OP_MSG), flagsAndKind, body]);
}
