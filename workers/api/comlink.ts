// HeaplensError across the worker boundary: comlink's own "throw" handler keeps only an Error's
// name, message and stack, so the code the UI branches on would be lost. This wraps it; the
// worker entry and the page's client both install it before any call.
import * as Comlink from 'comlink';
import { deserializeError, HeaplensError, serializeError, type SerializedError } from './errors.ts';

interface Thrown {
  value: unknown;
}

let installed = false;

export function installErrorTransfer(): void {
  if (installed) return;
  installed = true;
  const original = Comlink.transferHandlers.get('throw') as Comlink.TransferHandler<Thrown, { isError: boolean; value: unknown }>;
  Comlink.transferHandlers.set('throw', {
    canHandle: (value: unknown): value is Thrown => original.canHandle(value),
    serialize(thrown: Thrown) {
      if (thrown.value instanceof HeaplensError) return [{ isError: false, value: serializeError(thrown.value) }, []];
      return original.serialize(thrown);
    },
    deserialize(serialized: { isError: boolean; value: unknown }) {
      const v = serialized.value as Partial<SerializedError> | null;
      if (!serialized.isError && v && v.heaplens === true) throw deserializeError(v as SerializedError);
      return original.deserialize(serialized);
    },
  } as Comlink.TransferHandler<unknown, unknown>);
}
