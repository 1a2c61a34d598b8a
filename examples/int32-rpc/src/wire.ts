// What travels on the wire: JSON objects, each framed by a 4-byte big-endian length.
//
//   request   {"id": 7, "method": "add", "params": [2, 3]}
//   reply     {"id": 7, "result": 5}
//   or        {"id": 7, "error": {"code": "METHOD_NOT_FOUND", "message": "..."}}
//
// A request that cannot be read (bad JSON, no id) gets an error reply with "id": null.
import { TorsionError } from '@torsion/reactor';

/** The longest message either side sends or accepts, in bytes (1 MiB). */
export const MAX_MESSAGE_LENGTH = 1024 * 1024;

export interface RpcRequest {
  id: number;
  method: string;
  params?: unknown;
}

export interface RpcErrorBody {
  code: string;
  message: string;
}

export type RpcReply = { id: number; result: unknown } | { id: number | null; error: RpcErrorBody };

/**
 * An error reply, or an error a method throws to choose the reply's code. Its `code` is
 * `ERR_RPC_<CODE>` (`ERR_RPC_METHOD_NOT_FOUND`...), its `rpcCode` the code on the wire.
 */
export class RpcError extends TorsionError {
  readonly rpcCode: string;
  constructor(rpcCode: string, message: string) {
    super(`ERR_RPC_${rpcCode}`, message);
    this.rpcCode = rpcCode;
  }
}

/** The peer sent something that is not a reply of this protocol; the connection is dropped. */
export class RpcProtocolError extends TorsionError {
  constructor(message: string) {
    super('ERR_RPC_PROTOCOL', `${message}: the peer does not speak this RPC protocol; the connection was dropped.`);
  }
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function isId(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}
