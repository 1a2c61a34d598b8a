/**
 * What a client sends is shown on other people's terminals. Control characters would let it
 * rewrite their screen: a carriage return in the middle of a line followed by `<admin> ...`
 * makes a message look as if someone else said it, escape sequences clear the screen or move
 * the cursor, and bidirectional overrides reverse how text reads. They are replaced, not
 * removed, so the reader can see something was there.
 */

// C0 controls but tab, DEL, C1 controls, and the bidirectional embedding/override/isolate marks.
const UNSAFE = /[\x00-\x08\x0a-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/;
const UNSAFE_ALL = new RegExp(UNSAFE.source, 'g');
const REPLACEMENT = '\ufffd';

/** Return `text` safe to print on someone else's terminal: tabs become spaces, controls U+FFFD. */
export function cleanText(text: string): string {
  // Most lines are plain: one scan that finds nothing and no copy.
  const unsafe = UNSAFE.test(text);
  const tab = text.includes('\t');
  if (!unsafe && !tab) return text;
  const out = unsafe ? text.replace(UNSAFE_ALL, REPLACEMENT) : text;
  return tab ? out.replaceAll('\t', ' ') : out;
}
