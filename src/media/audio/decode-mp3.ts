/**
 * MP3 (MPEG-1/2/2.5 layers I–III) to {@link Pcm8k}, through `mpg123-decoder`
 * (libmpg123 compiled to WebAssembly).
 *
 * The input is fed in slices; each slice's decoded float channels go straight
 * into the resampler, and the event loop gets a turn between slices, so a long
 * file neither blocks the thread nor sits in memory as 44.1 kHz stereo floats.
 * Gapless playback info (LAME/Xing header) trims the encoder's padding.
 */
import { MPEGDecoder } from 'mpg123-decoder';
import { type DecodeOptions, Yielder } from './cooperate.js';
import { AudioDecodeError } from './errors.js';
import type { Pcm8k } from './pcm.js';
import { type Pcm8kConverter, createPcm8kConverter } from './resample.js';

/** Compressed bytes handed to the decoder per slice (~1 s of 128 kb/s audio). */
const SLICE_BYTES = 16 * 1024;

let warmed: Promise<void> | undefined;

/**
 * Compiles the decoder's WebAssembly once (later decoders reuse it). Decoding
 * does this itself; call it early to take ~30 ms off the first MP3.
 */
export function loadMp3Decoder(): Promise<void> {
  if (warmed === undefined) {
    const decoder = new MPEGDecoder();
    warmed = decoder.ready.then(
      () => decoder.free(),
      (error: unknown) => {
        warmed = undefined;
        throw error;
      },
    );
  }
  return warmed;
}

/** Decodes an MP3 file to 8 kHz mono. */
export async function decodeMp3(bytes: Uint8Array, options: DecodeOptions = {}): Promise<Pcm8k> {
  const yielder = new Yielder(options);
  const decoder = new MPEGDecoder();
  let converter: Pcm8kConverter | undefined;
  let errors = 0;
  let firstError = '';
  try {
    await decoder.ready;
    for (let offset = 0; offset < bytes.length; offset += SLICE_BYTES) {
      const result = decoder.decode(bytes.subarray(offset, offset + SLICE_BYTES));
      if (result.errors.length > 0) {
        if (errors === 0) firstError = result.errors[0]!.message;
        errors += result.errors.length;
      }
      if (result.samplesDecoded > 0) {
        if (converter === undefined) {
          converter = await createPcm8kConverter(
            result.sampleRate,
            options.quality === undefined ? {} : { quality: options.quality },
          );
        } else if (result.sampleRate !== converter.inputRate) {
          // A stream that changes rate mid-way (concatenated files): not worth a second resampler.
          throw new AudioDecodeError(
            'unsupported-encoding',
            `MP3: sample rate changes from ${converter.inputRate} to ${result.sampleRate} Hz`,
          );
        }
        converter.push(result.channelData, 0, result.samplesDecoded);
      }
      await yielder.maybeYield();
    }
    if (converter === undefined) {
      throw new AudioDecodeError(
        'corrupt',
        errors > 0 ? `MP3: no audio decoded (${errors} errors, first: ${firstError})` : 'MP3: no audio frames found',
      );
    }
    return converter.finish();
  } finally {
    converter?.destroy();
    decoder.free();
  }
}
