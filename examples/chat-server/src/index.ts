export { ChatServer, Room, LOBBY, type ChatStats } from './chat-server.js';
export { ChatClient } from './chat-client.js';
export { defaultOptions, parseCommandLine, usage, UsageError, type ChatOptions, type CommandLine } from './options.js';
export { cleanText } from './text.js';
export { stripTelnet } from './telnet.js';
