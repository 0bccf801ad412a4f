// The native backend's tensors and the bookkeeping behind them. A NativeTensor is a NativeArray
// with an identity and a lifetime: it holds a Storage (a typed array and a count of the tensors
// that share it, as reshape does), and disposing the last holder gives large arrays back to a
// pool for the next allocation of the same size, so an iteration reuses last iteration's
// arrays instead of asking the garbage collector for new ones. `tidy` scopes work as tfjs's:
// every tensor made inside is disposed at the end, except those the result holds.
import type { Tensor } from "../drivers/tensor-api.js";
import type { NativeArray, NativeData, NativeDType } from "./array.js";
import { newData, sizeOf } from "./storage.js";

/** A typed array and how many live tensors hold it. */
export class Storage {
  holders = 0;

  constructor(
    public data: NativeData,
    /**
     * Set when the data is a view into a fused region's WebAssembly memory (valid until that
     * region's next call): never pooled, and copied out before the region runs again.
     */
    public owner?: object,
  ) {}

  get bytes(): number {
    return this.data.byteLength;
  }
}

const TF_NAME: Record<NativeDType, string> = { f32: "float32", f64: "float64", i32: "int32", bool: "bool" };

export class NativeTensor implements Tensor {
  readonly size: number;
  readonly rank: number;
  readonly dtype: string;
  /** The tidy scope that will dispose this tensor, if any. */
  scope: Set<NativeTensor> | undefined;
  private disposed = false;

  constructor(
    private readonly memory: NativeMemory,
    readonly storage: Storage,
    readonly shape: number[],
    readonly nativeDType: NativeDType,
    readonly id: number,
  ) {
    this.size = sizeOf(shape);
    this.rank = shape.length;
    this.dtype = TF_NAME[nativeDType];
  }

  get data(): NativeData {
    return this.storage.data;
  }

  /** The value as the kernels and the fuser take it (valid while this tensor lives). */
  get array(): NativeArray {
    return { dtype: this.nativeDType, shape: this.shape, data: this.storage.data };
  }

  get isDisposed(): boolean {
    return this.disposed;
  }

  dataSync(): NativeData {
    if (this.disposed) throw new Error(`internal error: tensor ${this.id} read after it was disposed`);
    return this.storage.data;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.memory.release(this);
  }
}

/** Arrays of at least this many entries are pooled (small ones are cheap to allocate). */
const POOL_MIN_LENGTH = 1024;

/** Free arrays by dtype and length, up to a total size. */
class ArrayPool {
  private readonly free = new Map<string, NativeData[]>();
  private bytes = 0;

  constructor(private readonly maxBytes: number) {}

  take(dtype: NativeDType, length: number): NativeData | undefined {
    if (length < POOL_MIN_LENGTH) return undefined;
    const data = this.free.get(`${dtype}:${length}`)?.pop();
    if (data) this.bytes -= data.byteLength;
    return data;
  }

  give(dtype: NativeDType, data: NativeData): void {
    if (data.length < POOL_MIN_LENGTH || this.bytes + data.byteLength > this.maxBytes) return;
    const key = `${dtype}:${data.length}`;
    const list = this.free.get(key) ?? [];
    list.push(data);
    this.free.set(key, list);
    this.bytes += data.byteLength;
  }
}

/** Live tensors, their bytes, the tidy scopes and the array pool of one native run. */
export class NativeMemory {
  private nextId = 0;
  private liveTensors = 0;
  private liveBytes = 0;
  private readonly scopes: Set<NativeTensor>[] = [];
  private readonly pool: ArrayPool;

  constructor(poolBytes = 256 * 1024 * 1024) {
    this.pool = new ArrayPool(poolBytes);
  }

  /** How many tensors are alive: the leak detector, like tfjs's memory().numTensors. */
  get numTensors(): number {
    return this.liveTensors;
  }

  /** The bytes of the live tensors' arrays (a shared array counts once). */
  get numBytes(): number {
    return this.liveBytes;
  }

  /** A typed array for a new value: from the pool when one of the size is free. */
  alloc(dtype: NativeDType, length: number, zeroed = false): NativeData {
    const reused = this.pool.take(dtype, length);
    if (!reused) return newData(dtype, length);
    if (zeroed) reused.fill(0);
    return reused;
  }

  /** A new tensor over `data` (its own storage), or sharing `storage` (a reshape). */
  tensor(dtype: NativeDType, shape: readonly number[], data: NativeData | Storage): NativeTensor {
    const storage = data instanceof Storage ? data : new Storage(data);
    if (storage.holders++ === 0) this.liveBytes += storage.bytes;
    const t = new NativeTensor(this, storage, [...shape], dtype, this.nextId++);
    this.liveTensors++;
    const scope = this.scopes[this.scopes.length - 1];
    if (scope) {
      scope.add(t);
      t.scope = scope;
    }
    return t;
  }

  /** A tensor holding a kernel's or a fused region's result. */
  fromArray(a: NativeArray, owner?: object): NativeTensor {
    return this.tensor(a.dtype, a.shape, owner ? new Storage(a.data, owner) : a.data);
  }

  release(t: NativeTensor): void {
    this.liveTensors--;
    t.scope?.delete(t);
    const s = t.storage;
    if (--s.holders > 0) return;
    this.liveBytes -= s.bytes;
    if (!s.owner) this.pool.give(t.nativeDType, s.data);
  }

  /** Runs fn; disposes every tensor made inside that its result does not hold. */
  tidy<C>(fn: () => C): C {
    const scope = new Set<NativeTensor>();
    this.scopes.push(scope);
    let result: C;
    try {
      result = fn();
    } catch (e) {
      this.scopes.pop();
      for (const t of [...scope]) t.dispose();
      throw e;
    }
    this.scopes.pop();
    const keep = new Set<NativeTensor>();
    collect(result, keep);
    const parent = this.scopes[this.scopes.length - 1];
    for (const t of [...scope]) {
      if (!keep.has(t)) t.dispose();
      else if (parent) {
        parent.add(t);
        t.scope = parent;
      } else t.scope = undefined;
    }
    return result;
  }

  /** Stops tracking `t` in its tidy scope: it outlives the scope (a value kept by the interpreter). */
  keep(t: NativeTensor): NativeTensor {
    t.scope?.delete(t);
    t.scope = undefined;
    return t;
  }
}

/** Every NativeTensor in a result: itself, or inside arrays and plain objects. */
export function collect(value: unknown, into: Set<NativeTensor>): void {
  if (value instanceof NativeTensor) into.add(value);
  else if (Array.isArray(value)) for (const v of value) collect(v, into);
  else if (value !== null && typeof value === "object" && !ArrayBuffer.isView(value)) for (const v of Object.values(value)) collect(v, into);
}

