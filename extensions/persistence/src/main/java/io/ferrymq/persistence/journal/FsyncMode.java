package io.ferrymq.persistence.journal;

/** When the journal forces its writes to disk. */
public enum FsyncMode {
  /** Records that arrive while a force runs, or within the commit interval, share the next one. */
  GROUP,
  /** Every record is written and forced on its own: the slowest and simplest to reason about. */
  ALWAYS
}
