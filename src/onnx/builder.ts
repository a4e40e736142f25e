/**
 * A small ONNX graph builder over the `onnx-proto` protobuf classes.
 *
 * Why onnx-proto: it is the npm package of ONNX's own onnx.proto compiled with protobufjs (typed
 * classes, encode/decode, ~1.5 M downloads a month, used by ONNX Runtime's web tooling), so the
 * files we write are the standard format byte for byte, with no Python and no hand-written
 * protobuf encoder. Its onnx.proto is ONNX 1.10's (IR version 8), which carries opset 17 graphs:
 * the opset is a number in the model, the wire format did not change.
 */
import { onnx } from 'onnx-proto';

export const IR_VERSION = 8;
export const OPSET = 17;

type Attr = number | number[] | string | { tensor: onnx.ITensorProto };

/** A tensor type for a graph input/output: element type and dims (numbers or symbolic names). */
export interface ValueSpec {
  name: string;
  type: onnx.TensorProto.DataType;
  dims: Array<number | string>;
}

function valueInfo(v: ValueSpec): onnx.IValueInfoProto {
  return {
    name: v.name,
    type: {
      tensorType: {
        elemType: v.type,
        shape: { dim: v.dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
      },
    },
  };
}

function attribute(name: string, v: Attr): onnx.IAttributeProto {
  const T = onnx.AttributeProto.AttributeType;
  if (typeof v === 'string') return { name, type: T.STRING, s: new TextEncoder().encode(v) };
  if (Array.isArray(v)) return { name, type: T.INTS, ints: v };
  if (typeof v === 'number') {
    return Number.isInteger(v) ? { name, type: T.INT, i: v } : { name, type: T.FLOAT, f: v };
  }
  return { name, type: T.TENSOR, t: v.tensor };
}

/** float32 or int64 tensor with little-endian raw data. */
export function tensorProto(name: string, dims: number[], data: Float32Array | BigInt64Array): onnx.ITensorProto {
  const bytes = new Uint8Array(data.byteLength);
  const view = new DataView(bytes.buffer);
  if (data instanceof Float32Array) data.forEach((v, i) => view.setFloat32(4 * i, v, true));
  else data.forEach((v, i) => view.setBigInt64(8 * i, v, true));
  return {
    name,
    dims,
    dataType: data instanceof Float32Array ? onnx.TensorProto.DataType.FLOAT : onnx.TensorProto.DataType.INT64,
    rawData: bytes,
  };
}

export class GraphBuilder {
  private readonly nodes: onnx.INodeProto[] = [];
  private readonly initializers: onnx.ITensorProto[] = [];
  private readonly names = new Set<string>();
  private readonly consts = new Map<string, string>();

  /** A fresh value name with a readable prefix. */
  name(prefix: string): string {
    let n = prefix;
    for (let i = 1; this.names.has(n); i++) n = `${prefix}_${i}`;
    this.names.add(n);
    return n;
  }

  /** Reserves names that the graph inputs use. */
  reserve(...names: string[]): void {
    for (const n of names) this.names.add(n);
  }

  /** Adds one node; returns its output names (one per `outputs` prefix). */
  op(opType: string, inputs: string[], attrs: Record<string, Attr> = {}, outputs: string[] = [opType.toLowerCase()]): string[] {
    const outs = outputs.map((o) => this.name(o));
    this.nodes.push({
      opType,
      name: this.name(`${opType}_node`),
      input: inputs,
      output: outs,
      attribute: Object.entries(attrs).map(([k, v]) => attribute(k, v)),
    });
    return outs;
  }

  /** Single-output node. */
  op1(opType: string, inputs: string[], attrs: Record<string, Attr> = {}, output?: string): string {
    return this.op(opType, inputs, attrs, [output ?? opType.toLowerCase()])[0] as string;
  }

  /** A node whose single output has a fixed public name (a graph output); the name must be reserved. */
  named(opType: string, inputs: string[], output: string, attrs: Record<string, Attr> = {}): void {
    this.nodes.push({ opType, name: this.name(`${opType}_node`), input: inputs, output: [output], attribute: Object.entries(attrs).map(([k, v]) => attribute(k, v)) });
  }

  /** A weight (float32) as an initializer. */
  weight(name: string, dims: number[], data: Float32Array): string {
    const n = this.name(name);
    this.initializers.push(tensorProto(n, dims, data));
    return n;
  }

  /** An int64 constant initializer (shared by value). */
  int64(values: number[], scalar = false): string {
    const key = `i64:${scalar ? 's' : 'v'}:${values.join(',')}`;
    const known = this.consts.get(key);
    if (known) return known;
    const n = this.name(scalar ? `c${values[0]}` : `c[${values.join(',')}]`.replace(/[[\],]/g, '_'));
    this.initializers.push(tensorProto(n, scalar ? [] : [values.length], BigInt64Array.from(values, (v) => BigInt(v))));
    this.consts.set(key, n);
    return n;
  }

  /** A float32 constant initializer (shared by value). */
  float(values: number[], scalar = false): string {
    const key = `f32:${scalar ? 's' : 'v'}:${values.join(',')}`;
    const known = this.consts.get(key);
    if (known) return known;
    const n = this.name('cf');
    this.initializers.push(tensorProto(n, scalar ? [] : [values.length], Float32Array.from(values)));
    this.consts.set(key, n);
    return n;
  }

  model(opts: { graphName: string; inputs: ValueSpec[]; outputs: ValueSpec[]; metadata: Record<string, string>; docString: string; producerVersion: string }): Uint8Array {
    const model = onnx.ModelProto.create({
      irVersion: IR_VERSION,
      opsetImport: [{ domain: '', version: OPSET }],
      producerName: 'wfad',
      producerVersion: opts.producerVersion,
      docString: opts.docString,
      graph: {
        name: opts.graphName,
        node: this.nodes,
        initializer: this.initializers,
        input: opts.inputs.map(valueInfo),
        output: opts.outputs.map(valueInfo),
      },
      metadataProps: Object.entries(opts.metadata).map(([key, value]) => ({ key, value })),
    });
    return onnx.ModelProto.encode(model).finish();
  }
}
