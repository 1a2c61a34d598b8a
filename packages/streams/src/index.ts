/**
 * asyncio-style streams over Torsion transports. Filled by the streams work.
 *
 * @module
 */
export {};
