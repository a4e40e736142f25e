/**
 * onnxruntime-node sessions on the configured execution provider:
 *
 *   auto  CUDA when its provider library loads and a session starts on it, else CPU (said once)
 *   cpu   CPU
 *   cuda  CUDA or a ProviderUnavailableError that says why and how to install it
 *
 * npm installs skip the CUDA provider download (.npmrc), so on most machines `auto` is CPU.
 * Checking for the provider's library first avoids onnxruntime's own error spew on every probe.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import type { ProviderSetting } from '../config';
import { ProviderUnavailableError } from '../errors';

export type Provider = 'cpu' | 'cuda';

export interface SessionOptions {
  provider: ProviderSetting;
  threads: number;
  log: (line: string) => void;
}

const CUDA_HELP = 'install it with `ONNXRUNTIME_NODE_INSTALL=cuda12 node node_modules/onnxruntime-node/script/install.js` on Linux x64 with CUDA 12 and cuDNN 9 (README "GPU inference"), or use WFAD_ONNX_PROVIDER=cpu';

/** Folder of the native binding, where the install script puts the CUDA provider libraries. */
function bindingDir(): string {
  return path.join(path.dirname(require.resolve('onnxruntime-node/package.json')), 'bin', 'napi-v6', os.platform(), os.arch());
}

/** Why CUDA cannot work here without trying a session, or null when it may. */
export function cudaMissingReason(): string | null {
  const cuda = ort.listSupportedBackends().find((b) => b.name === 'cuda');
  if (!cuda) return `this onnxruntime-node build has no CUDA provider for ${os.platform()}/${os.arch()}`;
  if (!cuda.bundled && !fs.existsSync(path.join(bindingDir(), os.platform() === 'win32' ? 'onnxruntime_providers_cuda.dll' : 'libonnxruntime_providers_cuda.so'))) {
    return `the CUDA execution provider is not installed (no provider library in ${bindingDir()})`;
  }
  return null;
}

const said = new WeakMap<(line: string) => void, Set<string>>();
/** Logs a line once per logger (the provider choice is said once, not per model or call). */
function once(log: (line: string) => void, line: string): void {
  const seen = said.get(log) ?? new Set<string>();
  said.set(log, seen);
  if (seen.has(line)) return;
  seen.add(line);
  log(line);
}

function baseOptions(threads: number): ort.InferenceSession.SessionOptions {
  return {
    graphOptimizationLevel: 'all',
    executionMode: 'sequential',
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    enableCpuMemArena: true,
    logSeverityLevel: 3,
  };
}

async function cudaSession(model: Uint8Array, threads: number): Promise<ort.InferenceSession> {
  const missing = cudaMissingReason();
  if (missing) throw new ProviderUnavailableError('cuda', `CUDA requested but unavailable: ${missing}; ${CUDA_HELP}`);
  try {
    return await ort.InferenceSession.create(model, { ...baseOptions(threads), executionProviders: ['cuda'] });
  } catch (err) {
    throw new ProviderUnavailableError('cuda', `CUDA requested but its session failed to start: ${(err as Error).message}; ${CUDA_HELP}`, err);
  }
}

/** A session on the provider the setting resolves to. */
export async function createSession(model: Uint8Array, opts: SessionOptions): Promise<{ session: ort.InferenceSession; provider: Provider }> {
  if (opts.provider === 'cuda') {
    const session = await cudaSession(model, opts.threads);
    once(opts.log, 'onnx: execution provider cuda');
    return { session, provider: 'cuda' };
  }
  if (opts.provider === 'auto') {
    try {
      const session = await cudaSession(model, opts.threads);
      once(opts.log, 'onnx: execution provider auto → cuda');
      return { session, provider: 'cuda' };
    } catch (err) {
      if (!(err instanceof ProviderUnavailableError)) throw err;
      once(opts.log, `onnx: execution provider auto → cpu (${cudaMissingReason() ?? 'the CUDA session failed to start'}; ${opts.threads} intra-op thread${opts.threads > 1 ? 's' : ''})`);
    }
  }
  const session = await ort.InferenceSession.create(model, { ...baseOptions(opts.threads), executionProviders: ['cpu'] });
  if (opts.provider === 'cpu') once(opts.log, `onnx: execution provider cpu (${opts.threads} intra-op thread${opts.threads > 1 ? 's' : ''})`);
  return { session, provider: 'cpu' };
}
