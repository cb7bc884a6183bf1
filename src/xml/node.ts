/** The untyped tree the parser builds; `document.ts` gives it types from the tables. */
export interface XmlNode {
  readonly name: string;
  /** 1-based line and column of the element's `<`. */
  readonly line: number;
  readonly column: number;
  /** Trimmed text (for mixed elements, the text of the whole subtree). */
  text: string;
  /** Attribute values read by the table, defaults applied. */
  readonly attrs: Record<string, unknown>;
  children: XmlNode[];
  /** Mixed elements only (`<Say>` with SSML): text and elements in document order. */
  content?: (string | XmlNode)[];
}

export type DocumentKind = 'voice' | 'messaging';
