/**
 * A WebAssembly SIMD matrix-product kernel, assembled here from TypeScript (no toolchain, no
 * dependency): scalar JavaScript tops out near one multiply-add per cycle, f32x4 lanes do 4.
 *
 * One kernel serves the three products of a linear layer, by strides. For a 4 × 8 block of C at
 * (i, j) it keeps 8 f32x4 accumulators over a reduction of length `len`:
 *
 *   C[i + r, j : j + 8] (+)= Σ_t A[i + r, t] · B[t, j : j + 8]      r = 0..3
 *
 * where element A[r, t] lives at a + r·aRow + t·aRed and row B[t, ·] at b + t·bRed (byte
 * addresses in the module's memory). Forward Y = XW is (aRow = K, aRed = 1); dW = Xᵀ dY reads
 * X transposed (aRow = 1, aRed = K); dX = dY Wᵀ needs Wᵀ copied in first. Sums run in float32
 * lanes as in PyTorch: exact IEEE operations with no fused multiply-add, so results are the same on
 * every machine. Callers copy operands into `memory` and handle edges that do not fill a block.
 */

const I32 = 0x7f;
const V128 = 0x7b;

function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
  return out;
}

function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const byte = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (byte & 0x40) === 0) || (n === -1 && (byte & 0x40) !== 0)) {
      out.push(byte);
      return out;
    }
    out.push(byte | 0x80);
  }
}

const vec = (items: number[][]): number[] => [...uleb(items.length), ...items.flat()];
const name = (s: string): number[] => vec([...s].map((ch) => [ch.charCodeAt(0)]));
const section = (id: number, body: number[]): number[] => [id, ...uleb(body.length), ...body];

// Instructions (only those the kernel uses).
const get = (l: number): number[] => [0x20, ...uleb(l)];
const set = (l: number): number[] => [0x21, ...uleb(l)];
const i32c = (v: number): number[] => [0x41, ...sleb(v)];
const add = [0x6a];
const mul = [0x6c];
const ltU = [0x49];
const loop = [0x03, 0x40];
const ifThen = [0x04, 0x40];
const elseOp = [0x05];
const brIf0 = [0x0d, 0x00];
const end = [0x0b];
const simd = (op: number, ...imm: number[]): number[] => [0xfd, ...uleb(op), ...imm];
const memarg = (offset: number): number[] => [2, ...uleb(offset)]; // align hint 4 bytes: addresses need not be 16-aligned
const vload = (offset = 0): number[] => simd(0x00, ...memarg(offset));
const vstore = (offset = 0): number[] => simd(0x0b, ...memarg(offset));
const vsplat32 = simd(0x09, ...memarg(0));
const vzero = simd(0x0c, ...new Array<number>(16).fill(0));
const fadd = simd(0xe4);
const fmul = simd(0xe6);
const fmax = simd(0xe9);
const fgt = simd(0x44);
const vand = simd(0x4e);
const geU = [0x4f];
const and = [0x71];
const block = [0x02, 0x40];
const br = (depth: number): number[] => [0x0c, ...uleb(depth)];
const brIf = (depth: number): number[] => [0x0d, ...uleb(depth)];
const i32load = (offset = 0): number[] => [0x28, ...memarg(offset)];

// Locals: the 11 parameters, then working i32s, then v128s.
const [A, AROW, ARED, B, BRED, C, CROW, ROWS, COLS, LEN, ACC] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
const [I, J, T, PA0, PA1, PA2, PA3, PB, PC] = [11, 12, 13, 14, 15, 16, 17, 18, 19];
const ACCS = [20, 21, 22, 23, 24, 25, 26, 27]; // ACCS[2r + h]: row r, columns j + 4h .. j + 4h + 3
const [VB0, VB1, VX] = [28, 29, 30];

/** `local += delta` */
const bump = (l: number, delta: number[]): number[] => [...get(l), ...delta, ...add, ...set(l)];

