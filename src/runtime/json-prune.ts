// Cuts members out of a JSON text before it is parsed. A kubelet's status heartbeat resends the whole
// Node (conditions, images, node info, managed fields: ~4 kB) every few seconds, and the operator reads
// a few hundred bytes of it; parsing the rest built objects that were dropped at once, which at a
// thousand nodes was most of the idle operator's CPU (the parse and the collections after it). Scanning
// the bytes for where members end allocates nothing but the kept slices, so the parse that follows sees
// a fifth of the text.
//
// Kept text is parsed by JSON.parse afterwards, so it is checked in full. A dropped value is only checked
// for balanced brackets and terminated strings: it is never read, so a malformed one cannot mislead.
// Works on UTF-8 bytes: every byte of a multi-byte character is >= 0x80, so none looks like JSON syntax.

/** What to keep of an object: each member 'keep', 'drop', or pruned further (when its value is an
 * object); members not named follow '*', which is 'keep' when absent. */
export interface JsonPrune {
  readonly [member: string]: 'keep' | 'drop' | JsonPrune;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const COMMA = 0x2c;
const COLON = 0x3a;

class Malformed extends Error {}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

/** Digits, sign, point, exponent, and the lowercase letters of true, false and null. */
function isLiteralByte(c: number): boolean {
  return (
    (c >= 0x30 && c <= 0x39) ||
    (c >= 0x61 && c <= 0x7a) ||
    c === 0x2d ||
    c === 0x2b ||
    c === 0x2e ||
    c === 0x45
  );
}

function skipSpace(bytes: Uint8Array, at: number): number {
  while (at < bytes.length && isSpace(bytes[at]!)) at++;
  return at;
}

/** Index just past the string that opens at `at` (a quote). */
function stringEnd(bytes: Uint8Array, at: number): number {
  for (let i = at + 1; i < bytes.length; i++) {
    const c = bytes[i];
    if (c === BACKSLASH) i++;
    else if (c === QUOTE) return i + 1;
  }
  throw new Malformed();
}

/** Index just past the value that starts at `at`. */
function valueEnd(bytes: Uint8Array, at: number): number {
  const first = bytes[at];
  if (first === QUOTE) return stringEnd(bytes, at);
  if (first !== OPEN_BRACE && first !== OPEN_BRACKET) {
    // A number or a literal (true, false, null): its characters, up to whatever follows it.
    let end = at;
    while (end < bytes.length && isLiteralByte(bytes[end]!)) end++;
    if (end === at) throw new Malformed();
    return end;
  }
  // One tight loop over the bytes: most of a dropped value is short strings and brackets.
  let depth = 0;
  let inString = false;
  for (let i = at; i < bytes.length; i++) {
    const c = bytes[i];
    if (inString) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) inString = false;
    } else if (c === QUOTE) inString = true;
    else if (c === OPEN_BRACE || c === OPEN_BRACKET) depth++;
    else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
      if (--depth === 0) return i + 1;
    }
  }
  throw new Malformed();
}

interface CompiledPrune {
  names: Uint8Array[];
  rules: Array<'keep' | 'drop' | CompiledPrune>;
  byName: ReadonlyMap<string, 'keep' | 'drop' | CompiledPrune>;
  other: 'keep' | 'drop';
}

const compiled = new WeakMap<JsonPrune, CompiledPrune>();

/** The rules with their names as bytes, so member names are compared without decoding them. */
function compile(prune: JsonPrune): CompiledPrune {
  let done = compiled.get(prune);
  if (done) return done;
  const byName = new Map<string, 'keep' | 'drop' | CompiledPrune>();
  for (const [name, rule] of Object.entries(prune)) {
    if (name !== '*') byName.set(name, typeof rule === 'object' ? compile(rule) : rule);
  }
  const other = prune['*'];
  done = {
    names: [...byName.keys()].map((name) => Buffer.from(name)),
    rules: [...byName.values()],
    byName,
    other: typeof other === 'object' || other === undefined ? 'keep' : other,
  };
  compiled.set(prune, done);
  return done;
}

