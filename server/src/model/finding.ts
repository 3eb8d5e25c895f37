import type { Range } from './ir';

export type Severity = 'error' | 'warning' | 'information' | 'hint';

export type FixSafety = 'safe' | 'unsafe';

export interface TextEdit {
  range: Range;
  newText: string;
}

export interface Fix {
  title: string;
  safety: FixSafety;
  /** Edits to the finding's own file; non-overlapping. */
  edits: TextEdit[];
}

export interface RelatedLocation {
  uri: string;
  range: Range;
  message: string;
}

export interface Finding {
  uri: string;
  code: string;
  name: string;
  severity: Severity;
  message: string;
  range: Range;
  fix: Fix | null;
  related: RelatedLocation[];
}
