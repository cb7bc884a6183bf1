import { CompiledQuery, type Compilable } from 'kysely';

/**
 * A query of fixed shape compiled once, its values filled in per run: building and
 * compiling it with Kysely each time cost more than running a one-row query (bench/api,
 * bench/sip). `build` receives one marker per value and must use each as a parameter;
 * the compiled parameters are traced back to their markers, whatever order the
 * dialect puts them in.
 */
export function fixedQuery<Row>(arity: number, build: (...marks: string[]) => Compilable<Row>): (...values: unknown[]) => CompiledQuery<Row> {
  const marks = Array.from({ length: arity }, (_, i) => `\u0000value${i}`);
  const compiled = build(...marks).compile();
  const slots = compiled.parameters.map((p) => {
    const slot = marks.indexOf(p as string);
    if (slot === -1) throw new Error(`fixedQuery: a parameter that is not a marker: ${String(p)}`);
    return slot;
  });
  const sql = compiled.sql;
  return (...values) => CompiledQuery.raw(sql, slots.map((i) => values[i])) as CompiledQuery<Row>;
}