function kernelBody(): number[] {
  const zeroAccs = ACCS.flatMap((v) => [...vzero, ...set(v)]);
  // One reduction step: two vectors of B's row, then each A row's value splat over 4 lanes.
  const step = [
    ...get(PB), ...vload(0), ...set(VB0),
    ...get(PB), ...vload(16), ...set(VB1),
    ...[PA0, PA1, PA2, PA3].flatMap((pa, r) => [
      ...get(pa), ...vsplat32, ...set(VX),
      ...get(ACCS[2 * r] as number), ...get(VX), ...get(VB0), ...fmul, ...fadd, ...set(ACCS[2 * r] as number),
      ...get(ACCS[2 * r + 1] as number), ...get(VX), ...get(VB1), ...fmul, ...fadd, ...set(ACCS[2 * r + 1] as number),
    ]),
    ...bump(PA0, get(ARED)), ...bump(PA1, get(ARED)), ...bump(PA2, get(ARED)), ...bump(PA3, get(ARED)),
    ...bump(PB, get(BRED)),
    ...bump(T, i32c(1)),
    ...get(T), ...get(LEN), ...ltU, ...brIf0,
  ];
  // C rows: add into memory (ACC ≠ 0) or overwrite it.
  const storeRow = (r: number): number[] =>
    [0, 1].flatMap((h) => [
      ...get(PC), ...get(PC), ...vload(16 * h), ...get(ACCS[2 * r + h] as number), ...fadd, ...vstore(16 * h),
    ]);
  const writeRow = (r: number): number[] => [0, 1].flatMap((h) => [...get(PC), ...get(ACCS[2 * r + h] as number), ...vstore(16 * h)]);
  const writeBlock = (row: (r: number) => number[]): number[] => [0, 1, 2, 3].flatMap((r) => [...row(r), ...(r < 3 ? bump(PC, get(CROW)) : [])]);
  const innerJ = [
    ...zeroAccs,
    // pa_r = a + (i + r)·aRow;  pb = b + 4j
    ...get(A), ...get(I), ...get(AROW), ...mul, ...add, ...set(PA0),
    ...get(PA0), ...get(AROW), ...add, ...set(PA1),
    ...get(PA1), ...get(AROW), ...add, ...set(PA2),
    ...get(PA2), ...get(AROW), ...add, ...set(PA3),
    ...get(B), ...get(J), ...i32c(4), ...mul, ...add, ...set(PB),
    ...i32c(0), ...set(T),
    ...loop, ...step, ...end,
    // pc = c + i·cRow + 4j
    ...get(C), ...get(I), ...get(CROW), ...mul, ...add, ...get(J), ...i32c(4), ...mul, ...add, ...set(PC),
    ...get(ACC), ...ifThen, ...writeBlock(storeRow), ...elseOp, ...writeBlock(writeRow), ...end,
    ...bump(J, i32c(8)),
    ...get(J), ...get(COLS), ...ltU, ...brIf0,
  ];
  const outerI = [
    ...i32c(0), ...set(I),
    ...loop,
    ...i32c(0), ...set(J),
    ...loop, ...innerJ, ...end,
    ...bump(I, i32c(4)),
    ...get(I), ...get(ROWS), ...ltU, ...brIf0,
    ...end,
  ];
  const locals = vec([
    [...uleb(9), I32],
    [...uleb(11), V128],
  ]);
  const body = [...locals, ...outerI, ...end];
  return [...uleb(body.length), ...body];
}

// spmm locals: the 11 parameters, then i32s, then v128s.
const [SR, SC, SV, SH, SHROW, SY, SYROW, SN, SCOL, SBIAS, SFLAGS] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
const [SI, SP, SP1, SBASE, SOUT] = [11, 12, 13, 14, 15];
const SW = 16;
const SACC = 17; // SACC + v, v < lanes/4

/**
 * Y[i, c : c + 4V] (+)= Σ_p val[p] · H[col[p], c : c + 4V] over row i's non-zeros, then + bias and
 * ReLU when flagged (flags: 1 accumulate into Y, 2 add bias[c : c + 4V], 4 ReLU), for i < n.
 * Sums run in float32 lanes, non-zeros in CSR order.
 */
