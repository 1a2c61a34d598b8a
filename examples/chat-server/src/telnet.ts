/**
 * Telnet clients send option negotiation (IAC sequences) mixed with text. The chat server does
 * not negotiate anything, so it removes those bytes from each line before reading it.
 */

const IAC = 0xff;
const SB = 0xfa; // sub-negotiation begins
const SE = 0xf0; // sub-negotiation ends
const WILL = 0xfb;
const DONT = 0xfe;

/**
 * Return `line` without telnet commands: `IAC <cmd>`, `IAC WILL|WONT|DO|DONT <opt>` and
 * `IAC SB ... IAC SE`. `IAC IAC` stands for a literal 0xff byte, which is not valid UTF-8 on its
 * own, so it is dropped too. Returns the same Buffer when there is nothing to remove.
 */
export function stripTelnet(line: Buffer): Buffer {
  let i = line.indexOf(IAC);
  if (i < 0) return line;
  const out = Buffer.allocUnsafe(line.length);
  line.copy(out, 0, 0, i);
  let o = i;
  while (i < line.length) {
    const b = line[i]!;
    if (b !== IAC) {
      out[o++] = b;
      i += 1;
      continue;
    }
    const cmd = line[i + 1];
    if (cmd === undefined) break;
    if (cmd >= WILL && cmd <= DONT) {
      i += 3;
    } else if (cmd === SB) {
      const end = findSubnegotiationEnd(line, i + 2);
      i = end < 0 ? line.length : end + 2;
    } else {
      i += 2;
    }
  }
  return out.subarray(0, o);
}

function findSubnegotiationEnd(line: Buffer, from: number): number {
  for (let j = line.indexOf(IAC, from); j >= 0; j = line.indexOf(IAC, j + 1)) {
    if (line[j + 1] === SE) return j;
  }
  return -1;
}
