// The slice of the JavaScript WebAssembly API the native runtime uses, typed here because the
// project compiles without the DOM library (which is where TypeScript declares WebAssembly).
// Every JavaScript engine with WebAssembly has these; nothing here is Node-specific.

export interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}

export interface WasmModule {
  readonly __brand?: "WebAssembly.Module";
}

export interface WasmInstance {
  readonly exports: Record<string, unknown>;
}

export type WasmImports = Record<string, Record<string, WasmMemory | ((...args: number[]) => number)>>;

export interface WasmApi {
  Module: new (bytes: Uint8Array) => WasmModule;
  Instance: new (module: WasmModule, imports: WasmImports) => WasmInstance;
  Memory: new (descriptor: { initial: number; maximum?: number; shared?: boolean }) => WasmMemory;
  validate(bytes: Uint8Array): boolean;
}

export function wasmApi(): WasmApi {
  const api = (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly;
  if (!api) throw new Error("the native backend needs WebAssembly, which this JavaScript engine does not provide");
  return api;
}
