"""asyncio streams peers for the benchmark: echo, line echo and a chat room, optionally on uvloop.

Usage: /usr/bin/python3 asyncio_servers.py echo|lines|chat [PORT] [--uvloop]
Prints "LISTENING <port>" once ready; SIGTERM exits. Lines end in b"\\n".
"""
import asyncio
import signal
import sys


async def echo(reader, writer):
    try:
        while True:
            data = await reader.read(65536)
            if not data:
                break
            writer.write(data)
            await writer.drain()
    except ConnectionError:
        pass
    finally:
        writer.close()


async def line_echo(reader, writer):
    try:
        while True:
            line = await reader.readline()
            if not line:
                break
            writer.write(line)
            await writer.drain()
    except ConnectionError:
        pass
    finally:
        writer.close()


members = set()


async def chat(reader, writer):
    """Written the usual way: each line goes to every other member, nothing limits buffering."""
    members.add(writer)
    try:
        while True:
            line = await reader.readline()
            if not line:
                break
            for member in members:
                if member is not writer and not member.is_closing():
                    member.write(line)
    except ConnectionError:
        pass
    finally:
        members.discard(writer)
        writer.close()


async def serve(handler, port):
    stop = asyncio.get_running_loop().create_future()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set_result, None)
    server = await asyncio.start_server(handler, "127.0.0.1", port, backlog=1024)
    print("LISTENING", server.sockets[0].getsockname()[1], flush=True)
    await stop


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    handler = {"echo": echo, "lines": line_echo, "chat": chat}.get(args[0])
    if handler is None:
        sys.exit("unknown server kind: " + args[0])
    port = int(args[1]) if len(args) > 1 else 0
    if "--uvloop" in sys.argv:
        import uvloop

        uvloop.install()
    try:
        asyncio.run(serve(handler, port))
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
