import type { FastifyInstance } from 'fastify';
import wavefile from 'wavefile';
import { VoiceResponse } from '../../xml/index.js';

/**
 * The built-in demo application the first-start number is bound to: a small IVR that
 * greets, offers a tone on 1 and a recording on 2 (played back to the caller). It is an
 * ordinary web application of TwiML, served by Dialtone itself so that a fresh install
 * has something to call.
 */
export async function demoRoutes(app: FastifyInstance): Promise<void> {
  const xml = 'text/xml; charset=utf-8';

  app.all('/voice', async (_req, reply) => {
    const r = new VoiceResponse();
    const gather = r.gather({ numDigits: 1, action: 'menu', timeout: 6 });
    gather.say('Welcome to Dialtone. Press 1 to hear a test tone. Press 2 to leave a recording.');
    r.say('We did not hear a choice. Goodbye.');
    r.hangup();
    return reply.type(xml).send(r.toString());
  });

  app.all<{ Body: Record<string, string> | undefined; Querystring: Record<string, string> }>('/menu', async (req, reply) => {
    const digits = req.body?.Digits ?? req.query.Digits ?? '';
    const r = new VoiceResponse();
    if (digits === '1') {
      r.say('Here is a one kilohertz tone.');
      r.play('tone.wav');
      r.redirect('voice', { method: 'POST' });
    } else if (digits === '2') {
      r.say('Leave a message after the beep. Press pound when you are done.');
      r.record({ action: 'recorded', maxLength: 30, finishOnKey: '#' });
      // An empty recording requests no action: the document goes on here.
      r.say('We did not hear anything.');
      r.redirect('voice', { method: 'POST' });
    } else {
      r.say('That is not an option.');
      r.redirect('voice', { method: 'POST' });
    }
    return reply.type(xml).send(r.toString());
  });

  app.all<{ Body: Record<string, string> | undefined; Querystring: Record<string, string> }>('/recorded', async (req, reply) => {
    const url = req.body?.RecordingUrl ?? req.query.RecordingUrl;
    const r = new VoiceResponse();
    r.say('Thank you. Here is your recording.');
    if (url) r.play(`${url}.wav`);
    r.say('Goodbye.');
    r.hangup();
    return reply.type(xml).send(r.toString());
  });

  // Two seconds of a 1 kHz tone at -10 dBFS, 8 kHz 16-bit mono: made here, not shipped.
  const tone = toneWav(1000, 2, 8000);
  app.get('/tone.wav', async (_req, reply) => reply.type('audio/wav').header('cache-control', 'public, max-age=86400').send(tone));
}

function toneWav(frequency: number, seconds: number, rate: number): Buffer {
  const samples = new Int16Array(rate * seconds);
  const amplitude = 32767 * 10 ** (-10 / 20);
  for (let i = 0; i < samples.length; i++) samples[i] = Math.round(amplitude * Math.sin((2 * Math.PI * frequency * i) / rate));
  const wav = new wavefile.WaveFile();
  wav.fromScratch(1, rate, '16', samples);
  return Buffer.from(wav.toBuffer());
}