function spmmBody(V: number): number[] {
  const accs = Array.from({ length: V }, (_, v) => SACC + v);
  const nz = [
    ...block, ...loop,
    ...get(SP), ...get(SP1), ...geU, ...brIf(1),
    // w = splat(val[p]); base = h + col[p] · hRow + c
    ...get(SV), ...get(SP), ...i32c(4), ...mul, ...add, ...vsplat32, ...set(SW),
    ...get(SH), ...get(SC), ...get(SP), ...i32c(4), ...mul, ...add, ...i32load(0), ...get(SHROW), ...mul, ...add, ...get(SCOL), ...add, ...set(SBASE),
    ...accs.flatMap((acc, v) => [...get(acc), ...get(SW), ...get(SBASE), ...vload(16 * v), ...fmul, ...fadd, ...set(acc)]),
    ...bump(SP, i32c(1)),
    ...br(0),
    ...end, ...end,
  ];
  const flag = (bit: number, body: number[]): number[] => [...get(SFLAGS), ...i32c(bit), ...and, ...ifThen, ...body, ...end];
  const row = [
    ...accs.flatMap((acc) => [...vzero, ...set(acc)]),
    ...get(SR), ...get(SI), ...i32c(4), ...mul, ...add, ...i32load(0), ...set(SP),
    ...get(SR), ...get(SI), ...i32c(4), ...mul, ...add, ...i32load(4), ...set(SP1),
    ...nz,
    ...get(SY), ...get(SI), ...get(SYROW), ...mul, ...add, ...get(SCOL), ...add, ...set(SOUT),
    ...flag(1, accs.flatMap((acc, v) => [...get(SOUT), ...vload(16 * v), ...get(acc), ...fadd, ...set(acc)])),
    ...flag(2, accs.flatMap((acc, v) => [...get(acc), ...get(SBIAS), ...get(SCOL), ...add, ...vload(16 * v), ...fadd, ...set(acc)])),
    ...flag(4, accs.flatMap((acc) => [...get(acc), ...vzero, ...fmax, ...set(acc)])),
    ...accs.flatMap((acc, v) => [...get(SOUT), ...get(acc), ...vstore(16 * v)]),
    ...bump(SI, i32c(1)),
    ...get(SI), ...get(SN), ...ltU, ...brIf0,
  ];
  const locals = vec([
    [...uleb(5), I32],
    [...uleb(1 + V), V128],
  ]);
  const body = [...locals, ...i32c(0), ...set(SI), ...loop, ...row, ...end, ...end];
  return [...uleb(body.length), ...body];
}

// reluGrad locals: the 11 parameters (the last four unused), then i32s, then v128s.
const [GDY, GY, GDZ, GN, GROW, GDB, GCOLS] = [0, 1, 2, 3, 4, 5, 6];
const [GI, GC, GOFF] = [11, 12, 13];
const [GACC, GD] = [14, 15];

/**
 * dZ = dY ⊙ [Y > 0] and db[c] += Σ_rows dZ[·, c], for rows < n and columns < cols (a multiple of
 * 4), 4 columns per pass down the rows; row stride in bytes. A masked entry becomes +0.
 */
function reluGradBody(): number[] {
  const rowLoop = [
    ...get(GI), ...get(GROW), ...mul, ...get(GC), ...i32c(4), ...mul, ...add, ...set(GOFF),
    ...get(GDY), ...get(GOFF), ...add, ...vload(0),
    ...get(GY), ...get(GOFF), ...add, ...vload(0), ...vzero, ...fgt,
    ...vand, ...set(GD),
    ...get(GDZ), ...get(GOFF), ...add, ...get(GD), ...vstore(0),
    ...get(GACC), ...get(GD), ...fadd, ...set(GACC),
    ...bump(GI, i32c(1)),
    ...get(GI), ...get(GN), ...ltU, ...brIf0,
  ];
  const colLoop = [
    ...vzero, ...set(GACC),
    ...i32c(0), ...set(GI),
    ...loop, ...rowLoop, ...end,
    ...get(GDB), ...get(GC), ...i32c(4), ...mul, ...add,
    ...get(GDB), ...get(GC), ...i32c(4), ...mul, ...add, ...vload(0), ...get(GACC), ...fadd,
    ...vstore(0),
    ...bump(GC, i32c(4)),
    ...get(GC), ...get(GCOLS), ...ltU, ...brIf0,
  ];
  const locals = vec([
    [...uleb(3), I32],
    [...uleb(2), V128],
  ]);
  const body = [...locals, ...i32c(0), ...set(GC), ...loop, ...colLoop, ...end, ...end];
  return [...uleb(body.length), ...body];
}

/** Column blocks (f32x4 vectors per pass) the sparse kernels come in. */
export const SPMM_WIDTHS = [8, 4, 2, 1] as const;

