/**
 * From the raw body bytes to text with LF line endings: size limit, byte order marks, encodings, the
 * binary check. Tills send UTF-8, sometimes with a BOM, sometimes Windows-1252 (the "Café" of an old
 * till), rarely UTF-16 with a BOM; all are read, and the warnings say which was used.
 */
import { LIMITS, type TicketParseError, type WarningList } from './ticket.js';

export type DecodeResult =
  | { readonly ok: true; readonly text: string }
  | { readonly ok: false; readonly error: Omit<TicketParseError, 'warnings'> };

const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const CP1252 = new TextDecoder('windows-1252');
// Above this share of control characters (other than TAB, LF, CR) a body is binary, not a ticket.
const MAX_CONTROL_SHARE = 0.05;

/**
 * Decodes `body` (at most LIMITS.maxBodyBytes) into text whose lines end in LF, adding `bom`,
 * `not_utf8` and `crlf` warnings. Errors: `too_large`, `binary` (a NUL, or over 5% control
 * characters), `empty` (nothing but whitespace).
 */
export function decodeBody(body: Uint8Array, warnings: WarningList): DecodeResult {
  if (body.byteLength > LIMITS.maxBodyBytes) {
    const detail = `${body.byteLength} bytes; at most ${LIMITS.maxBodyBytes} are read`;
    return { ok: false, error: { kind: 'too_large', detail } };
  }
  let text = decode(body, warnings);
  const binary = binaryReason(text);
  if (binary !== null) return { ok: false, error: { kind: 'binary', detail: binary } };
  if (text.trim() === '') {
    return {
      ok: false,
      error: { kind: 'empty', detail: `${body.byteLength} bytes of whitespace or nothing` },
    };
  }
  if (text.includes('\r')) {
    warnings.add('crlf', 'CR or CRLF line endings were read as LF');
    // One line-ending convention before any line is counted, so line numbers match what an editor shows.
    text = text.replace(/\r\n?/g, '\n');
  }
  return { ok: true, text };
}

function decode(body: Uint8Array, warnings: WarningList): string {
  const b0 = body[0];
  const b1 = body[1];
  if (b0 === 0xef && b1 === 0xbb && body[2] === 0xbf) {
    warnings.add('bom', 'a UTF-8 byte order mark was removed');
    return decodeUtf8OrCp1252(body.subarray(3), warnings);
  }
  if ((b0 === 0xff && b1 === 0xfe) || (b0 === 0xfe && b1 === 0xff)) {
    const encoding = b0 === 0xff ? 'utf-16le' : 'utf-16be';
    warnings.add('bom', `a ${encoding.toUpperCase()} byte order mark was removed`);
    warnings.add('not_utf8', `the body was read as ${encoding.toUpperCase()}`);
    return new TextDecoder(encoding).decode(body.subarray(2));
  }
  return decodeUtf8OrCp1252(body, warnings);
}

function decodeUtf8OrCp1252(bytes: Uint8Array, warnings: WarningList): string {
  try {
    return UTF8.decode(bytes);
  } catch {
    // Not UTF-8: every byte sequence is valid Windows-1252, the usual encoding of older tills.
    warnings.add('not_utf8', 'the body is not valid UTF-8; it was read as Windows-1252');
    return CP1252.decode(bytes);
  }
}

/** Why `text` is binary, or null. */
function binaryReason(text: string): string | null {
  const nul = text.indexOf('\0');
  if (nul >= 0) return `a NUL character at offset ${nul}`;
  let controls = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (isControl(c) && c !== 0x09 && c !== 0x0a && c !== 0x0d) controls++;
  }
  if (controls > text.length * MAX_CONTROL_SHARE) {
    return `${controls} of ${text.length} characters are control characters`;
  }
  return null;
}

/** C0 and C1 control characters and DEL (TAB, LF, CR included). */
function isControl(code: number): boolean {
  return code < 0x20 || (code >= 0x7f && code <= 0x9f);
}

/** True when `text` holds a control character; TAB counts, since a field never needs one. */
export function hasControl(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (isControl(text.charCodeAt(i))) return true;
  return false;
}