/** The rule for the member whose name (quotes included) spans `start` to `end`. */
function ruleFor(text: Uint8Array, start: number, end: number, prune: CompiledPrune) {
  const length = end - start - 2;
  let escaped = false;
  for (let n = 0; n < prune.names.length; n++) {
    const name = prune.names[n]!;
    if (name.length !== length) continue;
    let k = 0;
    while (k < length && name[k] === text[start + 1 + k]) k++;
    if (k === length) return prune.rules[n]!;
  }
  for (let k = start + 1; k < end - 1; k++) if (text[k] === BACKSLASH) escaped = true;
  if (escaped) {
    // The API server never escapes a plain name, but an escaped one must still mean what it says.
    const name = JSON.parse(Buffer.from(text.subarray(start, end)).toString('utf8')) as string;
    return prune.byName.get(name) ?? prune.other;
  }
  return prune.other;
}

/** The kept bytes, copied one by one: kept runs are short, and a copy call costs more than a loop. */
class Output {
  bytes = Buffer.allocUnsafe(4096);
  length = 0;

  copy(text: Uint8Array, start: number, end: number): void {
    this.reserve(end - start);
    for (let k = start; k < end; k++) this.bytes[this.length++] = text[k]!;
  }

  byte(c: number): void {
    this.reserve(1);
    this.bytes[this.length++] = c;
  }

  private reserve(more: number): void {
    if (this.length + more <= this.bytes.length) return;
    const grown = Buffer.allocUnsafe(Math.max(this.bytes.length * 2, this.length + more));
    this.bytes.copy(grown, 0, 0, this.length);
    this.bytes = grown;
  }
}

/** Copies the object at `at` with its members pruned; returns the index just past it. */
function pruneObject(text: Uint8Array, at: number, prune: CompiledPrune, out: Output): number {
  out.byte(OPEN_BRACE);
  let i = skipSpace(text, at + 1);
  if (text[i] === CLOSE_BRACE) {
    out.byte(CLOSE_BRACE);
    return i + 1;
  }
  let first = true;
  for (;;) {
    if (text[i] !== QUOTE) throw new Malformed();
    const keyStart = i;
    const keyEnd = stringEnd(text, i);
    const rule = ruleFor(text, keyStart, keyEnd, prune);
    i = skipSpace(text, keyEnd);
    if (text[i] !== COLON) throw new Malformed();
    const valueStart = skipSpace(text, i + 1);
    if (typeof rule === 'object' && text[valueStart] === OPEN_BRACE) {
      if (!first) out.byte(COMMA);
      first = false;
      out.copy(text, keyStart, keyEnd);
      out.byte(COLON);
      i = pruneObject(text, valueStart, rule, out);
    } else {
      i = valueEnd(text, valueStart);
      if (rule !== 'drop') {
        if (!first) out.byte(COMMA);
        first = false;
        out.copy(text, keyStart, i);
      }
    }
    i = skipSpace(text, i);
    const next = text[i];
    if (next === CLOSE_BRACE) {
      out.byte(CLOSE_BRACE);
      return i + 1;
    }
    if (next !== COMMA) throw new Malformed();
    i = skipSpace(text, i + 1);
  }
}

const output = new Output();
const maxKeptBuffer = 256 * 1024;

/**
 * The JSON text (UTF-8) of an object without the members `prune` drops; undefined when the text is not
 * a well-formed object (the caller then parses the whole text and meets the error there).
 */
export function pruneJson(text: Uint8Array, prune: JsonPrune): string | undefined {
  try {
    const start = skipSpace(text, 0);
    if (text[start] !== OPEN_BRACE) return undefined;
    output.length = 0;
    const end = pruneObject(text, start, compile(prune), output);
    const kept = output.bytes.toString('utf8', 0, output.length);
    // One huge event must not keep its buffer for good.
    if (output.bytes.length > maxKeptBuffer) output.bytes = Buffer.allocUnsafe(4096);
    return skipSpace(text, end) === text.length ? kept : undefined;
  } catch (err) {
    if (err instanceof Malformed) return undefined;
    throw err;
  }
}