function moduleBytes(): Uint8Array {
  // Both kernels take 11 i32 parameters: one function type.
  const type = section(1, vec([[0x60, ...vec(new Array<number[]>(11).fill([I32])), ...vec([])]]));
  const imports = section(2, vec([[...name('env'), ...name('memory'), 0x02, 0x00, ...uleb(1)]]));
  const funcs = section(3, vec([uleb(0), ...SPMM_WIDTHS.map(() => uleb(0)), uleb(0)]));
  const exportSec = section(
    7,
    vec([[...name('gemm'), 0x00, ...uleb(0)], ...SPMM_WIDTHS.map((v, k) => [...name(`spmm${v}`), 0x00, ...uleb(k + 1)]), [...name('reluGrad'), 0x00, ...uleb(SPMM_WIDTHS.length + 1)]]),
  );
  const code = section(10, vec([kernelBody(), ...SPMM_WIDTHS.map(spmmBody), reluGradBody()]));
  return new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, ...type, ...imports, ...funcs, ...exportSec, ...code]);
}

/**
 * Tile kernel over rows × cols of C (rows a multiple of 4, cols of 8, len ≥ 1); addresses and
 * strides in bytes; accumulate ≠ 0 adds into C, 0 overwrites it.
 */
export type GemmKernel = (a: number, aRow: number, aRed: number, b: number, bRed: number, c: number, cRow: number, rows: number, cols: number, len: number, accumulate: number) => void;

/**
 * Sparse kernel over rows < n for 4·V columns from byte offset `col` (spmmBody); CSR arrays,
 * H and Y at byte addresses, row strides in bytes; `bias` an address (read when flags & 2).
 */
export type SpmmKernel = (rowPtr: number, col: number, val: number, h: number, hRow: number, y: number, yRow: number, n: number, colOffset: number, bias: number, flags: number) => void;

/** reluGradBody: addresses in bytes, row stride in bytes; rows ≥ 1, cols a multiple of 4 (≥ 4). */
export type ReluGradKernel = (dy: number, y: number, dz: number, n: number, row: number, db: number, cols: number, u0: number, u1: number, u2: number, u3: number) => void;

export interface SimdGemm {
  kernel: GemmKernel;
  reluGrad: ReluGradKernel;
  /** spmm[V] for V in SPMM_WIDTHS. */
  spmm: Record<number, SpmmKernel>;
  /** The module's memory as int32s (same bytes as floats()). */
  ints(): Int32Array;
  /** The module's memory as floats; re-read after `reserve` (growing detaches the old view). */
  floats(): Float32Array;
  /** Makes room for at least `n` floats; false when memory cannot grow (callers fall back to JS). */
  reserve(n: number): boolean;
}

/** The part of the WebAssembly JS API used here (the project's `lib` has no WebAssembly types). */
interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Memory: new (limits: { initial: number }) => WasmMemory;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: { env: { memory: WasmMemory } }) => { exports: Record<string, unknown> };
}

/** Byte addresses travel as i32 arguments: stay below 2^31. */
const MAX_BYTES = 2 ** 31 - 65536;

function instantiate(): SimdGemm | null {
  const wasm = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;
  if (!wasm || process.env.WFAD_NN_SIMD === '0') return null;
  const bytes = moduleBytes();
  if (!wasm.validate(bytes)) return null;
  const memory = new wasm.Memory({ initial: 1 });
  const inst = new wasm.Instance(new wasm.Module(bytes), { env: { memory } });
  const kernel = inst.exports.gemm as GemmKernel;
  const spmm = Object.fromEntries(SPMM_WIDTHS.map((v) => [v, inst.exports[`spmm${v}`] as SpmmKernel]));
  let view = new Float32Array(memory.buffer);
  let ints = new Int32Array(memory.buffer);
  return {
    kernel,
    reluGrad: inst.exports.reluGrad as ReluGradKernel,
    spmm,
    floats: () => view,
    ints: () => ints,
    reserve(n: number): boolean {
      if (n <= view.length) return true;
      if (n * 4 > MAX_BYTES) return false;
      try {
        memory.grow(Math.ceil((n * 4 - memory.buffer.byteLength) / 65536));
      } catch {
        return false; // out of memory: the caller computes in JS instead
      }
      view = new Float32Array(memory.buffer);
      ints = new Int32Array(memory.buffer);
      return true;
    },
  };
}

/** The SIMD kernel, or null where WebAssembly SIMD is missing or WFAD_NN_SIMD=0 (scalar fallback). */
export const simdGemm: SimdGemm | null = instantiate();
