"""Twisted peers for the benchmark: echo (Protocol), line echo (LineReceiver) and a chat room.

Usage: /usr/bin/python3 twisted_servers.py echo|lines|chat [PORT]
Prints "LISTENING <port>" once ready; SIGTERM stops the reactor. Lines end in b"\\n".
"""
import sys

from twisted.internet import protocol, reactor
from twisted.protocols.basic import LineReceiver


class Echo(protocol.Protocol):
    def dataReceived(self, data):
        self.transport.write(data)


class LineEcho(LineReceiver):
    delimiter = b"\n"

    def lineReceived(self, line):
        self.sendLine(line)


class ChatMember(LineReceiver):
    """Written the usual way: each line goes to every other member, nothing limits buffering."""

    delimiter = b"\n"

    def connectionMade(self):
        self.factory.members.add(self)

    def connectionLost(self, reason):
        self.factory.members.discard(self)

    def lineReceived(self, line):
        for member in self.factory.members:
            if member is not self:
                member.sendLine(line)


class ChatFactory(protocol.Factory):
    protocol = ChatMember

    def __init__(self):
        self.members = set()


def main():
    kind = sys.argv[1]
    port = int(sys.argv[2]) if len(sys.argv) > 2 else 0
    if kind == "echo":
        factory = protocol.Factory.forProtocol(Echo)
    elif kind == "lines":
        factory = protocol.Factory.forProtocol(LineEcho)
    elif kind == "chat":
        factory = ChatFactory()
    else:
        sys.exit("unknown server kind: " + kind)
    listening = reactor.listenTCP(port, factory, backlog=1024, interface="127.0.0.1")
    print("LISTENING", listening.getHost().port, flush=True)
    reactor.run()


if __name__ == "__main__":
    main()
