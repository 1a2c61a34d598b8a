// The in-memory line-framing bench (bench/framing-lines.ts, written with LineReceiver) is run
// when it has been built. It is found by its exported function, whatever its name, and its
// result is printed and kept in the JSON report.
import { pathToFileURL } from 'node:url';

/** Import `file`, call its exported function and return what it gives (undefined on failure). */
export async function runFraming(file: string, quick: boolean): Promise<unknown> {
  try {
    const mod = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
    const fn = Object.values(mod).find((v): v is (...a: unknown[]) => unknown => typeof v === 'function');
    if (fn === undefined) {
      console.log(`\nin-memory line framing: ${file} exports no function; skipped`);
      return undefined;
    }
    const result = await fn({ quick });
    console.log('\nin-memory line framing (no sockets):');
    console.log(typeof result === 'string' ? result : JSON.stringify(result, null, 2));
    return result;
  } catch (e) {
    console.log(`\nin-memory line framing failed: ${(e as Error).message}`);
    return { error: (e as Error).message };
  }
}
