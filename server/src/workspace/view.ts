import type { Range } from '../model/ir';

/** A saved artifact seen elsewhere in the workspace: who saved it and what it held. */
export interface ArtifactSave {
  uri: string;
  /** Normalized artifact key (path literal, module constant...). */
  key: string;
  range: Range;
  /** Facts the saving file recorded about the saved object (e.g. "bare-model-fitted-on-transformed"). */
  facts: string[];
}

/** What a rule may ask about the rest of the workspace. */
export interface WorkspaceView {
  savesOf(key: string): ArtifactSave[];
  /**
   * Files linked to `uri` by an import (they import it, or it imports them) that save something with
   * pickle: a lambda built in `uri` may be saved there. Empty when none is known.
   */
  picklingNeighboursOf?(uri: string): string[];
}
