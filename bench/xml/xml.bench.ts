/**
 * Documents per second for parse + validate of a realistic voice document, beside the
 * raw saxes parse of the same bytes (no handlers) measured in the same run.
 */
import { SaxesParser } from 'saxes';
import { parseDocument } from '../../src/xml/index.js';
import { interleave } from '../harness.js';

export const IVR_DOCUMENT = `<?xml version="1.0" encoding="UTF-8"?>
<Response>
  <Say voice="Polly.Joanna" language="en-US">Thank you for calling Acme Support. Calls are recorded for quality.</Say>
  <Pause length="1"/>
  <Gather input="dtmf speech" action="/ivr/menu?step=1" method="POST" numDigits="1" timeout="6" finishOnKey="#" speechTimeout="auto" hints="billing, support, sales" actionOnEmptyResult="false">
    <Say voice="Polly.Joanna">For billing, press 1 or say billing.</Say>
    <Say voice="Polly.Joanna">For technical support, press 2 or say support.</Say>
    <Say voice="Polly.Joanna"><prosody rate="slow">To reach sales, press 3.</prosody> <break time="500ms"/> To repeat these options, press 9.</Say>
    <Play loop="1">https://assets.example.com/audio/menu-chime.wav</Play>
  </Gather>
  <Say voice="Polly.Joanna">We did not receive your selection.</Say>
  <Dial action="/ivr/dial-status" method="POST" timeout="25" timeLimit="3600" callerId="+15551230000" record="record-from-answer-dual" recordingStatusCallback="/ivr/recording" recordingStatusCallbackEvent="in-progress completed" answerOnBridge="true">
    <Number sendDigits="ww1234" statusCallback="/ivr/leg-status" statusCallbackEvent="initiated ringing answered completed">+15558675309</Number>
    <Sip username="agent" password="s3cret">sip:queue@pbx.example.com;transport=tcp</Sip>
  </Dial>
  <Record action="/ivr/voicemail" maxLength="120" timeout="5" finishOnKey="#" playBeep="true" trim="trim-silence" recordingStatusCallback="/ivr/vm-status"/>
  <Hangup/>
</Response>
`;

export default async function xmlBench() {
  const bytes = Buffer.from(IVR_DOCUMENT, 'utf8');
  const text = IVR_DOCUMENT;
  const check = parseDocument(text);
  if (check.errors.length > 0) throw new Error(`bench document is invalid: ${JSON.stringify(check.errors)}`);
  const rates = interleave(
    {
      'raw saxes parse': () => {
        new SaxesParser().write(text).close();
      },
      'dialtone parse + validate': () => {
        parseDocument(text);
      },
    },
    { unit: 'docs/s' },
  );
  // Billion laughs: ten levels of ten references each, 10^9 expansions if honoured.
  const levels = Array.from({ length: 10 }, (_, i) =>
    i === 0 ? '<!ENTITY l0 "lol">' : `<!ENTITY l${i} "${`&l${i - 1};`.repeat(10)}">`,
  ).join('\n');
  const bomb = `<?xml version="1.0"?>\n<!DOCTYPE r [\n${levels}\n]>\n<Response><Say>&l9;</Say></Response>`;
  const bombTimes: number[] = [];
  for (let i = 0; i < 200; i++) {
    const t0 = performance.now();
    const outcome = parseDocument(bomb);
    bombTimes.push(performance.now() - t0);
    if (outcome.errors[0]?.code !== 12100) throw new Error('entity bomb was not refused');
  }
  bombTimes.sort((a, b) => a - b);
  const raw = rates.find((r) => r.name === 'raw saxes parse')!.perSecond;
  const ours = rates.find((r) => r.name === 'dialtone parse + validate')!.perSecond;
  return {
    figures: {
      documentBytes: bytes.length,
      ratioOfRawParse: Number((ours / raw).toFixed(3)),
      goal: '>= 0.5 of the raw saxes parse rate',
      entityBombRejectMsMedian: Number(bombTimes[100]!.toFixed(4)),
      entityBombRejectMsMax: Number(bombTimes[199]!.toFixed(4)),
    },
    rates,
  };
}
