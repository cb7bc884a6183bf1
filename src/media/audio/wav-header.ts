/**
 * The canonical 44-byte header of a 16-bit PCM WAV file, and 8 kHz mono PCM
 * as a whole WAV file. The recorder writes the header first with sizes of
 * zero and patches them on close (offsets {@link RIFF_SIZE_OFFSET} and
 * {@link DATA_SIZE_OFFSET}); the prompt cache stores prompts as WAV files.
 */
import { type Pcm8k, PCM8K_RATE } from './pcm.js';

export const WAV_HEADER_BYTES = 44;
/** Offset of the RIFF chunk size (file length − 8). */
export const RIFF_SIZE_OFFSET = 4;
/** Offset of the data chunk size. */
export const DATA_SIZE_OFFSET = 40;
/** Largest data chunk a RIFF file can describe. */
export const MAX_WAV_DATA_BYTES = 0xffffffff - (WAV_HEADER_BYTES - 8);

/** Writes a 16-bit PCM WAV header for `dataBytes` bytes of samples into `dst` at `offset`. */
export function writeWavHeader(
  dst: Uint8Array,
  dataBytes: number,
  channels: number,
  sampleRate = PCM8K_RATE,
  offset = 0,
): void {
  if (dst.length < offset + WAV_HEADER_BYTES) throw new RangeError('writeWavHeader: destination too small');
  if (!(dataBytes >= 0 && dataBytes <= MAX_WAV_DATA_BYTES)) throw new RangeError(`WAV data size ${dataBytes} out of range`);
  const view = new DataView(dst.buffer, dst.byteOffset + offset, WAV_HEADER_BYTES);
  const blockAlign = channels * 2;
  const ascii = (at: number, text: string): void => {
    for (let i = 0; i < 4; i++) view.setUint8(at + i, text.charCodeAt(i));
  };
  ascii(0, 'RIFF');
  view.setUint32(RIFF_SIZE_OFFSET, WAV_HEADER_BYTES - 8 + dataBytes, true);
  ascii(8, 'WAVE');
  ascii(12, 'fmt ');
  view.setUint32(16, 16, true); // fmt chunk size
  view.setUint16(20, 1, true); // PCM
  view.setUint16(22, channels, true);
  view.setUint32(24, sampleRate, true);
  view.setUint32(28, sampleRate * blockAlign, true); // byte rate
  view.setUint16(32, blockAlign, true);
  view.setUint16(34, 16, true); // bits per sample
  ascii(36, 'data');
  view.setUint32(DATA_SIZE_OFFSET, dataBytes, true);
}

/** `pcm` as a complete 8 kHz mono 16-bit WAV file. */
export function pcm8kToWav(pcm: Pcm8k): Uint8Array {
  const out = new Uint8Array(WAV_HEADER_BYTES + pcm.length * 2);
  writeWavHeader(out, pcm.length * 2, 1);
  const view = new DataView(out.buffer, out.byteOffset + WAV_HEADER_BYTES, pcm.length * 2);
  for (let i = 0; i < pcm.length; i++) view.setInt16(i * 2, pcm[i]!, true);
  return out;
}
