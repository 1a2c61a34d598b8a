// A line-echo server; completed once LineReceiver lands.
console.log('line-echo: not yet implemented');
