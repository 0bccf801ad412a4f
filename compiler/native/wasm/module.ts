// A WebAssembly module under construction: function types (deduplicated), imported functions
// and memory, defined functions and exports, encoded to the binary format in one pass.
// Section order is fixed by the spec: type, import, function, export, code.
import { ByteWriter } from "./bytes.js";
import type { FunctionCode } from "./code.js";
import type { ValType } from "./opcodes.js";

export interface MemoryImport {
  module: string;
  name: string;
  /** Size in 64 KiB pages; the memory is declared with maximum = initial, so it cannot grow. */
  pages: number;
  /** A shared memory (threads): requires the import to be a shared WebAssembly.Memory. */
  shared?: boolean;
  /** No maximum: the module then accepts any memory of at least `pages` (a reused scratch memory). */
  unbounded?: boolean;
}

interface FuncImport {
  module: string;
  name: string;
  typeIndex: number;
}

interface DefinedFunc {
  typeIndex: number;
  code: FunctionCode;
  exportName?: string;
}

const SECTION = { type: 1, import: 2, function: 3, export: 7, code: 10 } as const;

export class ModuleBuilder {
  private readonly types: string[] = [];
  private readonly typeSigs: [readonly ValType[], readonly ValType[]][] = [];
  private readonly funcImports: FuncImport[] = [];
  private readonly funcs: DefinedFunc[] = [];
  private memory?: MemoryImport;
  private memoryExportName?: string;
  private sealedImports = false;

  private typeIndex(params: readonly ValType[], results: readonly ValType[]): number {
    const key = `${params.join(",")}->${results.join(",")}`;
    let i = this.types.indexOf(key);
    if (i < 0) {
      i = this.types.length;
      this.types.push(key);
      this.typeSigs.push([params, results]);
    }
    return i;
  }

  importMemory(mem: MemoryImport): void {
    this.memory = mem;
  }

  /** Re-exports the imported memory (memory index 0) under `name`. */
  exportMemory(name: string): void {
    if (!this.memory) throw new Error("internal error: export of a memory that was not imported");
    this.memoryExportName = name;
  }

  /** Imports a function; returns its function index. All imports precede definitions. */
  importFunction(module: string, name: string, params: readonly ValType[], results: readonly ValType[]): number {
    if (this.sealedImports) throw new Error("internal error: function imports must come before definitions");
    this.funcImports.push({ module, name, typeIndex: this.typeIndex(params, results) });
    return this.funcImports.length - 1;
  }

  /** The index the next defined function will get (for calls between functions). */
  nextFunctionIndex(): number {
    return this.funcImports.length + this.funcs.length;
  }

  /** Adds a function; returns its function index. */
  addFunction(code: FunctionCode, exportName?: string): number {
    this.sealedImports = true;
    this.funcs.push({ typeIndex: this.typeIndex(code.params, code.results), code, exportName });
    return this.funcImports.length + this.funcs.length - 1;
  }

  encode(): Uint8Array {
    const out = new ByteWriter();
    out.bytes([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]); // "\0asm", version 1

    const types = new ByteWriter().u32(this.typeSigs.length);
    for (const [params, results] of this.typeSigs) {
      types.byte(0x60).u32(params.length).bytes(params).u32(results.length).bytes(results);
    }
    section(out, SECTION.type, types);

    const imports = new ByteWriter().u32(this.funcImports.length + (this.memory ? 1 : 0));
    for (const f of this.funcImports) imports.name(f.module).name(f.name).byte(0x00).u32(f.typeIndex);
    if (this.memory) {
      const m = this.memory;
      // Limits flag: 0x00 = min only; 0x01 = min and max; 0x03 = min, max and shared (threads).
      imports.name(m.module).name(m.name).byte(0x02);
      if (m.unbounded && !m.shared) imports.byte(0x00).u32(m.pages);
      else imports.byte(m.shared ? 0x03 : 0x01).u32(m.pages).u32(m.pages);
    }
    section(out, SECTION.import, imports);

    const functions = new ByteWriter().u32(this.funcs.length);
    for (const f of this.funcs) functions.u32(f.typeIndex);
    section(out, SECTION.function, functions);

    const exported = this.funcs.map((f, i) => [f.exportName, i] as const).filter(([n]) => n !== undefined);
    const exports = new ByteWriter().u32(exported.length + (this.memoryExportName ? 1 : 0));
    for (const [name, i] of exported)
      exports
        .name(name as string)
        .byte(0x00)
        .u32(this.funcImports.length + i);
    if (this.memoryExportName) exports.name(this.memoryExportName).byte(0x02).u32(0);
    section(out, SECTION.export, exports);

    const code = new ByteWriter().u32(this.funcs.length);
    for (const f of this.funcs) code.sized(f.code.encode());
    section(out, SECTION.code, code);
    return out.finish();
  }
}

function section(out: ByteWriter, id: number, content: ByteWriter): void {
  out.byte(id).sized(content);
}
