// A node:test reporter that writes, as one JSON array, the files holding a failed test
// (a test with no file — a file that failed to load — is written as null).
// scripts/run-tests.mjs reads it to rerun failed end-to-end files once alone.
export default async function* failedFiles(source) {
  const files = new Set();
  for await (const event of source) {
    if (event.type === 'test:fail') files.add(event.data.file ?? null);
  }
  yield `${JSON.stringify([...files])}\n`;
}
