import { expect } from 'chai';
import { fromWebStreams } from '@torsion/streams';

describe('fromWebStreams', () => {
  it('reads what was written through a TransformStream and sees EOF after writeEof', async () => {
    const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>();
    const [reader, writer] = fromWebStreams({ readable, writable });
    writer.write('loop\n');
    writer.write(new Uint8Array([104, 105]));
    expect((await reader.readLine()).toString()).to.equal('loop\n');
    writer.writeEof();
    expect((await reader.read()).toString()).to.equal('hi');
    await writer.waitClosed(); // both halves done: the end is clean
  });

  it('reads a ReadableStream alone to its end', async () => {
    const readable = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('a\nb'));
        controller.enqueue(new TextEncoder().encode('c\n'));
        controller.close();
      },
    });
    const [reader, writer] = fromWebStreams({ readable });
    const lines: string[] = [];
    for await (const line of reader) lines.push(line.toString());
    expect(lines).to.deep.equal(['a\n', 'bc\n']);
    await writer.waitClosed();
  });

  it('writes into a WritableStream alone', async () => {
    const got: string[] = [];
    const writable = new WritableStream<Uint8Array>({ write(chunk) { got.push(Buffer.from(chunk).toString()); } });
    const [, writer] = fromWebStreams({ writable });
    writer.write('x');
    writer.write('y');
    writer.close();
    await writer.waitClosed();
    expect(got.join('')).to.equal('xy');
  });
});
