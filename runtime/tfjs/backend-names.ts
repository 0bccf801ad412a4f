// The names of the tensor backends, and the error when one cannot start: apart from
// backend.ts, which speaks of tfjs's own types, so that the library API can name them without
// exposing any of tfjs.

export type BackendName = "auto" | "cpu" | "wasm" | "webgpu" | "tensorflow" | "tensorflow-gpu";

export const BACKEND_NAMES: readonly BackendName[] = ["auto", "cpu", "wasm", "webgpu", "tensorflow", "tensorflow-gpu"];

/**
 * The user asked for a backend that is not installed or cannot start: a user error (the CLI
 * prints the message, not a stack trace).
 */
export class BackendUnavailableError extends Error {
  readonly isUserError = true;
  constructor(
    readonly backend: BackendName,
    message: string,
  ) {
    super(message);
    this.name = "BackendUnavailableError";
  }
}
